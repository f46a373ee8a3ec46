// Percentiles of measured latencies, for every process of the bench (load generator and servers).

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50/p99/max of latencies in ms (a typed copy: phases with a million deliveries sort fast). */
export function latency(values: ArrayLike<number>): Latency {
  const s = Float64Array.from(values).sort();
  return { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}
