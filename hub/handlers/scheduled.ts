// Scheduled posts and mailings (docs/PROTOCOL.md "Scheduled posts and mailings"):
// post.create / mailing.create with publishAt store the request, checked as a create is, and
// nothing reaches the audience; scheduled.get, .update and .cancel are the author's until the
// time. hub/scheduled-publisher.ts publishes each once, checking the rules again then.
import { RequestError } from '../protocol/codes.ts';
import { SCHEDULE_LIMITS } from '../protocol/limits.ts';
import type { RequestOf } from '../protocol/frames.ts';
import { key } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { Tx } from '../../storage/pool.ts';
import {
  insertScheduled, scheduledOf, scheduledRows, settleScheduled, updateScheduled, type ScheduledKind, type ScheduledRow,
} from '../../storage/scheduled.ts';
import { scheduledView } from '../views/feed.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { createOnce } from './create-once.ts';
import { checkMailing, checkPost, type MailingFields, type PostFields } from './feed-write.ts';

type CreateRequest = RequestOf<'post.create'> | RequestOf<'mailing.create'>;

/** The fields that are published: the request without its frame, key and time. */
function fieldsOf(req: CreateRequest): PostFields | MailingFields {
  const { type: _type, id: _id, clientKey: _key, publishAt: _at, ...fields } = req;
  return fields;
}

/** Checks that `at` is far enough ahead and not too far; the time as stored (ISO, UTC). */
function publishTime(at: string, now = Date.now()): string {
  const t = Date.parse(at);
  if (t < now + SCHEDULE_LIMITS.minAheadMs) throw new RequestError('invalid', 'publishAt must be at least a minute ahead', ['publishAt']);
  if (t > now + SCHEDULE_LIMITS.maxAheadMs) throw new RequestError('invalid', 'publishAt must be within a year', ['publishAt']);
  return new Date(t).toISOString();
}

/** Checks a post's or mailing's fields as its create would, now: throws the refusal. */
export function checkScheduled(dir: Directory, authorId: string, kind: ScheduledKind, fields: Record<string, unknown>): string[] {
  return kind === 'post' ? checkPost(dir, authorId, fields as PostFields) : checkMailing(dir, authorId, fields as MailingFields);
}

/** The author's devices hear every change of their scheduled items. */
export function scheduledEvent(s: ScheduledRow): NewEvent {
  return { name: 'scheduled.changed', keys: [key.person(s.authorId)], data: { scheduled: scheduledView(s) } };
}

/** post.create / mailing.create with publishAt: stored for later, seen by its author only. */
export async function schedule(ctx: HandlerContext, kind: ScheduledKind, req: CreateRequest, at: string) {
  const { dir, personId } = ctx;
  const request = fieldsOf(req);
  return createOnce({
    find: () => scheduledRows.byKey(ctx.sql, personId, req.clientKey),
    same: (s) => s.kind === kind && s.request.title === request.title && s.request.body === request.body && Date.parse(s.publishAt) === Date.parse(at),
    what: `a different scheduled ${kind}`,
    answer: (s) => ({ scheduled: scheduledView(s) }),
    create: async () => {
      // An upload waits a day for its record (then retention removes it): not a year.
      if ('attachmentIds' in request && (request.attachmentIds?.length ?? 0) > 0) {
        throw new RequestError('invalid', 'a scheduled post cannot carry files yet; publish it now, or schedule it without files', ['attachmentIds']);
      }
      const publishAt = publishTime(at);
      checkScheduled(dir, personId, kind, request);
      const row = await ctx.publisher.write(async (tx) => {
        const s = await insertScheduled(tx, { id: newId('sched'), kind, authorId: personId, request, publishAt, clientKey: req.clientKey });
        return { result: s, events: [scheduledEvent(s)] };
      });
      return { scheduled: scheduledView(row) };
    },
  });
}

export const getScheduled: Handler<'scheduled.get'> = async (ctx, req) => {
  const rows = await scheduledOf(ctx.sql, ctx.personId, req.limit ?? 30);
  return { items: rows.map(scheduledView) };
};

/**
 * The author's pending item, locked for this write's transaction: `not_found` for anyone
 * else's or none (the same answer), `conflict` once it is published or cancelled.
 */
async function lockedPending(tx: Tx, ctx: HandlerContext, id: string, allowCancelled = false): Promise<ScheduledRow> {
  const s = await scheduledRows.locked(tx, id);
  if (!s || s.authorId !== ctx.personId) throw new RequestError('not_found', 'no such scheduled item', ['scheduledId']);
  if (s.state === 'cancelled' && allowCancelled) return s;
  if (s.state !== 'pending') throw new RequestError('conflict', `it is ${s.state} already`, ['scheduledId']);
  return s;
}

export const updateScheduledItem: Handler<'scheduled.update'> = async (ctx, req) => {
  const publishAt = req.publishAt === undefined ? undefined : publishTime(req.publishAt);
  const row = await ctx.publisher.write(async (tx) => {
    const s = await lockedPending(tx, ctx, req.scheduledId);
    const request = { ...s.request, ...(req.title === undefined ? {} : { title: req.title }), ...(req.body === undefined ? {} : { body: req.body }) };
    // The author may have lost the right since: an edit is refused as the create would be.
    checkScheduled(ctx.dir, ctx.personId, s.kind, request);
    const changed = await updateScheduled(tx, s.id, { request, publishAt: publishAt ?? s.publishAt });
    return { result: changed, events: [scheduledEvent(changed)] };
  });
  return { scheduled: scheduledView(row) };
};

export const cancelScheduledItem: Handler<'scheduled.cancel'> = async (ctx, req) => {
  const row = await ctx.publisher.write(async (tx) => {
    const s = await lockedPending(tx, ctx, req.scheduledId, true);
    // Cancelling twice answers the same, and tells the other devices nothing new.
    if (s.state === 'cancelled') return { result: s, events: [] };
    const cancelled = await settleScheduled(tx, s.id, { state: 'cancelled' });
    return { result: cancelled, events: [scheduledEvent(cancelled)] };
  });
  return { scheduled: scheduledView(row) };
};
