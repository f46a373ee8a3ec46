// The event log, appended without a lock (issue 14; migration 020). A transaction takes its
// event ids from the sequence as its last statement before COMMIT, after every row lock it
// holds, so two writes to the same record get ids in their commit order, while writes that
// share nothing commit side by side. Ids are taken in one order and may commit in another:
// readers go only as far as eventsFinal(), below which every id is committed or never will be.
import type { Db, Sql, Tx } from './pool.ts';
import { CommitOutcomeUnknown, isConnectionError, isInFailedTransaction, isSqlError, StorageDeadline, TransactionRolledBack } from './errors.ts';

export interface NewEvent {
  name: string;
  keys: string[];
  data: unknown;
  /**
   * Set on an event written before the insert of its row has answered, so that the whole
   * transaction goes out at once (message.send, post.create, mailing.create): it is appended
   * only if this transaction stored row `id` of `table` (a retry whose clientKey is stored
   * inserts none), with the row's seq (messages only) and createdAt written into `data` at
   * these paths.
   */
  ofRow?: RowFill;
}

/** The tables whose rows an event can be written ahead of (storage/events.ts appendEvents). */
export type FilledTable = 'messages' | 'posts' | 'mailings';

export interface RowFill {
  table: FilledTable;
  id: string;
  /** Only for `messages`, the one of these tables with a seq. */
  seqAt?: readonly string[];
  createdAtAt?: readonly string[];
}

export interface StoredEvent {
  id: number;
  name: string;
  keys: string[];
  data: unknown;
}

/** An events row as postgres.js reads it (bigint as a string). */
type EventRecord = { id: number | string; name: string; keys: string[]; data: unknown };
const storedEvent = (r: EventRecord): StoredEvent => ({ id: Number(r.id), name: r.name, keys: r.keys, data: r.data });

/**
 * The mark of a session taking event ids: its application_name, read by events_final()
 * (migration 020), which parses the number after it. Set LOCAL, so the transaction's end
 * removes it.
 */
export const APPENDING_MARK = 'schoolhub appending after ';

/** Appends `events`, in this order, at the end of the open transaction. Nothing waits here. */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  // The mark first, in its own statement (sent with the insert, no round trip between): it
  // names the sequence's position before any id of ours is taken, so every id we take is
  // above it, and it is visible before the first of them exists.
  // With it, for the rest of the transaction (the insert), no sequential scan: the insert looks
  // a row up by its id, and a plan made while the table was small (a new deployment, before
  // autoanalyze) would otherwise read the whole table for every batch, and stay cached. The
  // lookup is a lateral subquery behind `offset 0` for the same reason: as a plain join it could
  // be planned as one full scan of the id index. That holds for `messages`, whose only index
  // with the id is its own. `posts` and `mailings` have a second one, (created_at, id), and a
  // plan made while they were small read it whole for every lookup: a transaction with their
  // events plans its insert for the tables as they are (about 0.15 ms of the database's time,
  // once a transaction; a message's transaction keeps the cached plan).
  const custom = events.some((e) => e.ofRow !== undefined && e.ofRow.table !== 'messages');
  const mark = tx`
    select set_config('application_name', ${APPENDING_MARK} || (
      select case when is_called then last_value else last_value - 1 end from events_id_seq), true),
      set_config('enable_seqscan', 'off', true),
      set_config('plan_cache_mode', case when ${custom} then 'force_custom_plan' else current_setting('plan_cache_mode') end, true)`.execute();
  // An event of a row (ofRow) takes the stored row's seq and createdAt (as toISOString()
  // writes it), or is left out when the transaction stored no such row. One index lookup per
  // event: each branch runs only for its table (a one-time filter on the outer row).
  const inserted = tx<EventRecord[]>`
    insert into events (name, keys, data)
    select x.e->>'name', array(select jsonb_array_elements_text(x.e->'keys')), c.data
    from jsonb_array_elements(${JSON.stringify(events)}::text::jsonb) with ordinality as x(e, n)
    left join lateral (
      select m.seq, m.created_at from messages m where x.e->'ofRow'->>'table' = 'messages' and m.id = x.e->'ofRow'->>'id'
      union all
      select null, p.created_at from posts p where x.e->'ofRow'->>'table' = 'posts' and p.id = x.e->'ofRow'->>'id'
      union all
      select null, ml.created_at from mailings ml where x.e->'ofRow'->>'table' = 'mailings' and ml.id = x.e->'ofRow'->>'id'
      offset 0
    ) r on true
    cross join lateral (
      select case when x.e->'ofRow'->'seqAt' is null then x.e->'data'
        else jsonb_set(x.e->'data', array(select jsonb_array_elements_text(x.e->'ofRow'->'seqAt')), to_jsonb(r.seq)) end as data
    ) s
    cross join lateral (
      select case when x.e->'ofRow'->'createdAtAt' is null then s.data
        else jsonb_set(s.data, array(select jsonb_array_elements_text(x.e->'ofRow'->'createdAtAt')),
                       to_jsonb(to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) end as data
    ) c
    where x.e->'ofRow' is null or r.created_at is not null
    order by x.n
    returning id, name, keys, data`.execute();
  // Both settle before either is reported: when the connection is cut, the one not awaited
  // would otherwise reject unhandled, and that ends the process.
  const [marked, added] = await Promise.allSettled([mark, inserted]);
  if (marked.status === 'rejected') throw marked.reason;
  if (added.status === 'rejected') throw added.reason;
  // What is published is what was stored, as a replay will read it; in id order, which is
  // the order of the select (other transactions' ids may come between).
  return added.value.map(storedEvent).sort((a, b) => a.id - b.id);
}

/**
 * F: every event id at or below it is final, committed and visible to any statement that
 * begins after this one answered, or never to exist. Migration 020 says how and why.
 */
export async function eventsFinal(db: Db): Promise<number> {
  const [row] = await db<{ f: string | null }[]>`select events_final()::text as f`;
  return Number(row?.f ?? 0);
}

/**
 * The final events after `afterId`, oldest first, at most `limit`, and how far the answer
 * reaches: to the last row when the limit cut it, else to eventsFinal(). Every id up to
 * `reached` that is not among the rows does not exist and never will.
 */
export async function finalEventsAfter(db: Db, afterId: number, limit: number): Promise<{ events: StoredEvent[]; reached: number }> {
  // Two statements, in this order: the read's snapshot begins after F was found.
  const final = await eventsFinal(db);
  if (final <= afterId) return { events: [], reached: afterId };
  const events = await eventsBetween(db, afterId, final, limit);
  return { events, reached: events.length === limit ? events[events.length - 1]!.id : final };
}

/** Every event in (afterId, uptoId], oldest first; final when uptoId is at most eventsFinal(). */
export async function eventsBetween(db: Db, afterId: number, uptoId: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db<EventRecord[]>`
    select id, name, keys, data from events where id > ${afterId} and id <= ${uptoId} order by id limit ${limit}`;
  return rows.map(storedEvent);
}

/**
 * Events after `afterId` that carry any of `keys` (one reader's few), oldest first. PostgreSQL
 * chooses how: the keys' index where they are rare, the ids after `afterId` where few are.
 */
export async function eventsAfter(db: Db, afterId: number, keys: string[], limit: number): Promise<StoredEvent[]> {
  const rows = await db<EventRecord[]>`
    select id, name, keys, data from events
    where id > ${afterId} and keys && ${keys}::text[]
    order by id limit ${limit}`;
  return rows.map(storedEvent);
}

/**
 * eventsAfter for the keys of many readers at once (the replays of a reconnect storm share one
 * query): every row after `afterId`, in id order, is tested against the keys as a hashed set,
 * so a row costs the same for ten keys as for thousands. `keys && $keys` compares each of a
 * row's keys with each of the set's, and with the keys of a hundred readers PostgreSQL spent
 * 1.2 s on 53,000 rows where this takes about 0.1 s (loadtest/RESULTS.md, "A resume storm on
 * k6"). Sent unprepared, so that PostgreSQL plans it with the keys as a constant: only then
 * does it hash them (a cached generic plan compares them one by one again). It reads every row
 * after `afterId` up to the limit's last match: hub/replay.ts decides when that pays.
 */
export async function eventsAfterAny(db: Db, afterId: number, keys: string[], limit: number): Promise<StoredEvent[]> {
  const rows = await db.unsafe<EventRecord[]>(
    `select id, name, keys, data from events
     where id > $1 and exists (select from unnest(keys) k where k = any($2::text[]))
     order by id limit $3`,
    [afterId, keys, limit],
    { prepare: false },
  );
  return rows.map(storedEvent);
}

export async function firstEventId(db: Db): Promise<number> {
  const [row] = await db<{ id: number | null }[]>`select min(id) as id from events`;
  return Number(row?.id ?? 0);
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
  /** Sends what was written (and ends hold()). */
  flush(): void;
  /**
   * Keeps what is written, whatever its size, until flush(), and sends it as one pipeline: one
   * Sync after its last statement; after a failure the rest are skipped and reject with 25P02.
   */
  hold(): void;
};

/**
 * Commits a transaction whose events are appended last, with the mark, the insert and the
 * COMMIT sent together (pipelined): from taking its ids to committing, the transaction never
 * waits on this process, which is where a busy process would hold every reader of the log
 * back (nothing after our ids is final until we commit). `work` runs first, in the open
 * transaction, and returns the events.
 * Resolves with the stored events once committed. Rejects with CommitOutcomeUnknown when the
 * connection was lost once COMMIT was on its way (it may have committed); otherwise rejects and
 * nothing is kept. Settles within `deadlineMs` (COMMIT_DEADLINE_MS) whatever the database does.
 */
export async function commitWithEvents(sql: Sql, work: (tx: Tx) => Promise<NewEvent[]>, deadlineMs = COMMIT_DEADLINE_MS): Promise<StoredEvent[]> {
  const until = Date.now() + deadlineMs;
  const conn = await reserveWithin(sql, deadlineMs);
  if (typeof conn.flush !== 'function' || typeof conn.hold !== 'function') {
    conn.release();
    throw new Error('postgres.js is not patched as storage/patch-postgres.mjs does: run npm ci');
  }
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
    // a transaction stuck on a lock cannot go on later, nor keep holding the log's readers back.
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

async function transact(conn: Reserved, work: (tx: Tx) => Promise<NewEvent[]>, state: Attempt): Promise<StoredEvent[]> {
  const tx = conn as unknown as Tx;
  // What is written from here is kept until flushed, so that a transaction whose work does not
  // wait for its statements (message.send) leaves in one write, COMMIT included: PostgreSQL
  // reads it at once, and this process makes one system call where it made three (BEGIN and
  // the work, then the event insert once the buffer passed 1 KB, then COMMIT).
  conn.hold();
  // BEGIN goes out with the work's first statements instead of a round trip ahead of them; its
  // outcome is read with the COMMIT's (a lost connection fails every statement after it too).
  const begin = tx`begin`.execute();
  state.begin = begin as unknown as Attempt['begin'];
  const began = Promise.allSettled([begin]);
  // postgres.js sends writes under 1 KB at the next setImmediate, after every other callback
  // of this turn of the event loop; flushed here, they leave as soon as they are written.
  const flush = () => queueMicrotask(() => conn.flush());
  try {
    const working = work(tx);
    // A work that waits for its statements gets them sent once this turn's microtasks have
    // run (a tick queued from a microtask runs after all of them): by then a work that does
    // not wait has returned and the COMMIT is written, and this finds nothing left to send.
    queueMicrotask(() => process.nextTick(() => conn.flush()));
    // A work that issues its statements without awaiting them (message.send) is back at once:
    // its statements, the events and the COMMIT reach PostgreSQL together, and the
    // transaction never waits on this process. Other works answer after their statements.
    const events = await working;
    if (state.discarded) throw new StorageDeadline('the transaction', 0);
    // The rest is one pipeline too (a work that waited for its statements had them sent).
    conn.hold();
    const appended = events.length > 0 ? appendEvents(tx, events) : Promise.resolve([]);
    // Sent now, behind the insert, with the pipeline's one Sync: PostgreSQL skips a COMMIT after
    // a failed statement of its pipeline (25P02), or answers it with a rollback when the failed
    // one had a Sync of its own, so the outcome is the insert's, or the COMMIT's.
    state.commitSent = true;
    const commit = tx`commit`.execute();
    flush();
    const [stored, committed] = await Promise.allSettled([appended, commit]);
    const [opened] = await began;
    if (opened.status === 'rejected') unknownIfLost(opened.reason);
    // PostgreSQL refused the insert: the COMMIT became a rollback (or never ran).
    if (stored.status === 'rejected' && isSqlError(stored.reason)) throw stored.reason;
    if (stored.status === 'rejected') unknownIfLost(stored.reason);
    // Not run: a statement before it in its pipeline failed (a work's statement it did not
    // await, in a transaction with no events to append), and the transaction is aborted.
    if (committed.status === 'rejected' && isInFailedTransaction(committed.reason)) throw new TransactionRolledBack();
    if (committed.status === 'rejected') unknownIfLost(committed.reason);
    // A statement the work did not await failed, and the COMMIT rolled back: its own promise
    // has the reason.
    if ((committed.value as { command?: string }).command === 'ROLLBACK') throw new TransactionRolledBack();
    return stored.value;
  } catch (e) {
    await began;
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
