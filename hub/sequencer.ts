// Delivers events on this node in id order (storage/events.ts: an id is the appending
// transaction's id, then the rank within it), whichever node wrote them: every node delivers
// the same order. Writers take no lock, so events commit in any order; a node delivers only
// below the **horizon**, under which every transaction has finished (PostgreSQL's own
// visibility information, read after each commit and carried by a small tick on one broker
// topic). When the horizon moves past a range, the node reads that range's ids (and the
// payloads it lacks) from PostgreSQL, one query at a time: a lost tick or payload cannot be
// told from a rolled-back transaction without it. So the broker makes delivery fast, and
// PostgreSQL makes it complete: no gap, no duplicate, the same order on every node.
import type { LoggedEvent } from '../storage/events.ts';

export interface Envelope {
  /** The event id (its place in the log and its cursor), a decimal. */
  id: string;
  name: string;
  data: unknown;
  /** The live topics of its read keys, by the writing node's directory at commit. */
  topics: string[];
  /** Commit time on the writing node (ms since the epoch), for the fan-out latency metric. */
  at: number;
  /** The node that wrote it; a node ignores its own messages coming back from the broker. */
  node: string;
}

/** After each commit: the horizon read just after it (a decimal event id: every event below it is final). */
export interface Tick {
  horizon: string;
  node: string;
}

export interface SequencerDeps {
  /** Does any local connection listen to this topic? */
  isLocal(topic: string): boolean;
  /** Publish to the local sockets of these topics (those with listeners). */
  deliver(env: Envelope, topics: string[]): void;
  /** The events in (after, below), oldest first; name and data only for ids not in `have`. */
  loadBelow(after: bigint, below: bigint, have: bigint[], limit: number): Promise<LoggedEvent[]>;
  /** The horizon now, from PostgreSQL. */
  horizon(): Promise<bigint>;
  /** The live topics of an event's read keys, by the directory here. */
  topicsFor(keys: string[]): string[];
  log(message: string, error?: unknown): void;
  /** The first wait before asking PostgreSQL for the horizon while events wait on it (doubling to HORIZON_POLL_MAX_MS). */
  horizonPollMs?: number;
}

/** Rows read per query while catching up. */
const PAGE = 1000;
/** The longest wait between horizon polls while events wait on it. */
export const HORIZON_POLL_MAX_MS = 200;

export class Sequencer {
  /**
   * The resume line: the id of the last event taken here (0: none yet). Every event at or
   * below it has been delivered here, or had no listener here when its turn came; every later
   * one is still to come (it is at or above the frontier).
   */
  watermark: bigint;
  /** Every event below this id has been taken (the horizon of the last catch-up). */
  private frontier: bigint;
  /** The newest horizon heard of: where the next catch-up goes. */
  private known: bigint;
  private readonly payloads = new Map<bigint, Envelope>();
  /** Who waits for the watermark to reach an id (taken()). */
  private waiters: { id: bigint; done: () => void }[] = [];
  private catching = false;
  private timer: NodeJS.Timeout | undefined;
  /** Horizon polls in a row that found it unmoved: the next waits longer. */
  private polls = 0;
  /** Catch-ups that failed in a row: the retry waits longer each time (PostgreSQL may be down). */
  private failures = 0;
  /** Counts for tests and metrics: events delivered, those whose payload came from PostgreSQL, and queries. */
  readonly stats = { delivered: 0, filled: 0, fills: 0 };

  /**
   * `start`: read from PostgreSQL at start (storage/events.ts logStart), the horizon and the
   * newest event below it; everything up to there is history (resume brings it).
   */
  constructor(private readonly deps: SequencerDeps, start: { horizon: bigint; last: bigint }) {
    this.frontier = start.horizon;
    this.known = start.horizon;
    this.watermark = start.last;
  }

  /** Payloads (this node's commit, or from the broker), then the horizon known with them, if any. */
  offer(envs: Envelope[], horizon?: bigint): void {
    for (const env of envs) {
      const id = BigInt(env.id);
      if (id > this.watermark && id >= this.frontier) this.payloads.set(id, env);
    }
    if (horizon !== undefined && horizon > this.known) {
      this.known = horizon;
      this.polls = 0;
    }
    this.advance();
  }

  /** Resolves once the watermark reaches `id`, or after `ms` whatever happened. */
  taken(id: bigint, ms: number): Promise<void> {
    if (id <= this.watermark) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push({ id, done });
    });
  }

  /** Catches up to the newest horizon known, or waits for one (polling PostgreSQL while events wait). */
  private advance(): void {
    if (this.catching) return;
    if (this.known > this.frontier && this.failures === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.catchUp();
      return;
    }
    if (this.timer) return;
    let wait: number;
    if (this.failures > 0) wait = Math.min(5_000, 250 * 2 ** this.failures);
    else if (this.payloads.size > 0) wait = Math.min(HORIZON_POLL_MAX_MS, (this.deps.horizonPollMs ?? 5) * 2 ** this.polls);
    else return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.failures > 0) void this.catchUp();
      else void this.poll(true);
    }, wait);
  }

  private async catchUp(): Promise<void> {
    if (this.catching) return;
    this.catching = true;
    try {
      while (this.known > this.frontier) {
        const target = this.known;
        const have = [...this.payloads.keys()].filter((id) => id < target);
        const rows = await this.deps.loadBelow(this.watermark, target, have, PAGE);
        this.stats.fills++;
        for (const row of rows) this.take(row);
        if (this.waiters.length > 0) {
          const due = this.waiters.filter((w) => w.id <= this.watermark);
          this.waiters = this.waiters.filter((w) => w.id > this.watermark);
          for (const w of due) w.done();
        }
        if (rows.length < PAGE) {
          // Every event below the target has been taken.
          this.frontier = target;
          for (const id of this.payloads.keys()) if (id < target) this.payloads.delete(id);
        }
      }
      this.failures = 0;
    } catch (e) {
      if (this.failures++ === 0) this.deps.log('reading the event log from PostgreSQL failed; retrying', e);
    } finally {
      this.catching = false;
      this.advance();
    }
  }

  /** One event of the log, in order: delivered here if anyone here listens to it. */
  private take(row: LoggedEvent): void {
    if (row.id <= this.watermark) return;
    const env = this.payloads.get(row.id);
    this.payloads.delete(row.id);
    const topics = (env?.topics ?? this.deps.topicsFor(row.keys)).filter((t) => this.deps.isLocal(t));
    if (topics.length > 0) {
      if (env) this.deliver(env, topics);
      else if (row.name !== undefined) {
        this.stats.filled++;
        this.deliver({ id: String(row.id), name: row.name, data: row.data, topics, at: 0, node: '' }, topics);
      } else {
        // Said to be here when the query was sent, gone since: not possible (a payload leaves
        // only past the watermark). Stop rather than skip it; the next catch-up reads it again.
        throw new Error(`event ${row.id} has no payload here`);
      }
    }
    this.watermark = row.id;
  }

  private deliver(env: Envelope, topics: string[]): void {
    this.stats.delivered++;
    this.deps.deliver(env, topics);
  }

  /** Asks PostgreSQL for the horizon (a tick lost, another node's writes, a transaction that held it back), then catches up. */
  async poll(waiting = false): Promise<void> {
    try {
      const h = await this.deps.horizon();
      if (h > this.known) this.offer([], h);
      else if (waiting) {
        this.polls++;
        this.advance();
      }
    } catch (e) {
      this.deps.log('reading the event horizon failed', e);
      if (waiting) {
        this.polls++;
        this.advance();
      }
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.done();
  }
}
