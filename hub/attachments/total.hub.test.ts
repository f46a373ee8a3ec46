// All attachments' bytes (hub/attachments/total.ts): read from PostgreSQL at most once every
// MAX_AGE_MS, plus what this node stored since; another node's uploads and deletions show at
// the next read.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from '../../storage/test-database.ts';
import type { Sql } from '../../storage/pool.ts';
import { migrate } from '../../storage/migrate.ts';
import { AttachmentTotal } from './total.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await migrate(pool);
});

let n = 0;
async function store(size: number): Promise<void> {
  n++;
  await sql`insert into attachments (id, owner_id, content_type, size, filename, sha256) values (${`a${n}`}, 'p', 'image/png', ${size}, 'f.png', 'x')`;
}

describe('all attachments together', () => {
  it('reads the sum once, adds what this node stores, and reads again once it is old', async () => {
    await store(1_000);
    const total = new AttachmentTotal(sql, 300);
    const first = await Promise.all([total.bytes(), total.bytes(), total.bytes()]);
    expect(first).toEqual([1_000, 1_000, 1_000]);

    // This node stores a file: counted at once. Another node stores one: not yet.
    await store(200);
    total.added(200);
    await store(50);
    expect(await total.bytes()).toBe(1_200);

    // A file deleted elsewhere, and time passing: the next read has both.
    await sql`delete from attachments where id = 'a1'`;
    await new Promise((r) => setTimeout(r, 350));
    expect(await total.bytes()).toBe(250);
  });

  it('never counts less than is stored: a file stored during a read stays counted until the next', async () => {
    const total = new AttachmentTotal(sql, 60_000);
    const reading = total.bytes();
    await store(7);
    total.added(7);
    await reading;
    const [row] = await sql<{ stored: number }[]>`select sum(size)::int as stored from attachments`;
    expect(await total.bytes()).toBeGreaterThanOrEqual(row!.stored);
  });
});
