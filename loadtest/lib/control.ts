// The load generator's side of the IPC: server stats through the orchestrator, progress
// lines, and the load generator's own CPU time (to tell whether it was the bottleneck).
import path from 'node:path';
import { pauseMonitor, type Pauses } from './pauses.ts';
import type { FromLoadgen, ProfileCommand, ServerName, ServerStats, ToLoadgen } from './ipc.ts';
import { cpuUs } from './ipc.ts';
import { cpuWaitBetween, cpuWaitSince, processesNamed, thisThread, type CpuWait } from './cpu-waits.ts';
export { latency, percentile, type Latency } from './latency.ts';

const waiting = new Map<number, (s: ServerStats) => void>();
let nextId = 1;

export function handleRpcAnswer(msg: ToLoadgen): boolean {
  if (msg.type !== 'rpc') return false;
  waiting.get(msg.id)?.(msg.stats);
  waiting.delete(msg.id);
  return true;
}

function send(msg: FromLoadgen): void {
  process.send?.(msg);
}

export function serverStats(server: ServerName, opts: { gc?: boolean; rows?: boolean; profile?: ProfileCommand } = {}): Promise<ServerStats> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    send({ type: 'rpc', id, server, gc: opts.gc ?? false, rows: opts.rows ?? false, ...(opts.profile ? { profile: opts.profile } : {}) });
  });
}

/** Where windowed CPU profiles go (set by the orchestrator with --cpu-prof); none when unset. */
let profileDir: string | undefined;
export function setProfileDir(dir: string | undefined): void {
  profileDir = dir;
}

export function progress(line: string): void {
  send({ type: 'progress', line });
}

export interface Window {
  wallMs: number;
  serverCpuUs: number;
  /** Of serverCpuUs: in the kernel (socket sends, epoll) rather than in user space. */
  serverSysUs: number;
  loadgenCpuUs: number;
  /** Share of one CPU the server / load generator used over the window. */
  serverUtil: number;
  loadgenUtil: number;
  /** Event loop delay over the window: a stall on either side adds to every latency measured then. */
  serverPauses: Pauses;
  loadgenPauses: Pauses;
  /**
   * Waiting for a CPU while runnable (Linux only): the server's and the load generator's event
   * loop threads, and every process of this machine's PostgreSQL summed. On a machine where they
   * share the cores, a wait here is a wait of every message in flight.
   */
  cpuWaits: { server?: CpuWait; loadgen?: CpuWait; postgres?: CpuWait };
  start: ServerStats;
  end: ServerStats;
}

/**
 * Measures server and load generator CPU over whatever happens between the call and end();
 * with a profile directory set, the server's CPU profile of that window is written as NAME.cpuprofile.
 */
export async function cpuWindow(server: ServerName, name?: string): Promise<{ end: (opts?: { rows?: boolean }) => Promise<Window> }> {
  const profiling = profileDir !== undefined && name !== undefined;
  const start = await serverStats(server, profiling ? { profile: { start: true } } : {});
  const lg0 = process.cpuUsage();
  const lgWait0 = thisThread();
  const pgWait0 = processesNamed('postgres');
  const pauses = pauseMonitor();
  const t0 = performance.now();
  return {
    end: async (opts = {}) => {
      const stop = profiling ? { profile: { stop: path.join(profileDir!, `${server}-${name}.cpuprofile`) } } : {};
      const end = await serverStats(server, { rows: opts.rows ?? false, ...stop });
      const lg = process.cpuUsage(lg0);
      const cpuWaits = {
        server: cpuWaitSince(start.cpuWait, end.cpuWait), loadgen: cpuWaitSince(lgWait0, thisThread()), postgres: cpuWaitBetween(pgWait0, processesNamed('postgres')),
      };
      const wallMs = performance.now() - t0;
      const serverCpuUs = cpuUs(end) - cpuUs(start);
      const serverSysUs = end.cpuSystemUs - start.cpuSystemUs;
      const loadgenCpuUs = lg.user + lg.system;
      const loadgenPauses = pauses.read();
      pauses.stop();
      return { wallMs, serverCpuUs, serverSysUs, loadgenCpuUs, serverUtil: serverCpuUs / 1000 / wallMs, loadgenUtil: loadgenCpuUs / 1000 / wallMs, serverPauses: end.pauses, loadgenPauses, cpuWaits, start, end };
    },
  };
}

/** Writes per group commit over a window of the hub (NaN when it committed nothing). */
export function writesPerCommit(w: Window): number {
  const a = w.start.commits;
  const b = w.end.commits;
  return a && b ? (b.writes - a.writes) / (b.batches - a.batches) : NaN;
}

/**
 * Where in time the slowest deliveries were sent: the 100 ms windows (by send time) holding a
 * latency at or past `p99`, out of the windows the run spans. A few windows mean stalls that
 * held every delivery for a moment (one slow write holds back all those after it: delivery is
 * in id order); many mean waits spread over the run (a busy CPU). `sentAt[i]` goes with `ms[i]`.
 */
export function lateWindows(sentAt: ArrayLike<number>, ms: ArrayLike<number>, p99: number, windowMs = 100): { late: number; of: number } {
  if (sentAt.length === 0) return { late: 0, of: 0 };
  let first = Infinity;
  let last = -Infinity;
  const late = new Set<number>();
  for (let i = 0; i < sentAt.length; i++) {
    first = Math.min(first, sentAt[i]!);
    last = Math.max(last, sentAt[i]!);
  }
  for (let i = 0; i < sentAt.length; i++) if (ms[i]! >= p99) late.add(Math.floor((sentAt[i]! - first) / windowMs));
  return { late: late.size, of: Math.floor((last - first) / windowMs) + 1 };
}

/**
 * Calls send(i, measured) for i = 0, 1, … at `rate` per second for warmupS + steadyS. The
 * count due comes from the clock, so timer jitter does not change the rate. `onMeasure` runs
 * once when the warm-up is over, before the first measured send (start windows there).
 * Returns how many were sent.
 */
export async function paceAt(p: { rate: number; warmupS: number; steadyS: number }, send: (i: number, measured: boolean) => void, onMeasure: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const end = t0 + (p.warmupS + p.steadyS) * 1000;
  const measureFrom = t0 + p.warmupS * 1000;
  let measuring = false;
  let sent = 0;
  while (performance.now() < end) {
    const now = performance.now();
    if (!measuring && now >= measureFrom) {
      await onMeasure();
      measuring = true;
    }
    const due = Math.floor(((now - t0) / 1000) * p.rate);
    for (; sent < due; sent++) send(sent, measuring);
    await sleep(2);
  }
  return sent;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until true or `timeoutMs` passes; returns whether it became true. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await cond()) return true;
    await sleep(everyMs);
  }
  return cond();
}
