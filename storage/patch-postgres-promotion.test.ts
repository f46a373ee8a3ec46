// What V8's young-generation collector keeps of postgres.js transactions that are over, with
// storage/patch-postgres.mjs applied. Unpatched, postgres.js stores each query's resolve and
// reject, and each reservation's holder, close handler and release, as arrow functions written
// straight into a property (`this.resolve = x => ...`). On Node 20 every such transaction then
// stayed reachable for the scavenger until the next full collection: the objects of the last
// second's transactions were all copied at each scavenge and promoted into the old generation,
// which is what made the hub's scavenges long (loadtest/RESULTS.md, "Nothing of a transaction
// outlives it"). Bound to a local first, they are not. Measured the way the scavenger sees it,
// in a process of its own (`--expose-gc`): after a full collection and 2,000 transactions, two
// scavenges back to back; the second promotes only what was reachable at both, which is what
// the transactions left behind.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './test-database.ts';
import { TYPESCRIPT_IMPORT } from '../hub/typescript/node-args.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs in the child: the hub's pool, transactions shaped like its writes, then the probe. */
const PROBE = `
import v8 from 'node:v8';
import { openPool } from './storage/pool.ts';
const sql = openPool(process.env.PROBE_URL, { max: 4 });
const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
async function transaction(i) {
  const c = await sql.reserve();
  try {
    const begin = c\`begin\`.execute();
    const row = c\`select \${i}::int as i, \${'text ' + i}::text as t\`.execute();
    const commit = c\`commit\`.execute();
    await Promise.all([begin, row, commit]);
  } finally {
    c.release();
  }
}
const batch = async (n) => { for (let i = 0; i < n; i += 2) await Promise.all([transaction(i), transaction(i + 1)]); };
await batch(400);
globalThis.gc();
await batch(2000);
globalThis.gc({ type: 'minor' });
const before = oldSpace();
globalThis.gc({ type: 'minor' });
const promoted = oldSpace() - before;
await sql.end({ timeout: 1 });
console.log(JSON.stringify({ promoted }));
`;

let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  drop = db.drop;
});
afterAll(async () => {
  await drop();
});

describe('postgres.js transactions that are over (patched)', () => {
  it('are not kept by the scavenger: a scavenge right after another promotes almost nothing', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', ...TYPESCRIPT_IMPORT, '--input-type=module', '-e', PROBE], {
      cwd: ROOT,
      env: { ...process.env, PROBE_URL: url },
      timeout: 60_000,
    });
    const { promoted } = JSON.parse(stdout.trim().split('\n').pop()!) as { promoted: number };
    // Unpatched: 140-600 KB here (every transaction since the last anchor the scavenger keeps).
    // Patched: 11-16 KB, the last few transactions and V8's own bookkeeping.
    expect(promoted, `promoted ${promoted} bytes`).toBeLessThan(80_000);
  }, 90_000);
});
