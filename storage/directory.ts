// Writes an imported directory bundle, all or nothing, and reads back the active records.
import { createHash } from 'node:crypto';
import type { Sql } from './pool.ts';
import type { Bundle } from '../hub/directory/schema.ts';
import type { DirectoryRecords } from '../hub/directory/build.ts';

type Kind = 'organisation' | 'person' | 'group' | 'duty' | 'activity' | 'placement' | 'role' | 'setting';
interface Row {
  kind: Kind;
  id: string;
  scope: string | null;
  data: unknown;
}

export interface ImportResult {
  /** Records written because they were new or different. */
  changed: number;
  /** Records of covered organisations that the bundle no longer names, now ended. */
  ended: number;
  /** Records named again exactly as stored. */
  unchanged: number;
}

export class ImportReferenceError extends Error {
  constructor(readonly path: (string | number)[], message: string) {
    super(message);
  }
}

// Only one import at a time across all nodes.
const IMPORT_LOCK = '7303411920002';

function rowsOf(b: Bundle): Row[] {
  const rows: Row[] = [];
  for (const o of b.organisations) rows.push({ kind: 'organisation', id: o.id, scope: o.parentOrganisation?.id ?? o.id, data: o });
  for (const p of b.persons) rows.push({ kind: 'person', id: p.id, scope: null, data: p });
  for (const g of b.groups) rows.push({ kind: 'group', id: g.id, scope: g.organisation.id, data: g });
  for (const d of b.duties) rows.push({ kind: 'duty', id: d.id, scope: d.dutyAt.id, data: d });
  for (const a of b.activities) rows.push({ kind: 'activity', id: a.id, scope: a.organisation.id, data: a });
  for (const p of b.placements) rows.push({ kind: 'placement', id: p.id, scope: p.placedAt.id, data: p });
  for (const r of b.extensions.roles) {
    const org = r.organisation?.id ?? null;
    rows.push({ kind: 'role', id: `${r.person.id}/${r.role}/${org ?? ''}`, scope: org, data: r });
  }
  for (const s of b.extensions.settings) rows.push({ kind: 'setting', id: s.organisation.id, scope: s.organisation.id, data: s });
  return rows;
}

/** Every reference in the bundle, with its path, the kind it must point at and the id. */
function referencesOf(b: Bundle): { path: (string | number)[]; kind: Kind; id: string }[] {
  const refs: { path: (string | number)[]; kind: Kind; id: string }[] = [];
  b.organisations.forEach((o, i) => o.parentOrganisation && refs.push({ path: ['organisations', i, 'parentOrganisation', 'id'], kind: 'organisation', id: o.parentOrganisation.id }));
  b.persons.forEach((p, i) => p.responsibles?.forEach((r, j) => refs.push({ path: ['persons', i, 'responsibles', j, 'person', 'id'], kind: 'person', id: r.person.id })));
  b.groups.forEach((g, i) => {
    refs.push({ path: ['groups', i, 'organisation', 'id'], kind: 'organisation', id: g.organisation.id });
    g.groupMemberships?.forEach((m, j) => refs.push({ path: ['groups', i, 'groupMemberships', j, 'person', 'id'], kind: 'person', id: m.person.id }));
  });
  b.duties.forEach((d, i) => {
    refs.push({ path: ['duties', i, 'person', 'id'], kind: 'person', id: d.person.id });
    refs.push({ path: ['duties', i, 'dutyAt', 'id'], kind: 'organisation', id: d.dutyAt.id });
    d.assignmentRole?.forEach((a, j) => refs.push({ path: ['duties', i, 'assignmentRole', j, 'group', 'id'], kind: 'group', id: a.group.id }));
  });
  b.activities.forEach((a, i) => {
    refs.push({ path: ['activities', i, 'organisation', 'id'], kind: 'organisation', id: a.organisation.id });
    a.groups.forEach((g, j) => refs.push({ path: ['activities', i, 'groups', j, 'id'], kind: 'group', id: g.id }));
    a.teachers?.forEach((t, j) => refs.push({ path: ['activities', i, 'teachers', j, 'duty', 'id'], kind: 'duty', id: t.duty.id }));
  });
  b.placements.forEach((p, i) => {
    refs.push({ path: ['placements', i, 'placedAt', 'id'], kind: 'organisation', id: p.placedAt.id });
    refs.push({ path: ['placements', i, 'group', 'id'], kind: 'group', id: p.group.id });
    refs.push({ path: ['placements', i, 'child', 'id'], kind: 'person', id: p.child.id });
  });
  b.extensions.roles.forEach((r, i) => {
    refs.push({ path: ['extensions', 'roles', i, 'person', 'id'], kind: 'person', id: r.person.id });
    if (r.organisation) refs.push({ path: ['extensions', 'roles', i, 'organisation', 'id'], kind: 'organisation', id: r.organisation.id });
  });
  b.extensions.settings.forEach((s, i) => refs.push({ path: ['extensions', 'settings', i, 'organisation', 'id'], kind: 'organisation', id: s.organisation.id }));
  return refs;
}

function duplicatesOf(rows: Row[]): Row | undefined {
  const seen = new Set<string>();
  for (const r of rows) {
    const k = `${r.kind}\u0000${r.id}`;
    if (seen.has(k)) return r;
    seen.add(k);
  }
  return undefined;
}

/**
 * Imports a validated bundle in one transaction. References must resolve within the bundle
 * or to records already imported; otherwise nothing is written and the error names the path.
 */
export async function importBundle(sql: Sql, bundle: Bundle): Promise<ImportResult> {
  const rows = rowsOf(bundle);
  const dup = duplicatesOf(rows);
  if (dup) throw new ImportReferenceError([dup.kind], `the ${dup.kind} ${dup.id} appears twice in the bundle`);
  const inBundle = new Set(rows.map((r) => `${r.kind}\u0000${r.id}`));
  const refs = referencesOf(bundle).filter((r) => !inBundle.has(`${r.kind}\u0000${r.id}`));
  const covered = bundle.organisations.map((o) => o.id);

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
      if (missing) throw new ImportReferenceError(missing.path, `no ${missing.kind} with id ${missing.id} in the bundle or the directory`);
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

/** The active records, shaped for buildDirectory. */
export async function loadDirectoryRecords(sql: Sql): Promise<DirectoryRecords> {
  const out: DirectoryRecords = { organisations: [], persons: [], groups: [], duties: [], activities: [], placements: [], roles: [], settings: [] };
  const rows = await sql<{ kind: Kind; data: never }[]>`select kind, data from directory_records where ended_at is null order by kind, id`;
  const byKind: Record<Kind, unknown[]> = {
    organisation: out.organisations, person: out.persons, group: out.groups, duty: out.duties,
    activity: out.activities, placement: out.placements, role: out.roles, setting: out.settings,
  };
  for (const r of rows) byKind[r.kind].push(r.data);
  // Secrecy against a guardian (migration 007): the view is built without these links.
  const blocks = await sql<{ guardian_id: string; child_id: string }[]>`select guardian_id, child_id from guardian_blocks`;
  out.guardianBlocks = blocks.map((b) => ({ guardianId: b.guardian_id, childId: b.child_id }));
  return out;
}

/** The newest import's number: nodes compare it to know whether to reload. */
export async function lastImportId(sql: Sql): Promise<number> {
  const [row] = await sql<{ id: number | null }[]>`select max(id) as id from directory_imports`;
  return Number(row?.id ?? 0);
}
