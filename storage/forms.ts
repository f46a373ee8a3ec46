// Forms in development conferences (docs/DOMAIN.md §8). A form is read with its conference's
// state and mentor group, which decide who sees which fields. Filling and closing meet on
// the conference row: a fill holds it FOR SHARE and writes only while the conference is open
// (checked again in the UPDATE itself), and closing updates it, so a fill either lands before
// the close (and is released with it) or is refused; it never slips in after.
import type postgres from 'postgres';
import type { Db, Tx } from './pool.ts';
import { iso, keyedRows, keysMeet, type PageBefore, type Stored } from './rows.ts';

export interface Answer {
  value: string;
  /** Who wrote it. */
  by: string;
  at: string;
}

export interface FormRow {
  id: string;
  conferenceId: string;
  templateId: string;
  schoolId: string;
  studentId: string;
  mentorId: string;
  answers: Record<string, Answer>;
  clientKey: string;
  createdAt: string;
  updatedAt: string;
  /** The conference's state and mentor group, read with the form. */
  conferenceState: 'open' | 'closed';
  conferenceGroupId: string;
}

/** The conference's columns are read as `conference_state` and `conference_group`. */
type FormRecord = Omit<Stored<FormRow, 'createdAt' | 'updatedAt'>, 'conferenceGroupId'> & { conferenceGroup: string };

function formRow(r: FormRecord): FormRow {
  return {
    id: r.id, conferenceId: r.conferenceId, templateId: r.templateId, schoolId: r.schoolId, studentId: r.studentId, mentorId: r.mentorId,
    answers: r.answers ?? {}, clientKey: r.clientKey, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
    conferenceState: r.conferenceState, conferenceGroupId: r.conferenceGroup,
  };
}

// A form shows its conference's state and group.
const formRows = keyedRows<FormRecord, FormRow>('forms', 'mentor_id', formRow, {
  columns: (db) => db`f.*, c.state as conference_state, c.group_id as conference_group`,
  from: (db) => db`forms f join conferences c on c.id = f.conference_id`,
  alias: 'f',
});
export const { byKey: findFormByKey, byId: getForm } = formRows;

export async function findFormOfTemplate(db: Db, conferenceId: string, templateId: string): Promise<FormRow | undefined> {
  const [r] = await db<FormRecord[]>`
    select f.*, c.state as conference_state, c.group_id as conference_group from forms f join conferences c on c.id = f.conference_id
    where f.conference_id = ${conferenceId} and f.template_id = ${templateId}`;
  return r ? formRow(r) : undefined;
}

/** The conference's state, with a share lock that makes a concurrent close wait for this transaction. */
export async function conferenceStateForShare(tx: Tx, conferenceId: string): Promise<'open' | 'closed' | undefined> {
  const [r] = await tx<{ state: 'open' | 'closed' }[]>`select state from conferences where id = ${conferenceId} for share`;
  return r?.state;
}

/** Inserts a form while its conference is open; undefined when it was closed in the meantime (nothing written). */
export async function insertForm(
  tx: Tx,
  f: { id: string; conferenceId: string; templateId: string; schoolId: string; studentId: string; mentorId: string; keys: string[]; clientKey: string },
): Promise<FormRow | undefined> {
  const [r] = await tx<FormRecord[]>`
    with added as (
      insert into forms (id, conference_id, template_id, school_id, student_id, mentor_id, keys, client_key)
      select ${f.id}, ${f.conferenceId}, ${f.templateId}, ${f.schoolId}, ${f.studentId}, ${f.mentorId}, ${f.keys}::text[], ${f.clientKey}
      where exists (select 1 from conferences where id = ${f.conferenceId} and state = 'open')
      returning *)
    select added.*, c.state as conference_state, c.group_id as conference_group from added join conferences c on c.id = added.conference_id`;
  return r ? formRow(r) : undefined;
}

/**
 * Merges answers into the form (an empty value removes the answer) while its conference is
 * open; undefined when it is not (nothing written).
 */
export async function fillForm(tx: Tx, id: string, answers: Record<string, Answer | null>): Promise<FormRow | undefined> {
  const set = Object.fromEntries(Object.entries(answers).filter(([, a]) => a !== null));
  const cleared = Object.entries(answers).filter(([, a]) => a === null).map(([k]) => k);
  const [r] = await tx<FormRecord[]>`
    with changed as (
      update forms set answers = (answers - ${cleared}::text[]) || ${JSON.stringify(set)}::text::jsonb, updated_at = date_trunc('milliseconds', now())
      where id = ${id} and exists (select 1 from conferences c where c.id = forms.conference_id and c.state = 'open')
      returning *)
    select changed.*, c.state as conference_state, c.group_id as conference_group from changed join conferences c on c.id = changed.conference_id`;
  return r ? formRow(r) : undefined;
}

/** Every form of a conference, oldest first (what a close releases). */
export async function formsOfConference(db: Db, conferenceId: string): Promise<FormRow[]> {
  const rows = await db<FormRecord[]>`
    select f.*, c.state as conference_state, c.group_id as conference_group from forms f join conferences c on c.id = f.conference_id
    where f.conference_id = ${conferenceId} order by f.created_at, f.id`;
  return rows.map(formRow);
}

export function formsPage(
  db: Db, keys: string[], filter: { studentIds?: readonly string[] | undefined; conferenceId?: string | undefined }, limit: number, before?: PageBefore,
): Promise<FormRow[]> {
  return formRows.page(db, keys, { student_id: filter.studentIds, conference_id: filter.conferenceId }, limit, before);
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/**
 * A form `f` that any of `persons` answered (answers is {fieldId: {value, by, at}}): the
 * expression of the forms_answered_by index (migration 022), so that it is found by it.
 */
function answeredBy(db: Db, persons: readonly string[]): postgres.Fragment {
  return db`jsonb_path_query_array(f.answers, '$.*.by') ?| ${[...persons]}::text[]`;
}

/**
 * Forms the person holds as mentor or answered, or about `subjects` (the person, their
 * children) that `keys` reach; oldest first. Which fields show is the caller's (the rules).
 */
export async function formsForExport(db: Db, personId: string, subjects: readonly string[], keys: readonly string[]): Promise<FormRow[]> {
  const rows = await db<FormRecord[]>`
    select f.*, c.state as conference_state, c.group_id as conference_group from forms f join conferences c on c.id = f.conference_id
    where f.mentor_id = ${personId}
       or (f.student_id = any(${[...subjects]}::text[]) and ${keysMeet(db, keys, 'f.keys')})
       or ${answeredBy(db, [personId])}
    order by f.created_at, f.id`;
  return rows.map(formRow);
}

/**
 * The conferences that held forms hang off (deleting a conference takes its forms along): forms
 * held by id, or about, held by or answered by a held person.
 */
export async function conferencesOfHeldForms(db: Db, heldIds: readonly string[], heldPersons: readonly string[]): Promise<string[]> {
  const persons = [...heldPersons];
  const rows = await db<{ conferenceId: string }[]>`
    select distinct conference_id from forms f
    where id = any(${[...heldIds]}::text[]) or student_id = any(${persons}::text[]) or mentor_id = any(${persons}::text[])
       or ${answeredBy(db, persons)}`;
  return rows.map((r) => r.conferenceId);
}
