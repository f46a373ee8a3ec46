// The audit log of staff reads of protected persons' data (docs/DOMAIN.md, "Protected
// identities"). A read handler calls `audit(ctx, operation, touches)` once, with what it is
// about to return; the helper keeps only staff reads of protected persons and queues one
// entry per person. The queue is written in batches (every 100 ms, or at 500 rows, and on
// stop), so that a read never waits for a round trip to PostgreSQL.
import type { Sql } from '../storage/pool.ts';
import { insertAuditEntries, type AuditEntry } from '../storage/privacy.ts';
import type { Directory } from './directory/model.ts';
import { isStaff } from './people.ts';

export const AUDIT_LIMITS = {
  flushMs: 100,
  batchRows: 500,
  /** Retry after a failed write (PostgreSQL down). */
  retryMs: 1_000,
  /**
   * Entries held while PostgreSQL is down. Beyond this the oldest are dropped (and logged):
   * memory must stay bounded, and an outage that long has stopped every write anyway.
   */
  maxQueued: 200_000,
};

/** What handlers see of the audit log: they only add. */
export interface AuditSink {
  add(entries: AuditEntry[]): void;
}

export class AuditLog implements AuditSink {
  private queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Entries dropped because the queue was full (PostgreSQL down for long). */
  dropped = 0;

  constructor(
    private readonly sql: Sql,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly limits = AUDIT_LIMITS,
  ) {}

  add(entries: AuditEntry[]): void {
    if (entries.length === 0) return;
    this.queue.push(...entries);
    const over = this.queue.length - this.limits.maxQueued;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
      this.log(`audit log: ${over} entries dropped, the database has not accepted writes for a long time`);
    }
    if (this.queue.length >= this.limits.batchRows) void this.flush();
    else this.arm(this.limits.flushMs);
  }

  private arm(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    // A pending write must not keep a finished process alive; stop() writes what is left.
    this.timer.unref();
  }

  /** Writes everything queued so far (one flush at a time, in order). */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  private async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.limits.batchRows);
      try {
        await insertAuditEntries(this.sql, batch);
      } catch (e) {
        // Put them back in front and try again later: an audit entry is not given up lightly.
        this.queue.unshift(...batch);
        this.log('audit log write failed; retrying', e);
        this.arm(this.limits.retryMs);
        return;
      }
    }
  }

  /** Writes what is queued (one last try) and stops the timer; call before the pool closes. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0) this.log(`audit log: ${this.queue.length} entries could not be written before stopping`);
  }
}

/** Some records a response is about to show, and the people whose data they are. */
export interface Touch {
  about: Iterable<string>;
  ids: readonly string[];
}

export interface AuditContext {
  personId: string;
  dir: Directory;
  auditLog: AuditSink;
}

/**
 * The one call per read path: logs a staff member's read of protected persons' data. `touches`
 * is a function so that the work of listing them is only done for staff readers.
 * One entry per protected person per request, with every record id it touched.
 */
export function audit(ctx: AuditContext, operation: string, touches: () => Iterable<Touch>): void {
  const { dir, personId } = ctx;
  if (!isStaff(dir, personId)) return;
  const bySubject = new Map<string, Set<string>>();
  for (const t of touches()) {
    for (const p of t.about) {
      if (p === personId || !dir.person(p)?.protected) continue;
      let ids = bySubject.get(p);
      if (!ids) bySubject.set(p, (ids = new Set()));
      for (const id of t.ids) ids.add(id);
    }
  }
  if (bySubject.size === 0) return;
  const at = new Date();
  ctx.auditLog.add([...bySubject].map(([subjectId, ids]) => ({ at, actorId: personId, operation, subjectId, recordIds: [...ids] })));
}

/** A conversation's people (those in it, the student it is about, the senders shown) and records. */
export function conversationTouch(
  conv: { id: string; context: { studentId?: string | undefined } | null; audience: { kind: string; studentId?: string } | null },
  participants: readonly string[],
  messages: readonly { id: string; senderId: string }[],
): Touch {
  const about = new Set(participants);
  if (conv.context?.studentId) about.add(conv.context.studentId);
  if (conv.audience?.kind === 'conference' && conv.audience.studentId) about.add(conv.audience.studentId);
  for (const m of messages) about.add(m.senderId);
  return { about, ids: [conv.id, ...messages.map((m) => m.id)] };
}

/** A conference's people: the student, the mentor and the student's guardians. */
export function conferenceTouch(dir: Directory, c: { id: string; studentId: string; mentorId: string }): Touch {
  return { about: [c.studentId, c.mentorId, ...dir.guardiansOf(c.studentId)], ids: [c.id] };
}
