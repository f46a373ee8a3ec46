// Resume replays, batched. When thousands of clients come back at once (a node died, the
// network blinked) each would run its own query over the event log; instead the requests
// that arrive together share one query over the union of their read keys from the oldest
// cursor, and each takes the rows that are its own.
import type { Sql } from '../storage/pool.ts';
import { eventsAfter, prunedThrough } from '../storage/events.ts';

export interface ReplayRow {
  /** The event id, its cursor (a decimal). */
  id: string;
  name: string;
  data: unknown;
}

export interface ReplayPage {
  rows: ReplayRow[];
  /** False when the shared query stopped at its limit: ask again after `scannedTo`. */
  complete: boolean;
  scannedTo: bigint;
  /** What the node had delivered when the query began: the query covers every event up to it (all final). */
  upTo: bigint;
}

interface Request {
  after: bigint;
  keys: Set<string>;
  resolve: (page: ReplayPage) => void;
  reject: (e: unknown) => void;
}

export class ReplayBatcher {
  private pending: Request[] = [];
  private scheduled = false;
  private pruned: { through: bigint; at: number } | undefined;
  /** Shared queries run, for tests and the benchmark. */
  queries = 0;

  constructor(
    private readonly sql: Sql,
    private readonly delivered: () => bigint,
    private readonly limit = 2_000,
  ) {}

  /** The id of the newest event pruned (cached for a second: storms ask it thousands of times). */
  async prunedThrough(): Promise<bigint> {
    const now = Date.now();
    if (this.pruned && now - this.pruned.at < 1_000) return this.pruned.through;
    const through = await prunedThrough(this.sql);
    this.pruned = { through, at: now };
    return through;
  }

  fetch(after: bigint, keys: string[]): Promise<ReplayPage> {
    return new Promise((resolve, reject) => {
      this.pending.push({ after, keys: new Set(keys), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const after = batch.reduce((min, r) => (r.after < min ? r.after : min), batch[0]!.after);
    const keys = new Set<string>();
    for (const r of batch) for (const k of r.keys) keys.add(k);
    const upTo = this.delivered();
    try {
      this.queries++;
      const rows = await eventsAfter(this.sql, after, upTo, [...keys], this.limit);
      const complete = rows.length < this.limit;
      const scannedTo = complete ? upTo : rows[rows.length - 1]!.id;
      for (const r of batch) {
        const own = rows.filter((row) => row.id > r.after && row.keys.some((k) => r.keys.has(k))).map(({ id, name, data }) => ({ id: String(id), name, data }));
        r.resolve({ rows: own, complete, scannedTo, upTo });
      }
    } catch (e) {
      for (const r of batch) r.reject(e);
    }
  }
}
