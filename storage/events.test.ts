// The event log's one promise: id order is commit order, so a reader that has seen id N never
// later finds a committed event below N (a cursor never skips a late commit).
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendEvents, eventsAfter } from './events.ts';

let sql: Sql;
withFreshPool(6, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const ev = (name: string) => ({ name, keys: ['p:x'], data: { name } });

describe('event log', () => {
  it('a transaction that appends later waits, and takes a higher id than one still open', async () => {
    let releaseA!: () => void;
    const aHolds = new Promise<void>((r) => (releaseA = r));
    let aAppended!: () => void;
    const aDidAppend = new Promise<void>((r) => (aAppended = r));
    const a = sql.begin(async (tx) => {
      const [e] = await appendEvents(tx, [ev('a')]);
      aAppended();
      await aHolds;
      return e!.id;
    });
    await aDidAppend;
    let bDone = false;
    const b = sql.begin(async (tx) => {
      const [e] = await appendEvents(tx, [ev('b')]);
      return e!.id;
    }).then((id) => ((bDone = true), id));
    await new Promise((r) => setTimeout(r, 200));
    expect(bDone).toBe(false); // B waits for A's commit before it can take an id
    expect(await eventsAfter(sql, 0, ['p:x'], 10)).toEqual([]);
    releaseA();
    const [idA, idB] = await Promise.all([a, b]);
    expect(idB).toBeGreaterThan(idA);
    expect((await eventsAfter(sql, 0, ['p:x'], 10)).map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('concurrent writers: every prefix a reader sees is final', async () => {
    const seen: number[][] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) seen.push((await eventsAfter(sql, 0, ['p:x'], 10_000)).map((e) => e.id));
    })();
    await Promise.all(Array.from({ length: 5 }, (_, w) => (async () => {
      for (let i = 0; i < 40; i++) await sql.begin((tx) => appendEvents(tx, [ev(`w${w}-${i}`)]));
    })()));
    stop = true;
    await reader;
    const final = (await eventsAfter(sql, 0, ['p:x'], 10_000)).map((e) => e.id);
    // Each snapshot the reader took is a prefix of the final log: no id appeared below one already seen.
    for (const snap of seen) expect(final.slice(0, snap.length)).toEqual(snap);
  });
});
