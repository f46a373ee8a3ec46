// Plans, assignments and development conferences: one row each with the read keys of its
// audience (hub/audience.ts), and the pairs behind §3's "guardians who earlier started a
// conversation with them through a plan or assignment".
import type { Db, Tx } from './pool.ts';
import { iso, isoOrNull, keyedRows, keysMeet, type PageBefore, type Stored } from './rows.ts';
import { expireRows, type Holds } from './retention.ts';

export type ItemKind = 'plan' | 'assignment';
export type ItemState = 'draft' | 'published' | 'hidden' | 'closed';

export interface ItemFields {
  title: string;
  description: string;
  subject: string | null;
  /** YYYY-MM-DD */
  startsOn: string | null;
  /** YYYY-MM-DD */
  dueOn: string | null;
}

export interface ItemRow extends ItemFields {
  id: string;
  kind: ItemKind;
  schoolId: string;
  groupId: string;
  authorId: string;
  state: ItemState;
  clientKey: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export interface ConferenceRow {
  id: string;
  schoolId: string;
  groupId: string;
  mentorId: string;
  studentId: string;
  title: string;
  startsAt: string;
  location: string | null;
  state: 'open' | 'closed';
  clientKey: string;
  createdAt: string;
  closedAt: string | null;
}

// Dates are selected as text (`starts_on::text as starts_on_text`): a JS Date would shift
// them by the time zone.
type ItemRecord = Omit<Stored<ItemRow, 'createdAt' | 'updatedAt' | 'publishedAt'>, 'startsOn' | 'dueOn'> & { startsOnText: string | null; dueOnText: string | null };
type ConferenceRecord = Stored<ConferenceRow, 'startsAt' | 'createdAt' | 'closedAt'>;

function itemRow(r: ItemRecord): ItemRow {
  return {
    id: r.id, kind: r.kind, schoolId: r.schoolId, groupId: r.groupId, authorId: r.authorId, title: r.title, description: r.description,
    subject: r.subject, startsOn: r.startsOnText, dueOn: r.dueOnText, state: r.state, clientKey: r.clientKey,
    createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt), publishedAt: isoOrNull(r.publishedAt),
  };
}

function conferenceRow(r: ConferenceRecord): ConferenceRow {
  return {
    id: r.id, schoolId: r.schoolId, groupId: r.groupId, mentorId: r.mentorId, studentId: r.studentId, title: r.title,
    startsAt: iso(r.startsAt), location: r.location, state: r.state, clientKey: r.clientKey, createdAt: iso(r.createdAt), closedAt: isoOrNull(r.closedAt),
  };
}

const itemRows = keyedRows<ItemRecord, ItemRow>('items', 'author_id', itemRow, {
  columns: (db) => db`*, starts_on::text as starts_on_text, due_on::text as due_on_text`,
  wide: ['kind'],
});
export const { byKey: findItemByKey, byId: getItem, locked: lockItem } = itemRows;

export async function insertItem(
  tx: Tx,
  i: ItemFields & { id: string; kind: ItemKind; schoolId: string; groupId: string; authorId: string; state: ItemState; keys: string[]; clientKey: string },
): Promise<ItemRow> {
  const [r] = await tx<ItemRecord[]>`
    insert into items (id, kind, school_id, group_id, author_id, title, description, subject, starts_on, due_on, state, keys, client_key, published_at)
    values (${i.id}, ${i.kind}, ${i.schoolId}, ${i.groupId}, ${i.authorId}, ${i.title}, ${i.description}, ${i.subject},
            ${i.startsOn}::date, ${i.dueOn}::date, ${i.state}, ${i.keys}::text[], ${i.clientKey},
            case when ${i.state} = 'published' then date_trunc('milliseconds', now()) end)
    returning *, starts_on::text as starts_on_text, due_on::text as due_on_text`;
  return itemRow(r!);
}

export async function updateItemFields(tx: Tx, id: string, f: ItemFields): Promise<ItemRow> {
  const [r] = await tx<ItemRecord[]>`
    update items set title = ${f.title}, description = ${f.description}, subject = ${f.subject},
      starts_on = ${f.startsOn}::date, due_on = ${f.dueOn}::date, updated_at = date_trunc('milliseconds', now())
    where id = ${id}
    returning *, starts_on::text as starts_on_text, due_on::text as due_on_text`;
  return itemRow(r!);
}

/** A new state and the read keys that go with it; the first publication is remembered. */
export async function setItemState(tx: Tx, id: string, state: ItemState, keys: string[]): Promise<ItemRow> {
  const [r] = await tx<ItemRecord[]>`
    update items set state = ${state}, keys = ${keys}::text[], updated_at = date_trunc('milliseconds', now()),
      published_at = coalesce(published_at, case when ${state} = 'published' then date_trunc('milliseconds', now()) end)
    where id = ${id}
    returning *, starts_on::text as starts_on_text, due_on::text as due_on_text`;
  return itemRow(r!);
}

/** Items that carry any of `keys`, newest first, optionally of one group or kind. */
export function itemsPage(
  db: Db, keys: string[], limit: number, filter: { groupId?: string | undefined; kind?: ItemKind | undefined }, before?: PageBefore,
): Promise<ItemRow[]> {
  return itemRows.page(db, keys, { group_id: filter.groupId, kind: filter.kind }, limit, before);
}

const conferenceRows = keyedRows<ConferenceRecord, ConferenceRow>('conferences', 'mentor_id', conferenceRow);
export const { byKey: findConferenceByKey, byId: getConference } = conferenceRows;

export async function insertConference(
  tx: Tx,
  c: { id: string; schoolId: string; groupId: string; mentorId: string; studentId: string; title: string; startsAt: string; location: string | null; keys: string[]; clientKey: string },
): Promise<ConferenceRow> {
  const [r] = await tx<ConferenceRecord[]>`
    insert into conferences (id, school_id, group_id, mentor_id, student_id, title, starts_at, location, keys, client_key)
    values (${c.id}, ${c.schoolId}, ${c.groupId}, ${c.mentorId}, ${c.studentId}, ${c.title}, ${c.startsAt}::timestamptz, ${c.location}, ${c.keys}::text[], ${c.clientKey})
    returning *`;
  return conferenceRow(r!);
}

/** open → closed. Returns the row when it changed, undefined when it was already closed. */
export async function closeConference(tx: Tx, id: string): Promise<ConferenceRow | undefined> {
  const [r] = await tx<ConferenceRecord[]>`
    update conferences set state = 'closed', closed_at = date_trunc('milliseconds', now())
    where id = ${id} and state = 'open' returning *`;
  return r ? conferenceRow(r) : undefined;
}

export function conferencesPage(db: Db, keys: string[], limit: number, before?: PageBefore): Promise<ConferenceRow[]> {
  return conferenceRows.page(db, keys, {}, limit, before);
}

/** `personId` started (or joined by starting) a plan/assignment conversation with these teachers. */
export async function recordItemStarts(tx: Tx, teacherIds: string[], personId: string, conversationId: string): Promise<void> {
  if (teacherIds.length === 0) return;
  await tx`
    insert into item_conversation_starters (teacher_id, person_id, conversation_id)
    select unnest(${teacherIds}::text[]), ${personId}, ${conversationId}
    on conflict do nothing`;
}

/** The (teacher, person) pairs among `ids` where the person started through an item with the teacher. */
export async function itemStartsAmong(db: Db, ids: string[]): Promise<[teacherId: string, personId: string][]> {
  if (ids.length < 2) return [];
  const rows = await db<{ teacherId: string; personId: string }[]>`
    select teacher_id, person_id from item_conversation_starters
    where teacher_id = any(${ids}::text[]) and person_id = any(${ids}::text[])`;
  return rows.map((r) => [r.teacherId, r.personId]);
}

/** People who started through an item with this teacher (for the teacher's contacts). */
export async function itemStartersOf(db: Db, teacherId: string): Promise<string[]> {
  const rows = await db<{ personId: string }[]>`select person_id from item_conversation_starters where teacher_id = ${teacherId}`;
  return rows.map((r) => r.personId);
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** §3 history: plan/assignment conversations the person started with a teacher (or, as a teacher, that others started with them). */
export async function itemStartsOf(db: Db, personId: string): Promise<{ teacherId: string; personId: string; conversationId: string; firstAt: string }[]> {
  const rows = await db<{ teacherId: string; personId: string; conversationId: string; firstAt: Date }[]>`
    select teacher_id, person_id, conversation_id, first_at from item_conversation_starters
    where teacher_id = ${personId} or person_id = ${personId} order by first_at`;
  return rows.map((r) => ({ ...r, firstAt: iso(r.firstAt) }));
}

/** Plans and assignments the person wrote or may read through `keys`. */
export async function itemIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`select id from items where author_id = ${personId} or ${keysMeet(db, keys)} order by created_at, id`;
  return rows.map((r) => r.id);
}

/** Conferences about or held by the person, or that they may read through `keys`. */
export async function conferenceIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from conferences where student_id = ${personId} or mentor_id = ${personId} or ${keysMeet(db, keys)} order by created_at, id`;
  return rows.map((r) => r.id);
}

/** Plans and assignments of these schools last changed before `cutoff`. */
export function expireItems(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return expireRows(db, 'items', () => db`
    school_id = any(${schoolIds}::text[]) and greatest(created_at, updated_at) < ${cutoff}::timestamptz
    and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))`);
}

/** Conferences of these schools whose last date (created, held, closed) is before `cutoff`. */
export function expireConferences(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return expireRows(db, 'conferences', () => db`
    school_id = any(${schoolIds}::text[])
    and greatest(created_at, starts_at, coalesce(closed_at, created_at)) < ${cutoff}::timestamptz
    and not (id = any(${h.items}::text[]))
    and not (student_id = any(${h.persons}::text[])) and not (mentor_id = any(${h.persons}::text[]))`);
}
