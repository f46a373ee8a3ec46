// The resume replays' batching (hub/replay.ts) on a real event log: recent cursors that come
// together share one query, a cursor from further back or a request alone asks on its own (by
// the hashed scan when it has many keys), a crowd from further back shares again unless it is
// further back than the hashed scan reads, and every request gets exactly the events after
// its cursor that carry its keys.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from '../storage/test-database.ts';
import type { Sql } from '../storage/pool.ts';
import { migrate } from '../storage/migrate.ts';
import { appendEvents, eventsAfter } from '../storage/events.ts';
import { HASHED_REPLAY_SPAN, ReplayBatcher, SHARED_REPLAY_CROWD, SHARED_REPLAY_WINDOW, type ReplayPage } from './replay.ts';
import { MANY_KEYS } from '../storage/rows.ts';

let sql: Sql;
withFreshPool(6, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const READERS = 24;
const keysOf = (r: number) => [`p:r${r}`, `g:${r % 5}`];

/** Appends `n` events, each for one reader (and every ninth for nobody here); their ids. */
async function append(n: number, tag: string): Promise<number[]> {
  const stored = await sql.begin((tx) => appendEvents(tx, Array.from({ length: n }, (_, i) => (
    { name: `${tag}${i}`, keys: i % 9 === 0 ? ['p:nobody'] : [keysOf(i % READERS)[i % 2]!], data: { i } }))));
  return stored.map((e) => e.id);
}

/** What reader `r` must get after `after`: the rows eventsAfter finds for its keys alone. */
async function expected(r: number, after: number): Promise<number[]> {
  return (await eventsAfter(sql, after, keysOf(r), 100_000)).map((e) => e.id);
}

const ids = (page: ReplayPage) => page.rows.map((e) => e.id);

describe('resume replays, batched', () => {
  it('recent cursors arriving together share one query; each gets exactly its own events', async () => {
    const appended = await append(400, 'a');
    const last = appended[appended.length - 1]!;
    const batcher = new ReplayBatcher(sql, () => last);
    const cursors = Array.from({ length: READERS * 2 }, (_, i) => appended[(i * 37) % 300]!);
    const pages = await Promise.all(cursors.map((after, i) => batcher.fetch(after, keysOf(i % READERS))));
    expect(batcher.queries).toBe(1);
    expect(batcher.hashed).toBe(1);
    for (const [i, page] of pages.entries()) {
      expect(ids(page)).toEqual(await expected(i % READERS, cursors[i]!));
      expect(page).toMatchObject({ complete: true, upTo: last });
    }
  });

  it('a cursor further back than the shared window asks alone, and so does a request alone; a crowd from as far shares', async () => {
    const before = await append(60, 'b');
    // The log moves on past the window: ids as a busy district's would be, without the rows.
    await sql`select setval('events_id_seq', ${before[before.length - 1]! + SHARED_REPLAY_WINDOW + 10})`;
    const recent = await append(60, 'c');
    const last = recent[recent.length - 1]!;
    const batcher = new ReplayBatcher(sql, () => last);
    const far = [before[0]!, before[30]!];
    const near = [recent[0]!, recent[10]!, recent[20]!];
    const pages = await Promise.all([
      ...far.map((after, i) => batcher.fetch(after, keysOf(i))),
      ...near.map((after, i) => batcher.fetch(after, keysOf(10 + i))),
    ]);
    // Two far ones alone, three near ones together.
    expect(batcher.queries).toBe(3);
    expect(batcher.hashed).toBe(1);
    for (const [i, after] of far.entries()) expect(ids(pages[i]!)).toEqual(await expected(i, after));
    for (const [i, after] of near.entries()) expect(ids(pages[far.length + i]!)).toEqual(await expected(10 + i, after));
    expect(ids(pages[0]!).some((id) => id > last - 60)).toBe(true);

    const alone = new ReplayBatcher(sql, () => last);
    expect(ids(await alone.fetch(recent[5]!, keysOf(3)))).toEqual(await expected(3, recent[5]!));
    expect(alone.queries).toBe(1);
    expect(alone.hashed).toBe(0);

    // Alone, but with a teacher's many keys (one per student): hashed, near or far.
    const many = [...keysOf(4), ...Array.from({ length: MANY_KEYS }, (_, i) => `s:${i}`)];
    const teacher = new ReplayBatcher(sql, () => last);
    expect(ids(await teacher.fetch(recent[5]!, many))).toEqual(await expected(4, recent[5]!));
    expect(ids(await teacher.fetch(before[3]!, many))).toEqual(await expected(4, before[3]!));
    expect([teacher.queries, teacher.hashed]).toEqual([2, 2]);

    // A node that was down: a crowd whose cursors are all from before the window.
    const crowd = new ReplayBatcher(sql, () => last);
    const cursors = Array.from({ length: SHARED_REPLAY_CROWD }, (_, i) => before[i % 50]!);
    const crowdPages = await Promise.all(cursors.map((after, i) => crowd.fetch(after, keysOf(i % READERS))));
    expect([crowd.queries, crowd.hashed]).toEqual([1, 1]);
    for (const [i, page] of crowdPages.entries()) expect(ids(page)).toEqual(await expected(i % READERS, cursors[i]!));
  });

  it('a request of many keys from further back than HASHED_REPLAY_SPAN is too far to read; one of few keys is not', () => {
    const last = 10_000_000;
    const batcher = new ReplayBatcher(sql, () => last);
    const many = MANY_KEYS + 1;
    expect(batcher.tooFar(last - HASHED_REPLAY_SPAN - 1, many)).toBe(true);
    expect(batcher.tooFar(0, many)).toBe(true);
    expect(batcher.tooFar(last - HASHED_REPLAY_SPAN, many)).toBe(false);
    expect(batcher.tooFar(last - 5, many)).toBe(false);
    // A cursor past what this node delivered (committed on another node) is never too far.
    expect(batcher.tooFar(last + 5, many)).toBe(false);
    // Few keys: read by their index, however far back.
    expect(batcher.tooFar(0, MANY_KEYS)).toBe(false);
    expect(batcher.tooFar(0, 1)).toBe(false);
    expect(batcher.queries).toBe(0);
  });

  it('a crowd from far back shares its scan, but a cursor further back than HASHED_REPLAY_SPAN is read alone by its keys', async () => {
    const oldest = await append(12, 'o');
    await sql`select setval('events_id_seq', ${oldest[oldest.length - 1]! + 1_000})`;
    const before = await append(60, 'p');
    await sql`select setval('events_id_seq', ${before[before.length - 1]! + SHARED_REPLAY_WINDOW + 10})`;
    const recent = await append(30, 'q');
    const last = recent[recent.length - 1]!;
    const crowd = new ReplayBatcher(sql, () => last);
    // The crowd is within the span; one of them (a phone back from the weekend) is not.
    crowd.hashedSpan = last - before[0]! + 5;
    const cursors = [...Array.from({ length: SHARED_REPLAY_CROWD }, (_, i) => before[i % 50]!), oldest[2]!];
    const pages = await Promise.all(cursors.map((after, i) => crowd.fetch(after, keysOf(i % READERS))));
    expect([crowd.queries, crowd.hashed]).toEqual([2, 1]);
    for (const [i, page] of pages.entries()) expect(ids(page)).toEqual(await expected(i % READERS, cursors[i]!));
    expect(ids(pages[cursors.length - 1]!).some((id) => id < before[0]!)).toBe(true);
  });

  it('a shared query cut by its limit says where it stopped, and the next page goes on from there', async () => {
    const appended = await append(200, 'd');
    const last = appended[appended.length - 1]!;
    const batcher = new ReplayBatcher(sql, () => last, 20);
    const from = appended[0]!;
    const got = new Map<number, number[]>([[1, []], [2, []]]);
    let after = from;
    for (let round = 0; round < 50; round++) {
      const pages = await Promise.all([batcher.fetch(after, keysOf(1)), batcher.fetch(after, keysOf(2))]);
      got.get(1)!.push(...ids(pages[0]!));
      got.get(2)!.push(...ids(pages[1]!));
      if (pages[0]!.complete) break;
      expect(pages[0]!.scannedTo).toBeGreaterThan(after);
      after = pages[0]!.scannedTo;
    }
    expect(got.get(1)).toEqual(await expected(1, from));
    expect(got.get(2)).toEqual(await expected(2, from));
  });
});
