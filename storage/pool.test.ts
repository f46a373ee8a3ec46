// postgres.js 3.4.x ends the process when a reserved connection's backend goes away
// (porsager/postgres issues 1154 and 1208); storage/patch-postgres.mjs patches it at install.
// These tests cut real backends and show that the patch is in force: queries fail with a
// connection error, the process lives, and the pool serves again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { inject } from 'vitest';
import { freshDatabase } from '../hub/testing/harness.ts';
import { openPool, type Sql, type Tx } from './pool.ts';
import { isConnectionError } from './errors.ts';

let sql: Sql;
let admin: postgres.Sql;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  sql = openPool(db.url, { max: 2 });
  admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await admin?.end();
  await drop?.();
});

const pidOf = async (db: Sql | Tx) => Number((await db<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);
const terminate = (pid: number) => admin`select pg_terminate_backend(${pid})`;
const settled = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isConnectionError(e) ? 'connection error' : `other: ${String(e)}`));

describe('postgres.js with a backend cut under a reserved connection', () => {
  it('queries on the dead connection reject with a connection error; the process lives', async () => {
    const conn = await sql.reserve();
    const pid = await pidOf(conn as unknown as Tx);
    await terminate(pid);
    await new Promise((r) => setTimeout(r, 100));
    // Unpatched 3.4.9: the second query throws from a setImmediate (uncaught: the run fails).
    expect(await settled(conn`select 1`.execute())).toBe('connection error');
    expect(await settled(conn`select 2`.execute())).toBe('connection error');
    await new Promise((r) => setTimeout(r, 50));
    conn.release();
    // The released dead connection is not handed out again as if open: the pool reconnects.
    for (let i = 0; i < 4; i++) expect(await sql`select ${i}::int as n`).toEqual([{ n: i }]);
  });

  it('a query sent in the same tick as the cut rejects too', async () => {
    const conn = await sql.reserve();
    const pid = await pidOf(conn as unknown as Tx);
    const cut = terminate(pid);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => settled(conn`select pg_sleep(0.01), ${i}::int`.execute())));
    await cut;
    expect(results.filter((r) => r !== 'ok' && r !== 'connection error')).toEqual([]);
    expect(await settled(conn`rollback`.execute())).toBe('connection error');
    // Known gap (docs/ARCHITECTURE.md): released within the same instant as a reset, the pool
    // can still hand the dead connection out once; the hub releases only after its rollback.
    await new Promise((r) => setTimeout(r, 100));
    conn.release();
    expect(await sql`select 1 as n`).toEqual([{ n: 1 }]);
  });
});
