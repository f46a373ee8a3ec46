// Resume replays, batched. When thousands of clients come back at once (a node died, the
// network blinked) each would run its own query over the event log; instead the requests
// that arrive together share one query over the union of their read keys from the oldest
// cursor, and each takes the rows that are its own.
import type { Sql } from '../storage/pool.ts';
import { eventsAfter, firstEventId } from '../storage/events.ts';

export interface ReplayRow {
  id: number;
  name: string;
  data: unknown;
}

export interface ReplayPage {
  rows: ReplayRow[];
  /** False when the shared query stopped at its limit: ask again after `scannedTo`. */
  complete: boolean;
  scannedTo: number;
  /** What the node had delivered when the query began: every event up to it was visible to it. */
  upTo: number;
}

interface Request {
  after: number;
  keys: Set<string>;
  resolve: (page: ReplayPage) => void;
  reject: (e: unknown) => void;
}

export class ReplayBatcher {
  private pending: Request[] = [];
  private scheduled = false;
  private first: { id: number; at: number } | undefined;
  /** Shared queries run, for tests and the benchmark. */
  queries = 0;

  constructor(
    private readonly sql: Sql,
    private readonly delivered: () => number,
    private readonly limit = 2_000,
  ) {}

  /** The oldest event still kept (cached for a second: storms ask it thousands of times). */
  async firstEventId(): Promise<number> {
    const now = Date.now();
    if (this.first && now - this.first.at < 1_000) return this.first.id;
    const id = await firstEventId(this.sql);
    this.first = { id, at: now };
    return id;
  }

  fetch(after: number, keys: string[]): Promise<ReplayPage> {
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
    const after = Math.min(...batch.map((r) => r.after));
    const keys = new Set<string>();
    for (const r of batch) for (const k of r.keys) keys.add(k);
    const upTo = this.delivered();
    try {
      this.queries++;
      const rows = await eventsAfter(this.sql, after, [...keys], this.limit);
      const complete = rows.length < this.limit;
      const scannedTo = complete ? Number.MAX_SAFE_INTEGER : rows[rows.length - 1]!.id;
      for (const r of batch) {
        const own = rows.filter((row) => row.id > r.after && row.keys.some((k) => r.keys.has(k))).map(({ id, name, data }) => ({ id, name, data }));
        r.resolve({ rows: own, complete, scannedTo, upTo });
      }
    } catch (e) {
      for (const r of batch) r.reject(e);
    }
  }
}
