// The event log's promise: appending takes no lock (a writer never waits for another's
// commit), and below the horizon the log is final, so a reader that has read up to a place
// never later finds a committed event below it (a cursor never skips a late commit).
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendEvents, eventsBelow, eventsBetween, eventsHorizon, lastEventId } from './events.ts';

let sql: Sql;
withFreshPool(8, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const ev = (name: string) => ({ name, keys: ['p:x'], data: { name } });
/** The names of the events below the horizon now: what a reader may deliver. */
const final = async () => (await eventsBelow(sql, 0n, await eventsHorizon(sql), [], 10_000)).map((e) => e.name ?? '');

describe('event log', () => {
  it('a writer does not wait for one still open; the horizon holds readers before the open one until it ends', async () => {
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
    const started = Date.now();
    const idB = await sql.begin(async (tx) => (await appendEvents(tx, [ev('b'), ev('b2')]))[0]!.id);
    expect(Date.now() - started).toBeLessThan(500); // B committed while A is open: no lock between them
    // B is committed, but A (which began writing first) is not: nothing is final past A.
    expect(await eventsHorizon(sql)).toBeLessThanOrEqual(idB);
    expect(await final()).toEqual([]);
    releaseA();
    const idA = await a;
    expect(idA).toBeLessThan(idB); // A took its transaction id first: A comes first
    expect(await eventsHorizon(sql)).toBeGreaterThan(idB + 1n);
    expect(await final()).toEqual(['a', 'b', 'b2']);
  });

  it('a rolled-back transaction leaves no place behind and holds nothing back', async () => {
    const before = await final();
    await sql.begin(async (tx) => {
      await appendEvents(tx, [ev('gone')]);
      throw new Error('rolled back');
    }).catch(() => {});
    await sql.begin((tx) => appendEvents(tx, [ev('kept')]));
    expect(await final()).toEqual([...before, 'kept']);
  });

  it('concurrent writers: every prefix a reader sees below the horizon is final', async () => {
    const seen: string[][] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) seen.push(await final());
    })();
    await Promise.all(Array.from({ length: 6 }, (_, w) => (async () => {
      for (let i = 0; i < 40; i++) await sql.begin((tx) => appendEvents(tx, [ev(`w${w}-${i}`), ev(`w${w}-${i}+`)]));
    })()));
    stop = true;
    await reader;
    const all = await final();
    expect(all.filter((n) => n.startsWith('w'))).toHaveLength(6 * 40 * 2);
    // Each read is a prefix of the final log: nothing appeared before a place already read.
    for (const snap of seen) expect(all.slice(0, snap.length)).toEqual(snap);
    expect(seen.length).toBeGreaterThan(5);
  });
});

describe('following the log by number', () => {
  it('lastEventId is final: an event still open below it never appears later', async () => {
    let release!: () => void;
    const holds = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const didAppend = new Promise<void>((r) => (appended = r));
    const open = sql.begin(async (tx) => {
      await appendEvents(tx, [ev('open')]);
      appended();
      await holds;
    });
    await didAppend;
    await sql.begin((tx) => appendEvents(tx, [ev('later')]));
    const last = await lastEventId(sql);
    const seen = (await eventsBetween(sql, 0, last, 10_000)).map((e) => e.name);
    expect(seen).not.toContain('open');
    expect(seen).not.toContain('later');
    release();
    await open;
    const after = await lastEventId(sql);
    expect((await eventsBetween(sql, last, after, 10_000)).map((e) => e.name)).toEqual(['open', 'later']);
  });
});
