// Abuse limits beyond one connection's frame rate (hub/rate.ts): per person and per address.
// Every refusal is counted in schoolhub_limited_total{limit} and answered as PROTOCOL.md says.
import { TokenBucket } from './rate.ts';

export const ABUSE_LIMITS = {
  /** Open connections of one person (tabs, phones, laptops). The next hello is closed with 4008. */
  connectionsPerPerson: 30,
  /** Open connections from one address. Schools put hundreds of pupils behind one NAT address. */
  connectionsPerAddress: 5_000,
  /** WebSocket upgrades per address and second (burst): a reconnect storm of a whole school passes. */
  upgradesPerAddress: { rate: 200, burst: 2_000 },
  /** Writes per person and second, over all their connections (messages, posts, reads…). */
  writesPerPerson: { rate: 20, burst: 100 },
  /** HTTP API requests per address and second. */
  httpPerAddress: { rate: 20, burst: 100 },
};

/** Token buckets by key, forgetting keys that have been idle (full) for a while. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number; spec: object }>();
  private sweeps = 0;

  constructor(private readonly spec: () => { rate: number; burst: number }) {}

  take(key: string, now: number = Date.now()): boolean {
    let entry = this.buckets.get(key);
    const spec = this.spec();
    // A changed limit (an operator, a test) applies from the next request on.
    if (!entry || entry.spec !== spec) {
      entry = { bucket: new TokenBucket(spec.rate, spec.burst, now), used: now, spec };
      this.buckets.set(key, entry);
    }
    entry.used = now;
    if (++this.sweeps % 1024 === 0) this.forget(now);
    return entry.bucket.take(now);
  }

  /** Buckets untouched for a minute are full again: drop them. */
  private forget(now: number): void {
    for (const [k, e] of this.buckets) if (now - e.used > 60_000) this.buckets.delete(k);
  }
}

/** Counts of open things by key (connections per person, per address). */
export class Counts {
  private readonly counts = new Map<string, number>();
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
  remove(key: string): void {
    const n = this.get(key) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
}
