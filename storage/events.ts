// The event log, appended without a lock: writers take ids from the sequence and never wait
// for one another (issue 14). An event's place is (tx, n): the id of the transaction that
// appended it (xid8, PostgreSQL's own, cluster-wide and never reused) and its rank within that
// transaction; its cursor is tx * 65536 + n (a decimal, compared as a number). Transaction ids
// are taken at a transaction's first write, so a transaction that began writing after another
// committed comes after it; transactions that overlap are ordered by their ids. A reader never
// reads past the **horizon** (events_horizon(), migration 020): below it every transaction has
// finished, so the log up to there is final and a cursor never skips a late commit.
import type { Db, Sql, Tx } from './pool.ts';
import { CommitOutcomeUnknown, isConnectionError, isSqlError, StorageDeadline } from './errors.ts';

export interface NewEvent {
  name: string;
  keys: string[];
  data: unknown;
}

export interface StoredEvent {
  /** The event's place in the log and its cursor: tx * 65536 + n. */
  pos: bigint;
  name: string;
  keys: string[];
  data: unknown;
}

/** Events one transaction may append at the most: the rank n fits below the transaction's place. */
export const EVENTS_PER_TRANSACTION = 65_536;
const RANK = BigInt(EVENTS_PER_TRANSACTION);

/** The cursor of (tx, n). */
export const placeOf = (tx: bigint, n: number): bigint => tx * RANK + BigInt(n);
/** The transaction of a place. */
export const txOf = (pos: bigint): bigint => pos / RANK;
/** The rank within its transaction of a place. */
const rankOf = (pos: bigint): number => Number(pos % RANK);

/**
 * Appends the events in the transaction's order, at its end. Once per transaction: the ranks
 * start at 0 (a second call fails on the unique place). No lock: nothing waits here.
 */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  if (events.length > EVENTS_PER_TRANSACTION) throw new Error(`a transaction appends at most ${EVENTS_PER_TRANSACTION} events`);
  const rows = await tx<{ tx: string; n: number }[]>`
    insert into events (name, keys, data, n)
    select x.e->>'name', array(select jsonb_array_elements_text(x.e->'keys')), x.e->'data', x.n - 1
    from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as x(e, n)
    order by x.n
    returning tx::text as tx, n`;
  const txId = BigInt(rows[0]!.tx);
  return events.map((e, i) => ({ pos: placeOf(txId, i), ...e }));
}

/** Every transaction below the result has finished: the log below it is final (migration 020). */
export async function eventsHorizon(db: Db): Promise<bigint> {
  const [row] = await db<{ h: string }[]>`select events_horizon()::text as h`;
  return BigInt(row!.h);
}

/** Where a node starts: the horizon, and the place of the newest event below it (0: none). */
export async function logStart(db: Db): Promise<{ horizon: bigint; last: bigint }> {
  const horizon = await eventsHorizon(db);
  const [row] = await db<{ last: string | null }[]>`
    select (tx::text::bigint * 65536 + n)::text as last from events where tx < ${horizon.toString()}::xid8 order by tx desc, n desc limit 1`;
  return { horizon, last: BigInt(row?.last ?? '0') };
}

/** Does an event sit at this place? (A cursor a client was sent names one, unless it was pruned.) */
export async function eventAt(db: Db, pos: bigint): Promise<boolean> {
  const rows = await db`select 1 from events where tx = ${txOf(pos).toString()}::xid8 and n = ${rankOf(pos)}::int`;
  return rows.length > 0;
}

export interface LoggedEvent {
  pos: bigint;
  keys: string[];
  /** Left out (undefined) for the places the reader said it has. */
  name?: string;
  data?: unknown;
}

/**
 * The events after place `after` of transactions below `belowTx`, in log order, at most
 * `limit`: how a node verifies that it has every event up to a horizon. Name and data come
 * only for places not in `have` (the node got those through the broker).
 */
export async function eventsBelow(db: Db, after: bigint, belowTx: bigint, have: bigint[], limit: number): Promise<LoggedEvent[]> {
  const rows = await db<{ tx: string; n: number; keys: string[]; name: string | null; data: unknown }[]>`
    with e as (
      select tx, n, keys, name, data, tx::text::bigint * 65536 + n as pos from events
      where (tx, n) > (${txOf(after).toString()}::xid8, ${rankOf(after)}::int) and tx < ${belowTx.toString()}::xid8
      order by tx, n limit ${limit}
    )
    select tx::text as tx, n, keys,
      case when pos = any(${have.map(String)}::bigint[]) then null else name end as name,
      case when pos = any(${have.map(String)}::bigint[]) then null else data end as data
    from e order by tx, n`;
  return rows.map((r) => ({ pos: placeOf(BigInt(r.tx), r.n), keys: r.keys, ...(r.name === null ? {} : { name: r.name, data: r.data }) }));
}

/** Events after place `after` up to place `upto` that carry any of `keys`, in log order. */
export async function eventsAfter(db: Db, after: bigint, upto: bigint, keys: string[], limit: number): Promise<{ pos: bigint; name: string; keys: string[]; data: unknown }[]> {
  const rows = await db<{ tx: string; n: number; name: string; keys: string[]; data: unknown }[]>`
    select tx::text as tx, n, name, keys, data from events
    where (tx, n) > (${txOf(after).toString()}::xid8, ${rankOf(after)}::int)
      and (tx, n) <= (${txOf(upto).toString()}::xid8, ${rankOf(upto)}::int)
      and keys && ${keys}::text[]
    order by tx, n limit ${limit}`;
  return rows.map((r) => ({ pos: placeOf(BigInt(r.tx), r.n), name: r.name, keys: r.keys, data: r.data }));
}

/** The cursor of the newest event pruned from the log (0: none): a resume from below it may miss events. */
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
