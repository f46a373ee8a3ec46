// The event log, appended without a lock (issue 14): writers never wait for one another. An
// event's id is its place in the log: tx * 65536 + n, where tx is the id of the transaction
// that appended it (xid8: PostgreSQL's own, cluster-wide, never reused) and n its rank in that
// transaction; the id is the client's cursor. A transaction takes its id at its first write,
// so one that began writing after another committed comes after it; transactions that overlap
// are ordered by their transaction ids. A reader never reads past the **horizon**
// (events_horizon(), migration 020): below it every transaction has finished, so the log up to
// there is final and a cursor never skips a late commit.
import type { Db, Sql, Tx } from './pool.ts';
import { CommitOutcomeUnknown, isConnectionError, isSqlError, StorageDeadline } from './errors.ts';

export interface NewEvent {
  name: string;
  keys: string[];
  data: unknown;
}

export interface StoredEvent {
  /** The event's place in the log and its cursor: tx * 65536 + n. */
  id: bigint;
  name: string;
  keys: string[];
  data: unknown;
}

/** Events one transaction may append at the most: its rank n stays below the next transaction's ids. */
export const EVENTS_PER_TRANSACTION = 65_536;

/**
 * Appends the events in the given order at the transaction's end. Once per transaction: the
 * ranks start at 0 (a second call fails on the primary key). No lock: nothing waits here.
 */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  if (events.length > EVENTS_PER_TRANSACTION) throw new Error(`a transaction appends at most ${EVENTS_PER_TRANSACTION} events`);
  const rows = await tx<{ id: string }[]>`
    insert into events (id, name, keys, data)
    select pg_current_xact_id()::text::bigint * ${EVENTS_PER_TRANSACTION} + x.n - 1,
      x.e->>'name', array(select jsonb_array_elements_text(x.e->'keys')), x.e->'data'
    from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as x(e, n)
    order by x.n
    returning id::text as id`;
  return rows.map((r, i) => ({ id: BigInt(r.id), ...events[i]! }));
}

/**
 * The horizon as an event id: every event below it is final (its transaction has finished,
 * so it is committed and visible to any later read, or will never exist). Migration 020.
 */
export async function eventsHorizon(db: Db): Promise<bigint> {
  const [row] = await db<{ h: string }[]>`select (events_horizon()::text::bigint * ${EVENTS_PER_TRANSACTION})::text as h`;
  return BigInt(row!.h);
}

/** Where a node starts: the horizon, and the newest event below it (0: none). */
export async function logStart(db: Db): Promise<{ horizon: bigint; last: bigint }> {
  const horizon = await eventsHorizon(db);
  const [row] = await db<{ last: string | null }[]>`select max(id)::text as last from events where id < ${horizon.toString()}::bigint`;
  return { horizon, last: BigInt(row?.last ?? '0') };
}

/**
 * The newest final event (0: none): no event can appear at or below it later. For readers that
 * follow the log by id with numbers (ids stay below 2^53 while transaction ids stay below 2^37).
 */
export async function lastEventId(db: Db): Promise<number> {
  return Number((await logStart(db)).last);
}

/** Every event in (afterId, uptoId], oldest first; `uptoId` at most lastEventId() for a final answer. */
export async function eventsBetween(db: Db, afterId: number, uptoId: number, limit: number): Promise<{ id: number; name: string; keys: string[]; data: unknown }[]> {
  const rows = await db<{ id: string; name: string; keys: string[]; data: unknown }[]>`
    select id::text as id, name, keys, data from events where id > ${String(afterId)}::bigint and id <= ${String(uptoId)}::bigint order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Is there an event with this id? (A cursor a client was sent names one, unless it was pruned.) */
export async function eventExists(db: Db, id: bigint): Promise<boolean> {
  const rows = await db`select 1 from events where id = ${id.toString()}::bigint`;
  return rows.length > 0;
}

export interface LoggedEvent {
  id: bigint;
  keys: string[];
  /** Left out (undefined) for the ids the reader said it has. */
  name?: string;
  data?: unknown;
}

/**
 * The events in (after, below), oldest first, at most `limit`: how a node checks that it has
 * every event up to a horizon. Name and data come only for ids not in `have` (those came
 * through the broker).
 */
export async function eventsBelow(db: Db, after: bigint, below: bigint, have: bigint[], limit: number): Promise<LoggedEvent[]> {
  const known = have.map(String);
  const rows = await db<{ id: string; keys: string[]; name: string | null; data: unknown }[]>`
    select id::text as id, keys,
      case when id = any(${known}::bigint[]) then null else name end as name,
      case when id = any(${known}::bigint[]) then null else data end as data
    from events where id > ${after.toString()}::bigint and id < ${below.toString()}::bigint
    order by id limit ${limit}`;
  return rows.map((r) => ({ id: BigInt(r.id), keys: r.keys, ...(r.name === null ? {} : { name: r.name, data: r.data }) }));
}

/** Events in (after, upto] that carry any of `keys`, oldest first. */
export async function eventsAfter(db: Db, after: bigint, upto: bigint, keys: string[], limit: number): Promise<{ id: bigint; name: string; keys: string[]; data: unknown }[]> {
  const rows = await db<{ id: string; name: string; keys: string[]; data: unknown }[]>`
    select id::text as id, name, keys, data from events
    where id > ${after.toString()}::bigint and id <= ${upto.toString()}::bigint and keys && ${keys}::text[]
    order by id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: BigInt(r.id) }));
}

/** The id of the newest event pruned from the log (0: none): a resume from below it may miss events. */
export async function prunedThrough(db: Db): Promise<bigint> {
  const [row] = await db<{ through: string }[]>`select through::text as through from events_pruned`;
  return BigInt(row?.through ?? '0');
}

/**
 * How long a commit may wait for the database, reserving a connection included: 10 s. Past it
 * the connection is discarded (its socket destroyed, its backend terminated, never returned to
 * the pool) and the commit rejects with StorageDeadline ("nothing was written") or, once COMMIT
 * had been sent, with CommitOutcomeUnknown. Longer than any healthy commit (milliseconds, a few
 * seconds while the pool reconnects after a cut), short enough that a client hears
 * `unavailable` and retries rather than waits on a hung connection.
 */
export const COMMIT_DEADLINE_MS = 10_000;

type Reserved = Awaited<ReturnType<Sql['reserve']>> & {
  /** storage/patch-postgres.mjs: destroy the socket of a connection still held (true), or false. */
  discard(): boolean;
};

/** A commit's events, and the horizon read just after it (undefined if that read failed). */
export interface Committed {
  events: StoredEvent[];
  horizon: bigint | undefined;
}

/**
 * Commits a transaction whose events are appended last, with the insert, the COMMIT and a
 * read of the horizon after it sent together (pipelined): one round trip from the end of the
 * work to a horizon that normally covers this commit, for the sequencer to deliver at once.
 * `work` runs first, in the open transaction, and returns the events.
 * Resolves with the stored events once committed. Rejects with CommitOutcomeUnknown when the
 * connection was lost once COMMIT was on its way (it may have committed); otherwise rejects and
 * nothing is kept. Settles within `deadlineMs` (COMMIT_DEADLINE_MS) whatever the database does:
 * a transaction of the hub's stays open no longer, so it holds the horizon back no longer.
 */
export async function commitWithEvents(sql: Sql, work: (tx: Tx) => Promise<NewEvent[]>, deadlineMs = COMMIT_DEADLINE_MS): Promise<Committed> {
  const until = Date.now() + deadlineMs;
  const conn = await reserveWithin(sql, deadlineMs);
  const state: Attempt = { commitSent: false, begin: undefined, discarded: false };
  const body = transact(conn, work, state);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageDeadline(state.commitSent ? 'COMMIT' : 'the transaction', deadlineMs)), Math.max(0, until - Date.now()));
  });
  try {
    return await Promise.race([body, expired]);
  } catch (e) {
    if (!(e instanceof StorageDeadline)) throw e;
    // The database has not answered: this connection is given up. Its socket is destroyed (its
    // queries reject, it is not released into the pool) and its backend is terminated, so that
    // a transaction stuck on a lock cannot go on later, nor hold the horizon back.
    state.discarded = true;
    body.catch(() => {});
    // Still ours (not closed and reconnected for another holder): its pid is our backend's.
    const pid = state.begin?.state?.pid;
    if (conn.discard() && typeof pid === 'number') void sql`select pg_terminate_backend(${pid})`.catch(() => {});
    throw state.commitSent ? new CommitOutcomeUnknown(e) : e;
  } finally {
    clearTimeout(timer);
  }
}

interface Attempt {
  /** COMMIT was handed to the connection: from then on the outcome may be a commit. */
  commitSent: boolean;
  /** The BEGIN query: its `state` names the backend (pid), to terminate it past the deadline. */
  begin: { state?: { pid?: number } | null } | undefined;
  /** Given up at the deadline: the connection must not go back to the pool. */
  discarded: boolean;
}

/** sql.reserve(), or StorageDeadline after `ms`; a connection granted later goes back at once. */
async function reserveWithin(sql: Sql, ms: number): Promise<Reserved> {
  const reserving = sql.reserve() as Promise<Reserved>;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageDeadline('waiting for a connection', ms)), ms);
  });
  try {
    return await Promise.race([reserving, expired]);
  } catch (e) {
    if (e instanceof StorageDeadline) reserving.then((c) => c.release(), () => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function transact(conn: Reserved, work: (tx: Tx) => Promise<NewEvent[]>, state: Attempt): Promise<Committed> {
  const tx = conn as unknown as Tx;
  try {
    // BEGIN goes out with the work's first statements instead of a round trip ahead of them.
    // Both settle before anything else: the work must be done with the connection first.
    const begin = tx`begin`.execute();
    state.begin = begin as unknown as Attempt['begin'];
    const [began, worked] = await Promise.allSettled([begin, work(tx)]);
    if (began.status === 'rejected') throw began.reason;
    if (worked.status === 'rejected') throw worked.reason;
    if (state.discarded) throw new StorageDeadline('the transaction', 0);
    const events = worked.value;
    if (events.length === 0) {
      state.commitSent = true;
      await tx`commit`.execute().catch(unknownIfLost);
      return { events: [], horizon: undefined };
    }
    const appended = appendEvents(tx, events);
    // Sent now, behind the insert: PostgreSQL answers a COMMIT after a failed statement with a
    // rollback, so the outcome is the insert's.
    state.commitSent = true;
    const commit = tx`commit`.execute();
    // A fresh snapshot after our COMMIT: the horizon is past this transaction unless an older
    // one is still running (then it comes with that one's commit, or the sequencer's poll).
    const horizon = eventsHorizon(tx);
    const [stored, committed, after] = await Promise.allSettled([appended, commit, horizon]);
    // PostgreSQL refused the insert: the COMMIT became a rollback (or never ran).
    if (stored.status === 'rejected' && isSqlError(stored.reason)) throw stored.reason;
    if (stored.status === 'rejected') unknownIfLost(stored.reason);
    if (committed.status === 'rejected') unknownIfLost(committed.reason);
    return { events: stored.value, horizon: after.status === 'fulfilled' ? after.value : undefined };
  } catch (e) {
    if (!state.discarded) await tx`rollback`.catch(() => {});
    throw e;
  } finally {
    // A discarded connection is not released: release() would put it among the open ones.
    if (!state.discarded) conn.release();
  }
}

/** A lost connection after COMMIT was sent leaves the outcome unknown; anything else is thrown as it is. */
function unknownIfLost(e: unknown): never {
  throw isConnectionError(e) ? new CommitOutcomeUnknown(e) : e;
}
