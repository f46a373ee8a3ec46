// Delivers events on this node in commit order, whichever node wrote them. Every event
// names its predecessor (`prev`, taken under the event lock), and every node hears a small
// tick per event (id, prev, topics) on one broker topic: together they form a chain that each
// node walks. An event is delivered here when the chain reaches it and one of its topics has
// listeners here; ticks for events nobody here listens to just move the chain on. Where the
// chain has a hole (a lost message, the broker down) the node reads the missing stretch from
// PostgreSQL: the broker makes delivery fast, PostgreSQL makes it complete.

export interface Envelope {
  id: number;
  prev: number;
  name: string;
  data: unknown;
  /** Commit time on the writing node (ms since the epoch), for the fan-out latency metric. */
  at: number;
  /** The node that wrote it; a node ignores its own messages coming back from the broker. */
  node: string;
}

export interface Tick {
  id: number;
  prev: number;
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
  /** Events in (after, upto], oldest first, from PostgreSQL. */
  loadRange(after: number, upto: number, limit: number): Promise<LoggedEvent[]>;
  /** The newest event id in PostgreSQL. */
  lastId(): Promise<number>;
  /** The live topics of an event's read keys, by the directory here. */
  topicsFor(keys: string[]): string[];
  log(message: string, error?: unknown): void;
  /** How long a hole may stay open before PostgreSQL fills it. */
  holeMs?: number;
}

export class Sequencer {
  /** Every event up to here has been delivered here, or had no listener here when its turn came. */
  watermark: number;
  private readonly ticksByPrev = new Map<number, Tick>();
  private readonly payloads = new Map<number, Envelope>();
  private holeSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  /** Fills that failed in a row: the retry waits longer each time (PostgreSQL may be down). */
  private failures = 0;
  /** Counts for tests and metrics: events delivered, and holes filled from PostgreSQL. */
  readonly stats = { delivered: 0, filled: 0, fills: 0 };

  constructor(private readonly deps: SequencerDeps, start: number) {
    this.watermark = start;
  }

  offerTick(t: Tick): void {
    if (t.id <= this.watermark) return;
    this.ticksByPrev.set(t.prev, t);
    this.advance();
  }

  offerPayload(env: Envelope): void {
    if (env.id <= this.watermark || this.payloads.has(env.id)) return;
    this.payloads.set(env.id, env);
    this.advance();
  }

  /** Walks the chain as far as it is known here. */
  private advance(): void {
    for (;;) {
      const tick = this.ticksByPrev.get(this.watermark);
      if (!tick) break;
      const local = tick.topics.filter((t) => this.deps.isLocal(t));
      if (local.length > 0) {
        const env = this.payloads.get(tick.id);
        if (!env) break; // on its way through the broker; the hole timer bounds the wait
        this.deliver(env, local);
      }
      this.ticksByPrev.delete(this.watermark);
      this.payloads.delete(tick.id);
      this.watermark = tick.id;
    }
    this.prune();
    const stuck = this.ticksByPrev.size > 0 || this.payloads.size > 0;
    if (!stuck) {
      this.holeSince = undefined;
      return;
    }
    this.holeSince ??= Date.now();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.fill();
    }, this.failures === 0 ? (this.deps.holeMs ?? 50) : Math.min(5_000, 250 * 2 ** this.failures));
  }

  private deliver(env: Envelope, topics: string[]): void {
    this.stats.delivered++;
    this.deps.deliver(env, topics);
  }

  private prune(): void {
    for (const prev of this.ticksByPrev.keys()) if (prev < this.watermark) this.ticksByPrev.delete(prev);
    for (const id of this.payloads.keys()) if (id <= this.watermark) this.payloads.delete(id);
  }

  /** The newest id this node knows to exist: where a fill must reach. */
  private knownTarget(): number {
    let target = this.watermark;
    for (const t of this.ticksByPrev.values()) target = Math.max(target, t.prev, t.id);
    for (const id of this.payloads.keys()) target = Math.max(target, id);
    return target;
  }

  /** Reads the chain from PostgreSQL up to `upto` (or what is known) and delivers what is due here. */
  async fill(upto?: number): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      let target = Math.max(upto ?? 0, this.knownTarget());
      while (target > this.watermark) {
        const rows = await this.deps.loadRange(this.watermark, target, 1000);
        this.stats.fills++;
        if (rows.length === 0) break;
        for (const row of rows) {
          if (row.id <= this.watermark) continue;
          const tick = [...this.ticksByPrev.values()].find((t) => t.id === row.id);
          const topics = (tick?.topics ?? this.deps.topicsFor(row.keys)).filter((t) => this.deps.isLocal(t));
          if (topics.length > 0) {
            const env = this.payloads.get(row.id) ?? { id: row.id, prev: this.watermark, name: row.name, data: row.data, at: Date.now(), node: '' };
            this.stats.filled++;
            this.deliver(env, topics);
          }
          this.payloads.delete(row.id);
          this.watermark = row.id;
        }
        this.prune();
        target = Math.max(target, this.knownTarget());
        if (rows.length < 1000) break; // what is left was not committed when we read
      }
      this.failures = 0;
    } catch (e) {
      if (this.failures++ === 0) this.deps.log('filling a hole in the event chain from PostgreSQL failed; retrying', e);
    } finally {
      this.filling = false;
      this.advance();
    }
  }

  /** For a node that may have missed ticks (broker down): catch up with PostgreSQL. */
  async poll(): Promise<void> {
    try {
      const last = await this.deps.lastId();
      if (last > this.watermark) await this.fill(last);
    } catch (e) {
      this.deps.log('polling the event log failed', e);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
