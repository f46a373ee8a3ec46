// What an SS 12000 bundle becomes before it is written: one row per record, and the
// references it makes that the bundle itself does not satisfy (those must name records
// already imported; storage/directory.ts checks them inside the import's transaction).
// Pure: no I/O.
import type { Bundle } from './schema.ts';
import type { DirectoryRecords } from './build.ts';

export type RecordKind = 'organisation' | 'person' | 'group' | 'duty' | 'activity' | 'placement' | 'role' | 'setting';

/** One stored record (table directory_records): `scope` is the organisation an import covers it through. */
export interface RecordRow {
  kind: RecordKind;
  id: string;
  scope: string | null;
  data: unknown;
}

/** A reference in the bundle: the JSON path to it, the kind it must point at, and the id. */
export interface RecordReference {
  path: (string | number)[];
  kind: RecordKind;
  id: string;
}

/** A bundle ready to write: its rows, the references left to check, the organisations it covers. */
export interface PreparedImport {
  rows: RecordRow[];
  references: RecordReference[];
  covered: string[];
}

/** Refuses the import (400 `invalid`), naming the path to what is wrong (docs/DIRECTORY-IMPORT.md). */
export class ImportReferenceError extends Error {
  constructor(readonly path: (string | number)[], message: string) {
    super(message);
  }
}

function rowsOf(b: Bundle): RecordRow[] {
  const rows: RecordRow[] = [];
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
function referencesOf(b: Bundle): RecordReference[] {
  const refs: RecordReference[] = [];
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

const keyOf = (r: { kind: string; id: string }) => `${r.kind}\u0000${r.id}`;

/**
 * Flattens a validated bundle and checks what can be checked without the stored directory:
 * no record twice. The references it returns are those the bundle does not satisfy itself.
 */
export function prepareImport(bundle: Bundle): PreparedImport {
  const rows = rowsOf(bundle);
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(keyOf(r))) throw new ImportReferenceError([r.kind], `the ${r.kind} ${r.id} appears twice in the bundle`);
    seen.add(keyOf(r));
  }
  const references = referencesOf(bundle).filter((r) => !seen.has(keyOf(r)));
  return { rows, references, covered: bundle.organisations.map((o) => o.id) };
}

/** The refusal for a reference that names no record in the bundle or the stored directory. */
export function unknownReference(r: { path: (string | number)[]; kind: string; id: string }): ImportReferenceError {
  return new ImportReferenceError(r.path, `no ${r.kind} with id ${r.id} in the bundle or the directory`);
}

/**
 * The stored active records, shaped for buildDirectory. Their data was validated by
 * bundleSchema when it was imported, so it is taken as the record type of its kind.
 */
export function directoryRecordsFrom(
  rows: readonly { kind: string; data: unknown }[], guardianBlocks: { guardianId: string; childId: string }[],
): DirectoryRecords {
  const out: DirectoryRecords = { organisations: [], persons: [], groups: [], duties: [], activities: [], placements: [], roles: [], settings: [], guardianBlocks };
  const byKind: Record<RecordKind, unknown[]> = {
    organisation: out.organisations, person: out.persons, group: out.groups, duty: out.duties,
    activity: out.activities, placement: out.placements, role: out.roles, setting: out.settings,
  };
  for (const r of rows) byKind[r.kind as RecordKind]?.push(r.data);
  return out;
}
