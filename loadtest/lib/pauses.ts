// Stalls of a process's event loop and what the garbage collector paused it for, since the
// last reset: a stall on the server or on the load generator adds to every latency measured
// meanwhile, so both sides report theirs with each measured window.
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

export interface Pauses {
  /** Event loop delay, ms. */
  loopP99: number;
  loopMax: number;
  /** Garbage collection pauses, ms: the longest, all of them, and the full (mark-compact) ones' count. */
  gcMax: number;
  gcTotal: number;
  gcFull: number;
}

export function pauseMonitor(): { read(): Pauses; reset(): void; stop(): void } {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let gcMax = 0, gcTotal = 0, gcFull = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMax = Math.max(gcMax, e.duration);
      gcTotal += e.duration;
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcFull++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    read: () => ({ loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, gcMax, gcTotal, gcFull }),
    reset: () => {
      loop.reset();
      gcMax = gcTotal = gcFull = 0;
    },
    stop: () => {
      loop.disable();
      gc.disconnect();
    },
  };
}
