// The publisher against a real PostgreSQL: its deadlock detector (two writes that lock the
// same rows in the opposite order: PostgreSQL rolls one back, 40P01, and the publisher runs it
// again, where the victim used to answer `unavailable`), a failing statement in a shared
// transaction, a full batch that reaches the database in one pipeline, the messages of a
// batch in one statement, and a write whose row a batch in flight holds, which waits in the
// queue rather than in a batch with others.
import { describe, expect, it } from 'vitest';
import { countMessageStatements, messageStatements, withFreshPool } from '../storage/test-database.ts';
import { migrate } from '../storage/migrate.ts';
import type { Sql, Tx } from '../storage/pool.ts';
import { GROUP_COMMIT, heldRow, Publisher } from './publisher.ts';
import { appendMessageShared, insertConversation } from '../storage/chat.ts';

let sql: Sql;
withFreshPool(4, async (pool) => {
  sql = pool;
  await pool`create table pair (id int primary key, v int not null)`;
  await pool`insert into pair values (1, 0), (2, 0)`;
  await pool`create table piped (n int primary key, at timestamptz not null)`;
  await migrate(pool);
  // When the event insert ran, by the database's clock (for the pipeline test).
  await pool`create table events_inserted (at timestamptz not null)`;
  await pool.unsafe(`
    create function note_events_inserted() returns trigger language plpgsql as
      $$ begin insert into events_inserted values (clock_timestamp()); return null; end $$;
    create trigger note_events_inserted after insert on events for each statement execute function note_events_inserted()`);
  await countMessageStatements(pool);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A write that holds the publisher's only slot (GROUP_COMMIT.concurrency 1) until released, so
 * that the writes made meanwhile queue up and share one batch. release() resolves once it ran.
 */
function holdSlot(publisher: Publisher): { release: () => Promise<unknown> } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const write = publisher.write(async () => {
    await held;
    return { result: undefined, events: [] };
  });
  return { release: () => (release(), write) };
}

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
      const first = holdSlot(publisher);
      // Each issues its insert and returns at once, as message.send does.
      const put = (id: number) => publisher.write(async (tx) => ({ result: tx`insert into pair values (${id}, 0)`.then(() => id), events: [] }));
      const a = put(10);
      const duplicate = put(1);
      const b = put(11);
      const [one, ten, dup, eleven] = await Promise.allSettled([first.release(), a, duplicate, b]);
      expect([one, ten, eleven].map((o) => o.status === 'fulfilled' && o.value)).toEqual([undefined, 10, 11]);
      expect(dup).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
      // The shared transaction rolled back (COMMIT answered ROLLBACK); each ran again alone.
      expect(publisher.stats.retriedAlone).toBe(3);
      expect(await sql`select id from pair where id >= 10 order by id`).toEqual([{ id: 10 }, { id: 11 }]);
    } finally {
      GROUP_COMMIT.concurrency = concurrency;
    }
  });

  it('the messages of a batch go to PostgreSQL in one statement; a write alone, or retried alone, sends its own', async () => {
    const concurrency = GROUP_COMMIT.concurrency;
    GROUP_COMMIT.concurrency = 1;
    try {
      const published: string[] = [];
      const publisher = new Publisher(sql, (e) => published.push(e.name));
      const convs = await sql.begin((tx) => Promise.all(['pc-1', 'pc-2'].map((id) => insertConversation(tx, {
        id, creatorId: 'p-a', subject: null, context: null, participantIds: ['p-a', 'p-b'], clientKey: id, directKey: null, audience: null,
      }))));
      let n = 0;
      // As message.send does: the append returned, not awaited, with its event.
      const send = (conv: { id: string }, senderId: string, clientKey = `pk-${++n}`) => publisher.write(async (tx) => {
        const message = { id: `pm-${++n}`, senderId, body: `nr ${n}`, clientKey, quietHours: false };
        return { result: appendMessageShared(tx, { conv, message }), events: [{ name: 'message.created', keys: ['p:a'], data: {}, ofRow: { table: 'messages' as const, id: message.id } }] };
      });
      await messageStatements(sql);
      // The first write holds the only slot, so the next five queue up and share one batch.
      const first = holdSlot(publisher);
      const sends = [send(convs[0]!, 'p-a'), send(convs[1]!, 'p-b'), send(convs[0]!, 'p-b'), send(convs[0]!, 'p-a', 'twice'), send(convs[0]!, 'p-a', 'twice')];
      await first.release();
      const stored = await Promise.all(sends);
      expect(stored.map((m) => m && `${m.conversationId}/${m.seq}`)).toEqual(['pc-1/1', 'pc-2/1', 'pc-1/2', 'pc-1/3', undefined]);
      expect(await messageStatements(sql)).toEqual([4]);
      expect(published).toEqual(Array(4).fill('message.created'));

      // A batch whose statement fails (a clientKey another transaction stored meanwhile would;
      // here a message id taken) is retried write by write: each sends its own statement.
      const again = holdSlot(publisher);
      const clash = publisher.write(async (tx) => ({
        result: appendMessageShared(tx, { conv: convs[1]!, message: { id: stored[0]!.id, senderId: 'p-a', body: 'x', clientKey: 'new-key', quietHours: false } }),
        events: [],
      }));
      const fine = send(convs[1]!, 'p-a');
      await again.release();
      expect(await Promise.allSettled([clash, fine])).toMatchObject([{ status: 'rejected', reason: { code: '23505' } }, { status: 'fulfilled', value: { seq: 2 } }]);
      expect(publisher.stats.retriedAlone).toBe(2);
      // Only the committed statement is counted: the shared one, and the clash alone, rolled back.
      expect(await messageStatements(sql)).toEqual([1]);
    } finally {
      GROUP_COMMIT.concurrency = concurrency;
    }
  });

  it("a full batch goes to PostgreSQL whole: its transaction runs to the end while this process's event loop is busy", async () => {
    const concurrency = GROUP_COMMIT.concurrency;
    try {
      const published: number[] = [];
      const publisher = new Publisher(sql, (e) => published.push(e.id));
      // A write as message.send makes it: the insert issued and not awaited, one event.
      const send = (tx: Tx, n: number, also?: () => void) => {
        const inserted = tx`insert into piped values (${n}, clock_timestamp())`.then(() => n);
        also?.();
        return { result: inserted, events: [{ name: 'piped', keys: [`p:${n}`], data: { n } }] };
      };
      const put = (n: number, also?: () => void) => publisher.write(async (tx) => send(tx, n, also));
      // Every connection of the pool (four) first prepares these statements, as a running hub's
      // have: a statement new to a connection waits for its description before anything behind
      // it is sent. Four writes each hold a connection until all four have one: otherwise the
      // first to finish could serve the last as well, and a connection still connecting would
      // stay unprepared (and the batch below, landing on it, would wait on the held loop).
      GROUP_COMMIT.concurrency = 4;
      let reserved = 0;
      let allReserved!: () => void;
      const together = new Promise<void>((r) => (allReserved = r));
      await Promise.all([-1, -2, -3, -4].map((n) => publisher.write(async (tx) => {
        if (++reserved === 4) allReserved();
        await together;
        return send(tx, n);
      })));
      await sql`truncate piped, events_inserted`;
      // The first write holds the only slot, so a full batch queues up behind it.
      GROUP_COMMIT.concurrency = 1;
      const first = holdSlot(publisher);
      // The batch is out once its works are called: then the event loop is held, before it can
      // read any answer. BEGIN, the inserts, the mark, the event insert and COMMIT: 104 queries.
      let hold = { from: 0, to: 0 };
      const n = GROUP_COMMIT.maxBatch;
      const writes = Array.from({ length: n }, (_, i) => put(i, i === 0 ? () => setImmediate(() => (hold = busyFor(400))) : undefined));
      await first.release();
      expect(await Promise.all(writes)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(published).toHaveLength(n + 4);
      const [at] = await sql<{ firstInsert: number; event: number }[]>`
        select extract(epoch from (select min(at) from piped)) * 1000 as first_insert,
               extract(epoch from (select max(at) from events_inserted)) * 1000 as event`;
      // PostgreSQL had the batch while the loop was held, and ran it to the event insert then:
      // nothing waited for the loop to read the first answers. postgres.js's default pipeline
      // (100 queries) held the mark, the event insert and COMMIT back until the hold was over,
      // and PostgreSQL idled in the transaction meanwhile.
      expect(Number(at!.firstInsert)).toBeLessThan(hold.to);
      expect(Number(at!.event)).toBeLessThan(hold.to);
    } finally {
      GROUP_COMMIT.concurrency = concurrency;
    }
  });
});

describe('publisher, rows held by a batch in flight', () => {
  it('a write whose row a batch in flight holds waits in the queue; the writes behind it commit meanwhile, and it after', async () => {
    const concurrency = GROUP_COMMIT.concurrency;
    GROUP_COMMIT.concurrency = 2;
    try {
      const publisher = new Publisher(sql, () => {});
      const bump = (tx: Tx, id: number) => tx`update pair set v = v + 1 where id = ${id}`;
      // The first batch locks row 1 and keeps it for 1 s (a commit that hangs on its flush).
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const finished: string[] = [];
      const first = publisher.write(async (tx) => {
        await bump(tx, 1);
        locked();
        await sleep(1_000);
        return { result: 'first', events: [] };
      }, [heldRow('pair', '1')]).then((r) => (finished.push(r), r));
      await isLocked;
      // The other slot is taken too, so the next two writes queue up together.
      const other = holdSlot(publisher);
      const t0 = Date.now();
      const same = publisher.write(async (tx) => ({ result: bump(tx, 1).then(() => 'same row'), events: [] }), [heldRow('pair', '1')])
        .then((r) => (finished.push(r), r));
      const unrelated = publisher.write(async (tx) => ({ result: bump(tx, 2).then(() => 'other row'), events: [] }))
        .then((r) => (finished.push(r), Date.now() - t0));
      await other.release();
      // Before, both shared the next batch, and the unrelated write waited for row 1 with it.
      expect(await unrelated).toBeLessThan(500);
      expect(await Promise.all([first, same])).toEqual(['first', 'same row']);
      expect(finished).toEqual(['other row', 'first', 'same row']);
    } finally {
      GROUP_COMMIT.concurrency = concurrency;
    }
  });
});

/** Keeps this process's event loop busy, as 50,000 deliveries a second do; when, by the wall clock. */
function busyFor(ms: number): { from: number; to: number } {
  const from = Date.now();
  while (Date.now() < from + ms);
  return { from, to: Date.now() };
}
