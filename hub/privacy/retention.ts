// The retention job: once per interval (HUB_RETENTION_INTERVAL_MS, an hour by default) one node
// of the cluster (whoever takes the PostgreSQL advisory lock) deletes what is older than its
// district's period (hub/privacy/periods.ts) and not under legal hold, source by source
// (hub/privacy/sources.ts), then prunes the event log.
//
// What remains stays consistent: a conversation keeps its seq numbers (history starts later,
// and the first message a client sees may have seq > 1); read marks move up past what was
// deleted; a conversation left empty goes with its read marks; the event log is pruned as a
// prefix, so a resume from a cursor older than the first kept event gets sync.reset (the hub
// already answers so when the first kept event is past the cursor).
import type { HubCore } from '../core.ts';
import { loadHolds, pruneEvents, recordRetentionRun } from '../../storage/privacy.ts';
import { retentionDistricts } from './periods.ts';
import { privacySources, type RetentionContext } from './sources.ts';
import { Periodic } from '../periodic.ts';

/** Only one node runs the job at a time (any fixed 64-bit number; schoolhub's locks count up from ...001). */
const RETENTION_LOCK = '7303411920004';

export interface RetentionReport {
  startedAt: string;
  /** Rows deleted by table, e.g. {"messages": 12, "events": 40}. */
  deleted: Record<string, number>;
  /** Sources that failed this time (logged; the next run tries again). */
  failed: string[];
}

type Core = Pick<HubCore, 'sql' | 'directory' | 'log' | 'attachmentFiles'>;

/**
 * One run, now. 'busy' when another node (or this one) holds the lock. The lock is a session
 * lock on a reserved connection: it is released when the run ends, or when the connection
 * drops with a node that dies mid-way.
 */
export async function runRetention(core: Core, now: Date = new Date()): Promise<RetentionReport | 'busy'> {
  const conn = await core.sql.reserve();
  try {
    const [lock] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(${RETENTION_LOCK}::bigint) as ok`;
    if (!lock?.ok) return 'busy';
    try {
      return await expireAll(core, now);
    } finally {
      await conn`select pg_advisory_unlock(${RETENTION_LOCK}::bigint)`;
    }
  } finally {
    conn.release();
  }
}

async function expireAll(core: Core, now: Date): Promise<RetentionReport> {
  const dir = core.directory();
  const districts = retentionDistricts(dir, now);
  const report: RetentionReport = { startedAt: now.toISOString(), deleted: {}, failed: [] };
  // Without any district's period there is still housekeeping (uploads never used), so go on.
  const ctx: RetentionContext = {
    sql: core.sql, dir, now, districts, cutoffs: new Map(districts.map((d) => [d.id, d.cutoff])), holds: await loadHolds(core.sql),
    files: core.attachmentFiles,
  };
  // Records that held records of another source hang off are held too (see PrivacySource.protects).
  // A failure here ends the run before anything is deleted: nothing goes without knowing what is held.
  for (const source of privacySources) {
    if (source.protects) ctx.holds.items.push(...(await source.protects(ctx)));
  }
  for (const source of privacySources) {
    if (!source.expire) continue;
    try {
      for (const [table, n] of Object.entries(await source.expire(ctx))) report.deleted[table] = (report.deleted[table] ?? 0) + n;
    } catch (e) {
      // One source failing (a foreign key from a table added later, the database gone) must
      // not stop the others; the next run tries again.
      core.log(`retention: ${source.name} failed`, e);
      report.failed.push(source.name);
    }
  }
  // The event log is a delivery buffer, not a record: it keeps what the shortest period
  // allows, whatever the holds (the held records themselves stay in their tables).
  if (districts.length > 0) {
    try {
      const latest = districts.map((d) => d.cutoff).reduce((a, b) => (a > b ? a : b));
      report.deleted.events = await pruneEvents(core.sql, latest);
    } catch (e) {
      core.log('retention: events failed', e);
      report.failed.push('events');
    }
  }
  await recordRetentionRun(core.sql, now, report).catch((e) => core.log('retention: could not record the run', e));
  return report;
}

/** The schedule on one node. Every node runs one; the lock lets one at a time do the work. */
export class RetentionJob extends Periodic {
  constructor(core: Core, intervalMs: number) {
    super(intervalMs, async () => {
      const r = await runRetention(core);
      if (r !== 'busy' && Object.values(r.deleted).some((n) => n > 0)) core.log(`retention: deleted ${JSON.stringify(r.deleted)}`);
    }, (e) => core.log('retention run failed', e));
  }
}
