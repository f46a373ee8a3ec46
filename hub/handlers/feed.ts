// post.create, mailing.create (now, or scheduled: hub/handlers/scheduled.ts), feed.get, feed.read, feed.readAll: the one-way channels (docs/DOMAIN.md §1, §2).
import { can } from '../rules/index.ts';
import type { PostAudience } from '../rules/index.ts';
import { key, mailingKeys, postKeys, readKeysOf } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import { findMailingByKey, findPostByKey, feedPage, markAllItemsRead, markItemsRead, readItems, type FeedItem, type MailingRow, type PostRow } from '../../storage/feed.ts';
import { schedule } from './scheduled.ts';
import { checkMailing, checkPost, writeMailing, writePost } from './feed-write.ts';
import { newId, type Handler } from './context.ts';
import { assertAllowed, assertKnown, type Target } from './rights.ts';
import { createOnce } from './create-once.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { mailingView, postView } from '../views/feed.ts';
import { afterReads, countNewReads } from './post-stats.ts';
import { postAudience, type ReactionsView } from '../views/reactions.ts';
import { reactionsFor } from './reactions.ts';
import { checkAsk, ownAnswersOf } from './post-answers.ts';

/** A retry of a post or mailing is the same when its words are (and, for a post, its urgency). */
const sameWords = (req: { title: string; body: string; urgent?: boolean | undefined }) => (stored: { title: string; body: string; urgent?: boolean }) =>
  stored.title === req.title && stored.body === req.body && (stored.urgent ?? false) === (req.urgent ?? false);
/** A post's retry also asks the same (acknowledge, RSVP). */
const sameAsk = (req: { ask?: unknown }) => (stored: { ask?: unknown }) => JSON.stringify(stored.ask ?? null) === JSON.stringify(req.ask ?? null);

export const createPost: Handler<'post.create'> = async (ctx, req) => {
  if (req.publishAt !== undefined) {
    checkAsk(req.ask, new Date(req.publishAt));
    return schedule(ctx, 'post', req, req.publishAt);
  }
  const { dir, personId } = ctx;
  return createOnce({
    // The insert skips a stored key itself (one statement in the group commit); a retry with
    // files finds it first, as taking its uploads again would refuse it.
    lookFirst: (req.attachmentIds ?? []).length > 0,
    find: () => findPostByKey(ctx.sql, personId, req.clientKey),
    same: (stored) => sameWords(req)(stored) && sameAsk(req)(stored),
    what: 'a different item',
    answer: (stored) => ({ post: postView(dir, stored) }),
    create: async () => {
      const keys = checkPost(dir, personId, req);
      checkAsk(req.ask, new Date());
      const row = await ctx.publisher.write((tx) => writePost(tx, dir, personId, req, keys, req.clientKey));
      return row && { post: postView(dir, row) };
    },
  });
};

export const createMailing: Handler<'mailing.create'> = async (ctx, req) => {
  if (req.publishAt !== undefined) return schedule(ctx, 'mailing', req, req.publishAt);
  const { dir, personId } = ctx;
  return createOnce({
    lookFirst: false,
    find: () => findMailingByKey(ctx.sql, personId, req.clientKey),
    same: sameWords(req),
    what: 'a different item',
    answer: (stored) => ({ mailing: mailingView(dir, stored) }),
    create: async () => {
      const keys = checkMailing(dir, personId, req);
      const row = await ctx.publisher.write((tx) => writeMailing(tx, dir, personId, req, keys, req.clientKey));
      return row && { mailing: mailingView(dir, row) };
    },
  });
};

/** Posts carry their reactions (issue 13) and, when they ask, the reader's own answers (post-answers.ts); mailings take neither. */
function itemView(dir: Directory, item: FeedItem & { read: boolean }, reactions: ReadonlyMap<string, ReactionsView>, answers?: unknown[]) {
  if (item.kind === 'post') return { kind: item.kind, ...postView(dir, item), read: item.read, reactions: reactions.get(item.id), ...(answers ? { answers } : {}) };
  return { kind: item.kind, ...mailingView(dir, item), read: item.read };
}

export const getFeed: Handler<'feed.get'> = async (ctx, req) => {
  const limit = req.limit ?? 30;
  const before = pageBefore(req.before);
  const rows = await feedPage(ctx.sql, ctx.personId, readKeysOf(ctx.dir, ctx.personId), limit, before);
  const posts = rows.flatMap((r) => (r.kind === 'post' ? [{ id: r.id, audience: postAudience(r) }] : []));
  const reactions = await reactionsFor(ctx, 'post', posts, 'feed.get');
  const answers = await ownAnswersOf(ctx, rows.flatMap((r) => (r.kind === 'post' ? [r] : [])));
  return {
    items: rows.map((r) => itemView(ctx.dir, r, reactions, answers.get(r.id))),
    next: nextCursor(rows, limit),
  };
};

export const readFeed: Handler<'feed.read'> = async (ctx, req) => {
  // Items the reader may not see are silently skipped: the answer does not tell them apart.
  const readerKeys = readKeysOf(ctx.dir, ctx.personId);
  const visible = await readItems(ctx.sql, [...new Set(req.itemIds)], readerKeys);
  if (visible.length === 0) return { itemIds: [] };
  const counted = await ctx.publisher.write(async (tx) => {
    const marked = new Set(await markItemsRead(tx, ctx.personId, visible.map((i) => i.id)));
    const items = visible.filter((i) => marked.has(i.id));
    // The read statistics count a new mark in its own transaction (docs/DOMAIN.md "Read statistics").
    await countNewReads(tx, ctx.dir, ctx.personId, new Set(readerKeys), items);
    const events = items.length ? [{ name: 'feed.read', keys: [key.person(ctx.personId)], data: { personId: ctx.personId, itemIds: items.map((i) => i.id) } }] : [];
    return { result: items, events };
  });
  afterReads(ctx, counted);
  return { itemIds: counted.map((i) => i.id) };
};

/** "Mark all as read": every item the reader may see now; their other devices hear `feed.read`. */
export const readAllFeed: Handler<'feed.readAll'> = async (ctx) => {
  const readerKeys = readKeysOf(ctx.dir, ctx.personId);
  const counted = await ctx.publisher.write(async (tx) => {
    const marked = await markAllItemsRead(tx, ctx.personId, readerKeys);
    const items = await readItems(tx, marked);
    await countNewReads(tx, ctx.dir, ctx.personId, new Set(readerKeys), items);
    const events = marked.length ? [{ name: 'feed.read', keys: [key.person(ctx.personId)], data: { personId: ctx.personId, itemIds: marked } }] : [];
    return { result: items, events };
  });
  afterReads(ctx, counted);
  return { itemIds: counted.map((i) => i.id) };
};
