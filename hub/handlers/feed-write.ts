// Making a post or a mailing: the checks (by the directory as it is) and the write, apart, so
// that post.create and mailing.create (hub/handlers/feed.ts) and the publishing of a scheduled
// one (hub/scheduled-publisher.ts) are the same code.
import { can } from '../rules/index.ts';
import type { PostAudience } from '../rules/index.ts';
import { mailingKeys, postKeys } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import { insertMailing, insertPost, type MailingRow, type PostRow } from '../../storage/feed.ts';
import type { Tx } from '../../storage/pool.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { RequestOf } from '../protocol/frames.ts';
import { newId } from './context.ts';
import { assertAllowed, assertKnown, type Target } from './rights.ts';
import { mailingView, postView } from '../views/feed.ts';
import { takeableUploads } from './uploads.ts';
import { fileFacts, linkAttachments } from '../../storage/documentation.ts';

type Fields<T extends 'post.create' | 'mailing.create'> = Omit<RequestOf<T>, 'type' | 'id' | 'clientKey' | 'publishAt'>;
export type PostFields = Fields<'post.create'>;
export type MailingFields = Fields<'mailing.create'>;

/**
 * Whether `personId` may make this post now, by the directory as it is: throws the refusal
 * (unknown school, group or person; the rules), else the post's read keys. Asked when a post
 * is created, and again when a scheduled one is published (hub/scheduled-publisher.ts).
 */
export function checkPost(dir: Directory, personId: string, req: PostFields): string[] {
  const audience: PostAudience = req.audience;
  assertKnown(dir, personId, [
    { kind: 'school', id: req.schoolId, path: ['schoolId'] },
    ...audience.targets.flatMap((t, i): Target[] =>
      t.kind === 'group' ? [{ kind: 'group', id: t.groupId, path: ['audience', 'targets', i, 'groupId'] }]
        : t.kind === 'person' ? [{ kind: 'person', id: t.personId, path: ['audience', 'targets', i, 'personId'] }] : []),
  ]);
  assertAllowed(can(dir, personId, { type: 'post.create', post: { schoolId: req.schoolId, audience, urgent: req.urgent ?? false } }));
  return postKeys(personId, req.schoolId, audience);
}

/**
 * The post's row and its `post.created` event, in a write's transaction (checked by checkPost).
 * Its files (uploaded `?for=post`) are locked and checked before anything is written. A
 * clientKey already stored writes nothing and gives no row (the caller answers with the stored one).
 * Without files nothing here waits: the insert is sent, not awaited, and the event is written
 * from the row it is to store, taking its createdAt from the stored row (storage/events.ts,
 * `ofRow`), so the insert, the event and the COMMIT reach PostgreSQL in one write.
 */
export async function writePost(tx: Tx, dir: Directory, personId: string, req: PostFields, keys: string[], clientKey: string): Promise<{ result: Promise<PostRow | undefined>; events: NewEvent[] }> {
  const fileIds = req.attachmentIds ?? [];
  const files = fileIds.length === 0 ? [] : (await takeableUploads(tx, personId, fileIds, 'post')).map(fileFacts);
  const draft: PostRow = {
    id: newId('post'), schoolId: req.schoolId, authorId: personId, title: req.title, body: req.body,
    audience: req.audience, urgent: req.urgent ?? false, ask: req.ask ?? null, files, createdAt: '',
  };
  const stored = insertPost(tx, { ...draft, keys, clientKey });
  if (fileIds.length > 0) {
    // Taken with the post once it is stored (a retry stores none, and its files stay with the first).
    if (!(await stored)) return { result: stored, events: [] };
    await linkAttachments(tx, fileIds, { postId: draft.id });
  }
  return { result: stored, events: [{ name: 'post.created', keys, data: { post: postView(dir, draft) }, ofRow: { table: 'posts', id: draft.id, createdAtAt: ['post', 'createdAt'] } }] };
}

/** As checkPost, for a mailing: throws the refusal, else its read keys. */
export function checkMailing(dir: Directory, personId: string, req: MailingFields): string[] {
  const draft = { districtId: req.districtId, schoolIds: [...new Set(req.schoolIds)], recipients: req.recipients };
  assertKnown(dir, personId, [
    { kind: 'district', id: req.districtId, path: ['districtId'] },
    ...draft.schoolIds.map((id, i): Target => ({ kind: 'school', id, path: ['schoolIds', i] })),
  ]);
  assertAllowed(can(dir, personId, { type: 'mailing.create', mailing: draft }));
  return mailingKeys(personId, draft);
}

/** As writePost, for a mailing (which has no files): one write. */
export async function writeMailing(tx: Tx, dir: Directory, personId: string, req: MailingFields, keys: string[], clientKey: string): Promise<{ result: Promise<MailingRow | undefined>; events: NewEvent[] }> {
  const draft: MailingRow = {
    id: newId('mail'), districtId: req.districtId, schoolIds: [...new Set(req.schoolIds)], authorId: personId, title: req.title, body: req.body,
    recipients: req.recipients, createdAt: '',
  };
  return {
    result: insertMailing(tx, { ...draft, keys, clientKey }),
    events: [{ name: 'mailing.created', keys, data: { mailing: mailingView(dir, draft) }, ofRow: { table: 'mailings', id: draft.id, createdAtAt: ['mailing', 'createdAt'] } }],
  };
}
