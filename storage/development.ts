// Feedback (docs/DOMAIN.md §6) and assessments (§7): one row per student and record, with the read
// keys of its audience for its state (hub/audience-development.ts). Lists page newest first
// by (created_at, id) and are always filtered by the reader's keys.
import type { Db, Tx } from './pool.ts';
import { iso, isoOrNull, keyedRows, keysMeet, type PageBefore, type Stored } from './rows.ts';
import { expireRows, type Holds } from './retention.ts';

export type { PageBefore };

export type DevelopmentState = 'draft' | 'published';

export interface FeedbackRow {
  id: string;
  itemId: string;
  /** The item's, read with the row (a renamed plan shows its new title). */
  itemKind: 'plan' | 'assignment';
  itemTitle: string;
  schoolId: string;
  groupId: string;
  studentId: string;
  authorId: string;
  body: string;
  state: DevelopmentState;
  clientKey: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export interface AssessmentRow {
  id: string;
  schoolId: string;
  groupId: string;
  studentId: string;
  authorId: string;
  subject: string;
  level: string | null;
  text: string | null;
  state: DevelopmentState;
  clientKey: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

/** Which records a page holds: about these students, of this item or group. */
export interface DevelopmentFilter {
  studentIds?: readonly string[] | undefined;
  itemId?: string | undefined;
  groupId?: string | undefined;
}


type FeedbackRecord = Stored<FeedbackRow, 'createdAt' | 'updatedAt' | 'publishedAt'>;
/** The column is `body`; the hub calls an assessment's text `text`. */
type AssessmentRecord = Omit<Stored<AssessmentRow, 'createdAt' | 'updatedAt' | 'publishedAt'>, 'text'> & { body: string | null };

function feedbackRow(r: FeedbackRecord): FeedbackRow {
  return {
    id: r.id, itemId: r.itemId, itemKind: r.itemKind, itemTitle: r.itemTitle, schoolId: r.schoolId, groupId: r.groupId, studentId: r.studentId,
    authorId: r.authorId, body: r.body, state: r.state, clientKey: r.clientKey,
    createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt), publishedAt: isoOrNull(r.publishedAt),
  };
}

function assessmentRow(r: AssessmentRecord): AssessmentRow {
  return {
    id: r.id, schoolId: r.schoolId, groupId: r.groupId, studentId: r.studentId, authorId: r.authorId, subject: r.subject,
    level: r.level, text: r.body, state: r.state, clientKey: r.clientKey,
    createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt), publishedAt: isoOrNull(r.publishedAt),
  };
}

// ── Feedback ────────────────────────────────────────────────────────────────────────────

// Feedback shows its item's kind and title.
const feedbackRows = keyedRows<FeedbackRecord, FeedbackRow>('feedback', 'author_id', feedbackRow, {
  columns: (db) => db`f.*, i.kind as item_kind, i.title as item_title`,
  from: (db) => db`feedback f join items i on i.id = f.item_id`,
  alias: 'f',
});
export const { byKey: findFeedbackByKey, byId: getFeedback } = feedbackRows;

/** The feedback locked for this transaction, with its item's state (publishing needs it published). */
export async function lockFeedback(tx: Tx, id: string): Promise<(FeedbackRow & { itemState: string }) | undefined> {
  const [r] = await tx<(FeedbackRecord & { itemState: string })[]>`
    select f.*, i.kind as item_kind, i.title as item_title, i.state as item_state from feedback f join items i on i.id = f.item_id
    where f.id = ${id} for update of f`;
  return r ? { ...feedbackRow(r), itemState: r.itemState } : undefined;
}

export async function insertFeedback(
  tx: Tx,
  f: { id: string; itemId: string; schoolId: string; groupId: string; studentId: string; authorId: string; body: string; state: DevelopmentState; keys: string[]; clientKey: string },
): Promise<FeedbackRow> {
  const [r] = await tx<FeedbackRecord[]>`
    with added as (
      insert into feedback (id, item_id, school_id, group_id, student_id, author_id, body, state, keys, client_key, published_at)
      values (${f.id}, ${f.itemId}, ${f.schoolId}, ${f.groupId}, ${f.studentId}, ${f.authorId}, ${f.body}, ${f.state}, ${f.keys}::text[], ${f.clientKey},
              case when ${f.state} = 'published' then date_trunc('milliseconds', now()) end)
      returning *)
    select added.*, i.kind as item_kind, i.title as item_title from added join items i on i.id = added.item_id`;
  return feedbackRow(r!);
}

/** A new body, or a new state and its keys (the first publication is remembered). */
export async function updateFeedback(tx: Tx, id: string, change: { body: string; state: DevelopmentState; keys: string[] }): Promise<FeedbackRow> {
  const [r] = await tx<FeedbackRecord[]>`
    with changed as (
      update feedback set body = ${change.body}, state = ${change.state}, keys = ${change.keys}::text[],
        updated_at = date_trunc('milliseconds', now()),
        published_at = coalesce(published_at, case when ${change.state} = 'published' then date_trunc('milliseconds', now()) end)
      where id = ${id} returning *)
    select changed.*, i.kind as item_kind, i.title as item_title from changed join items i on i.id = changed.item_id`;
  return feedbackRow(r!);
}

export function feedbackPage(db: Db, keys: string[], filter: DevelopmentFilter, limit: number, before?: PageBefore): Promise<FeedbackRow[]> {
  return feedbackRows.page(db, keys, { student_id: filter.studentIds, item_id: filter.itemId, group_id: filter.groupId }, limit, before);
}

// ── Assessments ─────────────────────────────────────────────────────────────────────────

const assessmentRows = keyedRows<AssessmentRecord, AssessmentRow>('assessments', 'author_id', assessmentRow);
export const { byKey: findAssessmentByKey, byId: getAssessment, locked: lockAssessment } = assessmentRows;

export async function insertAssessment(
  tx: Tx,
  a: { id: string; schoolId: string; groupId: string; studentId: string; authorId: string; subject: string; level: string | null; text: string | null; state: DevelopmentState; keys: string[]; clientKey: string },
): Promise<AssessmentRow> {
  const [r] = await tx<AssessmentRecord[]>`
    insert into assessments (id, school_id, group_id, student_id, author_id, subject, level, body, state, keys, client_key, published_at)
    values (${a.id}, ${a.schoolId}, ${a.groupId}, ${a.studentId}, ${a.authorId}, ${a.subject}, ${a.level}, ${a.text}, ${a.state}, ${a.keys}::text[], ${a.clientKey},
            case when ${a.state} = 'published' then date_trunc('milliseconds', now()) end)
    returning *`;
  return assessmentRow(r!);
}

export async function updateAssessment(
  tx: Tx, id: string, change: { level: string | null; text: string | null; state: DevelopmentState; keys: string[] },
): Promise<AssessmentRow> {
  const [r] = await tx<AssessmentRecord[]>`
    update assessments set level = ${change.level}, body = ${change.text}, state = ${change.state}, keys = ${change.keys}::text[],
      updated_at = date_trunc('milliseconds', now()),
      published_at = coalesce(published_at, case when ${change.state} = 'published' then date_trunc('milliseconds', now()) end)
    where id = ${id} returning *`;
  return assessmentRow(r!);
}

export function assessmentsPage(db: Db, keys: string[], filter: DevelopmentFilter, limit: number, before?: PageBefore): Promise<AssessmentRow[]> {
  return assessmentRows.page(db, keys, { student_id: filter.studentIds, group_id: filter.groupId }, limit, before);
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** Feedback the person wrote, or about `subjects` (the person, their children) that `keys` reach; oldest first. */
export async function feedbackForExport(db: Db, personId: string, subjects: readonly string[], keys: readonly string[]): Promise<FeedbackRow[]> {
  const rows = await db<FeedbackRecord[]>`
    select f.*, i.kind as item_kind, i.title as item_title from feedback f join items i on i.id = f.item_id
    where f.author_id = ${personId} or (f.student_id = any(${[...subjects]}::text[]) and ${keysMeet(db, keys, 'f.keys')})
    order by f.created_at, f.id`;
  return rows.map(feedbackRow);
}

/** Assessments the person wrote, or about `subjects` that `keys` reach; oldest first. */
export async function assessmentsForExport(db: Db, personId: string, subjects: readonly string[], keys: readonly string[]): Promise<AssessmentRow[]> {
  const rows = await db<AssessmentRecord[]>`
    select * from assessments
    where author_id = ${personId} or (student_id = any(${[...subjects]}::text[]) and ${keysMeet(db, keys)})
    order by created_at, id`;
  return rows.map(assessmentRow);
}

/**
 * The items that held feedback hangs off (retention must keep them: deleting an item takes its
 * feedback along): feedback held by id, or about or by a held person.
 */
export async function itemsOfHeldFeedback(db: Db, heldIds: readonly string[], heldPersons: readonly string[]): Promise<string[]> {
  const rows = await db<{ itemId: string }[]>`
    select distinct item_id from feedback
    where id = any(${[...heldIds]}::text[]) or student_id = any(${[...heldPersons]}::text[]) or author_id = any(${[...heldPersons]}::text[])`;
  return rows.map((r) => r.itemId);
}

/** Deletes these schools' assessments last changed before `cutoff` and not held (by id, student or author), in batches; the count. */
export function expireAssessments(db: Db, schoolIds: readonly string[], cutoff: string, h: Holds): Promise<number> {
  return expireRows(db, 'assessments', () => db`
    school_id = any(${[...schoolIds]}::text[]) and greatest(created_at, updated_at) < ${cutoff}::timestamptz
    and not (id = any(${h.items}::text[]))
    and not (student_id = any(${h.persons}::text[])) and not (author_id = any(${h.persons}::text[]))`);
}
