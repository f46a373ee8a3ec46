// postgres.js as storage/patch-postgres.mjs patches it: what a reserved connection holds
// (hold() until flush()) goes as one pipeline, with one Sync after its last statement, so that
// PostgreSQL answers a whole transaction in one send (storage/events.ts). Here: every statement
// still gets its own answer, a failure skips the rest as a transaction would, and a statement
// that needs a round trip ends the pipeline before it. The wire itself is read in
// storage/transaction-write.test.ts.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { isSqlError } from './errors.ts';

type Reserved = Awaited<ReturnType<Sql['reserve']>> & { hold(): void; flush(): void };

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await pool`create table t (id int primary key, v text not null)`;
});

/** Sends the queries `send` makes on a reserved connection as one pipeline; their results. */
async function held<T extends Promise<unknown>[]>(send: (conn: Reserved) => T): Promise<T> {
  const conn = (await sql.reserve()) as Reserved;
  try {
    conn.hold();
    const out = send(conn);
    await handedOver();
    conn.flush();
    await Promise.allSettled(out);
    return out;
  } finally {
    conn.release();
  }
}

/**
 * postgres.js hands a query to its connection a microtask after execute(): flushed before, the
 * queries would not be held yet. (storage/events.ts flushes from a microtask queued after them.)
 */
const handedOver = () => Promise.resolve();

/** The outcome of each promise: its value, or the SQLSTATE it was rejected with. */
async function outcomes(ps: Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(ps);
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : { code: (s.reason as { code?: string }).code, sql: isSqlError(s.reason) }));
}

describe('a held pipeline (patched postgres.js)', () => {
  it('answers each statement with its own rows, columns and command', async () => {
    // Twice: the first time the statements are parsed and described on this connection; the
    // second time they are prepared, as in a running hub.
    for (let round = 0; round < 2; round++) {
      const [a, b, c, d] = await held((conn) => [
        conn`begin`.execute(),
        conn`select g as n from generate_series(1, 3) g`.execute(),
        conn`select 'x' as s, ${round}::int as r`.execute(),
        conn`commit`.execute(),
      ]);
      expect((await a).command).toBe('BEGIN');
      expect([...(await b)]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect((await b).count).toBe(3);
      expect([...(await c)]).toEqual([{ s: 'x', r: round }]);
      expect((await d).command).toBe('COMMIT');
    }
  });

  it('is one transaction up to its Sync, even without BEGIN', async () => {
    // Sent apart, each statement is a transaction of its own and takes its own id.
    const apart = await Promise.all([sql`select txid_current()::text as x`, sql`select txid_current()::text as x`]);
    expect(apart[0]![0]!.x).not.toBe(apart[1]![0]!.x);
    const [a, b] = await held((conn) => [conn`select txid_current()::text as x`.execute(), conn`select txid_current()::text as x`.execute()]);
    expect((await a)[0]!.x).toBe((await b)[0]!.x);
  });

  it('after a failed statement rejects the rest with 25P02, and the connection goes on after ROLLBACK', async () => {
    const conn = (await sql.reserve()) as Reserved;
    try {
      // The statements are used once first: a first use with parameters waits for its
      // description (the test below), as it does once on each of a running hub's connections.
      await conn`insert into t values (${0}, ${'warm'})`;
      await conn`delete from t`;
      for (let round = 0; round < 2; round++) {
        conn.hold();
        const sent = [
          conn`begin`.execute(),
          conn`insert into t values (${1}, ${'kept?'})`.execute(),
          conn`insert into t values (${2}, ${null})`.execute(),
          conn`insert into t values (${3}, ${'after'})`.execute(),
          conn`select 1 as one`.execute(),
          conn`commit`.execute(),
        ];
        await handedOver();
        conn.flush();
        const [begin, first, failed, ...rest] = await outcomes(sent);
        expect((begin as { command: string }).command).toBe('BEGIN');
        expect((first as { command: string }).command).toBe('INSERT');
        // The not-null violation of the second insert, then nothing more was run.
        expect(failed).toEqual({ code: '23502', sql: true });
        expect(rest).toEqual([{ code: '25P02', sql: true }, { code: '25P02', sql: true }, { code: '25P02', sql: true }]);
        // The transaction is still open, and failed: ROLLBACK ends it.
        expect((await conn`rollback`).command).toBe('ROLLBACK');
        expect(await conn`select count(*)::int as n from t`).toEqual([{ n: 0 }]);
      }
    } finally {
      conn.release();
    }
    expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
  });

  it('ends before a first use that waits for its description, and keeps the order', async () => {
    const conn = (await sql.reserve()) as Reserved;
    try {
      // A statement with parameters never run on this connection: postgres.js asks for its
      // description and binds it once that comes, a round trip within the transaction.
      const fresh = `fresh ${Date.now()}`;
      conn.hold();
      const sent = [
        conn`begin`.execute(),
        conn`insert into t values (10, 'before')`.execute(),
        conn`insert into t values (${11}, ${fresh})`.execute(),
        conn`insert into t values (12, 'after')`.execute(),
        conn`select array_agg(id order by id) as ids from t where id >= 10`.execute(),
        conn`commit`.execute(),
      ];
      await handedOver();
      conn.flush();
      const results = (await Promise.all(sent)) as unknown as { command: string }[];
      expect(results.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'INSERT', 'INSERT', 'SELECT', 'COMMIT']);
      expect([...(results[4] as unknown as { ids: number[] }[])]).toEqual([{ ids: [10, 11, 12] }]);
    } finally {
      conn.release();
    }
    expect(await sql`select v from t where id = 11`).toHaveLength(1);
    await sql`delete from t`;
  });

  it('a backend cut while it runs a pipeline rejects every statement of it, and the pool goes on', async () => {
    const conn = (await sql.reserve()) as Reserved;
    try {
      const [backend] = await conn<{ pid: number }[]>`select pg_backend_pid() as pid`;
      conn.hold();
      const sent = [
        conn`begin`.execute(),
        conn`select pg_sleep(5)`.execute(),
        conn`insert into t values (20, 'never')`.execute(),
        conn`commit`.execute(),
      ];
      // Watched from the start: the cut socket may close, and reject them, before
      // pg_terminate_backend's own answer arrives (an unhandled rejection, 1 run in ~25).
      const outcomes = Promise.allSettled(sent);
      await handedOver();
      conn.flush();
      await new Promise((r) => setTimeout(r, 200));
      await sql`select pg_terminate_backend(${backend!.pid})`;
      const settled = (await outcomes).slice(1);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    } finally {
      conn.release();
    }
    expect(await sql`select count(*)::int as n from t where id = 20`).toEqual([{ n: 0 }]);
  });
});
