// The one PostgreSQL pool of a hub process (postgres.js: tagged-template queries only).
import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;
/** Either the pool or an open transaction: query helpers take this so callers choose. */
export type Db = Sql | Tx;

/**
 * How long a transaction of the hub's may sit idle (waiting on this process) before
 * PostgreSQL ends it: 5 s. A transaction that has taken event ids holds every node's delivery
 * back until it ends (storage/events.ts); the hub sends its COMMIT together with the ids, so
 * such a transaction is never idle unless its process hangs or was stopped, and then it must
 * not hold delivery back for long. (A commit's own deadline, COMMIT_DEADLINE_MS, bounds a
 * transaction that waits on the database instead.)
 */
export const IDLE_IN_TRANSACTION_MS = 5_000;

/**
 * The application_name of every session of a hub's pool, so that an operator (and the
 * benchmark, loadtest/lib/pg-waits.ts) can tell the hub's sessions in pg_stat_activity. While
 * a transaction takes event ids it carries a mark instead (storage/events.ts, APPENDING_MARK),
 * which its end removes.
 */
export const POOL_APPLICATION_NAME = 'schoolhub';

/**
 * Queries postgres.js sends on one connection before it waits for answers (its default is
 * 100). A group commit sends its whole transaction at once (hub/publisher.ts): BEGIN, one
 * statement per write (messages share one), the mark, the event insert and COMMIT, so a full
 * batch of 100 writes is at most 104 queries. Past the limit the rest waited for the first
 * answers to come back through this process's busy event loop, and PostgreSQL sat idle in the
 * transaction meanwhile.
 */
export const MAX_PIPELINE = 256;

/**
 * How long a connection may stay idle before it closes: 60-120 s, drawn for each connection.
 * The pool hands out the connection used last (storage/patch-postgres.mjs), so the connections
 * a burst opened all go idle at once; with one time for all they closed in one wave, which
 * stalled the chat benchmark's deliveries for 100-200 ms (loadtest/RESULTS.md, "The pool's
 * most recent connection first"). Drawn apart, they close one by one.
 */
export const idleSeconds = (): number => 60 + Math.random() * 60;

/** Connections a hub's pool opens at most: it opens them as writes and reads need them. */
export const POOL_MAX = 24;

export function openPool(url: string, options: { max?: number; idleSeconds?: () => number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? POOL_MAX,
    onnotice: () => {},
    connection: { application_name: POOL_APPLICATION_NAME, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS },
    // Fail fast when the server is gone so that writes answer `unavailable` instead of hanging.
    connect_timeout: 5,
    // The wait before a closed connection reconnects. postgres.js counts failed closes in one
    // counter shared by the whole pool and waits (0.5-1) x min(3^count / 100, 20) s: when every
    // backend is cut at once, two dozen connections close with socket errors, the count passes
    // 7, and a connection reconnects only 10-20 s later, with writes waiting on it (the
    // "15-19 s unavailable" of issue 15). A cut is not an overloaded server: wait 50 ms doubling
    // to at most 1 s, with jitter so that the connections do not reconnect in one burst.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
    // postgres.js takes a function here and calls it once per connection (its own max_lifetime
    // default is one), though its types say a number.
    idle_timeout: (options.idleSeconds ?? idleSeconds) as unknown as number,
    // Read by postgres.js (its `defaults`), though not in its type definitions.
    ...{ max_pipeline: MAX_PIPELINE },
    // Result columns arrive camelCase (created_at → createdAt), so row types are declared as
    // the hub names things. Only results: `to` would rewrite identifiers in sql(...) helpers,
    // and `value` would rewrite the keys inside jsonb data.
    transform: { column: { from: postgres.toCamel } },
    types: {
      // bigint columns (seq, event ids) fit in a JS number for centuries of traffic.
      bigint: postgres.BigInt && {
        to: 20,
        from: [20],
        serialize: (x: number) => String(x),
        parse: (x: string) => Number(x),
      },
    },
  }) as unknown as Sql;
}

/** Does a PostgreSQL server answer at this URL (within 3 s)? */
export async function postgresReachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
