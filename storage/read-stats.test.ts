// Read counters of posts and mailings (migration 014): a recount comes late (the live
// statistics after a read are counted after the reply) and must never make counters again
// for an item that retention deleted meanwhile, nor leave them behind a delete under way.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { recountReads } from './read-stats.ts';

let sql: Sql;
withFreshPool(4, async (pool) => {
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
