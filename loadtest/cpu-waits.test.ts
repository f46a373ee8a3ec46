// The bench's reading of how long its processes waited for a CPU (loadtest/lib/cpu-waits.ts):
// a thread's own figures, every process of a name, and what a busy neighbour on the same CPU
// does to them. Linux only: elsewhere the readings are undefined, and the test says so.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuWaitBetween, cpuWaitSince, describeCpuWait, processesNamed, readSchedstat, thisThread } from './lib/cpu-waits.ts';

const linux = existsSync('/proc/thread-self/schedstat');
if (!linux) console.warn('[cpu-waits.test] skipped: no /proc/thread-self/schedstat (not Linux); the bench reports n/a there');
const taskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    console.warn('[cpu-waits.test] the busy-neighbour test skipped: no taskset to put two processes on one CPU');
    return false;
  }
})();

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('a schedstat file', () => {
  it('is read as µs on a CPU, µs waiting and slices; anything else is undefined', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schedstat-'));
    writeFileSync(path.join(dir, 'ok'), '2500000 1000000 7\n');
    writeFileSync(path.join(dir, 'bad'), 'not numbers\n');
    expect(readSchedstat(path.join(dir, 'ok'))).toEqual({ runUs: 2500, waitUs: 1000, slices: 7 });
    expect(readSchedstat(path.join(dir, 'bad'))).toBeUndefined();
    expect(readSchedstat(path.join(dir, 'missing'))).toBeUndefined();
    expect(describeCpuWait({ runUs: 2500, waitUs: 1000, slices: 7 })).toBe('40% of its run time, 143 µs a wait');
    expect(describeCpuWait(undefined)).toBe('n/a');
  });

  it('counts, between two readings of processes by name, only those in both', () => {
    const before = new Map([[1, { runUs: 100, waitUs: 10, slices: 1 }], [2, { runUs: 50, waitUs: 5, slices: 1 }]]);
    const after = new Map([[1, { runUs: 300, waitUs: 70, slices: 4 }], [3, { runUs: 900, waitUs: 900, slices: 9 }]]);
    expect(cpuWaitBetween(before, after)).toEqual({ runUs: 200, waitUs: 60, slices: 3 });
    expect(cpuWaitBetween(undefined, after)).toBeUndefined();
  });
});

describe.skipIf(!linux)('on this machine', () => {
  it("reads this thread's time on a CPU growing as it spins, and never past the time that passed", () => {
    // Spun until 20 ms of CPU are read (other test files may take the CPU meanwhile).
    const a = thisThread()!;
    const t0 = performance.now();
    let d = cpuWaitSince(a, thisThread())!;
    while (d.runUs < 20_000 && performance.now() - t0 < 5_000) {
      spin(1);
      d = cpuWaitSince(a, thisThread())!;
    }
    const wallUs = (performance.now() - t0) * 1000;
    expect(d.runUs).toBeGreaterThanOrEqual(20_000);
    // The kernel brings a running thread's figures up to date at its ticks: a few ms of slack.
    expect(d.runUs).toBeLessThanOrEqual(wallUs + 10_000);
    expect(d.waitUs).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(!taskset)('finds processes by name, and one pinned beside a busy one waits for its CPU', { timeout: 20_000 }, async () => {
    // Two busy loops on CPU 0 for 1.5 s: each is runnable all the time and gets about half of it.
    const busy = 'const u = Date.now() + 1500; while (Date.now() < u);';
    const children = [0, 1].map(() => spawn('taskset', ['-c', '0', process.execPath, '-e', busy], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 300));
    const before = processesNamed('node')!;
    const ours = children.map((c) => c.pid!).filter((pid) => before.has(pid));
    expect(ours).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 800));
    const after = processesNamed('node')!;
    await Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
    const pair = cpuWaitBetween(new Map(ours.map((pid) => [pid, before.get(pid)!])), after)!;
    // Over 0.8 s on one CPU: together up to 0.8 s on it (less when test files beside this one
    // use CPU 0 too), and each waited at least while the other ran.
    expect(pair.runUs).toBeGreaterThan(200_000);
    expect(pair.waitUs).toBeGreaterThan(pair.runUs * 0.5);
  });
});
