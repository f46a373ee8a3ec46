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
  /** The event committed just before this one (0 for the first): the chain every node follows. */
  prev: number;
  name: string;
  keys: string[];
  data: unknown;
}

const EVENTS_LOCK = '7303411920003';

export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  await tx`select pg_advisory_xact_lock(${EVENTS_LOCK}::bigint)`;
  // Under the lock the newest visible id is the one committed just before: ids in between
  // belong to transactions that rolled back, so they never exist.
  const rows = await tx<{ id: number; prev: number }[]>`
    with before as (select coalesce(max(id), 0) as prev from events),
    added as (
      insert into events (name, keys, data)
      select x.e->>'name', array(select jsonb_array_elements_text(x.e->'keys')), x.e->'data'
      from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as x(e, n)
      order by x.n
      returning id
    )
    select id, (select prev from before) as prev from added order by id`;
  let prev = Number(rows[0]?.prev ?? 0);
  return rows.map((r, i) => {
    const e = { id: Number(r.id), prev, ...events[i]! };
    prev = e.id;
    return e;
  });
}

/** Every event in (afterId, uptoId], oldest first: how a node fills a gap in the chain. */
export async function eventsBetween(db: Db, afterId: number, uptoId: number, limit: number): Promise<Omit<StoredEvent, 'prev'>[]> {
  const rows = await db<{ id: number; name: string; keys: string[]; data: unknown }[]>`
    select id, name, keys, data from events where id > ${afterId} and id <= ${uptoId} order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Events after `afterId` that carry any of `keys`, oldest first. */
export async function eventsAfter(db: Db, afterId: number, keys: string[], limit: number): Promise<Omit<StoredEvent, 'prev'>[]> {
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
