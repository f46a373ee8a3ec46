// The event log. appendEvents takes a transaction advisory lock right before its insert, so
// between taking an id and committing no other transaction can take one: id order is commit
// order, and a reader that has seen id N has seen every committed event below N. The lock is
// held for the insert and the commit only; all other work of the transaction runs in parallel.
import type { Db, Tx } from './pool.ts';

export interface NewEvent {
  name: string;
  keys: string[];
  data: unknown;
}

export interface StoredEvent {
  id: number;
  name: string;
  keys: string[];
  data: unknown;
}

const EVENTS_LOCK = '7303411920003';

export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  await tx`select pg_advisory_xact_lock(${EVENTS_LOCK}::bigint)`;
  const rows = await tx<{ id: number }[]>`
    insert into events (name, keys, data)
    select name, keys, data from jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb) as x(name text, keys text[], data jsonb)
    returning id`;
  return rows.map((r, i) => ({ id: Number(r.id), ...events[i]! }));
}

/** Events after `afterId` that carry any of `keys`, oldest first. */
export async function eventsAfter(db: Db, afterId: number, keys: string[], limit: number): Promise<StoredEvent[]> {
  const rows = await db<{ id: number; name: string; keys: string[]; data: unknown }[]>`
    select id, name, keys, data from events
    where id > ${afterId} and keys && ${keys}::text[]
    order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function lastEventId(db: Db): Promise<number> {
  const [row] = await db<{ id: number | null }[]>`select max(id) as id from events`;
  return Number(row?.id ?? 0);
}

export async function firstEventId(db: Db): Promise<number> {
  const [row] = await db<{ id: number | null }[]>`select min(id) as id from events`;
  return Number(row?.id ?? 0);
}
