// How long a process waited for a CPU while it had work, from Linux's scheduler statistics
// (/proc/thread-self/schedstat and /proc/<pid>/schedstat: time on a CPU, time runnable but
// waiting for one, and the number of times it was put on one). On this bench's two cores the
// hub, the load generator and PostgreSQL take turns: a message is read late when the hub's
// thread waits behind a PostgreSQL backend, whatever the hub itself costs. Elsewhere than
// Linux: undefined.
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuWait {
  /** Time on a CPU, µs. */
  runUs: number;
  /** Time runnable but waiting for a CPU, µs. */
  waitUs: number;
  /** Times put on a CPU (each wait is for one of these). */
  slices: number;
}

/** One schedstat file ("run_ns wait_ns slices"), or undefined when it cannot be read. */
export function readSchedstat(file: string): CpuWait | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [run, wait, slices] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait) || !Number.isFinite(slices)) return undefined;
  return { runUs: run! / 1000, waitUs: wait! / 1000, slices: slices! };
}

/** The calling thread's (a Node process's event loop, when called from JavaScript). */
export const thisThread = (): CpuWait | undefined => readSchedstat('/proc/thread-self/schedstat');

/**
 * Every process whose name (comm) is `comm`, by pid, each its main thread: for PostgreSQL (one
 * thread a process), each backend and background process. A process that ended between two
 * readings is not in the second; cpuWaitBetween counts only what both readings have.
 */
export function processesNamed(comm: string): Map<number, CpuWait> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const found = new Map<number, CpuWait>();
  for (const pid of pids) {
    let name: string;
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (name !== comm) continue;
    const w = readSchedstat(`/proc/${pid}/schedstat`);
    if (w) found.set(Number(pid), w);
  }
  return found;
}

/** What happened between two readings of one thread. */
export function cpuWaitSince(before: CpuWait | undefined, after: CpuWait | undefined): CpuWait | undefined {
  if (!before || !after) return undefined;
  return { runUs: after.runUs - before.runUs, waitUs: after.waitUs - before.waitUs, slices: after.slices - before.slices };
}

/** What happened between two readings of processesNamed, summed over the processes in both. */
export function cpuWaitBetween(before: Map<number, CpuWait> | undefined, after: Map<number, CpuWait> | undefined): CpuWait | undefined {
  if (!before || !after) return undefined;
  const sum: CpuWait = { runUs: 0, waitUs: 0, slices: 0 };
  for (const [pid, b] of before) {
    const d = cpuWaitSince(b, after.get(pid));
    if (!d) continue;
    sum.runUs += d.runUs;
    sum.waitUs += d.waitUs;
    sum.slices += d.slices;
  }
  return sum;
}

/** "44% of its run time, 95 µs a wait": how the report says it. */
export function describeCpuWait(w: CpuWait | undefined): string {
  if (!w || w.runUs <= 0) return 'n/a';
  return `${Math.round((100 * w.waitUs) / w.runUs)}% of its run time, ${Math.round(w.waitUs / Math.max(1, w.slices))} µs a wait`;
}
