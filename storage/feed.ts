// Posts and mailings: one row each with its audience as read keys; reading state per reader.
import type { Db, Tx } from './pool.ts';
import { iso } from './rows.ts';

export interface PostRow {
  id: string;
  schoolId: string;
  authorId: string;
  title: string;
  body: string;
  audience: unknown;
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
  const [r] = await db`select * from posts where author_id = ${authorId} and client_key = ${clientKey}`;
  return r ? postRow(r) : undefined;
}

export async function insertPost(tx: Tx, p: PostRow & { keys: string[]; clientKey: string }): Promise<PostRow> {
  const [r] = await tx`
    insert into posts (id, school_id, author_id, title, body, audience, keys, client_key)
    values (${p.id}, ${p.schoolId}, ${p.authorId}, ${p.title}, ${p.body}, ${JSON.stringify(p.audience)}::text::jsonb, ${p.keys}::text[], ${p.clientKey})
    returning *`;
  return postRow(r!);
}

export async function findMailingByKey(db: Db, authorId: string, clientKey: string): Promise<MailingRow | undefined> {
  const [r] = await db`select * from mailings where author_id = ${authorId} and client_key = ${clientKey}`;
  return r ? mailingRow(r) : undefined;
}

export async function insertMailing(tx: Tx, m: MailingRow & { keys: string[]; clientKey: string }): Promise<MailingRow> {
  const [r] = await tx`
    insert into mailings (id, district_id, school_ids, author_id, title, body, recipients, keys, client_key)
    values (${m.id}, ${m.districtId}, ${m.schoolIds}::text[], ${m.authorId}, ${m.title}, ${m.body}, ${JSON.stringify(m.recipients)}::text::jsonb, ${m.keys}::text[], ${m.clientKey})
    returning *`;
  return mailingRow(r!);
}

/** A page of the feed: posts and mailings that carry any of `keys`, newest first. */
export async function feedPage(
  db: Db, readerId: string, keys: string[], limit: number, before?: { at: string; id: string },
): Promise<(FeedItem & { read: boolean })[]> {
  const beforeAt = before?.at ?? null;
  const beforeId = before?.id ?? null;
  const rows = await db`
    with items as (
      select 'post' as kind, id, school_id, null::text as district_id, null::text[] as school_ids, author_id, title, body,
             audience, null::jsonb as recipients, created_at
      from posts where keys && ${keys}::text[]
        and (${beforeAt}::timestamptz is null or (created_at, id) < (${beforeAt}::timestamptz, ${beforeId}::text))
      union all
      select 'mailing', id, null, district_id, school_ids, author_id, title, body, null, recipients, created_at
      from mailings where keys && ${keys}::text[]
        and (${beforeAt}::timestamptz is null or (created_at, id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    )
    select i.*, (r.item_id is not null) as read
    from items i left join feed_reads r on r.person_id = ${readerId} and r.item_id = i.id
    order by i.created_at desc, i.id desc
    limit ${limit}`;
  return rows.map((r) => ({ ...(r.kind === 'post' ? { kind: 'post' as const, ...postRow(r) } : { kind: 'mailing' as const, ...mailingRow(r) }), read: r.read as boolean }));
}

/** Ids among `itemIds` that `keys` may see (for marking read without probing). */
export async function visibleItemIds(db: Db, itemIds: string[], keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from posts where id = any(${itemIds}::text[]) and keys && ${keys}::text[]
    union all
    select id from mailings where id = any(${itemIds}::text[]) and keys && ${keys}::text[]`;
  return rows.map((r) => r.id);
}

export async function markItemsRead(db: Db, personId: string, itemIds: string[]): Promise<string[]> {
  if (itemIds.length === 0) return [];
  const rows = await db<{ item_id: string }[]>`
    insert into feed_reads (person_id, item_id) select ${personId}, unnest(${itemIds}::text[])
    on conflict do nothing returning item_id`;
  return rows.map((r) => r.item_id);
}

function postRow(r: Record<string, unknown>): PostRow {
  return {
    id: r.id as string, schoolId: r.school_id as string, authorId: r.author_id as string, title: r.title as string,
    body: r.body as string, audience: r.audience, createdAt: iso(r.created_at as Date),
  };
}

function mailingRow(r: Record<string, unknown>): MailingRow {
  return {
    id: r.id as string, districtId: r.district_id as string, schoolIds: r.school_ids as string[], authorId: r.author_id as string,
    title: r.title as string, body: r.body as string, recipients: r.recipients, createdAt: iso(r.created_at as Date),
  };
}
