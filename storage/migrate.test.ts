// Two nodes starting at the same moment apply the migrations once, without racing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './test-database.ts';
import { openPool, type Sql } from './pool.ts';
import { migrate } from './migrate.ts';

let pools: Sql[] = [];
let drop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  url = db.url;
});
afterAll(async () => {
  for (const p of pools) await p.end();
  await drop?.();
});

describe('migrate', () => {
  it('applies every migration once when three nodes start at once', async () => {
    pools = [openPool(url), openPool(url), openPool(url)];
    const applied = await Promise.all(pools.map((p) => migrate(p)));
    const all = applied.flat();
    expect(new Set(all).size).toBe(all.length); // nobody applied one twice
    expect(all.length).toBeGreaterThan(0);
    const rows = await pools[0]!<{ name: string }[]>`select name from schema_migrations order by name`;
    expect(rows.map((r) => r.name)).toEqual([...all].sort());
    expect(await migrate(pools[1]!)).toEqual([]); // a restart has nothing left to do
  });
});
