// The pool hands out the connection that went idle last (storage/patch-postgres.mjs): a load
// that needs a few connections at a time keeps using the same few backends, with warm caches,
// and the pool's other connections go idle and close. First in, first out had every statement
// of a steady load go round all the backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../hub/testing/harness.ts';
import postgres from 'postgres';
import { idleSeconds, openPool, type Sql, type Tx } from './pool.ts';

let sql: Sql;
let drop: () => Promise<void>;
let dbUrl: string;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  dbUrl = db.url;
  sql = openPool(db.url, { max: 6 });
});
afterAll(async () => {
  await sql?.end();
  await drop?.();
});

const pidOf = async (db: Sql | Tx) => Number((await db<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);

describe('the pool, most recent connection first', () => {
  it('opens a connection per statement in flight, then serves one at a time from one backend', async () => {
    // Six at once: six connections, six backends.
    const opened = await Promise.all(Array.from({ length: 6 }, async () => Number((await sql<{ pid: number }[]>`select pg_backend_pid() as pid, pg_sleep(0.1)`)[0]!.pid)));
    expect(new Set(opened).size).toBe(6);
    // One at a time: the same backend every time (first in, first out went round all six).
    const sequential: number[] = [];
    for (let i = 0; i < 12; i++) sequential.push(await pidOf(sql));
    expect(new Set(sequential).size).toBe(1);
    // Two at a time: two backends.
    const pairs = new Set<number>();
    for (let i = 0; i < 6; i++) (await Promise.all([pidOf(sql), pidOf(sql)])).forEach((p) => pairs.add(p));
    expect(pairs.size).toBe(2);
  });

  it('reserves the connection released last', async () => {
    const first = await sql.reserve();
    const second = await sql.reserve();
    const [a, b] = [await pidOf(first as unknown as Tx), await pidOf(second as unknown as Tx)];
    expect(a).not.toBe(b);
    first.release();
    second.release();
    const again = await sql.reserve();
    try {
      expect(await pidOf(again as unknown as Tx)).toBe(b);
    } finally {
      again.release();
    }
    // A query on the pool, too, takes the one released last.
    expect(await pidOf(sql)).toBe(b);
  });

  // The connections a burst opened go idle together; each closes after an idle time of its
  // own, so that they close one by one, not in one wave (storage/pool.ts idleSeconds).
  it('closes idle connections one by one, each after its own idle time', async () => {
    const times = [0.5, 1.5, 2.5];
    let next = 0;
    const pool = openPool(dbUrl, { max: 3, idleSeconds: () => times[next++ % times.length]! });
    const watcher = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const mine = new Set<number>();
    const open = async () => {
      const [row] = await watcher<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where pid = any(${[...mine]}::int[])`;
      return row!.n;
    };
    try {
      // Three at once: three connections, all idle from the same moment.
      const pids = await Promise.all(Array.from({ length: 3 }, async () => Number((await pool<{ pid: number }[]>`select pg_backend_pid() as pid, pg_sleep(0.1)`)[0]!.pid)));
      pids.forEach((p) => mine.add(p));
      const idleFrom = performance.now();
      const at = async (s: number) => {
        await new Promise((r) => setTimeout(r, Math.max(0, idleFrom + s * 1000 - performance.now())));
        return open();
      };
      expect(await at(0.1)).toBe(3);
      expect(await at(1.0)).toBe(2);
      expect(await at(2.0)).toBe(1);
      expect(await at(3.3)).toBe(0);
    } finally {
      await pool.end();
      await watcher.end();
    }
  });

  it('draws each connection an idle time of 60-120 s', () => {
    const drawn = Array.from({ length: 1_000 }, idleSeconds);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...drawn)).toBeLessThan(120);
    expect(new Set(drawn.map((s) => Math.floor(s / 10))).size).toBe(6);
  });
});
