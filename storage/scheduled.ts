// Posts and mailings scheduled for later (migration 019): stored as their create request until
// publish_at, seen by nobody but their author. The publishing node takes a due row with
// FOR UPDATE SKIP LOCKED inside the transaction that inserts the post, so each row is published
// once whichever node gets there first, and one that dies half-way leaves it to another.
import type { Db, Tx } from './pool.ts';
import { iso, keyedRows, type Stored } from './rows.ts';
import { inBatches, RETENTION_BATCH, type Holds } from './retention.ts';

export type ScheduledKind = 'post' | 'mailing';
export type ScheduledState = 'pending' | 'published' | 'cancelled' | 'failed';

export interface ScheduledRow {
  id: string;
  kind: ScheduledKind;
  authorId: string;
  /** The validated create request without clientKey and publishAt. */
  request: Record<string, unknown>;
  publishAt: string;
  state: ScheduledState;
  publishedId: string | null;
  failure: string | null;
  createdAt: string;
  updatedAt: string;
}

type Raw = Stored<ScheduledRow, 'publishAt' | 'createdAt' | 'updatedAt'> & { clientKey: string };

function scheduledRow(r: Raw): ScheduledRow {
  return {
    id: r.id, kind: r.kind, authorId: r.authorId, request: r.request, publishAt: iso(r.publishAt), state: r.state,
    publishedId: r.publishedId, failure: r.failure, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
  };
}

export const scheduledRows = keyedRows<Raw, ScheduledRow>('scheduled_items', 'author_id', scheduledRow);

export async function insertScheduled(
  tx: Tx, s: Pick<ScheduledRow, 'id' | 'kind' | 'authorId' | 'request' | 'publishAt'> & { clientKey: string },
): Promise<ScheduledRow> {
  const [r] = await tx<Raw[]>`
    insert into scheduled_items (id, kind, author_id, request, publish_at, client_key)
    values (${s.id}, ${s.kind}, ${s.authorId}, ${JSON.stringify(s.request)}::text::jsonb, ${s.publishAt}::timestamptz, ${s.clientKey})
    returning *`;
  return scheduledRow(r!);
}

/** The author's items still to come and those that failed, soonest first; then the latest others. */
export async function scheduledOf(db: Db, authorId: string, limit: number): Promise<ScheduledRow[]> {
  const rows = await db<Raw[]>`
    select * from scheduled_items where author_id = ${authorId}
    order by (state in ('pending', 'failed')) desc,
             case when state in ('pending', 'failed') then publish_at end asc,
             updated_at desc, id
    limit ${limit}`;
  return rows.map(scheduledRow);
}

/** Changes a pending item (the row locked by the caller); `null` fields stay as they are. */
export async function updateScheduled(
  tx: Tx, id: string, change: { request: Record<string, unknown>; publishAt: string },
): Promise<ScheduledRow> {
  const [r] = await tx<Raw[]>`
    update scheduled_items set request = ${JSON.stringify(change.request)}::text::jsonb, publish_at = ${change.publishAt}::timestamptz, updated_at = now()
    where id = ${id} returning *`;
  return scheduledRow(r!);
}

export async function settleScheduled(
  tx: Tx, id: string, outcome: { state: 'published'; publishedId: string } | { state: 'failed'; failure: string } | { state: 'cancelled' },
): Promise<ScheduledRow> {
  const publishedId = outcome.state === 'published' ? outcome.publishedId : null;
  const failure = outcome.state === 'failed' ? outcome.failure : null;
  const [r] = await tx<Raw[]>`
    update scheduled_items set state = ${outcome.state}, published_id = ${publishedId}, failure = ${failure}, updated_at = now()
    where id = ${id} returning *`;
  return scheduledRow(r!);
}

/** Ids of pending items due by now, soonest first (candidates: the publisher takes each with takeDue). */
export async function dueIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from scheduled_items where state = 'pending' and publish_at <= now() order by publish_at, id limit ${limit}`;
  return rows.map((r) => r.id);
}

/**
 * The item, locked for this transaction, if it is still pending and due; undefined when
 * another node holds it (SKIP LOCKED) or has settled it.
 */
export async function takeDue(tx: Tx, id: string): Promise<ScheduledRow | undefined> {
  const [r] = await tx<Raw[]>`
    select * from scheduled_items where id = ${id} and state = 'pending' and publish_at <= now()
    for update skip locked`;
  return r ? scheduledRow(r) : undefined;
}

/** Everything the person scheduled (the export), oldest first. */
export async function scheduledForExport(db: Db, authorId: string): Promise<ScheduledRow[]> {
  const rows = await db<Raw[]>`select * from scheduled_items where author_id = ${authorId} order by created_at, id`;
  return rows.map(scheduledRow);
}

/**
 * Settled items (published, cancelled, failed) of these schools or this district last changed
 * before `cutoff`; pending ones wait for their time. Held authors' rows stay.
 */
export function expireScheduled(db: Db, districtId: string, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return inBatches(async () => {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from scheduled_items where id in (
          select id from scheduled_items
          where state <> 'pending' and updated_at < ${cutoff}::timestamptz
            and (request->>'schoolId' = any(${schoolIds}::text[]) or request->>'districtId' = ${districtId})
            and not (author_id = any(${h.persons}::text[]))
          limit ${RETENTION_BATCH})
        returning id)
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}
