// The attachment API (docs/PROTOCOL.md §9): files of preschool documentation (docs/DOMAIN.md §4),
// messages and posts.
//   POST /api/v1/attachments?filename=…&for=…   upload, bearer = the user's JWT; `for` is
//        documentation (default: a preschool teacher), message (anyone) or post (staff)
//   GET  /api/v1/attachments/:id[?size=thumb]   download, for those who may read what holds it
// Files are checked by their bytes (hub/attachments/sniff.ts), limited in size, stored under
// HUB_DATA_DIR/attachments with the facts in PostgreSQL, and served with the checked type,
// nosniff, a sandboxing CSP and a Content-Disposition. Every route follows hub/http.ts: the
// per-address limit first, the request copied before anything async, onAborted before the
// first await, writes corked.
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from '../uws.ts';
import type { HubCore } from '../core.ts';
import { readBody, type Aborted } from '../http.ts';
import { can, canReadDocumentation } from '../rules/index.ts';
import { ATTACHMENT_ID, newAttachmentId } from '../../storage/attachment-files.ts';
import { getAttachment, getDocumentation, insertAttachment, pendingUploadsOf, type AttachmentPurpose, type AttachmentRow } from '../../storage/documentation.ts';
import { AttachmentTotal } from './total.ts';
import { getMessage, getConversation } from '../../storage/chat.ts';
import { postReadKeys } from '../../storage/feed.ts';
import { readKeysOf } from '../audience.ts';
import { isParticipant } from '../views/chat.ts';
import { makeThumbnail } from './thumbnail.ts';
import type { AttachmentQuota } from '../config.ts';
import { childrenShownTo } from '../views/development.ts';
import { attachmentView } from '../views/files.ts';
import { audit } from '../audit.ts';
import { ATTACHMENT_BYTES } from '../protocol/limits.ts';
import { ATTACHMENT_TYPES, declaredType, sniff, type AttachmentType } from './sniff.ts';
import { isBadData, storageFailure } from '../../storage/errors.ts';

const PURPOSES: readonly AttachmentPurpose[] = ['documentation', 'message', 'post'];

/**
 * May `personId` fetch a message's or a post's attachment? A message's: its conversation's
 * participants, while the message is not deleted. A post's: its readers now (their read keys
 * against the post's).
 */
async function mayReadHolder(core: HubCore, personId: string, a: AttachmentRow): Promise<boolean> {
  const dir = core.directory();
  if (a.messageId !== null) {
    const m = await getMessage(core.sql, a.messageId);
    const conv = m && m.deletedAt === null ? await getConversation(core.sql, m.conversationId) : undefined;
    return !!conv && isParticipant(dir, conv, personId);
  }
  if (a.postId !== null) {
    const keys = await postReadKeys(core.sql, a.postId);
    if (!keys) return false;
    const mine = new Set(readKeysOf(dir, personId));
    return keys.some((k) => mine.has(k));
  }
  return false;
}

export const ATTACHMENT_LIMITS = {
  bytes: ATTACHMENT_BYTES,
  filename: 200,
};

const ROUTE_UPLOAD = '/api/v1/attachments';
const ROUTE_DOWNLOAD = '/api/v1/attachments/:id';

interface Copied {
  auth: string;
  origin: string;
}

class HttpError extends Error {
  constructor(readonly status: string, readonly code: string, message: string) {
    super(message);
  }
}

/** CORS for widgets on the portal's origin: only allowed origins, never `*` (the answers are personal). */
function corsHeaders(core: HubCore, origin: string): Record<string, string> {
  if (origin === '' || !core.originAllowed(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-expose-headers': 'content-disposition' };
}

function answer(res: HttpResponse, aborted: Aborted, status: string, body: unknown, headers: Record<string, string>): void {
  if (aborted.v) return;
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(JSON.stringify(body));
  });
}

/** The file name to keep: its last path part, without control characters, at most 200 characters. */
export function cleanFilename(raw: string, type: AttachmentType): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, ATTACHMENT_LIMITS.filename);
  return clean.length > 0 && clean !== '.' && clean !== '..' ? clean : `bilaga.${type.split('/')[1]}`;
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The person a request speaks for, from `Authorization: Bearer <JWT>` (the same token as the WebSocket's). */
async function caller(core: HubCore, auth: string): Promise<string> {
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) throw new HttpError('401 Unauthorized', 'unauthenticated', 'send Authorization: Bearer <your token>');
  let sub: string;
  try {
    sub = (await core.verifyToken(m[1]!)).sub;
  } catch (e) {
    throw new HttpError('401 Unauthorized', 'unauthenticated', e instanceof Error ? e.message : 'token invalid');
  }
  if (!core.directory().person(sub)) throw new HttpError('401 Unauthorized', 'unauthenticated', 'token subject is not in the directory');
  return sub;
}

function copy(req: HttpRequest): Copied {
  return { auth: req.getHeader('authorization'), origin: req.getHeader('origin') };
}

/** Sends a whole buffer, waiting for the socket to drain where needed (a 10 MiB photo to a slow phone). */
function sendFile(res: HttpResponse, aborted: Aborted, headers: Record<string, string>, body: Buffer): void {
  if (aborted.v) return;
  res.cork(() => {
    res.writeStatus('200 OK');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    const start = res.getWriteOffset();
    const [ok, done] = res.tryEnd(body, body.length);
    if (ok || done) return;
    res.onWritable((offset) => {
      if (aborted.v) return true;
      const [sent] = res.tryEnd(body.subarray(offset - start), body.length);
      return sent;
    });
  });
}

const MiB = 1024 * 1024;
const inMiB = (n: number) => `${Math.round((n / MiB) * 10) / 10} MiB`;

/**
 * Room for one more file of `size` bytes from `personId`, or the documented refusal (docs/PROTOCOL.md §9):
 * 429 quota_exceeded (their pending uploads), 507 storage_full (all attachments), 507 disk_full
 * (free space below the margin: the embedded database may share this disk, and must never be the
 * one to run out).
 */
async function checkRoom(core: HubCore, quota: AttachmentQuota, total: AttachmentTotal, personId: string, size: number): Promise<void> {
  const pending = await pendingUploadsOf(core.sql, personId);
  if (pending.files + 1 > quota.pendingFiles || pending.bytes + size > quota.pendingBytes) {
    core.metrics.limited.inc({ limit: 'attachments_pending_per_person' });
    throw new HttpError('429 Too Many Requests', 'quota_exceeded',
      `you have ${pending.files} uploads (${inMiB(pending.bytes)}) not yet in a documentation; at most ${quota.pendingFiles} files and ${inMiB(quota.pendingBytes)}: use them in a documentation first (unused uploads are removed after 24 h)`);
  }
  const totalBytes = await total.bytes();
  if (totalBytes + size > quota.totalBytes) {
    core.metrics.limited.inc({ limit: 'attachments_total' });
    core.log(`attachment refused: the attachments hold ${totalBytes} bytes of at most ${quota.totalBytes} (HUB_ATTACHMENTS_MAX_BYTES)`);
    throw new HttpError('507 Insufficient Storage', 'storage_full', 'the hub stores no more attachments now; tell the school\'s administrator');
  }
  const free = await core.attachmentFiles.freeBytes();
  if (free - size < quota.minFreeBytes) {
    core.metrics.limited.inc({ limit: 'attachments_disk_free' });
    core.log(`attachment refused: ${free} bytes free on the attachments' disk, ${quota.minFreeBytes} kept free (HUB_ATTACHMENTS_MIN_FREE_BYTES)`);
    throw new HttpError('507 Insufficient Storage', 'disk_full', 'the hub\'s disk is nearly full; tell the school\'s administrator');
  }
}

export function registerAttachments(app: TemplatedApp, core: HubCore, quota: AttachmentQuota): void {
  // The node's one file store (retention deletes through the same one).
  const files = core.attachmentFiles;
  const total = new AttachmentTotal(core.sql);
  // One person's uploads on this node are checked and stored one at a time, so parallel
  // uploads cannot all pass the same check (across nodes at most one file each slips past).
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(personId: string, work: () => Promise<T>): Promise<T> => {
    const run = (queues.get(personId) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    queues.set(personId, settled);
    void settled.then(() => {
      if (queues.get(personId) === settled) queues.delete(personId);
    });
    return run;
  };

  const preflight = (res: HttpResponse, req: HttpRequest) => {
    const origin = req.getHeader('origin');
    if (origin === '' || !core.originAllowed(origin)) {
      res.writeStatus('403 Forbidden').end();
      return;
    }
    res.writeStatus('204 No Content');
    for (const [k, v] of Object.entries(corsHeaders(core, origin))) res.writeHeader(k, v);
    res.writeHeader('access-control-allow-methods', 'GET, POST').writeHeader('access-control-allow-headers', 'authorization, content-type')
      .writeHeader('access-control-max-age', '600').endWithoutBody();
  };
  app.options(ROUTE_UPLOAD, preflight);
  app.options(ROUTE_DOWNLOAD, preflight);

  app.post(ROUTE_UPLOAD, (res, req) => {
    if (!core.withinHttpLimit(res, req, ROUTE_UPLOAD)) return;
    const { auth, origin } = copy(req);
    const contentType = req.getHeader('content-type');
    const length = Number(req.getHeader('content-length') || '0');
    const filename = req.getQuery('filename') ?? '';
    const purposeAsked = req.getQuery('for') ?? 'documentation';
    const aborted: Aborted = { v: false };
    res.onAborted(() => {
      aborted.v = true;
      aborted.onAbort?.();
    });
    const cors = corsHeaders(core, origin);
    const fail = (e: HttpError) => {
      core.metrics.http.inc({ route: ROUTE_UPLOAD, status: e.status.slice(0, 3) });
      answer(res, aborted, e.status, { error: { code: e.code, message: e.message } }, cors);
    };
    if (origin !== '' && !core.originAllowed(origin)) return fail(new HttpError('403 Forbidden', 'forbidden', 'origin not allowed'));
    if (length > ATTACHMENT_LIMITS.bytes) return fail(new HttpError('413 Payload Too Large', 'too_large', `files are at most ${ATTACHMENT_LIMITS.bytes} bytes`));
    // The body is read from now on (uWS hands it over only to a reader attached here), while the token is checked.
    const body = readBody(res, ATTACHMENT_LIMITS.bytes, aborted);
    body.catch(() => {});
    void (async () => {
      try {
        const personId = await caller(core, auth);
        if (!PURPOSES.includes(purposeAsked as AttachmentPurpose)) throw new HttpError('400 Bad Request', 'invalid', `for must be one of ${PURPOSES.join(', ')}`);
        const purpose = purposeAsked as AttachmentPurpose;
        const decision = can(core.directory(), personId, { type: 'attachment.upload', purpose });
        if (!decision.ok) throw new HttpError('403 Forbidden', 'forbidden', decision.reason);
        const declared = declaredType(contentType);
        if (!declared) throw new HttpError('415 Unsupported Media Type', 'invalid', `Content-Type must be one of ${ATTACHMENT_TYPES.join(', ')}`);
        let bytes: Buffer;
        try {
          bytes = await body;
        } catch (e) {
          const status = (e as { status?: string }).status;
          if (!status) throw new HttpError('400 Bad Request', 'invalid', (e as Error).message);
          throw new HttpError(status, status.startsWith('413') ? 'too_large' : 'invalid', status.startsWith('413') ? `files are at most ${ATTACHMENT_LIMITS.bytes} bytes` : (e as Error).message);
        }
        if (bytes.length === 0) throw new HttpError('400 Bad Request', 'invalid', 'the file is empty');
        const actual = sniff(bytes);
        if (actual !== declared) {
          throw new HttpError('415 Unsupported Media Type', 'invalid', actual ? `the file is ${actual}, not ${declared}` : `the file's content is not ${declared}`);
        }
        // Made once, here: every view of the image afterwards is a small WebP (hub/attachments/thumbnail.ts).
        const thumbnail = declared.startsWith('image/') ? await makeThumbnail(bytes) : undefined;
        if (declared.startsWith('image/') && !thumbnail) throw new HttpError('415 Unsupported Media Type', 'invalid', `the image could not be read as ${declared}`);
        const row = await oneAtATime(personId, async () => {
          await checkRoom(core, quota, total, personId, bytes.length);
          const id = newAttachmentId();
          const thumbnailId = thumbnail ? newAttachmentId() : null;
          const written = thumbnailId ? [id, thumbnailId] : [id];
          try {
            await files.save(id, bytes);
            if (thumbnailId) await files.save(thumbnailId, thumbnail!.bytes);
          } catch (e) {
            for (const f of written) await files.remove(f).catch(() => {});
            core.log('attachment could not be written', e);
            throw new HttpError('503 Service Unavailable', 'unavailable', 'the file could not be stored; nothing was kept');
          }
          try {
            const stored = await insertAttachment(core.sql, {
              id, ownerId: personId, purpose, contentType: declared, size: bytes.length, filename: cleanFilename(filename, declared),
              sha256: createHash('sha256').update(bytes).digest('hex'),
              thumbnailId, width: thumbnail?.width ?? null, height: thumbnail?.height ?? null,
            });
            total.added(stored.size);
            return stored;
          } catch (e) {
            for (const f of written) await files.remove(f).catch(() => {});
            if (isBadData(e)) throw new HttpError('400 Bad Request', 'invalid', storageFailure(e).message);
            core.log('attachment could not be recorded', e);
            throw new HttpError('503 Service Unavailable', 'unavailable', 'the file could not be stored; nothing was kept');
          }
        });
        core.metrics.http.inc({ route: ROUTE_UPLOAD, status: '201' });
        answer(res, aborted, '201 Created', { attachment: attachmentView(row) }, cors);
      } catch (e) {
        if (e instanceof HttpError) return fail(e);
        core.log('attachment upload failed', e);
        fail(new HttpError('503 Service Unavailable', 'unavailable', 'the file could not be stored; nothing was kept'));
      }
    })();
  });

  app.get(ROUTE_DOWNLOAD, (res, req) => {
    if (!core.withinHttpLimit(res, req, ROUTE_DOWNLOAD)) return;
    const { auth, origin } = copy(req);
    const id = req.getParameter(0) ?? '';
    const thumb = req.getQuery('size') === 'thumb';
    const aborted: Aborted = { v: false };
    res.onAborted(() => (aborted.v = true));
    const cors = corsHeaders(core, origin);
    const fail = (e: HttpError) => {
      core.metrics.http.inc({ route: ROUTE_DOWNLOAD, status: e.status.slice(0, 3) });
      answer(res, aborted, e.status, { error: { code: e.code, message: e.message } }, cors);
    };
    if (origin !== '' && !core.originAllowed(origin)) return fail(new HttpError('403 Forbidden', 'forbidden', 'origin not allowed'));
    void (async () => {
      try {
        const personId = await caller(core, auth);
        const dir = core.directory();
        const noSuch = new HttpError('404 Not Found', 'not_found', 'no such attachment');
        const a = ATTACHMENT_ID.test(id) ? await getAttachment(core.sql, id) : undefined;
        if (!a) throw noSuch;
        // A documentation's: whoever sees it (403 to others, docs/PROTOCOL.md §9). Not taken yet:
        // only its uploader's (403 to others). A message's or a post's: whoever may read it, and
        // to anyone else it does not exist (404, the answer to an unknown id).
        const d = a.documentationId === null ? undefined : await getDocumentation(core.sql, a.documentationId);
        const forbidden = new HttpError('403 Forbidden', 'forbidden', 'you may not see this attachment');
        if (d && !canReadDocumentation(dir, personId, d)) throw forbidden;
        if (a.messageId === null && a.postId === null && !d && a.ownerId !== personId) throw forbidden;
        if ((a.messageId !== null || a.postId !== null) && !(await mayReadHolder(core, personId, a))) throw noSuch;
        const file = thumb && a.thumbnailId ? a.thumbnailId : a.id;
        const bytes = await files.read(file);
        if (!bytes) {
          core.log(`attachment ${a.id} is recorded but its file is missing`);
          throw noSuch;
        }
        if (d) audit({ personId, dir, auditLog: core.auditLog }, 'attachment.get', () => [{ about: childrenShownTo(dir, personId, d), ids: [d.id, a.id] }]);
        core.metrics.http.inc({ route: ROUTE_DOWNLOAD, status: '200' });
        sendFile(res, aborted, {
          ...cors,
          'content-type': file === a.id ? a.contentType : 'image/webp',
          'x-content-type-options': 'nosniff',
          // Images show in the page; a PDF is saved, not opened in the hub's origin.
          'content-disposition': disposition(a.contentType.startsWith('image/') ? 'inline' : 'attachment', a.filename),
          'content-security-policy': "default-src 'none'; sandbox",
          'cross-origin-resource-policy': 'same-origin',
          'cache-control': 'private, no-store',
        }, bytes);
      } catch (e) {
        if (e instanceof HttpError) return fail(e);
        core.log('attachment download failed', e);
        fail(new HttpError('503 Service Unavailable', 'unavailable', 'the attachment could not be read; retry later'));
      }
    })();
  });
}
