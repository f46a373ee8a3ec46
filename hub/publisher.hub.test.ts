// The publisher and PostgreSQL's deadlock detector: two writes that lock the same rows in the
// opposite order, each in a transaction of its own. PostgreSQL rolls one back (40P01); the
// publisher runs it again and both are stored, where the victim used to answer `unavailable`.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from '../storage/test-database.ts';
import type { Sql, Tx } from '../storage/pool.ts';
import { GROUP_COMMIT, Publisher } from './publisher.ts';

let sql: Sql;
withFreshPool(4, async (pool) => {
  sql = pool;
  await pool`create table pair (id int primary key, v int not null)`;
  await pool`insert into pair values (1, 0), (2, 0)`;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('publisher', () => {
  it('a write chosen as a deadlock victim is run again, and both writes are stored', async () => {
    const publisher = new Publisher(sql, () => {});
    let firstLocked!: () => void;
    const locked = new Promise<void>((r) => (firstLocked = r));
    const bump = async (tx: Tx, id: number) => void (await tx`update pair set v = v + 1 where id = ${id}`);
    const a = publisher.write(async (tx) => {
      await bump(tx, 1);
      firstLocked();
      await sleep(200);
      await bump(tx, 2);
      return { result: 'a', events: [] };
    });
    await locked;
    // Its own transaction (the first is already running): it locks 2, then waits for 1.
    const b = publisher.write(async (tx) => {
      await bump(tx, 2);
      await sleep(50);
      await bump(tx, 1);
      return { result: 'b', events: [] };
    });
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(publisher.stats.conflictRetries).toBeGreaterThanOrEqual(1);
    expect(await sql`select id, v from pair order by id`).toEqual([{ id: 1, v: 2 }, { id: 2, v: 2 }]);
  }, 20_000);

  it('a statement a write did not await fails: that write gets its own error, the others of its batch are stored', async () => {
    const concurrency = GROUP_COMMIT.concurrency;
    GROUP_COMMIT.concurrency = 1;
    try {
      const publisher = new Publisher(sql, () => {});
      // The first write holds the only slot, so the next three queue up and share one batch.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = publisher.write(async () => {
        await held;
        return { result: 'first', events: [] };
      });
      // Each issues its insert and returns at once, as message.send does.
      const put = (id: number) => publisher.write(async (tx) => ({ result: tx`insert into pair values (${id}, 0)`.then(() => id), events: [] }));
      const a = put(10);
      const duplicate = put(1);
      const b = put(11);
      release();
      const [one, ten, dup, eleven] = await Promise.allSettled([first, a, duplicate, b]);
      expect([one, ten, eleven].map((o) => o.status === 'fulfilled' && o.value)).toEqual(['first', 10, 11]);
      expect(dup).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
      // The shared transaction rolled back (COMMIT answered ROLLBACK); each ran again alone.
      expect(publisher.stats.retriedAlone).toBe(3);
      expect(await sql`select id from pair where id >= 10 order by id`).toEqual([{ id: 10 }, { id: 11 }]);
    } finally {
      GROUP_COMMIT.concurrency = concurrency;
    }
  });
});
