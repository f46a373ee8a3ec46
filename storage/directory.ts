// The directory's records (directory_records, one row per SS 12000 record; replaced versions
// in directory_history; every change logged in directory_imports). The bundle is flattened
// and checked by hub/directory/import.ts; this file writes the rows, all or nothing.
import { createHash } from 'node:crypto';
import type { Db, Sql, Tx } from './pool.ts';
import { iso, isoOrNull } from './rows.ts';

/** One record as stored: `scope` is the organisation an import covers it through. */
export interface DirectoryRow {
  kind: string;
  id: string;
  scope: string | null;
  data: unknown;
}

/** A reference the rows make to a record that must already be stored (`path`: where, for the refusal). */
export interface DirectoryReference {
  path: (string | number)[];
  kind: string;
  id: string;
}

export interface ImportResult {
  /** Records written because they were new or different. */
  changed: number;
  /** Records of covered organisations that the bundle no longer names, now ended. */
  ended: number;
  /** Records named again exactly as stored. */
  unchanged: number;
}

/** A reference to a record that is not stored (nothing was written). */
export class UnknownReferenceError extends Error {
  constructor(readonly reference: DirectoryReference) {
    super(`no ${reference.kind} with id ${reference.id}`);
  }
}

// Only one import at a time across all nodes.
const IMPORT_LOCK = '7303411920002';

/**
 * Writes an import in one transaction: `rows` are the bundle's records, `references` those
 * of its references that the rows do not satisfy, `covered` the organisations whose records
 * the import replaces (what it no longer names is ended). A reference to no active record
 * throws UnknownReferenceError and nothing is written.
 */
export async function importDirectory(
  sql: Sql, imp: { rows: readonly DirectoryRow[]; references: readonly DirectoryReference[]; covered: readonly string[] },
): Promise<ImportResult> {
  const { rows, references: refs } = imp;
  const covered = [...imp.covered];
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${IMPORT_LOCK}::bigint)`;
    if (refs.length > 0) {
      const kinds = refs.map((r) => r.kind);
      const ids = refs.map((r) => r.id);
      const found = await tx<{ kind: string; id: string }[]>`
        select d.kind, d.id from directory_records d
        join unnest(${kinds}::text[], ${ids}::text[]) as r(kind, id) on d.kind = r.kind and d.id = r.id
        where d.ended_at is null`;
      const known = new Set(found.map((f) => `${f.kind}\u0000${f.id}`));
      const missing = refs.find((r) => !known.has(`${r.kind}\u0000${r.id}`));
      if (missing) throw new UnknownReferenceError(missing);
    }
    await tx`create temp table incoming (kind text, id text, scope text, data jsonb) on commit drop`;
    // One parameter with the whole bundle as JSON; jsonb_to_recordset keeps it one round trip.
    await tx`insert into incoming select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(kind text, id text, scope text, data jsonb)`;
    await tx`
      insert into directory_history (kind, id, data)
      select d.kind, d.id, d.data from directory_records d join incoming i using (kind, id)
      where d.data is distinct from i.data`;
    const changed = await tx`
      insert into directory_records (kind, id, scope, data)
      select kind, id, scope, data from incoming
      on conflict (kind, id) do update
        set data = excluded.data, scope = excluded.scope, updated_at = now(), ended_at = null
        where directory_records.data is distinct from excluded.data or directory_records.ended_at is not null`;
    const ended = await tx`
      update directory_records d set ended_at = now()
      where d.ended_at is null and d.kind <> 'person' and d.scope = any(${covered}::text[])
        and not exists (select 1 from incoming i where i.kind = d.kind and i.id = d.id)`;
    const result: ImportResult = { changed: changed.count, ended: ended.count, unchanged: rows.length - changed.count };
    await tx`insert into directory_imports (digest, changed, ended) values (${createHash('sha256').update(JSON.stringify(rows)).digest('hex')}, ${result.changed}, ${result.ended})`;
    return result;
  }) as Promise<ImportResult>;
}

/** The active records (data as imported) and the guardian blocks: what hub/directory builds its view from. */
export async function loadDirectoryRows(sql: Sql): Promise<{ rows: { kind: string; data: unknown }[]; guardianBlocks: { guardianId: string; childId: string }[] }> {
  const rows = await sql<{ kind: string; data: unknown }[]>`select kind, data from directory_records where ended_at is null order by kind, id`;
  // Secrecy against a guardian (migration 007): the view is built without these links.
  const guardianBlocks = await sql<{ guardianId: string; childId: string }[]>`select guardian_id, child_id from guardian_blocks`;
  return { rows: [...rows], guardianBlocks: [...guardianBlocks] };
}

/** The newest import's number: nodes compare it to know whether to reload. */
export async function lastImportId(sql: Sql): Promise<number> {
  const [row] = await sql<{ id: number | null }[]>`select max(id) as id from directory_imports`;
  return Number(row?.id ?? 0);
}

/**
 * Records that every node must rebuild its directory: a row in the import log, which nodes
 * compare on the `__directory` broker message and every few seconds (hub/node.ts).
 */
export async function markDirectoryChanged(tx: Tx, what: string): Promise<void> {
  await tx`insert into directory_imports (digest, changed, ended) values (${what}, 1, 0)`;
}

/** Does the imported directory name `guardianId` as a guardian of `childId` (whatever the blocks)? */
export async function isGuardianInRecords(db: Db, guardianId: string, childId: string): Promise<boolean> {
  const rows = await db`
    select 1 from directory_records d
    where d.kind = 'person' and d.id = ${childId} and d.ended_at is null
      and exists (select 1 from jsonb_array_elements(coalesce(d.data->'responsibles', '[]'::jsonb)) r
                  where r->'person'->>'id' = ${guardianId} and r->>'relationType' = 'Vårdnadshavare')`;
  return rows.length > 0;
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/**
 * The person's own directory records: their person record, duties, placements, roles, with
 * replaced versions. Each condition is an index's (migration 022): keep them in that form.
 */
export async function directoryRecordsOf(db: Db, personId: string) {
  const records = await db<{ kind: string; id: string; data: unknown; firstSeen: Date; updatedAt: Date; endedAt: Date | null }[]>`
    select kind, id, data, first_seen, updated_at, ended_at from directory_records
    where (kind = 'person' and id = ${personId})
       or (kind in ('duty', 'role') and data->'person'->>'id' = ${personId})
       or (kind = 'placement' and data->'child'->>'id' = ${personId})
    order by kind, id`;
  const history = await db<{ kind: string; id: string; data: unknown; replacedAt: Date }[]>`
    select kind, id, data, replaced_at from directory_history
    where (kind = 'person' and id = ${personId})
       or (kind in ('duty', 'role') and data->'person'->>'id' = ${personId})
       or (kind = 'placement' and data->'child'->>'id' = ${personId})
    order by kind, id, replaced_at`;
  // Of a group record only the person's own membership entries: the others are other people's data.
  const memberships = await db<{ groupId: string; groupName: string; membership: unknown; endedAt: Date | null }[]>`
    select d.id as group_id, d.data->>'displayName' as group_name, m as membership, d.ended_at
    from directory_records d, jsonb_array_elements(coalesce(d.data->'groupMemberships', '[]'::jsonb)) m
    where d.kind = 'group' and jsonb_path_query_array(d.data, '$.groupMemberships[*].person.id') ? ${personId}
      and m->'person'->>'id' = ${personId}
    order by d.id`;
  return {
    records: records.map((r) => ({ ...r, firstSeen: iso(r.firstSeen), updatedAt: iso(r.updatedAt), endedAt: isoOrNull(r.endedAt) })),
    history: history.map((r) => ({ ...r, replacedAt: iso(r.replacedAt) })),
    groupMemberships: memberships.map((r) => ({ ...r, endedAt: isoOrNull(r.endedAt) })),
  };
}

export async function personExists(db: Db, personId: string): Promise<boolean> {
  const rows = await db`select 1 from directory_records where kind = 'person' and id = ${personId}`;
  return rows.length > 0;
}

// ── E-mail notifications (hub/notify/mail-targets.ts) ──────────────────────────────────────

/** The e-mail addresses (SS 12000 `Person.emails`, as imported) of each active person asked for. */
export async function personEmails(db: Db, personIds: readonly string[]): Promise<Map<string, { value: string; type?: string }[]>> {
  if (personIds.length === 0) return new Map();
  const rows = await db<{ id: string; emails: { value: string; type?: string }[] | null }[]>`
    select id, data->'emails' as emails from directory_records
    where kind = 'person' and ended_at is null and id = any(${personIds as string[]}::text[])`;
  return new Map(rows.map((r) => [r.id, Array.isArray(r.emails) ? r.emails : []]));
}
