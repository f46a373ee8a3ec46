// GIN pending lists are moved into their indexes outside any write (storage/gin-pending.ts),
// by one node at a time, and every node's hub does it on its own (hub/gin-pending-mover.ts).
import { afterAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { withFreshPool } from './test-database.ts';
import { openPool, type Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { moveGinPendingLists } from './gin-pending.ts';
import { GinPendingMover } from '../hub/gin-pending-mover.ts';

let sql: Sql;
let other: postgres.Sql;
withFreshPool(3, async (pool, url) => {
  sql = pool;
  other = postgres(url, { max: 1, onnotice: () => {} });
  await migrate(sql);
  // A table of the test's own, with a GIN index as the hub's tables have (fastupdate on, the default).
  await sql`create table gin_probe (keys text[] not null)`;
  await sql`create index gin_probe_keys on gin_probe using gin (keys)`;
});
afterAll(() => other?.end());

/** The probe index's pending pages, moved now by a forced clean of this connection's own: 0 when it was empty. */
async function pendingProbePages(): Promise<number> {
  const [r] = await other<{ pages: number }[]>`select gin_clean_pending_list('gin_probe_keys'::regclass)::int as pages`;
  return r!.pages;
}

/** Rows with keys as the hub's audiences have them, enough to fill pending pages. */
async function fillProbe(rows: number): Promise<void> {
  await other`
    insert into gin_probe (keys)
    select array['person:' || g, 'group:' || (g % 50), 'school:' || (g % 3)] from generate_series(1, ${rows}) g`;
}

describe('GIN pending lists', () => {
  it('moves every pending entry into the index, and finds nothing the second time', async () => {
    await fillProbe(2_000);
    const moved = await moveGinPendingLists(sql);
    expect(moved).toBeGreaterThan(0);
    expect(await moveGinPendingLists(sql)).toBe(0);
    expect(await pendingProbePages()).toBe(0);
    // The index answers from its entries as before.
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from gin_probe where keys && array['group:7']`;
    expect(r!.n).toBe(40);
  });

  it('skips its turn while another node is moving them', async () => {
    await fillProbe(500);
    const held = await sql.reserve();
    try {
      await held`select pg_advisory_lock(7303411920005)`;
      expect(await moveGinPendingLists(sql)).toBeUndefined();
      expect(await pendingProbePages()).toBeGreaterThan(0); // left for the other node
    } finally {
      await held`select pg_advisory_unlock(7303411920005)`;
      held.release();
    }
  });

  it('is done by the hub on its own, twice a second', async () => {
    const logged: string[] = [];
    const mover = new GinPendingMover(sql, (m) => logged.push(m), 100);
    mover.start();
    try {
      await fillProbe(2_000);
      // Ten turns of the job: it has moved the list (this clean, forced, waits for a move under way).
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await pendingProbePages()).toBe(0);
      expect(logged).toEqual([]);
    } finally {
      await mover.stop();
    }
  });

  it('says once that the database cannot be reached, not on every turn', async () => {
    // Nothing listens on port 1: every run fails at once.
    const down = openPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const logged: string[] = [];
    const mover = new GinPendingMover(down, (m) => logged.push(m), 50);
    mover.start();
    await new Promise((r) => setTimeout(r, 600));
    await mover.stop();
    await down.end();
    expect(logged).toEqual(['moving GIN pending lists into their indexes failed; retrying']);
  });
});
