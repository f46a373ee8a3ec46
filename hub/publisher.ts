// Commits and publishes, with group commit. Writes that arrive together share one
// transaction: their statements are pipelined on one connection (the appends of its messages
// as one statement, storage/shared-statements.ts), their events appended at the end, and one
// commit (one WAL flush) acknowledges them all. No write waits for more
// company: a batch starts as soon as a connection is free, taking whatever queued up while
// the previous one committed. Batches take no lock, so they commit side by side (PostgreSQL
// flushes commits that arrive together at once). Events are published only after the commit;
// the sequencer (hub/sequencer.ts) delivers them in id order whichever commit reports first.
//
// The contract for `work`: read and check first, write last; it may throw only before it has
// written (a thrown write-free work just fails alone), while a failing SQL statement fails the
// shared transaction, and then every write of the batch is retried in a transaction of its own.
// A shared statement's promise (appendMessageShared) settles only after every work returned:
// a work returns it, never awaits it.
//
// Deadlines: a batch's commit, reserving its connection included, settles within
// COMMIT_DEADLINE_MS (storage/events.ts: past it the connection is discarded and the writes
// answer `unavailable`); the retries alone after a failed batch get what is left of that time
// (at least RETRY_MIN_MS); and a write still waiting in the queue WRITE_DEADLINE_MS after it
// arrived leaves the queue unwritten. No write is held longer than WRITE_DEADLINE_MS.
import type { Sql, Tx } from '../storage/pool.ts';
import { CommitOutcomeUnknown, isConflictRollback, isConnectionError, isSqlError, StorageDeadline } from '../storage/errors.ts';
import { COMMIT_DEADLINE_MS, commitWithEvents, type NewEvent, type StoredEvent } from '../storage/events.ts';
import { closeShared, openShared, sendShared } from '../storage/shared-statements.ts';

/** How many times a write is run alone when PostgreSQL keeps choosing it as a deadlock victim. */
const CONFLICT_TRIES = 5;

/** The least time a write retried alone after its batch failed gets for its own commit. */
const RETRY_MIN_MS = 1_000;
/** The longest a write is held: a commit's deadline, its retry's least time, and a margin. */
export const WRITE_DEADLINE_MS = COMMIT_DEADLINE_MS + RETRY_MIN_MS + 1_000;

/**
 * A write. `result` may be a promise of statements the work did not await: the work then
 * returns its events at once (an event of a message, post or mailing not yet stored carries
 * `ofRow`, storage/events.ts), and its statements, the events and the COMMIT go out together.
 * It is read after the commit.
 */
export type Work<T> = (tx: Tx) => Promise<{ result: T | Promise<T>; events: NewEvent[] }>;

interface Pending {
  work: Work<unknown>;
  /** What its transaction will lock, by the caller's names (write()'s `holds`). */
  holds: readonly string[];
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** The commit gave up at its deadline: retrying at once on another connection would only hold the writes longer. */
function pastDeadline(e: unknown): boolean {
  return e instanceof StorageDeadline || (e instanceof CommitOutcomeUnknown && e.cause instanceof StorageDeadline);
}

/** How write()'s `holds` names a row: its table and id (one name for a row, whoever locks it). */
export const heldRow = (table: string, id: string): string => `${table}:${id}`;

export const GROUP_COMMIT = {
  /**
   * Writes in one transaction at the most. A full batch is sent whole: its queries (BEGIN, one
   * statement per write, the mark, the event insert, COMMIT) fit in storage/pool.ts's
   * MAX_PIPELINE.
   */
  maxBatch: 100,
  /**
   * Batches in flight: one runs its statements while others commit. Without the event lock
   * (issue 14) more could commit side by side, but on `bench --only chat` 8 and 16 did no
   * better than 3 at saturation and left more transactions open waiting for this process, and
   * 8 doubled the 1,000 msg/s p99 (each commit waits for the others' WAL flushes); 1 made each
   * commit shorter but cut the persisted rate (this process and PostgreSQL take turns), and 1
   * unless 16 writes wait did no better than 3 (loadtest/RESULTS.md). With three, what arrives
   * meanwhile joins the next batch.
   */
  concurrency: 3,
};

export class Publisher {
  private queue: Pending[] = [];
  private running = 0;
  /** The `holds` of the batches in flight. */
  private readonly held = new Set<string>();
  /** Transactions committed, and writes they carried: the benchmark reports the ratio. */
  readonly stats = { batches: 0, writes: 0, retriedAlone: 0, conflictRetries: 0 };

  constructor(
    private readonly sql: Sql,
    private readonly publish: (event: StoredEvent) => void,
    /** Told how long each write took, from write() to its outcome, whatever it was (seconds). */
    private readonly timed: (seconds: number) => void = () => {},
  ) {}

  /**
   * Runs `work` in a transaction (shared with other writes of the moment); the events it
   * returns are appended at its end, committed with it, then published. Resolves with what
   * `work` returned once it is committed.
   *
   * `holds` names the rows the work locks until its commit (a conversation for its next seq, a
   * reaction's target), each as heldRow names it. A write whose rows a batch in flight
   * holds waits in the queue until that batch has committed, instead of joining the next batch:
   * there it would wait on the lock, and every other write of its batch with it, through the
   * other batch's WAL flush. Writes that name the same row share a batch when they meet.
   */
  write<T>(work: Work<T>, holds: readonly string[] = []): Promise<T> {
    const began = performance.now();
    return new Promise<T>((resolveWrite, rejectWrite) => {
      // Timed once: a write the guard answered may still be settled by its commit later.
      let timed = false;
      const took = () => timed || ((timed = true), this.timed((performance.now() - began) / 1000));
      const resolve = (v: T) => (took(), resolveWrite(v));
      const reject = (e: unknown) => (took(), rejectWrite(e));
      let started = false;
      const guard = setTimeout(() => {
        const at = this.queue.indexOf(pending);
        if (at >= 0) {
          // Never handed to the database: it leaves the queue, nothing was written.
          this.queue.splice(at, 1);
          reject(new StorageDeadline('waiting for a commit', WRITE_DEADLINE_MS));
        } else if (started) {
          // In a commit that overran every deadline: it may still commit.
          reject(new CommitOutcomeUnknown(new StorageDeadline('the commit', WRITE_DEADLINE_MS)));
        }
      }, WRITE_DEADLINE_MS);
      const pending: Pending = {
        holds,
        work: (tx) => {
          started = true;
          return (work as Work<unknown>)(tx).then((out) => {
            // Read after the commit, or never when the batch failed: it must not reject unheard.
            if (out.result instanceof Promise) out.result.catch(() => {});
            return out;
          });
        },
        resolve: (v) => (clearTimeout(guard), resolve(v as T)),
        reject: (e) => (clearTimeout(guard), reject(e)),
      };
      this.queue.push(pending);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < GROUP_COMMIT.concurrency && this.queue.length > 0) {
      const batch = this.nextBatch();
      // Every write that waits holds rows a batch in flight holds: it goes when that one ends.
      if (batch.length === 0) return;
      const holds = [...new Set(batch.flatMap((p) => p.holds))];
      for (const h of holds) this.held.add(h);
      this.running++;
      void this.runBatch(batch).finally(() => {
        for (const h of holds) this.held.delete(h);
        this.running--;
        this.pump();
      });
    }
  }

  /** The oldest writes, up to maxBatch, but for those whose rows a batch in flight holds (they keep their place). */
  private nextBatch(): Pending[] {
    const batch: Pending[] = [];
    const left: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < GROUP_COMMIT.maxBatch && !p.holds.some((h) => this.held.has(h))) batch.push(p);
      else left.push(p);
    }
    this.queue = left;
    return batch;
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const began = Date.now();
    if (batch.length === 1) return this.runAlone(batch[0]!);
    let outcomes: PromiseSettledResult<{ result: unknown; events: NewEvent[] }>[] = [];
    let results: PromiseSettledResult<unknown>[] = [];
    let stored: StoredEvent[];
    try {
      stored = await commitWithEvents(this.sql, async (tx) => {
        // The works' shared statements (a message's append) wait until every work has returned,
        // then go out as one statement of each kind (storage/shared-statements.ts).
        openShared(tx);
        outcomes = await Promise.allSettled(batch.map((p) => p.work(tx)));
        if (outcomes.some((o) => o.status === 'rejected' && isSqlError(o.reason))) {
          closeShared(tx);
          throw new BatchAborted();
        }
        sendShared(tx);
        return outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.events : []));
      });
      // Committed: every statement succeeded, so a result not awaited by its work is there.
      results = await Promise.allSettled(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.result : Promise.reject(o.reason))));
    } catch (e) {
      // One statement failed (a clientKey race, say) and took the shared transaction with it,
      // or the commit failed: each write gets a transaction of its own. After a commit of
      // unknown outcome that retry finds what did commit by its clientKey; if it cannot reach
      // storage either, the write still may have been stored, and says so.
      // A commit that ran out of time is not retried: the writes answer `unavailable` now.
      if (pastDeadline(e)) {
        for (const p of batch) p.reject(e);
        return;
      }
      this.stats.retriedAlone += batch.length;
      const unknown = e instanceof CommitOutcomeUnknown ? e : undefined;
      const left = Math.max(RETRY_MIN_MS, began + COMMIT_DEADLINE_MS - Date.now());
      await Promise.all(batch.map((p) => this.runAlone(p, unknown, left)));
      return;
    }
    this.stats.batches++;
    this.stats.writes += batch.length;
    for (const e of stored) this.publish(e);
    batch.forEach((p, i) => {
      const o = results[i]!;
      if (o.status === 'fulfilled') p.resolve(o.value);
      else p.reject(o.reason);
    });
  }

  private async runAlone(p: Pending, unknown?: CommitOutcomeUnknown, deadlineMs = COMMIT_DEADLINE_MS): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (let attempt = 1; ; attempt++) {
      let result: unknown;
      try {
        const stored = await commitWithEvents(this.sql, async (tx) => {
          const out = await p.work(tx);
          result = out.result;
          return out.events;
        }, Math.max(0, until - Date.now()));
        this.stats.batches++;
        this.stats.writes++;
        for (const e of stored) this.publish(e);
        p.resolve(await result);
        return;
      } catch (failed) {
        // A statement the work did not await failed, and the transaction with it: its reason
        // (a deadlock, a unique violation) is the write's, not the COMMIT's or the event insert's.
        const e = result instanceof Promise ? await result.then(() => failed, (reason: unknown) => reason) : failed;
        // A deadlock or serialization victim was rolled back whole: run it again, after a
        // short random pause so that the two do not meet again, while time is left. Batches
        // meet this way: each write of a batch locks its rows in its own order (a message
        // locks its conversation, a reaction its target), so two batches may wait on each other.
        const pause = Math.random() * 20 * attempt;
        if (isConflictRollback(e) && attempt < CONFLICT_TRIES && until - Date.now() > pause + 100) {
          this.stats.conflictRetries++;
          await new Promise((r) => setTimeout(r, pause));
          continue;
        }
        p.reject(unknown && isConnectionError(e) ? unknown : e);
        return;
      }
    }
  }
}

class BatchAborted extends Error {
  constructor() {
    super('a statement of the shared transaction failed');
  }
}
