// postgres.js 3.4.x ends the process when a reserved connection's backend goes away
// (porsager/postgres issues 1154 and 1208); storage/patch-postgres.mjs patches it at install.
// These tests cut real backends and show that the patch is in force: queries fail with a
// connection error, the process lives, and the pool serves again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { inject } from 'vitest';
import { freshDatabase } from '../hub/testing/harness.ts';
import { openPool, type Sql, type Tx } from './pool.ts';
import { CommitOutcomeUnknown, isConnectionError, StorageDeadline, storageFailure } from './errors.ts';
import { commitWithEvents } from './events.ts';
import { migrate } from './migrate.ts';
import { lockTable } from './test-database.ts';

let sql: Sql;
let admin: postgres.Sql;
let drop: () => Promise<void>;
/** A connection of its own to the test database, to hold locks that block the pool's commits. */
let locker: postgres.Sql;
let dbUrl: string;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  dbUrl = db.url;
  sql = openPool(db.url, { max: 2 });
  admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
  locker = postgres(db.url, { max: 1, onnotice: () => {} });
  await migrate(sql);
});
afterAll(async () => {
  await sql?.end();
  await locker?.end();
  await admin?.end();
  await drop?.();
});

const pidOf = async (db: Sql | Tx) => Number((await db<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);
const terminate = (pid: number) => admin`select pg_terminate_backend(${pid})`;
/** p, or a rejection naming `what` when it has not settled within ms. */
const within = <T,>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error(`${what}: no answer in ${ms} ms`)), ms))]);
const settled = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isConnectionError(e) ? 'connection error' : `other: ${String(e)}`));

describe('postgres.js with a backend cut under a reserved connection', () => {
  it('queries on the dead connection reject with a connection error; the process lives', async () => {
    const conn = await sql.reserve();
    const pid = await pidOf(conn as unknown as Tx);
    await terminate(pid);
    await new Promise((r) => setTimeout(r, 100));
    // Unpatched 3.4.9: the second query throws from a setImmediate (uncaught: the run fails).
    expect(await settled(conn`select 1`.execute())).toBe('connection error');
    expect(await settled(conn`select 2`.execute())).toBe('connection error');
    await new Promise((r) => setTimeout(r, 50));
    conn.release();
    // The released dead connection is not handed out again as if open: the pool reconnects.
    for (let i = 0; i < 4; i++) expect(await sql`select ${i}::int as n`).toEqual([{ n: i }]);
  });

  it('a query sent in the same tick as the cut rejects too', async () => {
    const conn = await sql.reserve();
    const pid = await pidOf(conn as unknown as Tx);
    const cut = terminate(pid);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => settled(conn`select pg_sleep(0.01), ${i}::int`.execute())));
    await cut;
    expect(results.filter((r) => r !== 'ok' && r !== 'connection error')).toEqual([]);
    expect(await settled(conn`rollback`.execute())).toBe('connection error');
    // Known gap (docs/ARCHITECTURE.md): released within the same instant as a reset, the pool
    // can still hand the dead connection out once; the hub releases only after its rollback.
    await new Promise((r) => setTimeout(r, 100));
    conn.release();
    expect(await sql`select 1 as n`).toEqual([{ n: 1 }]);
  });

  it('after the cuts, no connection is lost: the pool of two hands out both at once and ends', async () => {
    // Both reserve()s settle, and whatever was granted goes back (a failed one must not leave
    // the other held, which would keep end() waiting and hide the fault behind a hang).
    const reserveTwo = async (pool: Sql) => {
      const got = await within(Promise.allSettled([pool.reserve(), pool.reserve()]), 5_000, 'two reserve()s');
      for (const r of got) if (r.status === 'fulfilled') r.value.release();
      return got.map((r) => (r.status === 'fulfilled' ? 'granted' : `rejected: ${String(r.reason)}`));
    };
    // The shared pool, after the two cuts above (the second one cut queries in flight).
    expect(await reserveTwo(sql)).toEqual(['granted', 'granted']);
    // A pool of its own: a backend cut while its query runs, then both connections and end().
    const pool = openPool(dbUrl, { max: 2 });
    try {
      const conn = await pool.reserve();
      const pid = await pidOf(conn as unknown as Tx);
      const running = settled(conn`select pg_sleep(5)`.execute());
      await new Promise((r) => setTimeout(r, 100));
      await terminate(pid);
      expect(await running).not.toBe('ok');
      conn.release();
      expect(await reserveTwo(pool)).toEqual(['granted', 'granted']);
      expect(await pool`select 1 as n`).toEqual([{ n: 1 }]);
    } finally {
      await within(pool.end(), 5_000, 'end()');
    }
  });
});

describe('the deadline of a commit (storage/events.ts)', () => {
  const DEADLINE = 1_500;
  const ev = { name: 'deadline.test', keys: ['p:x'], data: {} };
  const count = async () => Number((await locker<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n);

  it('a commit whose work waits on a lock past the deadline answers "nothing was written"; the pool goes on', async () => {
    const before = await count();
    const lock = await lockTable(locker, 'events');
    const started = Date.now();
    // The work reads the locked table: it blocks before COMMIT is sent.
    const outcome = await commitWithEvents(sql, async (tx) => {
      await tx`select count(*) from events`;
      return [ev];
    }, DEADLINE).then(() => 'committed', (e: unknown) => e);
    const took = Date.now() - started;
    await lock.release();
    expect(outcome).toBeInstanceOf(StorageDeadline);
    expect(storageFailure(outcome).message).toContain('nothing was written');
    expect(took).toBeGreaterThanOrEqual(DEADLINE - 50);
    expect(took).toBeLessThan(DEADLINE + 1_000);
    // The blocked backend was terminated, not left to commit once the lock went away.
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(before);
    // Both connections of the pool serve again, and a commit goes through.
    for (let i = 0; i < 4; i++) expect(await sql`select ${i}::int as n`).toEqual([{ n: i }]);
    expect((await commitWithEvents(sql, async () => [ev], DEADLINE)).length).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('past the deadline once COMMIT was sent, the answer is "may have been stored"', async () => {
    const lock = await lockTable(locker, 'events');
    const started = Date.now();
    // The work is done at once; the event insert, sent with COMMIT behind it, waits on the lock.
    const outcome = await commitWithEvents(sql, async () => [ev], DEADLINE).then(() => 'committed', (e: unknown) => e);
    const took = Date.now() - started;
    await lock.release();
    expect(outcome).toBeInstanceOf(CommitOutcomeUnknown);
    expect((outcome as CommitOutcomeUnknown).cause).toBeInstanceOf(StorageDeadline);
    expect(storageFailure(outcome).message).toContain('may have been stored');
    expect(took).toBeLessThan(DEADLINE + 1_000);
    for (let i = 0; i < 4; i++) expect(await sql`select ${i}::int as n`).toEqual([{ n: i }]);
  });

  it('waiting for a connection has the same deadline: with every connection held, reserve() gives up', async () => {
    // A pool of its own: this test holds every connection, and is about the deadline alone.
    const pool = openPool(dbUrl, { max: 2 });
    try {
      const held = await Promise.all([pool.reserve(), pool.reserve()]);
      const started = Date.now();
      const outcome = await commitWithEvents(pool, async () => [ev], DEADLINE).then(() => 'committed', (e: unknown) => e);
      expect(outcome).toBeInstanceOf(StorageDeadline);
      expect(storageFailure(outcome).message).toContain('nothing was written');
      expect(Date.now() - started).toBeLessThan(DEADLINE + 1_000);
      for (const c of held) c.release();
      // The connection granted after the deadline went back to the pool: both serve.
      await new Promise((r) => setTimeout(r, 100));
      const two = await Promise.all([pool.reserve(), pool.reserve()]);
      for (const c of two) c.release();
    } finally {
      await pool.end();
    }
  });
});
