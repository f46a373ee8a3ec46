// Read statistics of posts and mailings (docs/DOMAIN.md "Read statistics"; docs/PROTOCOL.md):
// post.stats.get, post.unread.get, post.remind, the counting of a read mark (feed.read,
// feed.readAll call countNewReads in their transaction) and the coalesced live `post.stats`.
// Only the author side (hub/read-audience.ts mayFollowReads) gets any of it; to everyone else
// an item is unknown, so nobody learns who else was addressed or who has read.
import { key } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import { RequestError } from '../protocol/codes.ts';
import { mayShow } from '../people.ts';
import { audit } from '../audit.ts';
import { audienceParts, mayFollowReads, partsAddressed, readerParts, type ReadItem } from '../read-audience.ts';
import { feedItemById, type ReadItemRow } from '../../storage/feed.ts';
import { countReads, readCounters, readersAmong, recountReads, takeReminder, type ReadPart } from '../../storage/read-stats.ts';
import type { Sql, Tx } from '../../storage/pool.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { Publisher } from '../publisher.ts';
import type { Handler, HandlerContext } from './context.ts';

export const READ_STATS = {
  /** At most one reminder per item in this many hours (docs/DOMAIN.md: "at most once a day"). */
  reminderHours: 24,
  /** At most one live `post.stats` per item per node in this time; the last change always gets one. */
  coalesceMs: 1_000,
  /** People per `post.reminder` event (its read keys are theirs). */
  reminderKeysPerEvent: 1_000,
  /** Candidates asked of PostgreSQL at a time while filling a page of the "not read" list. */
  unreadProbe: 500,
};

const UNKNOWN = () => new RequestError('not_found', 'no such post or mailing', ['itemId']);

/** The item, if `viewer` may follow its reads; else the same answer as for an unknown id. */
async function followedItem(ctx: HandlerContext, itemId: string): Promise<ReadItem & { title: string }> {
  const row = await feedItemById(ctx.sql, itemId);
  if (!row) throw UNKNOWN();
  const item: ReadItem & { title: string } = {
    id: row.id, kind: row.kind, authorId: row.authorId, keys: row.keys, title: row.title,
    ...(row.kind === 'post' ? { schoolId: row.schoolId } : { recipients: row.recipients }),
  };
  if (!mayFollowReads(ctx.dir, ctx.personId, item)) throw UNKNOWN();
  return item;
}

/** The figures: per addressed part, its audience now and how many of them have read. */
async function statsOf(sql: Sql, dir: Directory, item: ReadItem) {
  const audience = audienceParts(dir, item);
  const counters = await readCounters(sql, item.id, dir.importId);
  // A counter counted at another directory state (or made stale by a read under one) is
  // counted again once, here, by this directory: O(readers of this item), once per change.
  const readers = counters.readers ?? await recountReads(sql, item.id, dir.importId, (p) => partsOfMember(audience.members, p));
  // Deleted since it was read (retention): nothing to count.
  if (!readers) throw UNKNOWN();
  const sentAt = counters.reminderSentAt;
  return {
    itemId: item.id,
    kind: item.kind,
    parts: partsAddressed(dir, item).map((part) => ({ part, audience: audience.members.get(part)?.size ?? 0, read: readers[part] ?? 0 })),
    reminder: { sentAt, nextAt: sentAt === null ? null : new Date(Date.parse(sentAt) + READ_STATS.reminderHours * 3_600_000).toISOString() },
  };
}

function partsOfMember(members: ReadonlyMap<ReadPart, ReadonlySet<string>>, personId: string): ReadPart[] {
  return [...members].filter(([, set]) => set.has(personId)).map(([part]) => part);
}

export const getPostStats: Handler<'post.stats.get'> = async (ctx, req) => statsOf(ctx.sql, ctx.dir, await followedItem(ctx, req.itemId));

/** The cursor of the "not read" list: where the next page starts, and the last person shown (found again if the list moved). */
const encodeAfter = (index: number, personId: string) => `${index}.${personId}`;
function decodeAfter(cursor: string): { index: number; personId: string } {
  const dot = cursor.indexOf('.');
  const index = Number(cursor.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(index) || index < 0) throw new RequestError('invalid', 'not a page cursor from this hub', ['after']);
  return { index, personId: cursor.slice(dot + 1) };
}

/** The members of one part who have not read the item, by name; `limit` (30 unless asked) a page. */
export const getUnread: Handler<'post.unread.get'> = async (ctx, req) => {
  const item = await followedItem(ctx, req.itemId);
  const parts = audienceParts(ctx.dir, item);
  const list = parts.sorted(req.part);
  const limit = req.limit ?? 30;
  let at = 0;
  if (req.after !== undefined) {
    const after = decodeAfter(req.after);
    at = (parts.position(req.part, after.personId) ?? after.index - 1) + 1;
  }
  const people: { id: string; name: string }[] = [];
  let last = at;
  while (people.length < limit && at < list.length) {
    const candidates = list.slice(at, at + READ_STATS.unreadProbe);
    const read = await readersAmong(ctx.sql, item.id, candidates as string[]);
    for (const p of candidates) {
      at++;
      if (read.has(p) || !mayShow(ctx.dir, ctx.personId, p)) continue;
      people.push({ id: p, name: ctx.dir.person(p)?.name ?? '' });
      last = at;
      if (people.length === limit) break;
    }
  }
  audit(ctx, 'post.unread.get', () => [{ about: people.map((p) => p.id), ids: [item.id] }]);
  const lastShown = people[people.length - 1];
  return { itemId: item.id, part: req.part, people, next: people.length === limit && at < list.length && lastShown ? encodeAfter(last, lastShown.id) : null };
};

/**
 * A reminder to everyone in the audience who has not read the item: a `post.reminder` to each,
 * at most once per item in READ_STATS.reminderHours (across nodes: one row per item). Live, and
 * through the notification outbox (hub/notify/source.ts) to closed pages by push and e-mail.
 */
export const remindUnread: Handler<'post.remind'> = async (ctx, req) => {
  const item = await followedItem(ctx, req.itemId);
  const members = new Set<string>();
  for (const set of audienceParts(ctx.dir, item).members.values()) for (const p of set) members.add(p);
  const all = [...members];
  const read = await readersAmong(ctx.sql, item.id, all);
  const unread = all.filter((p) => !read.has(p));
  const author = ctx.dir.person(item.authorId)?.name ?? 'Unknown';
  const taken = await ctx.publisher.write<{ sentAt: string } | { lastAt: string }>(async (tx) => {
    const t = await takeReminder(tx, item.id, READ_STATS.reminderHours, unread.length);
    if (!('sentAt' in t)) return { result: t, events: [] };
    const events: NewEvent[] = [];
    for (let i = 0; i < unread.length; i += READ_STATS.reminderKeysPerEvent) {
      events.push({
        name: 'post.reminder',
        keys: unread.slice(i, i + READ_STATS.reminderKeysPerEvent).map(key.person),
        data: { itemId: item.id, kind: item.kind, title: item.title, authorId: item.authorId, authorName: author, schoolId: item.schoolId ?? null, sentAt: t.sentAt },
      });
    }
    return { result: t, events };
  });
  if (!('sentAt' in taken)) {
    const next = new Date(Date.parse(taken.lastAt) + READ_STATS.reminderHours * 3_600_000).toISOString();
    throw new RequestError('rate_limited', `a reminder was sent at ${taken.lastAt}; the next may be sent at ${next}`, ['itemId']);
  }
  followers(ctx).changed(ctx.dir, item);
  return { itemId: item.id, sentAt: taken.sentAt, recipients: unread.length };
};

/**
 * In a read mark's transaction, after the marks of `items` were inserted (those newly marked):
 * one more reader in each part of each item the reader is in by this directory. The live
 * statistics follow once the transaction has committed (`afterReads`).
 */
export async function countNewReads(tx: Tx, dir: Directory, readerId: string, readerKeys: ReadonlySet<string>, items: readonly ReadItemRow[]): Promise<void> {
  await countReads(tx, dir.importId, items.map((item) => ({ itemId: item.id, parts: readerParts(dir, item, readerId, readerKeys) })));
}

/** After read marks committed: the author side hears the new figures (coalesced per item). */
export function afterReads(ctx: HandlerContext, items: readonly ReadItemRow[]): void {
  const f = followers(ctx);
  for (const item of items) f.changed(ctx.dir, item);
}

/** Who hears `post.stats`: the author and (for a post) the school's leaders now. */
function followerKeys(dir: Directory, item: ReadItem): string[] {
  const out = new Set([key.person(item.authorId)]);
  if (item.kind === 'post' && item.schoolId !== undefined) {
    for (const p of dir.staffOf(item.schoolId)) if (dir.hasStaffRole(p, item.schoolId, 'school_leader')) out.add(key.person(p));
  }
  return [...out];
}

/**
 * Live `post.stats`, per node: the first change of an item is sent at once, later ones at most
 * every READ_STATS.coalesceMs, and the last change of a burst always gets its event (1,000
 * reads a second make one event a second per node, not 1,000). Each event carries the figures
 * as counted when it is sent, so the latest event is right whichever reads it coalesced.
 */
class StatsFollowers {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; dirty: { dir: Directory; item: ReadItem } | undefined }>();

  constructor(private readonly sql: Sql, private readonly publisher: Publisher, private readonly log: HandlerContext['log']) {}

  changed(dir: Directory, item: ReadItem): void {
    const p = this.pending.get(item.id);
    if (p) {
      p.dirty = { dir, item };
      return;
    }
    this.send(dir, item);
    this.arm(item.id);
  }

  private arm(itemId: string): void {
    const timer = setTimeout(() => {
      const p = this.pending.get(itemId);
      this.pending.delete(itemId);
      if (p?.dirty) {
        this.send(p.dirty.dir, p.dirty.item);
        this.arm(itemId);
      }
    }, READ_STATS.coalesceMs);
    timer.unref();
    this.pending.set(itemId, { timer, dirty: undefined });
  }

  private send(dir: Directory, item: ReadItem): void {
    void statsOf(this.sql, dir, item)
      .then((stats) => this.publisher.write(async () => ({ result: undefined, events: [{ name: 'post.stats', keys: followerKeys(dir, item), data: stats }] })))
      .catch((e) => {
        // The item was deleted meanwhile: there is nothing to follow.
        if (e instanceof RequestError && e.code === 'not_found') return;
        this.log('could not send the read statistics of an item (the next read sends them)', e);
      });
  }
}

/** One per publisher (one per node; tests run several in a process). */
const byPublisher = new WeakMap<Publisher, StatsFollowers>();
function followers(ctx: HandlerContext): StatsFollowers {
  let f = byPublisher.get(ctx.publisher);
  if (!f) byPublisher.set(ctx.publisher, (f = new StatsFollowers(ctx.sql, ctx.publisher, ctx.log)));
  return f;
}
