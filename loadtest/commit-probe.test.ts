// The commit probe beside the posts (loadtest/lib/database.ts): open loop, so a stall of the
// write path shows in every probe sent during it, as it does in every post that arrives then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { freshDatabase } from '../storage/test-database.ts';
import { commitProbe } from './lib/database.ts';

let url = '';
let drop: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
});
afterAll(async () => {
  await drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('commitProbe', () => {
  it('commits on time and times each commit', async () => {
    const probe = await commitProbe(url, { everyMs: 20, pastMs: 50 });
    await sleep(600);
    const r = await probe.stop();
    // 30 due in 600 ms; timers on a loaded machine may fire late, never early.
    expect(r.latencyMs.count).toBeGreaterThanOrEqual(20);
    expect(r.latencyMs.count).toBeLessThanOrEqual(31);
    expect(r.latencyMs.p50).toBeGreaterThan(0);
    expect(r.pastShare).toBeGreaterThanOrEqual(0);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from bench_commit_probe`;
    await sql.end();
    expect(row?.n).toBe(r.latencyMs.count);
  });

  it('counts every probe sent during a stall as waiting, beyond one per connection', async () => {
    const probe = await commitProbe(url, { everyMs: 20, pastMs: 100 });
    await sleep(200);
    // A stall of the write path for 600 ms: the probe's table locked against its inserts.
    const blocker = postgres(url, { max: 1, onnotice: () => {} });
    await blocker.begin(async (tx) => {
      await tx`lock table bench_commit_probe in access exclusive mode`;
      await sleep(600);
    });
    await blocker.end();
    await sleep(200);
    const r = await probe.stop();
    // About 30 probes were sent while the lock was held (more than the probe's 8 connections),
    // and at least the first 20 of them waited past 100 ms.
    expect(r.latencyMs.count * r.pastShare).toBeGreaterThanOrEqual(15);
    expect(r.latencyMs.max).toBeGreaterThanOrEqual(450);
  });
});
