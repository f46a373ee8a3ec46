// post.create, mailing.create (now, or scheduled: hub/handlers/scheduled.ts), feed.get, feed.read, feed.readAll: the one-way channels (docs/DOMAIN.md §1, §2).
import { can } from '../rules/index.ts';
import type { PostAudience } from '../rules/index.ts';
import { key, mailingKeys, postKeys, readKeysOf } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import { findMailingByKey, findPostByKey, feedPage, insertMailing, insertPost, markAllItemsRead, markItemsRead, visibleItemIds, type FeedItem, type MailingRow, type PostRow } from '../../storage/feed.ts';
import { schedule } from './scheduled.ts';
import { checkMailing, checkPost, writeMailing, writePost } from './feed-write.ts';
import { newId, type Handler } from './context.ts';
import { assertAllowed, assertKnown, type Target } from './rights.ts';
import { createOnce } from './create-once.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { mailingView, postView } from '../views/feed.ts';
import { postAudience, type ReactionsView } from '../views/reactions.ts';
import { reactionsFor } from './reactions.ts';

/** A retry of a post or mailing is the same when its words are (and, for a post, its urgency). */
const sameWords = (req: { title: string; body: string; urgent?: boolean | undefined }) => (stored: { title: string; body: string; urgent?: boolean }) =>
  stored.title === req.title && stored.body === req.body && (stored.urgent ?? false) === (req.urgent ?? false);

export const createPost: Handler<'post.create'> = async (ctx, req) => {
  if (req.publishAt !== undefined) return schedule(ctx, 'post', req, req.publishAt);
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findPostByKey(ctx.sql, personId, req.clientKey),
    same: sameWords(req),
    what: 'a different item',
    answer: (stored) => ({ post: postView(dir, stored) }),
    create: async () => {
      const keys = checkPost(dir, personId, req);
      const row = await ctx.publisher.write((tx) => writePost(tx, dir, personId, req, keys, req.clientKey));
      return { post: postView(dir, row) };
    },
  });
};

export const createMailing: Handler<'mailing.create'> = async (ctx, req) => {
  if (req.publishAt !== undefined) return schedule(ctx, 'mailing', req, req.publishAt);
  const { dir, personId } = ctx;
  return createOnce({
    find: () => findMailingByKey(ctx.sql, personId, req.clientKey),
    same: sameWords(req),
    what: 'a different item',
    answer: (stored) => ({ mailing: mailingView(dir, stored) }),
    create: async () => {
      const keys = checkMailing(dir, personId, req);
      const row = await ctx.publisher.write((tx) => writeMailing(tx, dir, personId, req, keys, req.clientKey));
      return { mailing: mailingView(dir, row) };
    },
  });
};

function itemView(dir: Directory, item: FeedItem & { read: boolean }, reactions: ReadonlyMap<string, ReactionsView>) {
  // Posts carry their reactions (issue 13); mailings take none.
  if (item.kind === 'post') return { kind: item.kind, ...postView(dir, item), read: item.read, reactions: reactions.get(item.id) };
  return { kind: item.kind, ...mailingView(dir, item), read: item.read };
}

export const getFeed: Handler<'feed.get'> = async (ctx, req) => {
  const limit = req.limit ?? 30;
  const before = pageBefore(req.before);
  const rows = await feedPage(ctx.sql, ctx.personId, readKeysOf(ctx.dir, ctx.personId), limit, before);
  const posts = rows.flatMap((r) => (r.kind === 'post' ? [{ id: r.id, audience: postAudience(r) }] : []));
  const reactions = await reactionsFor(ctx, 'post', posts, 'feed.get');
  return {
    items: rows.map((r) => itemView(ctx.dir, r, reactions)),
    next: nextCursor(rows, limit),
  };
};

export const readFeed: Handler<'feed.read'> = async (ctx, req) => {
  // Items the reader may not see are silently skipped: the answer does not tell them apart.
  const visible = await visibleItemIds(ctx.sql, [...new Set(req.itemIds)], readKeysOf(ctx.dir, ctx.personId));
  if (visible.length === 0) return { itemIds: [] };
  const itemIds = await ctx.publisher.write(async (tx) => {
    const marked = await markItemsRead(tx, ctx.personId, visible);
    const events = marked.length ? [{ name: 'feed.read', keys: [key.person(ctx.personId)], data: { personId: ctx.personId, itemIds: marked } }] : [];
    return { result: marked, events };
  });
  return { itemIds };
};

/** "Mark all as read": every item the reader may see now; their other devices hear `feed.read`. */
export const readAllFeed: Handler<'feed.readAll'> = async (ctx) => {
  const itemIds = await ctx.publisher.write(async (tx) => {
    const marked = await markAllItemsRead(tx, ctx.personId, readKeysOf(ctx.dir, ctx.personId));
    const events = marked.length ? [{ name: 'feed.read', keys: [key.person(ctx.personId)], data: { personId: ctx.personId, itemIds: marked } }] : [];
    return { result: marked, events };
  });
  return { itemIds };
};
