// The event log. appendEvents takes a transaction advisory lock right before its insert, so
// between taking an id and committing no other transaction can take one: id order is commit
// order, and a reader that has seen id N has seen every committed event below N. The lock is
// held for the insert and the commit only; all other work of the transaction runs in parallel.
import type { Db, Sql, Tx } from './pool.ts';
import { CommitOutcomeUnknown, isConnectionError, isSqlError } from './errors.ts';

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
  // The lock and the insert are sent together (pipelined): the lock is held from the moment it
  // is granted, and not for an extra round trip to this process before the insert. They stay
  // two statements, so that the insert's snapshot is taken after the lock was granted.
  const lock = tx`select pg_advisory_xact_lock(${EVENTS_LOCK}::bigint)`.execute();
  // Under the lock the newest visible id is the one committed just before: ids in between
  // belong to transactions that rolled back, so they never exist.
  const inserted = tx<{ id: number; prev: number }[]>`
    with before as (select coalesce(max(id), 0) as prev from events),
    added as (
      insert into events (name, keys, data)
      select x.e->>'name', array(select jsonb_array_elements_text(x.e->'keys')), x.e->'data'
      from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as x(e, n)
      order by x.n
      returning id
    )
    select id, (select prev from before) as prev from added order by id`.execute();
  // Both settle before either is reported: when the connection is cut, the one not awaited
  // would otherwise reject unhandled, and that ends the process.
  const [locked, added] = await Promise.allSettled([lock, inserted]);
  if (locked.status === 'rejected') throw locked.reason;
  if (added.status === 'rejected') throw added.reason;
  const rows = added.value;
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

/**
 * Commits a transaction whose events are appended last, with the event lock, the insert and
 * the COMMIT sent together (pipelined): the lock is released by the commit itself, without a
 * round trip to this process in between, which is where a busy process would hold every other
 * writer waiting. `work` runs first, in the open transaction, and returns the events.
 * Resolves with the stored events once committed. Rejects with CommitOutcomeUnknown when the
 * connection was lost once COMMIT was on its way (it may have committed); otherwise rejects and
 * nothing is kept.
 */
export async function commitWithEvents(sql: Sql, work: (tx: Tx) => Promise<NewEvent[]>): Promise<StoredEvent[]> {
  const conn = await sql.reserve();
  const tx = conn as unknown as Tx;
  try {
    // BEGIN goes out with the work's first statements instead of a round trip ahead of them.
    // Both settle before anything else: the work must be done with the connection first.
    const [began, worked] = await Promise.allSettled([tx`begin`.execute(), work(tx)]);
    if (began.status === 'rejected') throw began.reason;
    if (worked.status === 'rejected') throw worked.reason;
    const events = worked.value;
    if (events.length === 0) {
      await tx`commit`.execute().catch(unknownIfLost);
      return [];
    }
    const appended = appendEvents(tx, events);
    // Sent now, behind the insert: PostgreSQL answers a COMMIT after a failed statement with a
    // rollback, so the outcome is the insert's.
    const commit = tx`commit`.execute();
    const [stored, committed] = await Promise.allSettled([appended, commit]);
    // PostgreSQL refused the insert: the COMMIT became a rollback (or never ran).
    if (stored.status === 'rejected' && isSqlError(stored.reason)) throw stored.reason;
    if (stored.status === 'rejected') unknownIfLost(stored.reason);
    if (committed.status === 'rejected') unknownIfLost(committed.reason);
    return stored.value;
  } catch (e) {
    await tx`rollback`.catch(() => {});
    throw e;
  } finally {
    conn.release();
  }
}

/** A lost connection after COMMIT was sent leaves the outcome unknown; anything else is thrown as it is. */
function unknownIfLost(e: unknown): never {
  throw isConnectionError(e) ? new CommitOutcomeUnknown(e) : e;
}
