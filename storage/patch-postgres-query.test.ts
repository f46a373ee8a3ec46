// postgres.js queries, as storage/patch-postgres.mjs patches them: a query answered lets go of
// what it was built from (its connection's handler, its arguments, its text), so that nothing
// of its transaction outlives it in V8's old generation; the pauses that saves are a
// benchmark's to show (loadtest/RESULTS.md). Here: the answers, the errors and what the hub
// reads of a query afterwards are as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../hub/testing/harness.ts';
import { openPool, type Sql } from './pool.ts';

interface QueryInternals {
  handler: unknown;
  args: unknown;
  string: unknown;
  signature: unknown;
  parameters: unknown;
  state: { pid?: number } | null;
}

let sql: Sql;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  sql = openPool(db.url, { max: 2 });
});
afterAll(async () => {
  await sql.end({ timeout: 1 });
  await drop();
});

describe('a postgres.js query once answered (patched)', () => {
  it('keeps its rows and its backend, and drops its handler, arguments and text', async () => {
    const q = sql<{ n: number; s: string }[]>`select ${41}::int + 1 as n, ${'kept'}::text as s`;
    const rows = await q;
    expect(rows).toEqual([{ n: 42, s: 'kept' }]);
    expect(rows.count).toBe(1);
    const inside = q as unknown as QueryInternals;
    expect(typeof inside.state?.pid).toBe('number');
    expect([inside.handler, inside.args, inside.string, inside.signature, inside.parameters]).toEqual([null, null, null, null, null]);
    // Awaited again, it answers the same and is not sent again.
    expect(await q).toBe(rows);
  });

  it('on a reserved connection, in a transaction, as the hub writes', async () => {
    const conn = await sql.reserve();
    try {
      const begin = conn`begin`.execute();
      const a = conn`select ${1}::int as x`.execute();
      const b = conn`select ${'two'}::text as y`.execute();
      const commit = conn`commit`.execute();
      const [, ra, rb, rc] = await Promise.all([begin, a, b, commit]);
      expect([ra, rb]).toEqual([[{ x: 1 }], [{ y: 'two' }]]);
      expect(rc.command).toBe('COMMIT');
      expect((a as unknown as QueryInternals).handler).toBeNull();
    } finally {
      conn.release();
    }
    // The connection went back to the pool and serves the next query.
    expect(await sql`select 3 as z`).toEqual([{ z: 3 }]);
  });

  it('a query refused still names its text and arguments in the error', async () => {
    const error = await sql`select ${'x'}::int as n`.then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: '22P02', query: 'select $1::int as n', args: ['x'] });
  });

  it('the same statement, prepared once, answers every time after its text was dropped', async () => {
    for (let i = 0; i < 5; i++) expect(await sql`select ${i}::int as i`).toEqual([{ i }]);
  });
});
