// Privacy's own tables (migration 007): the audit log, legal holds, guardian blocks and the
// record of retention runs. Each table of personal data has its retention deletes and its
// export reads in its own file (hub/privacy/sources.ts walks them).
import type { Db, Sql } from './pool.ts';
import { iso, type Stored } from './rows.ts';
import { markDirectoryChanged } from './directory.ts';
import { inBatches, RETENTION_BATCH, type Holds } from './retention.ts';

// ---------------------------------------------------------------------------------------------
// Audit log

export interface AuditEntry {
  /** When the read happened. */
  at: Date;
  actorId: string;
  operation: string;
  /** Whose data was read: a protected person. */
  subjectId: string;
  recordIds: string[];
}

export interface StoredAuditEntry {
  id: number;
  at: string;
  actorId: string;
  operation: string;
  subjectId: string;
  recordIds: string[];
}

/** One statement for a whole batch: the rows travel as one JSON parameter (text[][] would flatten). */
export async function insertAuditEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const json = JSON.stringify(entries.map((e) => ({ at: e.at.toISOString(), actorId: e.actorId, operation: e.operation, subjectId: e.subjectId, recordIds: e.recordIds })));
  await db`
    insert into audit_log (at, actor_id, operation, subject_id, record_ids)
    select (x->>'at')::timestamptz, x->>'actorId', x->>'operation', x->>'subjectId', array(select jsonb_array_elements_text(x->'recordIds'))
    from jsonb_array_elements(${json}::text::jsonb) with ordinality as t(x, n)
    order by t.n`;
}

/** Entries about `subjectId` and/or by `actorId`, newest first, before the entry id `before`. */
export async function auditEntries(
  db: Db, q: { subjectId?: string | undefined; actorId?: string | undefined; limit: number; before?: number | undefined },
): Promise<StoredAuditEntry[]> {
  const subject = q.subjectId ?? null;
  const actor = q.actorId ?? null;
  const before = q.before ?? null;
  const rows = await db<Stored<StoredAuditEntry, 'at'>[]>`
    select id, at, actor_id, operation, subject_id, record_ids from audit_log
    where (${subject}::text is null or subject_id = ${subject}::text)
      and (${actor}::text is null or actor_id = ${actor}::text)
      and (${before}::bigint is null or id < ${before}::bigint)
    order by id desc limit ${q.limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id), at: iso(r.at) }));
}

// ---------------------------------------------------------------------------------------------
// Legal holds

export interface LegalHold {
  kind: string;
  id: string;
  reason: string;
  setAt: string;
}

interface HoldRecord {
  kind: string;
  targetId: string;
  reason: string;
  setAt: Date;
}

/** The column is `target_id`: a hold's target is its `id` to the API. */
const holdRow = (r: HoldRecord): LegalHold => ({ kind: r.kind, id: r.targetId, reason: r.reason, setAt: iso(r.setAt) });

/** Sets (or re-words) a hold. `created` is false when it was already held. */
export async function setLegalHold(db: Db, kind: string, id: string, reason: string): Promise<{ hold: LegalHold; created: boolean }> {
  const [r] = await db<(HoldRecord & { created: boolean })[]>`
    insert into legal_holds (kind, target_id, reason) values (${kind}, ${id}, ${reason})
    on conflict (kind, target_id) do update set reason = excluded.reason
    returning *, (xmax = 0) as created`;
  return { hold: holdRow(r!), created: r!.created === true };
}

/** Releases a hold; false when there was none. */
export async function releaseLegalHold(db: Db, kind: string, id: string): Promise<boolean> {
  const rows = await db`delete from legal_holds where kind = ${kind} and target_id = ${id} returning 1`;
  return rows.length > 0;
}

export async function listLegalHolds(db: Db, q: { kind?: string | undefined; id?: string | undefined; limit: number }): Promise<LegalHold[]> {
  const kind = q.kind ?? null;
  const id = q.id ?? null;
  const rows = await db<HoldRecord[]>`
    select * from legal_holds
    where (${kind}::text is null or kind = ${kind}::text) and (${id}::text is null or target_id = ${id}::text)
    order by set_at desc, kind, target_id limit ${q.limit}`;
  return rows.map(holdRow);
}

export type { Holds };

export async function loadHolds(db: Db): Promise<Holds> {
  const rows = await db<{ kind: string; targetId: string }[]>`select kind, target_id from legal_holds`;
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.targetId);
  const persons = of('person');
  return { persons, personKeys: persons.map((p) => `p:${p}`), conversations: of('conversation'), items: of('item') };
}

// ---------------------------------------------------------------------------------------------
// Guardian blocks

export interface GuardianBlock {
  guardianId: string;
  childId: string;
  reason: string | null;
  createdAt: string;
}

const blockRow = (r: Stored<GuardianBlock, 'createdAt'>): GuardianBlock => ({ guardianId: r.guardianId, childId: r.childId, reason: r.reason, createdAt: iso(r.createdAt) });

/**
 * Blocks one guardian for one child. Besides the directory link (left out when the view is
 * built), the guardian leaves the plan/assignment threads about that child that they had
 * joined: those list their members in storage, not through the directory.
 */
export async function addGuardianBlock(sql: Sql, b: { guardianId: string; childId: string; reason: string | null }): Promise<{ block: GuardianBlock; created: boolean }> {
  return sql.begin(async (tx) => {
    const [r] = await tx<(Stored<GuardianBlock, 'createdAt'> & { created: boolean })[]>`
      insert into guardian_blocks (guardian_id, child_id, reason) values (${b.guardianId}, ${b.childId}, ${b.reason})
      on conflict (guardian_id, child_id) do update set reason = coalesce(excluded.reason, guardian_blocks.reason)
      returning *, (xmax = 0) as created`;
    await tx`
      delete from conversation_members m using conversations c
      where m.conversation_id = c.id and m.person_id = ${b.guardianId}
        and c.audience is null and c.context->>'studentId' = ${b.childId}`;
    await markDirectoryChanged(tx, `guardian-block:${b.guardianId}:${b.childId}`);
    return { block: blockRow(r!), created: r!.created === true };
  }) as Promise<{ block: GuardianBlock; created: boolean }>;
}

export async function removeGuardianBlock(sql: Sql, guardianId: string, childId: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const rows = await tx`delete from guardian_blocks where guardian_id = ${guardianId} and child_id = ${childId} returning 1`;
    if (rows.length > 0) await markDirectoryChanged(tx, `guardian-unblock:${guardianId}:${childId}`);
    return rows.length > 0;
  }) as Promise<boolean>;
}

export async function listGuardianBlocks(db: Db, q: { guardianId?: string | undefined; childId?: string | undefined; limit: number }): Promise<GuardianBlock[]> {
  const g = q.guardianId ?? null;
  const c = q.childId ?? null;
  const rows = await db<Stored<GuardianBlock, 'createdAt'>[]>`
    select * from guardian_blocks
    where (${g}::text is null or guardian_id = ${g}::text) and (${c}::text is null or child_id = ${c}::text)
    order by created_at desc, guardian_id, child_id limit ${q.limit}`;
  return rows.map(blockRow);
}

// ---------------------------------------------------------------------------------------------
// Retention runs, and the event log's pruning (here rather than in storage/events.ts, which
// holds the write path; the log is a delivery buffer, pruned as one prefix for all districts)

/**
 * Prunes the event log up to the first event at or after `cutoff` (always a prefix by id,
 * and never the newest event: the next event's `prev` is the newest kept, and a resume from
 * a cursor before the first kept event gets sync.reset).
 */
export function pruneEvents(db: Db, cutoff: string): Promise<number> {
  return inBatches(async () => {
    const [r] = await db<{ n: number }[]>`
      with b as (
        select coalesce((select id from events where created_at >= ${cutoff}::timestamptz order by id limit 1),
                        (select max(id) from events)) as id
      ),
      d as (
        delete from events where id in (select id from events where id < (select id from b) order by id limit ${RETENTION_BATCH})
        returning 1
      )
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

export async function recordRetentionRun(db: Db, startedAt: Date, deleted: unknown): Promise<void> {
  await db`insert into retention_runs (started_at, deleted) values (${startedAt.toISOString()}::timestamptz, ${JSON.stringify(deleted)}::text::jsonb)`;
}
