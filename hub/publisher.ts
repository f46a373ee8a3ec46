// Commits and publishes, with group commit. Writes that arrive together share one
// transaction: their statements are pipelined on one connection, their events appended at
// the end under the event lock, and one commit (one WAL flush) acknowledges them all. No write
// waits for more company: a batch starts as soon as a connection is free, taking whatever
// queued up while the previous one committed. Events are published only after the commit; the
// sequencer (hub/sequencer.ts) delivers them in commit order whichever commit reports first.
//
// The contract for `work`: read and check first, write last; it may throw only before it has
// written (a thrown write-free work just fails alone), while a failing SQL statement fails the
// shared transaction, and then every write of the batch is retried in a transaction of its own.
import type { Sql, Tx } from '../storage/pool.ts';
import { CommitOutcomeUnknown, isConnectionError, isSqlError } from '../storage/errors.ts';
import { commitWithEvents, type NewEvent, type StoredEvent } from '../storage/events.ts';

export type Work<T> = (tx: Tx) => Promise<{ result: T; events: NewEvent[] }>;

interface Pending {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export const GROUP_COMMIT = {
  /** Writes in one transaction at the most. */
  maxBatch: 100,
  /**
   * Batches in flight: one runs its statements while another commits. Few on purpose: the
   * event lock lets one commit at a time, so more batches only queue behind each other's WAL
   * flushes; with three, what arrives meanwhile joins the next batch. `bench --only chat`:
   * 3 gave p99 27 ms and 3,127 msg/s, 12 gave p99 38-67 ms and 1,960-2,590 msg/s.
   */
  concurrency: 3,
};

export class Publisher {
  private queue: Pending[] = [];
  private running = 0;
  /** Transactions committed, and writes they carried: the benchmark reports the ratio. */
  readonly stats = { batches: 0, writes: 0, retriedAlone: 0 };

  constructor(
    private readonly sql: Sql,
    private readonly publish: (event: StoredEvent) => void,
  ) {}

  /**
   * Runs `work` in a transaction (shared with other writes of the moment); the events it
   * returns are appended at its end, committed with it, then published. Resolves with what
   * `work` returned once it is committed.
   */
  write<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < GROUP_COMMIT.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, GROUP_COMMIT.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]!);
    let outcomes: PromiseSettledResult<{ result: unknown; events: NewEvent[] }>[] = [];
    let stored: StoredEvent[];
    try {
      stored = await commitWithEvents(this.sql, async (tx) => {
        outcomes = await Promise.allSettled(batch.map((p) => p.work(tx)));
        if (outcomes.some((o) => o.status === 'rejected' && isSqlError(o.reason))) throw new BatchAborted();
        return outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.events : []));
      });
    } catch (e) {
      // One statement failed (a clientKey race, say) and took the shared transaction with it,
      // or the commit failed: each write gets a transaction of its own. After a commit of
      // unknown outcome that retry finds what did commit by its clientKey; if it cannot reach
      // storage either, the write still may have been stored, and says so.
      this.stats.retriedAlone += batch.length;
      const unknown = e instanceof CommitOutcomeUnknown ? e : undefined;
      await Promise.all(batch.map((p) => this.runAlone(p, unknown)));
      return;
    }
    this.stats.batches++;
    this.stats.writes += batch.length;
    for (const e of stored) this.publish(e);
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.status === 'fulfilled') p.resolve(o.value.result);
      else p.reject(o.reason);
    });
  }

  private async runAlone(p: Pending, unknown?: CommitOutcomeUnknown): Promise<void> {
    let result: unknown;
    try {
      const stored = await commitWithEvents(this.sql, async (tx) => {
        const out = await p.work(tx);
        result = out.result;
        return out.events;
      });
      this.stats.batches++;
      this.stats.writes++;
      for (const e of stored) this.publish(e);
      p.resolve(result);
    } catch (e) {
      p.reject(unknown && isConnectionError(e) ? unknown : e);
    }
  }
}

class BatchAborted extends Error {
  constructor() {
    super('a statement of the shared transaction failed');
  }
}
