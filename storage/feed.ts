// Posts and mailings: one row each with its audience as read keys; reading state per reader.
import type { Db, Tx } from './pool.ts';
import type { FileFacts } from './documentation.ts';
import { iso, keysMeet, PAGE_WALK, pageBefore, walkedRowsMeeting, type PageBefore, type Stored } from './rows.ts';
import { expireRows, type Holds } from './retention.ts';
import { readCountersOf } from './read-stats.ts';

export interface PostRow {
  id: string;
  schoolId: string;
  authorId: string;
  title: string;
  body: string;
  audience: unknown;
  /** Its files (images, PDFs), as they were taken when it was made. */
  files: FileFacts[];
  /** Marked urgent by a school leader: notifications go through quiet hours and digests. */
  urgent: boolean;
  /** What the post asks of its readers (acknowledge, RSVP; hub/protocol/frames-answers.ts); null or absent: nothing. */
  ask?: unknown;
  createdAt: string;
}

export interface MailingRow {
  id: string;
  districtId: string;
  schoolIds: string[];
  authorId: string;
  title: string;
  body: string;
  recipients: unknown;
  createdAt: string;
}

export type FeedItem = ({ kind: 'post' } & PostRow) | ({ kind: 'mailing' } & MailingRow);

export async function findPostByKey(db: Db, authorId: string, clientKey: string): Promise<PostRow | undefined> {
  const [r] = await db<Stored<PostRow, 'createdAt'>[]>`select * from posts where author_id = ${authorId} and client_key = ${clientKey}`;
  return r ? postRow(r) : undefined;
}

/**
 * Inserts the post with its read counters, in one statement (one round trip in the write's
 * transaction). A clientKey the author already stored inserts nothing: undefined, answered like
 * a retry (hub/handlers/create-once.ts), without failing the shared transaction.
 */
export async function insertPost(tx: Tx, p: PostRow & { keys: string[]; clientKey: string }): Promise<PostRow | undefined> {
  const [r] = await tx<Stored<PostRow, 'createdAt'>[]>`
    with item as (
      insert into posts (id, school_id, author_id, title, body, audience, urgent, ask, files, keys, client_key)
      values (${p.id}, ${p.schoolId}, ${p.authorId}, ${p.title}, ${p.body}, ${JSON.stringify(p.audience)}::text::jsonb, ${p.urgent},
              ${p.ask === null || p.ask === undefined ? null : JSON.stringify(p.ask)}::text::jsonb,
              ${p.files.length ? JSON.stringify(p.files) : null}::text::jsonb, ${p.keys}::text[], ${p.clientKey})
      on conflict (author_id, client_key) do nothing
      returning *
    ), counters as (${readCountersOf(tx)})
    select * from item`;
  return r ? postRow(r) : undefined;
}

export async function findMailingByKey(db: Db, authorId: string, clientKey: string): Promise<MailingRow | undefined> {
  const [r] = await db<Stored<MailingRow, 'createdAt'>[]>`select * from mailings where author_id = ${authorId} and client_key = ${clientKey}`;
  return r ? mailingRow(r) : undefined;
}

/** As insertPost, for a mailing: with its read counters; undefined when the key was already stored. */
export async function insertMailing(tx: Tx, m: MailingRow & { keys: string[]; clientKey: string }): Promise<MailingRow | undefined> {
  const [r] = await tx<Stored<MailingRow, 'createdAt'>[]>`
    with item as (
      insert into mailings (id, district_id, school_ids, author_id, title, body, recipients, keys, client_key)
      values (${m.id}, ${m.districtId}, ${m.schoolIds}::text[], ${m.authorId}, ${m.title}, ${m.body}, ${JSON.stringify(m.recipients)}::text::jsonb, ${m.keys}::text[], ${m.clientKey})
      on conflict (author_id, client_key) do nothing
      returning *
    ), counters as (${readCountersOf(tx)})
    select * from item`;
  return r ? mailingRow(r) : undefined;
}

/** One post or mailing by id, with its read keys (read statistics: hub/handlers/post-stats.ts). */
export async function feedItemById(db: Db, id: string): Promise<(FeedItem & { keys: string[] }) | undefined> {
  const [p] = await db<(Stored<PostRow, 'createdAt'> & { keys: string[] })[]>`select * from posts where id = ${id}`;
  if (p) return { kind: 'post', ...postRow(p), keys: p.keys };
  const [m] = await db<(Stored<MailingRow, 'createdAt'> & { keys: string[] })[]>`select * from mailings where id = ${id}`;
  return m ? { kind: 'mailing', ...mailingRow(m), keys: m.keys } : undefined;
}

type FeedRecord = Stored<PostRow & MailingRow, 'createdAt'> & { kind: 'post' | 'mailing'; read: boolean };

/**
 * A page of the feed: posts and mailings that carry any of `keys`, newest first. The two reads
 * of storage/rows.ts pageByKeys, over both tables (loadtest/RESULTS.md, "A resume storm on k6"):
 *
 * - The newest PAGE_WALK items before the cursor, by their time index, filtered by the keys.
 *   A reader who may see much (a school leader) finds a page among them. Only items newer than
 *   every one not looked at can be in it, so a full page from them is the page.
 * - Else every item the keys meet, by the keys' index, then sorted: for a reader whose items
 *   are rare in the tables. Left to itself PostgreSQL would walk the time index for them too,
 *   comparing each item's keys with each of the reader's until it had a page (2.9 s for a
 *   teacher on 500,000 posts), so this one is materialized, and the walk never reaches it.
 */
export async function feedPage(
  db: Db, readerId: string, keys: string[], limit: number, before?: PageBefore,
): Promise<(FeedItem & { read: boolean })[]> {
  const walked = await db<FeedRecord[]>`
    with recent as (
      select kind, id, created_at, keys from (
        (select 'post' as kind, id, created_at, keys from posts where ${pageBefore(db, before)}
         order by created_at desc, id desc limit ${PAGE_WALK})
        union all
        (select 'mailing' as kind, id, created_at, keys from mailings where ${pageBefore(db, before)}
         order by created_at desc, id desc limit ${PAGE_WALK})
      ) u order by created_at desc, id desc limit ${PAGE_WALK}
    ), ${walkedRowsMeeting(db, 'recent', keys, ['kind'])}, page as (
      select kind, id from met group by kind, id, created_at order by created_at desc, id desc limit ${limit}
    ), items as (
      select ${postItem(db)} from posts where id in (select id from page where kind = 'post')
      union all
      select ${mailingItem(db)} from mailings where id in (select id from page where kind = 'mailing')
    )
    ${itemsWithRead(db, readerId, limit)}`;
  const rows = walked.length === limit ? walked : await db<FeedRecord[]>`
    with items as materialized (
      select ${postItem(db)} from posts where ${keysMeet(db, keys)} and ${pageBefore(db, before)}
      union all
      select ${mailingItem(db)} from mailings where ${keysMeet(db, keys)} and ${pageBefore(db, before)}
    )
    ${itemsWithRead(db, readerId, limit)}`;
  return rows.map((r) => ({ ...(r.kind === 'post' ? { kind: 'post' as const, ...postRow(r) } : { kind: 'mailing' as const, ...mailingRow(r) }), read: r.read }));
}

/** A post and a mailing as one item row of the feed (the columns of `items` in feedPage). */
const postItem = (db: Db) => db`'post' as kind, id, school_id, null::text as district_id, null::text[] as school_ids, author_id, title, body,
  audience, ask, files, null::jsonb as recipients, urgent, created_at`;
const mailingItem = (db: Db) => db`'mailing', id, null, district_id, school_ids, author_id, title, body, null, null, null, recipients, false, created_at`;

const itemsWithRead = (db: Db, readerId: string, limit: number) => db`
    select i.*, (r.item_id is not null) as read
    from items i left join feed_reads r on r.person_id = ${readerId} and r.item_id = i.id
    order by i.created_at desc, i.id desc
    limit ${limit}`;

/** The post, when `keys` may read it (undefined also when there is no such post: the same answer). */
export async function readablePost(db: Db, id: string, keys: string[]): Promise<PostRow | undefined> {
  const [r] = await db<Stored<PostRow, 'createdAt'>[]>`select * from posts where id = ${id} and ${keysMeet(db, keys)}`;
  return r ? postRow(r) : undefined;
}

/** What counting a read needs of an item: who wrote it, where, to whom (hub/read-audience.ts ReadItem). */
export interface ReadItemRow {
  id: string;
  kind: 'post' | 'mailing';
  authorId: string;
  schoolId?: string;
  recipients?: unknown;
  keys: string[];
}

/**
 * Items among `itemIds` that `keys` may see (for marking read without probing; all of them
 * when `keys` is undefined), with what counting a read needs.
 */
export async function readItems(db: Db, itemIds: string[], keys?: string[]): Promise<ReadItemRow[]> {
  if (itemIds.length === 0) return [];
  const may = keys === undefined ? db`true` : keysMeet(db, keys);
  const rows = await db<{ id: string; kind: 'post' | 'mailing'; authorId: string; schoolId: string | null; recipients: unknown; keys: string[] }[]>`
    select id, 'post' as kind, author_id, school_id, null::jsonb as recipients, keys from posts where id = any(${itemIds}::text[]) and ${may}
    union all
    select id, 'mailing', author_id, null, recipients, keys from mailings where id = any(${itemIds}::text[]) and ${may}`;
  return rows.map((r) => ({ id: r.id, kind: r.kind, authorId: r.authorId, keys: r.keys, ...(r.schoolId === null ? { recipients: r.recipients } : { schoolId: r.schoolId }) }));
}

export async function markItemsRead(db: Db, personId: string, itemIds: string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await db<{ itemId: string }[]>`
    insert into feed_reads (person_id, item_id) select ${personId}, unnest(${itemIds}::text[])
    on conflict do nothing returning item_id`;
  return rows.map((r) => r.itemId);
}

/** Marks every post and mailing `keys` may see as read by the person; returns the newly marked. */
export async function markAllItemsRead(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ itemId: string }[]>`
    insert into feed_reads (person_id, item_id)
    select ${personId}, id from posts where ${keysMeet(db, keys)}
    union all
    select ${personId}, id from mailings where ${keysMeet(db, keys)}
    on conflict do nothing returning item_id`;
  return rows.map((r) => r.itemId);
}

function postRow(r: Omit<Stored<PostRow, 'createdAt'>, 'files'> & { files?: FileFacts[] | null }): PostRow {
  return {
    id: r.id, schoolId: r.schoolId, authorId: r.authorId, title: r.title, body: r.body, audience: r.audience, urgent: r.urgent === true,
    ask: r.ask ?? null, files: r.files ?? [], createdAt: iso(r.createdAt),
  };
}

function mailingRow(r: Stored<MailingRow, 'createdAt'>): MailingRow {
  return {
    id: r.id, districtId: r.districtId, schoolIds: r.schoolIds, authorId: r.authorId, title: r.title, body: r.body,
    recipients: r.recipients, createdAt: iso(r.createdAt),
  };
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** The person's read marks of posts and mailings, oldest first. */
export async function feedReadsOf(db: Db, personId: string): Promise<{ itemId: string; readAt: string }[]> {
  const rows = await db<{ itemId: string; readAt: Date }[]>`select item_id, read_at from feed_reads where person_id = ${personId} order by read_at`;
  return rows.map((r) => ({ itemId: r.itemId, readAt: iso(r.readAt) }));
}

/** Posts and mailings the person wrote or may read through `keys`. */
export async function feedIdsOf(db: Db, personId: string, keys: string[]): Promise<{ posts: string[]; mailings: string[] }> {
  const [r] = await db<{ posts: string[]; mailings: string[] }[]>`
    select
      array(select id from posts where author_id = ${personId} or ${keysMeet(db, keys)} order by created_at, id) as posts,
      array(select id from mailings where author_id = ${personId} or ${keysMeet(db, keys)} order by created_at, id) as mailings`;
  return { posts: r?.posts ?? [], mailings: r?.mailings ?? [] };
}

/** Posts and mailings by id, oldest first (for the export, through the views of hub/handlers/feed.ts). */
export async function feedRowsByIds(db: Db, postIds: string[], mailingIds: string[]): Promise<{ posts: PostRow[]; mailings: MailingRow[] }> {
  const posts = postIds.length === 0 ? [] : await db<Stored<PostRow, 'createdAt'>[]>`select * from posts where id = any(${postIds}::text[]) order by created_at, id`;
  const mailings = mailingIds.length === 0 ? [] : await db<Stored<MailingRow, 'createdAt'>[]>`select * from mailings where id = any(${mailingIds}::text[]) order by created_at, id`;
  return { posts: posts.map(postRow), mailings: mailings.map(mailingRow) };
}

/** Posts of these schools created before `cutoff`, with their read marks. */
export function expirePosts(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return expireRows(db, 'posts', () => db`
    school_id = any(${schoolIds}::text[]) and created_at < ${cutoff}::timestamptz
    and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))
    and not exists (select 1 from unnest(keys) k
                    where k = any(${h.personKeys}::text[]) or (k like 'gm_:%' and split_part(k, ':', 3) = any(${h.persons}::text[])))`);
}

/** Mailings of this district created before `cutoff`, with their read marks. */
export function expireMailings(db: Db, districtId: string, cutoff: string, h: Holds): Promise<number> {
  return expireRows(db, 'mailings', () => db`
    district_id = ${districtId} and created_at < ${cutoff}::timestamptz
    and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))`);
}

/** A post's read keys (who may read it, hub/audience.ts), or undefined when there is no such post. */
export async function postReadKeys(db: Db, postId: string): Promise<string[] | undefined> {
  const [r] = await db<{ keys: string[] }[]>`select keys from posts where id = ${postId}`;
  return r?.keys;
}
