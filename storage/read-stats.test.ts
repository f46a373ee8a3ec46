// Read counters of posts and mailings (migrations 014 and 024). A read mark inserts what it
// counts and locks nothing another writer needs: two marks of one item commit side by side. A
// fold moves the counted marks into the counters, a statistics read adds what is not folded
// yet, and a recount takes the marks it counted out of the unfolded ones: however these race,
// every mark counts once. A recount comes late (the live statistics after a read are counted
// after the reply) and must never make counters again for an item that retention deleted
// meanwhile, nor leave them behind a delete under way.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { countReads, foldReads, readCounters, recountReads, type ReadPart } from './read-stats.ts';

let sql: Sql;
withFreshPool(8, async (pool) => {
  sql = pool;
  await migrate(pool);
});

const addPost = (id: string) => sql`insert into posts (id, school_id, author_id, title, body, audience, keys, client_key) values (${id}, 's', 'a', 't', 'b', '{}', '{}', ${id})`;
const counters = async (id: string) => (await sql<{ n: number }[]>`select count(*)::int as n from feed_read_counts where item_id = ${id}`)[0]!.n;
const everyoneStudent = () => ['students'] as const;

describe('recountReads', () => {
  it('counts an item that exists, making its counters', async () => {
    await addPost('post-kept');
    await sql`insert into feed_reads (person_id, item_id) values ('p1', 'post-kept'), ('p2', 'post-kept')`;
    expect(await recountReads(sql, 'post-kept', 7, everyoneStudent)).toEqual({ students: 2, guardians: 0, staff: 0 });
    expect(await counters('post-kept')).toBe(3);
  });

  it('makes no counters for an item that is gone, and says so', async () => {
    await addPost('post-gone');
    await sql`delete from posts where id = 'post-gone'`;
    expect(await recountReads(sql, 'post-gone', 7, everyoneStudent)).toBeUndefined();
    expect(await counters('post-gone')).toBe(0);
    expect(await recountReads(sql, 'never-was', 7, everyoneStudent)).toBeUndefined();
    expect(await counters('never-was')).toBe(0);
  });

  it('waits for a delete under way and then makes nothing', async () => {
    await addPost('post-deleting');
    const conn = await sql.reserve();
    try {
      await conn`begin`;
      await conn`delete from posts where id = 'post-deleting'`;
      let settled = false;
      const recount = recountReads(sql, 'post-deleting', 7, everyoneStudent).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 200));
      // The delete holds the row: the recount waits for it.
      expect(settled).toBe(false);
      await conn`commit`;
      expect(await recount).toBeUndefined();
      expect(await counters('post-deleting')).toBe(0);
    } finally {
      conn.release();
    }
  });
});

/** A read mark as feed.read makes it: the mark, and what it counts, in one transaction. */
const mark = (db: Sql, itemId: string, personId: string, parts: ReadPart[], at = 7) => db.begin(async (tx) => {
  await tx`insert into feed_reads (person_id, item_id) values (${personId}, ${itemId})`;
  await countReads(tx, at, [{ itemId, parts }]);
});
const unfolded = async (id: string) => (await sql<{ n: number }[]>`select count(*)::int as n from feed_read_deltas where item_id = ${id}`)[0]!.n;
const stored = async (id: string) => Object.fromEntries((await sql<{ part: string; readers: number; at: string }[]>`
  select part, readers, directory_import::text as at from feed_read_counts where item_id = ${id}`).map((r) => [r.part, `${r.readers}@${r.at}`]));
const foldAll = async () => {
  while (((await foldReads(sql)) ?? 0) > 0);
};

describe('a read mark', () => {
  it('waits for no other mark of the same item: two commit side by side', async () => {
    await addPost('post-hot');
    await recountReads(sql, 'post-hot', 7, everyoneStudent);
    const first = await sql.reserve();
    try {
      await first`begin`;
      await first`insert into feed_reads (person_id, item_id) values ('p-first', 'post-hot')`;
      await countReads(first as unknown as Parameters<typeof countReads>[0], 7, [{ itemId: 'post-hot', parts: ['students'] }]);
      // The first mark's transaction is open (a commit that hangs on its flush): a second mark
      // of the same item, and a fold, go on; before migration 024 both waited on its row locks.
      await sql.begin(async (tx) => {
        await tx`set local lock_timeout = '1s'`;
        await tx`insert into feed_reads (person_id, item_id) values ('p-second', 'post-hot')`;
        await countReads(tx, 7, [{ itemId: 'post-hot', parts: ['students'] }]);
      });
      expect(await foldReads(sql)).toBe(1);
      expect((await readCounters(sql, 'post-hot', 7)).readers).toEqual({ students: 1, guardians: 0, staff: 0 });
      await first`commit`;
    } finally {
      first.release();
    }
    expect((await readCounters(sql, 'post-hot', 7)).readers).toEqual({ students: 2, guardians: 0, staff: 0 });
    await foldAll();
    expect(await unfolded('post-hot')).toBe(0);
    expect(await stored('post-hot')).toEqual({ students: '2@7', guardians: '0@7', staff: '0@7' });
  });

  it('is counted before it is folded, and folded into its part; one judged at another import makes the counters stale', async () => {
    await addPost('post-parts');
    await recountReads(sql, 'post-parts', 7, everyoneStudent);
    await mark(sql, 'post-parts', 'p-g', ['guardians']);
    await mark(sql, 'post-parts', 'p-gs', ['guardians', 'staff']);
    await mark(sql, 'post-parts', 'p-none', []);
    expect((await readCounters(sql, 'post-parts', 7)).readers).toEqual({ students: 0, guardians: 2, staff: 1 });
    // Another node, on a newer directory: a mark that counts nothing still says so.
    await mark(sql, 'post-parts', 'p-later', [], 8);
    expect((await readCounters(sql, 'post-parts', 7)).readers).toBeUndefined();
    expect((await readCounters(sql, 'post-parts', 8)).readers).toBeUndefined();
    await foldAll();
    expect(await stored('post-parts')).toEqual({ students: '0@-1', guardians: '2@-1', staff: '1@-1' });
    // The next statistics read recounts by its directory, every mark included.
    const partsOf = (p: string): ReadPart[] => (p === 'p-none' ? [] : ['guardians']);
    expect(await recountReads(sql, 'post-parts', 8, partsOf)).toEqual({ students: 0, guardians: 3, staff: 0 });
    expect((await readCounters(sql, 'post-parts', 8)).readers).toEqual({ students: 0, guardians: 3, staff: 0 });
  });

  it('counts once when marks, folds, statistics reads and recounts race', async () => {
    await addPost('post-race');
    const people = Array.from({ length: 120 }, (_, i) => `p-race-${i}`);
    const checks: Promise<unknown>[] = [];
    for (let i = 0; i < people.length; i += 6) {
      checks.push(...people.slice(i, i + 6).map((p) => mark(sql, 'post-race', p, ['students'])));
      // Recounts (a first statistics read, or one after a directory change), folds and reads, among the marks.
      checks.push(i % 24 === 0 ? recountReads(sql, 'post-race', 7, everyoneStudent) : foldReads(sql));
      checks.push(readCounters(sql, 'post-race', 7));
    }
    await Promise.all(checks);
    const now = (await readCounters(sql, 'post-race', 7)).readers ?? await recountReads(sql, 'post-race', 7, everyoneStudent);
    expect(now).toEqual({ students: 120, guardians: 0, staff: 0 });
    await foldAll();
    expect(await unfolded('post-race')).toBe(0);
    expect((await readCounters(sql, 'post-race', 7)).readers).toEqual({ students: 120, guardians: 0, staff: 0 });
  });

  it('is folded by one node at a time, and dropped when its item is gone', async () => {
    await addPost('post-folded-away');
    await recountReads(sql, 'post-folded-away', 7, everyoneStudent);
    await mark(sql, 'post-folded-away', 'p-1', ['students']);
    const other = await sql.reserve();
    try {
      await other`select pg_advisory_lock(7303411920006)`;
      expect(await foldReads(sql)).toBeUndefined();
      await other`select pg_advisory_unlock(7303411920006)`;
    } finally {
      other.release();
    }
    await sql`delete from feed_read_counts where item_id = 'post-folded-away'`;
    await sql`delete from posts where id = 'post-folded-away'`;
    await foldAll();
    expect(await unfolded('post-folded-away')).toBe(0);
    expect(await stored('post-folded-away')).toEqual({});
  });
});
