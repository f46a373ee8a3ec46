// Resume replays, batched. When thousands of clients come back at once (a node died, the
// network blinked) each would run its own query over the event log; instead the requests
// that arrive together share one query over the union of their read keys from the oldest
// cursor, and each takes the rows that are its own. The shared query reads every event after
// that cursor, so it is kept to recent cursors: a request from further back runs alone, on its
// keys' index, unless a crowd comes from as far (docs/ARCHITECTURE.md, "Resume"). A request
// with many keys from very far back is not asked at all (tooFar, which hub/session.ts checks
// first): the client reloads its views.
import type { Sql } from '../storage/pool.ts';
import { eventsAfter, eventsAfterAny, firstEventId } from '../storage/events.ts';
import { MANY_KEYS } from '../storage/rows.ts';

/**
 * How far back (in event ids) requests still share a query: the shared query reads each event
 * after the oldest cursor, about 2 µs of PostgreSQL's time a row (0.1 s at this size).
 */
export const SHARED_REPLAY_WINDOW = 50_000;

/**
 * From further back, this many requests together still share one: a request alone reads its
 * keys' index and, in the plan PostgreSQL makes of it, the ids after its cursor from the
 * primary key's index, about a thirtieth of what the shared query spends on a row
 * (loadtest/RESULTS.md, "A resume storm on k6"). A crowd from far back is a node that was
 * down for minutes, whose clients all come back.
 */
export const SHARED_REPLAY_CROWD = 32;

/**
 * How far back (in event ids) the hashed scan reads: it reads every event after its cursor,
 * however few of them are the readers', about 1 µs of PostgreSQL's time an event (0.93 s for
 * a million, a teacher's laptop that slept through a district's evening), so at most 0.2 s
 * (loadtest/RESULTS.md, "A replay from far back"). A request with more than MANY_KEYS keys,
 * which only the hashed scan reads well, is not replayed from further back: the client
 * reloads its views instead (sync.reset: a few list reads of a few milliseconds each). Such a
 * replay often ended in sync.reset anyway, past maxReplay of the person's own events. A
 * request with few keys from further back is read alone by their index, never in a shared
 * scan, so that one phone back from the weekend cannot stretch a crowd's scan over the weekend.
 */
export const HASHED_REPLAY_SPAN = 200_000;

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
  /** Queries run, for tests and the benchmark; `hashed` of them by eventsAfterAny. */
  queries = 0;
  hashed = 0;
  /** MANY_KEYS and HASHED_REPLAY_SPAN, which a test may lower. */
  manyKeys = MANY_KEYS;
  hashedSpan = HASHED_REPLAY_SPAN;

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

  /**
   * Whether a replay after `after` for `keyCount` keys is too far back to be read: the client
   * is told to reload its views instead (HASHED_REPLAY_SPAN).
   */
  tooFar(after: number, keyCount: number): boolean {
    return keyCount > this.manyKeys && this.delivered() - after > this.hashedSpan;
  }

  fetch(after: number, keys: string[]): Promise<ReplayPage> {
    return new Promise((resolve, reject) => {
      this.pending.push({ after, keys: new Set(keys), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const upTo = this.delivered();
    const near = batch.filter((r) => upTo - r.after <= SHARED_REPLAY_WINDOW);
    const far = batch.filter((r) => upTo - r.after > SHARED_REPLAY_WINDOW && upTo - r.after <= this.hashedSpan);
    const farthest = batch.filter((r) => upTo - r.after > this.hashedSpan);
    for (const group of [near, far]) {
      if (group.length >= (group === near ? 2 : SHARED_REPLAY_CROWD)) this.shared(group, upTo);
      else for (const r of group) this.alone(r, upTo);
    }
    for (const r of farthest) this.alone(r, upTo);
  }

  /** One query for all of `batch`: the union of their keys from the oldest cursor, hashed. */
  private shared(batch: Request[], upTo: number): void {
    const after = Math.min(...batch.map((r) => r.after));
    const keys = new Set<string>();
    for (const r of batch) for (const k of r.keys) keys.add(k);
    void this.answer(batch, eventsAfterAny, after, [...keys], upTo);
  }

  /**
   * One request on its own keys: a few by eventsAfter (PostgreSQL may use their index), more
   * than MANY_KEYS by the hashed scan (at 250 keys 7 times faster than the comparisons).
   */
  private alone(r: Request, upTo: number): void {
    void this.answer([r], r.keys.size > this.manyKeys ? eventsAfterAny : eventsAfter, r.after, [...r.keys], upTo);
  }

  private async answer(batch: Request[], read: typeof eventsAfter, after: number, keys: string[], upTo: number): Promise<void> {
    try {
      this.queries++;
      if (read === eventsAfterAny) this.hashed++;
      const rows = await read(this.sql, after, keys, this.limit);
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
