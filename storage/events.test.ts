// The event log's promise (migration 020): writers take no lock, and a reader that follows the
// log up to eventsFinal() never later finds a committed event at or below where it read (a
// cursor never skips a late commit), even though ids commit out of order.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import { POOL_APPLICATION_NAME, type Sql, type Tx } from './pool.ts';
import { migrate } from './migrate.ts';
import { APPENDING_MARK, appendEvents, commitWithEvents, eventsAfter, eventsAfterAny, eventsFinal, finalEventsAfter } from './events.ts';
import { isSqlError, TransactionRolledBack } from './errors.ts';

let sql: Sql;
withFreshPool(8, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const ev = (name: string) => ({ name, keys: ['p:x'], data: { name } });
const names = async () => (await eventsAfter(sql, 0, ['p:x'], 10_000)).map((e) => e.name);

/** A transaction that appends and then stays open until released: a commit whose flush hangs. */
function openAppender(name: string) {
  let release!: (how: 'commit' | 'rollback') => void;
  const held = new Promise<'commit' | 'rollback'>((r) => (release = r));
  let appended!: (id: number) => void;
  const id = new Promise<number>((r) => (appended = r));
  const done = sql.begin(async (tx) => {
    const [e] = await appendEvents(tx, [ev(name)]);
    appended(e!.id);
    if ((await held) === 'rollback') throw new Error('rolled back on purpose');
  }).then(() => 'committed', () => 'rolled back');
  return { id, release, done };
}

describe('event log', () => {
  it('a writer never waits for another; the reader stops below the open one until it ends', async () => {
    const start = await eventsFinal(sql);
    const a = openAppender('a');
    const idA = await a.id;
    // B appends and commits while A is open: it takes no lock, so it does not wait.
    const t0 = Date.now();
    const [b] = await sql.begin((tx) => appendEvents(tx, [ev('b')]));
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(b!.id).toBeGreaterThan(idA);
    expect(await names()).toContain('b');
    // B is committed and visible, yet not final: A's id below it is still open.
    expect(await eventsFinal(sql)).toBe(idA - 1);
    expect((await finalEventsAfter(sql, start, 100)).events.map((e) => e.name)).toEqual([]);
    a.release('commit');
    expect(await a.done).toBe('committed');
    const after = await finalEventsAfter(sql, start, 100);
    expect(after.events.map((e) => e.name)).toEqual(['a', 'b']);
    expect(after.reached).toBeGreaterThanOrEqual(b!.id);
  });

  it('an id taken by a transaction that rolls back is final once it has ended: the reader passes it', async () => {
    const start = await eventsFinal(sql);
    const a = openAppender('gone');
    const idA = await a.id;
    const [b] = await sql.begin((tx) => appendEvents(tx, [ev('kept')]));
    expect(await eventsFinal(sql)).toBe(idA - 1);
    a.release('rollback');
    expect(await a.done).toBe('rolled back');
    const read = await finalEventsAfter(sql, start, 100);
    expect(read.events.map((e) => e.name)).toEqual(['kept']);
    expect(read.reached).toBeGreaterThanOrEqual(b!.id);
  });

  it('the mark goes with the transaction: the session is itself again afterwards', async () => {
    const conn = await sql.reserve();
    try {
      // The pool's sessions carry its name, for operators and the benchmark's pool count.
      const [before] = await conn<{ n: string }[]>`select current_setting('application_name') as n`;
      expect(before!.n).toBe(POOL_APPLICATION_NAME);
      await conn`begin`;
      await appendEvents(conn as unknown as Tx, [ev('m')]);
      const [during] = await conn<{ n: string }[]>`select current_setting('application_name') as n`;
      expect(during!.n).toMatch(/^schoolhub appending after \d+$/);
      expect(during!.n.startsWith(APPENDING_MARK)).toBe(true);
      // Another session sees the mark where the name was.
      const pid = Number((await conn<{ p: number }[]>`select pg_backend_pid() as p`)[0]!.p);
      const [seen] = await sql<{ n: string }[]>`select application_name as n from pg_stat_activity where pid = ${pid}`;
      expect(seen!.n).toBe(during!.n);
      await conn`commit`;
      const [after] = await conn<{ n: string }[]>`select current_setting('application_name') as n`;
      expect(after!.n).toBe(before!.n);
      expect(await sql`select 1 from pg_stat_activity where datname = current_database() and application_name like 'schoolhub appending%'`).toHaveLength(0);
    } finally {
      conn.release();
    }
  });

  it('several events of one transaction keep their order', async () => {
    const stored = await sql.begin((tx) => appendEvents(tx, [ev('x1'), ev('x2'), ev('x3')]));
    const ids = stored.map((e) => e.id);
    expect([...ids].sort((p, q) => p - q)).toEqual(ids);
    expect(stored.map((e) => e.name)).toEqual(['x1', 'x2', 'x3']);
  });

  it('concurrent writers that commit out of order: every read up to eventsFinal() is a prefix of the final log', async () => {
    const start = await eventsFinal(sql);
    const seen: number[][] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const { events, reached } = await finalEventsAfter(sql, start, 10_000);
        seen.push(events.filter((e) => e.id <= reached).map((e) => e.id));
      }
    })();
    await Promise.all(Array.from({ length: 6 }, (_, w) => (async () => {
      for (let i = 0; i < 30; i++) {
        await sql.begin(async (tx) => {
          const out = await appendEvents(tx, [ev(`w${w}-${i}`), ev(`w${w}-${i}b`)]);
          // Some stay open a moment after taking their ids, so later ids commit first.
          if (i % 3 === w % 3) await new Promise((r) => setTimeout(r, 5));
          if (i % 10 === 7) throw new Error('roll back');
          return out;
        }).catch(() => {});
      }
    })()));
    stop = true;
    await reader;
    const final = (await finalEventsAfter(sql, start, 10_000)).events.map((e) => e.id);
    expect(final.length).toBe(6 * 27 * 2);
    // Each read is a prefix of the final log: no id appeared below one already read.
    for (const snap of seen) expect(final.slice(0, snap.length)).toEqual(snap);
    expect(seen.some((s) => s.length > 0 && s.length < final.length)).toBe(true);
  });
});

describe('commitWithEvents, when a statement the work did not await fails', () => {
  // A statement's first use on a connection waits for its description, and ends the pipeline
  // before it (each later statement then has a Sync of its own, and PostgreSQL answers the
  // COMMIT with ROLLBACK); from the second use on it is one pipeline, where the COMMIT is
  // skipped (25P02). Both must read the same: nothing written, and the reason on the statement.
  // A pool of one connection, so that the second round meets the prepared statements.
  let one: Sql;
  withFreshPool(1, async (pool) => {
    one = pool;
    await migrate(pool);
  });
  /** A commit whose work issues a failing insert without awaiting it and returns `events`. */
  async function commitFailing(n: number, events: ReturnType<typeof ev>[]) {
    let statement: Promise<unknown> = Promise.resolve();
    const outcome = await commitWithEvents(one, async (tx) => {
      statement = tx`insert into events (name, keys, data) values (${`bad ${n}`}, ${['p:y']}, ${null})`.execute();
      statement.catch(() => {});
      return events;
    }).then(() => 'committed', (e: unknown) => e);
    return { outcome, statement };
  }

  it('with no events: TransactionRolledBack, the statement has its error, nothing is kept', async () => {
    for (let round = 0; round < 2; round++) {
      const { outcome, statement } = await commitFailing(round, []);
      expect(outcome).toBeInstanceOf(TransactionRolledBack);
      await expect(statement).rejects.toMatchObject({ code: '23502' });
    }
    expect(await one`select count(*)::int as n from events where name like 'bad %'`).toEqual([{ n: 0 }]);
    // The connection went back to the pool, out of its failed transaction.
    expect(await commitWithEvents(one, async () => [ev('after')])).toHaveLength(1);
  });

  it('with events: the SQL error, and neither the events nor anything else is kept', async () => {
    for (let round = 0; round < 2; round++) {
      const { outcome, statement } = await commitFailing(round, [ev(`lost ${round}`)]);
      expect(isSqlError(outcome)).toBe(true);
      expect(outcome).toMatchObject({ code: '25P02' });
      await expect(statement).rejects.toMatchObject({ code: '23502' });
    }
    expect(await one`select count(*)::int as n from events where name like 'bad %' or name like 'lost %'`).toEqual([{ n: 0 }]);
  });
});

describe('the replays\' two reads of the log', () => {
  // Keys as the directory may make them: ids are the import's, so commas, quotes, braces and
  // backslashes must pass as they are.
  const readers = Array.from({ length: 40 }, (_, i) => [`p:r${i}`, `g:${i % 7}`, `odd:"${i}",{x}\\y`]);

  it('eventsAfterAny answers what eventsAfter answers, for one reader\'s keys and for the union of many', async () => {
    const start = await eventsFinal(sql);
    await sql.begin((tx) => appendEvents(tx, Array.from({ length: 300 }, (_, i) => (
      { name: `r${i}`, keys: [readers[i % 40]![i % 3]!, ...(i % 11 === 0 ? ['p:nobody'] : [])], data: { i } }))));
    const union = [...new Set(readers.flat())];
    for (const keys of [readers[3]!, readers[17]!, union, ['p:nobody'], ['g:none']]) {
      for (const [after, limit] of [[start, 10_000], [start + 150, 10_000], [start, 25], [start + 299, 10]] as const) {
        const indexed = await eventsAfter(sql, after, keys, limit);
        expect(await eventsAfterAny(sql, after, keys, limit)).toEqual(indexed);
        expect(indexed.every((e) => e.id > after && e.keys.some((k) => keys.includes(k)))).toBe(true);
      }
    }
    expect((await eventsAfterAny(sql, start, union, 10_000)).length).toBe(300);
    expect((await eventsAfterAny(sql, start, [readers[5]![2]!], 10_000)).map((e) => e.name)).toEqual(['r5', 'r125', 'r245']);
  });

  it('eventsAfterAny is never prepared: PostgreSQL plans it with the keys as a constant, which it hashes', async () => {
    const one = await sql.reserve();
    try {
      for (let i = 0; i < 8; i++) await eventsAfterAny(one, 0, readers.flat(), 10);
      await eventsAfter(one, 0, readers[0]!, 10);
      const prepared = await one<{ statement: string }[]>`select statement from pg_prepared_statements`;
      expect(prepared.some((p) => p.statement.includes('keys && $2'))).toBe(true);
      expect(prepared.filter((p) => p.statement.includes('unnest(keys)'))).toEqual([]);
    } finally {
      one.release();
    }
  });
});
