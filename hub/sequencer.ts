// Delivers events on this node in log order (event id), whichever node wrote them. Ids are
// taken without a lock (storage/events.ts), so they are dense but commit out of order, and a
// few are never committed (a transaction rolled back after taking them). Every node hears a
// small tick per event (id, topics) on one broker topic. An event is delivered here when every
// id below it has been settled: delivered, passed (no listener here), or known never to exist.
// Ticks that arrive ahead wait. Where an id stays missing (still being committed, lost in the
// broker, rolled back) the node asks PostgreSQL how far the log is final (eventsFinal) and
// reads what is missing from there: the broker makes delivery fast, PostgreSQL makes it
// complete and tells a hole that will never fill from one still being committed.

export interface Envelope {
  id: number;
  name: string;
  data: unknown;
  /** Commit time on the writing node (ms since the epoch), for the fan-out latency metric. */
  at: number;
  /** The node that wrote it; a node ignores its own messages coming back from the broker. */
  node: string;
}

export interface Tick {
  id: number;
  topics: string[];
  node: string;
}

export interface LoggedEvent {
  id: number;
  name: string;
  keys: string[];
  data: unknown;
}

export interface SequencerDeps {
  /** Does any local connection listen to this topic? */
  isLocal(topic: string): boolean;
  /** Publish to the local sockets of these topics (those with listeners). */
  deliver(env: Envelope, topics: string[]): void;
  /**
   * The final events after `after`, oldest first, at most `limit`, and how far the answer
   * reaches: ids up to `reached` not among them do not exist (storage/events.ts).
   */
  loadFinal(after: number, limit: number): Promise<{ events: LoggedEvent[]; reached: number }>;
  /** The live topics of an event's read keys, by the directory here. */
  topicsFor(keys: string[]): string[];
  log(message: string, error?: unknown): void;
  /** How long a missing id may stay missing before PostgreSQL is asked. */
  holeMs?: number;
}

/** Asking PostgreSQL about a hole that is still being committed again waits longer each time, up to this. */
const HOLE_RECHECK_MAX_MS = 400;
/** Rows read from PostgreSQL at a time when filling. */
const FILL_LIMIT = 1_000;

export class Sequencer {
  /** Every id up to here is settled here: delivered, passed (no listener here), or never to exist. */
  watermark: number;
  private readonly ticks = new Map<number, Tick>();
  private readonly payloads = new Map<number, Envelope>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  /** Fills that failed in a row: the retry waits longer each time (PostgreSQL may be down). */
  private failures = 0;
  /** Fills in a row that found the next id not final yet (its transaction still committing). */
  private unsettled = 0;
  /** Counts for tests and metrics: events delivered, events brought from PostgreSQL, and fills. */
  readonly stats = { delivered: 0, filled: 0, fills: 0 };

  constructor(private readonly deps: SequencerDeps, start: number) {
    this.watermark = start;
  }

  offerTick(t: Tick): void {
    if (t.id <= this.watermark) return;
    this.ticks.set(t.id, t);
    this.advance();
  }

  offerPayload(env: Envelope): void {
    if (env.id <= this.watermark || this.payloads.has(env.id)) return;
    this.payloads.set(env.id, env);
    this.advance();
  }

  /** Delivers as far as the ids known here run without a gap. */
  private advance(): void {
    const from = this.watermark;
    for (;;) {
      const next = this.watermark + 1;
      const tick = this.ticks.get(next);
      if (!tick) break;
      const local = tick.topics.filter((t) => this.deps.isLocal(t));
      if (local.length > 0) {
        const env = this.payloads.get(next);
        if (!env) break; // on its way through the broker; the hole timer bounds the wait
        this.deliver(env, local);
      }
      this.ticks.delete(next);
      this.payloads.delete(next);
      this.watermark = next;
      this.unsettled = 0;
    }
    const stuck = this.ticks.size > 0 || this.payloads.size > 0;
    // The wait is for the hole at the watermark: when that one closed, its timer goes with
    // it, and a new hole gets its full wait. (Left running, a timer armed for a hole that a
    // tick closed a millisecond later sent the node to PostgreSQL 50 ms on, whatever was
    // missing then: at 1,000 msg/s, commits out of order by a millisecond made 20 reads a
    // second.)
    if (!stuck || this.watermark !== from) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!stuck) {
      this.unsettled = 0;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.fill();
    }, this.holeWait());
  }

  private holeWait(): number {
    const first = this.deps.holeMs ?? 50;
    if (this.failures > 0) return Math.min(5_000, 250 * 2 ** this.failures);
    return Math.min(HOLE_RECHECK_MAX_MS, first * 2 ** this.unsettled);
  }

  private deliver(env: Envelope, topics: string[]): void {
    this.stats.delivered++;
    this.deps.deliver(env, topics);
  }

  private prune(): void {
    for (const id of this.ticks.keys()) if (id <= this.watermark) this.ticks.delete(id);
    for (const id of this.payloads.keys()) if (id <= this.watermark) this.payloads.delete(id);
  }

  /**
   * Reads from PostgreSQL what is final after the watermark and delivers what is due here:
   * how a hole is filled, or found never to fill. The ids known here by tick are delivered
   * as they come, the others as PostgreSQL has them.
   */
  async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    const before = this.watermark;
    try {
      for (;;) {
        const { events, reached } = await this.deps.loadFinal(this.watermark, FILL_LIMIT);
        this.stats.fills++;
        for (const row of events) {
          if (row.id <= this.watermark) continue;
          const tick = this.ticks.get(row.id);
          const topics = (tick?.topics ?? this.deps.topicsFor(row.keys)).filter((t) => this.deps.isLocal(t));
          if (topics.length > 0) {
            const env = this.payloads.get(row.id) ?? { id: row.id, name: row.name, data: row.data, at: Date.now(), node: '' };
            this.stats.filled++;
            this.deliver(env, topics);
          }
          this.watermark = row.id;
        }
        // Ids up to `reached` without a row never existed (rolled back): settled too.
        this.watermark = Math.max(this.watermark, reached);
        this.prune();
        if (events.length < FILL_LIMIT) break;
      }
      this.failures = 0;
      // Still the same hole: its transaction is committing. Ask again, a little later each time.
      this.unsettled = this.watermark === before ? this.unsettled + 1 : 0;
    } catch (e) {
      if (this.failures++ === 0) this.deps.log('filling a hole in the event log from PostgreSQL failed; retrying', e);
    } finally {
      this.filling = false;
      this.advance();
    }
  }

  /** For a node that may have missed ticks (broker down, a tick lost): catch up with PostgreSQL. */
  poll(): Promise<void> {
    return this.fill(); // fill reports and retries its own failures
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
