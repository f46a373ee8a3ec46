// The privacy admin API (bearer HUB_ADMIN_TOKEN, like the directory import): the audit log,
// the per-person export, legal holds and guardian blocks. Documented in docs/PROTOCOL.md §8.
// Every route follows hub/http.ts: the per-address limit first, the request copied before
// anything async, onAborted before the first await, answers corked.
import { z } from 'zod';
import type { HttpResponse, TemplatedApp } from '../uws.ts';
import type { HubCore } from '../core.ts';
import { bearerMatches, bodyIssue, internalError, json, readBody, type Aborted } from '../http.ts';
import { unstorableString } from '../protocol/strings.ts';
import { directoryIdSchema } from '../directory/schema.ts';
import {
  addGuardianBlock, auditEntries, listGuardianBlocks, listLegalHolds, releaseLegalHold, removeGuardianBlock, setLegalHold,
} from '../../storage/privacy.ts';
import { isGuardianInRecords, personExists } from '../../storage/directory.ts';
import { exportPerson } from './export.ts';
import { LEGAL_HOLD_KINDS } from './sources.ts';

export const PRIVACY_HTTP_LIMITS = {
  /** Bodies of the admin writes are small JSON objects. */
  bodyBytes: 16 * 1024,
  maxList: 1_000,
};

export interface PrivacyHttpOptions {
  adminToken: string;
  /**
   * Rebuild the directory here and tell the other nodes (DirectoryView.changed in
   * hub/directory-view.ts: the same path as a directory import). Called after a guardian block changed.
   */
  afterDirectoryChange: () => Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: string, readonly code: string, message: string, readonly path?: (string | number)[]) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = bodyIssue(parsed.error);
  throw new HttpError('400 Bad Request', 'invalid', issue.message, issue.path);
}

interface AdminRequest {
  query: Record<string, string>;
  params: string[];
  body: unknown;
}

interface Route {
  method: 'get' | 'post' | 'del';
  pattern: string;
  /** The metrics label (no ids in it). */
  route: string;
  params?: number;
  body?: boolean;
  handle(r: AdminRequest): Promise<{ status: string; body: unknown }>;
}

const limit = z.coerce.number().int().min(1).max(PRIVACY_HTTP_LIMITS.maxList);
const reason = z.string().trim().min(1).max(1_000);

const auditQuery = z
  .object({
    personId: directoryIdSchema.optional(),
    actorId: directoryIdSchema.optional(),
    limit: limit.default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .refine((q) => q.personId !== undefined || q.actorId !== undefined, { message: 'give personId (whose data was read) or actorId (who read)', path: ['personId'] });

const legalHoldBody = z
  .object({
    kind: z.enum(LEGAL_HOLD_KINDS),
    id: directoryIdSchema,
    hold: z.boolean().default(true),
    reason: reason.optional(),
  })
  .refine((b) => !b.hold || b.reason !== undefined, { message: 'a legal hold needs a reason', path: ['reason'] });

const legalHoldQuery = z.object({ kind: z.enum(LEGAL_HOLD_KINDS).optional(), id: directoryIdSchema.optional(), limit: limit.default(100) });

const guardianBlockBody = z
  .object({ guardianId: directoryIdSchema, childId: directoryIdSchema, reason: reason.optional() })
  .refine((b) => b.guardianId !== b.childId, { message: 'a person is not their own guardian', path: ['childId'] });

const guardianBlockKey = z.object({ guardianId: directoryIdSchema, childId: directoryIdSchema });

const guardianBlockQuery = z.object({ guardianId: directoryIdSchema.optional(), childId: directoryIdSchema.optional(), limit: limit.default(100) });

function routes(core: HubCore, opts: PrivacyHttpOptions): Route[] {
  return [
    {
      method: 'get', pattern: '/api/v1/audit', route: '/api/v1/audit',
      async handle({ query }) {
        const q = parse(auditQuery, query);
        // What this node still holds in its queue is written first (others write within 100 ms).
        await core.auditLog.flush();
        const entries = await auditEntries(core.sql, { subjectId: q.personId, actorId: q.actorId, limit: q.limit, before: q.before });
        const last = entries[entries.length - 1];
        return { status: '200 OK', body: { entries, next: entries.length === q.limit && last ? String(last.id) : null } };
      },
    },
    {
      method: 'get', pattern: '/api/v1/export/:personId', route: '/api/v1/export', params: 1,
      async handle({ params }) {
        const personId = parse(directoryIdSchema, params[0]);
        const out = await exportPerson(core, personId);
        if (!out) throw new HttpError('404 Not Found', 'not_found', 'no such person in the directory', ['personId']);
        return { status: '200 OK', body: out };
      },
    },
    {
      method: 'post', pattern: '/api/v1/legal-hold', route: '/api/v1/legal-hold', body: true,
      async handle({ body }) {
        const b = parse(legalHoldBody, body);
        if (!b.hold) return { status: '200 OK', body: { released: await releaseLegalHold(core.sql, b.kind, b.id) } };
        const { hold, created } = await setLegalHold(core.sql, b.kind, b.id, b.reason!);
        return { status: '200 OK', body: { hold, created } };
      },
    },
    {
      method: 'get', pattern: '/api/v1/legal-hold', route: '/api/v1/legal-hold',
      async handle({ query }) {
        const q = parse(legalHoldQuery, query);
        return { status: '200 OK', body: { holds: await listLegalHolds(core.sql, q) } };
      },
    },
    {
      method: 'post', pattern: '/api/v1/guardian-blocks', route: '/api/v1/guardian-blocks', body: true,
      async handle({ body }) {
        const b = parse(guardianBlockBody, body);
        // By the imported records, not the view: a guardian whose only child is blocked has no
        // relation left and is not in the view, yet the block must stay repeatable.
        if (!(await personExists(core.sql, b.guardianId))) throw new HttpError('404 Not Found', 'not_found', 'no such person in the directory', ['guardianId']);
        if (!(await personExists(core.sql, b.childId))) throw new HttpError('404 Not Found', 'not_found', 'no such person in the directory', ['childId']);
        const { block, created } = await addGuardianBlock(core.sql, { guardianId: b.guardianId, childId: b.childId, reason: b.reason ?? null });
        await directoryChanged(core, opts);
        // `linked: false` tells the caller the block has no effect today (it holds against a later import).
        return { status: '200 OK', body: { block, created, linked: await isGuardianInRecords(core.sql, b.guardianId, b.childId) } };
      },
    },
    {
      method: 'del', pattern: '/api/v1/guardian-blocks', route: '/api/v1/guardian-blocks',
      async handle({ query }) {
        const q = parse(guardianBlockKey, query);
        const removed = await removeGuardianBlock(core.sql, q.guardianId, q.childId);
        if (removed) await directoryChanged(core, opts);
        return { status: '200 OK', body: { removed } };
      },
    },
    {
      method: 'get', pattern: '/api/v1/guardian-blocks', route: '/api/v1/guardian-blocks',
      async handle({ query }) {
        const q = parse(guardianBlockQuery, query);
        return { status: '200 OK', body: { blocks: await listGuardianBlocks(core.sql, q) } };
      },
    },
  ];
}

/** The block is committed; a failed reload here is caught up by the 5 s import check on every node. */
async function directoryChanged(core: HubCore, opts: PrivacyHttpOptions): Promise<void> {
  try {
    await opts.afterDirectoryChange();
  } catch (e) {
    core.log('directory reload after a guardian block failed (every node checks again within 5 s)', e);
  }
}

export function registerPrivacyHttp(app: TemplatedApp, core: HubCore, opts: PrivacyHttpOptions): void {
  for (const r of routes(core, opts)) {
    app[r.method](r.pattern, (res: HttpResponse, req) => {
      if (!core.withinHttpLimit(res, req, r.route)) return;
      // The request lives only in this synchronous call: copy what we need first.
      const auth = req.getHeader('authorization');
      const origin = req.getHeader('origin');
      const query = Object.fromEntries(new URLSearchParams(req.getQuery() ?? ''));
      const params = Array.from({ length: r.params ?? 0 }, (_, i) => {
        const raw = req.getParameter(i) ?? '';
        try {
          return decodeURIComponent(raw);
        } catch {
          return raw; // not valid percent-encoding: the id check refuses it
        }
      });
      const aborted: Aborted = { v: false };
      res.onAborted(() => {
        aborted.v = true;
        aborted.onAbort?.();
      });
      const answer = (status: string, body: unknown) => {
        core.metrics.http.inc({ route: r.route, status: status.slice(0, 3) });
        json(res, status, body, aborted);
      };
      const fail = (e: HttpError) => answer(e.status, { error: e.path ? { code: e.code, message: e.message, path: e.path } : { code: e.code, message: e.message } });
      if (!bearerMatches(auth, opts.adminToken)) return fail(new HttpError('401 Unauthorized', 'unauthenticated', 'send Authorization: Bearer <HUB_ADMIN_TOKEN>'));
      if (origin !== '' && !core.originAllowed(origin)) return fail(new HttpError('403 Forbidden', 'forbidden', 'origin not allowed'));
      // uWS hands the body to a callback set now, in this synchronous call.
      const bodyBytes = r.body ? readBody(res, PRIVACY_HTTP_LIMITS.bodyBytes, aborted) : undefined;
      void (async () => {
        try {
          let body: unknown;
          if (bodyBytes) {
            let buf: Buffer;
            try {
              buf = await bodyBytes;
            } catch (e) {
              const status = (e as { status?: string }).status ?? '400 Bad Request';
              throw new HttpError(status, status.startsWith('413') ? 'too_large' : 'invalid', (e as Error).message);
            }
            try {
              body = JSON.parse(buf.toString('utf8'));
            } catch {
              throw new HttpError('400 Bad Request', 'invalid', 'the body is not JSON', []);
            }
          }
          // Strings PostgreSQL cannot store, in the body, the path or the query: refused whole.
          const unstorable = unstorableString(body) ?? unstorableString(params) ?? unstorableString(query);
          if (unstorable) throw new HttpError('400 Bad Request', 'invalid', unstorable.message, unstorable.path);
          const out = await r.handle({ query, params, body });
          answer(out.status, out.body);
        } catch (e) {
          if (e instanceof HttpError) return fail(e);
          core.log(`${r.method.toUpperCase()} ${r.route} failed`, e);
          fail(new HttpError('503 Service Unavailable', 'unavailable', 'storage is unavailable; retry (these admin writes are safe to repeat)'));
        }
      })().catch((e: unknown) => internalError(core, res, aborted, r.route, e));
    });
  }
}
