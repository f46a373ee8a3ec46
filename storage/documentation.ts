// Preschool documentation (docs/DOMAIN.md §4) and the facts about uploaded attachments (the bytes
// live under HUB_DATA_DIR/attachments, storage/attachment-files.ts). An attachment belongs to
// its uploader until one documentation takes it; a documentation's attachments are those
// whose documentation_id is it (one place says which, so two documentations never disagree).
import type { Db, Sql, Tx } from './pool.ts';
import { iso, keyedRows, keysMeet, matching, namesFewRows, pageByKeys, type PageBefore, type Stored } from './rows.ts';
import type { Holds } from './retention.ts';

/** What an upload is for (migration 015): only a record of that kind takes it. */
export type AttachmentPurpose = 'documentation' | 'message' | 'post';

export interface AttachmentRow {
  id: string;
  ownerId: string;
  purpose: AttachmentPurpose;
  contentType: string;
  size: number;
  filename: string;
  sha256: string;
  documentationId: string | null;
  messageId: string | null;
  postId: string | null;
  /** An image's thumbnail file (made once, on upload), or null. */
  thumbnailId: string | null;
  width: number | null;
  height: number | null;
  createdAt: string;
}

/** What a message or post keeps of each of its files (its `files` column), to show them. */
export interface FileFacts {
  id: string;
  contentType: string;
  size: number;
  filename: string;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
}

export const fileFacts = (a: AttachmentRow): FileFacts => ({
  id: a.id, contentType: a.contentType, size: a.size, filename: a.filename, width: a.width, height: a.height, thumbnail: a.thumbnailId !== null,
});

/** The record that took an upload: one documentation, message or post. */
export type AttachmentHolder = { documentationId: string } | { messageId: string } | { postId: string };

export interface DocumentationFields {
  title: string;
  body: string;
  goals: string[];
}

export interface DocumentationRow extends DocumentationFields {
  id: string;
  schoolId: string;
  groupId: string;
  authorId: string;
  childIds: string[];
  wholeGroup: boolean;
  clientKey: string;
  createdAt: string;
  updatedAt: string;
}

type AttachmentRecord = Stored<AttachmentRow, 'createdAt'>;
type DocumentationRecord = Stored<DocumentationRow, 'createdAt' | 'updatedAt'>;

function attachmentRow(r: AttachmentRecord): AttachmentRow {
  return {
    id: r.id, ownerId: r.ownerId, purpose: r.purpose, contentType: r.contentType, size: Number(r.size), filename: r.filename, sha256: r.sha256,
    documentationId: r.documentationId, messageId: r.messageId, postId: r.postId, thumbnailId: r.thumbnailId, width: r.width, height: r.height,
    createdAt: iso(r.createdAt),
  };
}

function documentationRow(r: DocumentationRecord): DocumentationRow {
  return {
    id: r.id, schoolId: r.schoolId, groupId: r.groupId, authorId: r.authorId, title: r.title, body: r.body, goals: r.goals ?? [],
    childIds: r.childIds ?? [], wholeGroup: r.wholeGroup, clientKey: r.clientKey, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
  };
}

// ── Attachments ─────────────────────────────────────────────────────────────────────────

export async function insertAttachment(db: Db, a: Omit<AttachmentRow, 'documentationId' | 'messageId' | 'postId' | 'createdAt'>): Promise<AttachmentRow> {
  const [r] = await db<AttachmentRecord[]>`
    insert into attachments (id, owner_id, purpose, content_type, size, filename, sha256, thumbnail_id, width, height)
    values (${a.id}, ${a.ownerId}, ${a.purpose}, ${a.contentType}, ${a.size}, ${a.filename}, ${a.sha256}, ${a.thumbnailId}, ${a.width}, ${a.height})
    returning *`;
  return attachmentRow(r!);
}

export interface PendingUploads {
  /** The owner's uploads not yet taken by a documentation, a message or a post. */
  files: number;
  bytes: number;
}

/**
 * An attachment that no documentation, message or post has taken: the condition of the
 * attachments_unlinked index (migration 023), in its form, so that PostgreSQL uses it.
 */
const unlinked = (db: Db) => db.unsafe('documentation_id is null and message_id is null and post_id is null');

/** What the per-person upload quota counts. */
export async function pendingUploadsOf(db: Db, ownerId: string): Promise<PendingUploads> {
  const [r] = await db<{ files: number; bytes: string }[]>`
    select count(*)::int as files, coalesce(sum(size), 0)::bigint as bytes from attachments
    where owner_id = ${ownerId} and ${unlinked(db)}`;
  return { files: Number(r!.files), bytes: Number(r!.bytes) };
}

/**
 * Every attachment's bytes: what the attachments folder holds. A scan of the table (170 ms at a
 * million rows), so the hub asks it at most every few seconds (hub/attachments/total.ts).
 */
export async function attachmentsTotalBytes(db: Db): Promise<number> {
  const [r] = await db<{ bytes: string }[]>`select coalesce(sum(size), 0)::bigint as bytes from attachments`;
  return Number(r!.bytes);
}

export async function getAttachment(db: Db, id: string): Promise<AttachmentRow | undefined> {
  const [r] = await db<AttachmentRecord[]>`select * from attachments where id = ${id}`;
  return r ? attachmentRow(r) : undefined;
}

/** The attachments, locked for this transaction (a documentation is about to take them). */
export async function lockAttachments(tx: Tx, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx<AttachmentRecord[]>`select * from attachments where id = any(${[...ids]}::text[]) order by id for update`;
  return rows.map(attachmentRow);
}

/** Gives these uploads (locked and checked by the caller) to the record that takes them. */
export async function linkAttachments(tx: Tx, ids: readonly string[], holder: AttachmentHolder): Promise<void> {
  if (ids.length === 0) return;
  const column = 'documentationId' in holder ? 'documentation_id' : 'messageId' in holder ? 'message_id' : 'post_id';
  const id = 'documentationId' in holder ? holder.documentationId : 'messageId' in holder ? holder.messageId : holder.postId;
  await tx`update attachments set ${tx(column)} = ${id} where id = any(${[...ids]}::text[])`;
}

/** The files of deleted attachment rows: each row's own and its thumbnail's. */
const filesOf = (rows: readonly { id: string; thumbnailId: string | null }[]): string[] =>
  rows.flatMap((r) => (r.thumbnailId ? [r.id, r.thumbnailId] : [r.id]));

/** Deletes a message's attachment rows (the message was deleted); the files to remove once committed. */
export async function deleteMessageAttachments(tx: Tx, messageId: string): Promise<string[]> {
  return filesOf(await tx<{ id: string; thumbnailId: string | null }[]>`delete from attachments where message_id = ${messageId} returning id, thumbnail_id`);
}

/**
 * Deletes these attachment rows of one documentation (taken off it by documentation.update);
 * returns the ids deleted, whose files the caller removes once the transaction committed.
 */
export async function deleteDocumentationAttachments(tx: Tx, documentationId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return filesOf(await tx<{ id: string; thumbnailId: string | null }[]>`
    delete from attachments where documentation_id = ${documentationId} and id = any(${[...ids]}::text[]) returning id, thumbnail_id`);
}

/** The attachments of these documentations, by documentation id, oldest first. */
export async function attachmentsOf(db: Db, documentationIds: readonly string[]): Promise<Map<string, AttachmentRow[]>> {
  const out = new Map<string, AttachmentRow[]>();
  if (documentationIds.length === 0) return out;
  const rows = await db<AttachmentRecord[]>`select * from attachments where documentation_id = any(${[...documentationIds]}::text[]) order by created_at, id`;
  for (const r of rows.map(attachmentRow)) {
    const list = out.get(r.documentationId!) ?? [];
    list.push(r);
    out.set(r.documentationId!, list);
  }
  return out;
}

// ── Documentation ───────────────────────────────────────────────────────────────────────

export const { byKey: findDocumentationByKey, byId: getDocumentation, locked: lockDocumentation } = keyedRows<DocumentationRecord, DocumentationRow>('documentation', 'author_id', documentationRow);

export async function insertDocumentation(
  tx: Tx,
  d: DocumentationFields & { id: string; schoolId: string; groupId: string; authorId: string; childIds: string[]; wholeGroup: boolean; keys: string[]; clientKey: string },
): Promise<DocumentationRow> {
  const [r] = await tx<DocumentationRecord[]>`
    insert into documentation (id, school_id, group_id, author_id, title, body, goals, child_ids, whole_group, keys, client_key)
    values (${d.id}, ${d.schoolId}, ${d.groupId}, ${d.authorId}, ${d.title}, ${d.body}, ${d.goals}::text[], ${d.childIds}::text[],
            ${d.wholeGroup}, ${d.keys}::text[], ${d.clientKey})
    returning *`;
  return documentationRow(r!);
}

export async function updateDocumentation(tx: Tx, id: string, f: DocumentationFields): Promise<DocumentationRow> {
  const [r] = await tx<DocumentationRecord[]>`
    update documentation set title = ${f.title}, body = ${f.body}, goals = ${f.goals}::text[], updated_at = date_trunc('milliseconds', now())
    where id = ${id} returning *`;
  return documentationRow(r!);
}

export interface DocumentationFilter {
  childIds?: readonly string[] | undefined;
  groupId?: string | undefined;
  schoolId?: string | undefined;
}

export async function documentationPage(
  db: Db, keys: string[], filter: DocumentationFilter, limit: number, before?: PageBefore,
): Promise<DocumentationRow[]> {
  const children = filter.childIds ? [...filter.childIds] : null;
  const where = () => db`(${children}::text[] is null or child_ids && ${children}::text[]) and ${matching(db, { group_id: filter.groupId, school_id: filter.schoolId })}`;
  const narrow = namesFewRows({ child_ids: children, group_id: filter.groupId, school_id: filter.schoolId });
  const rows = await pageByKeys(db, { table: 'documentation', keys, where, narrow, limit, before }, (page) => db<DocumentationRecord[]>`
    ${page}
    select * from documentation where id in (select id from page) order by created_at desc, id desc`);
  return rows.map(documentationRow);
}

export interface GoalCount {
  goal: string;
  count: number;
}

/**
 * The curriculum goals of one school's documentation (optionally one child group) that `keys`
 * reach: how many there are, and per goal how many of them name it, most first (then by goal),
 * at most `maxGoals`. Counted here: the dashboard sums what may be far more than a page.
 */
export async function documentationGoals(
  db: Db, keys: string[], filter: { schoolId: string; groupId?: string | undefined }, maxGoals: number,
): Promise<{ total: number; goals: GoalCount[] }> {
  const group = filter.groupId ?? null;
  const [totals, goals] = await Promise.all([
    db<{ n: number }[]>`
      select count(*)::int as n from documentation
      where ${keysMeet(db, keys)} and school_id = ${filter.schoolId} and (${group}::text is null or group_id = ${group}::text)`,
    // distinct: a goal written twice in one documentation counts it once.
    db<{ goal: string; n: number }[]>`
      select g.goal, count(distinct d.id)::int as n
      from documentation d cross join lateral unnest(d.goals) as g(goal)
      where ${keysMeet(db, keys, 'd.keys')} and d.school_id = ${filter.schoolId} and (${group}::text is null or d.group_id = ${group}::text)
      group by g.goal
      order by n desc, g.goal
      limit ${maxGoals}`,
  ]);
  return { total: totals[0]?.n ?? 0, goals: goals.map((r) => ({ goal: r.goal, count: r.n })) };
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/**
 * Documentation the person wrote or is about, or about `children` (their children) that
 * `keys` reach; oldest first.
 */
export async function documentationForExport(db: Db, personId: string, children: readonly string[], keys: readonly string[]): Promise<DocumentationRow[]> {
  const rows = await db<DocumentationRecord[]>`
    select * from documentation
    where author_id = ${personId} or child_ids @> array[${personId}::text]
       or (child_ids && ${[...children]}::text[] and ${keysMeet(db, keys)})
    order by created_at, id`;
  return rows.map(documentationRow);
}

/** The person's uploads (linked or not), oldest first. */
export async function attachmentsOwnedBy(db: Db, ownerId: string): Promise<AttachmentRow[]> {
  const rows = await db<AttachmentRecord[]>`select * from attachments where owner_id = ${ownerId} order by created_at, id`;
  return rows.map(attachmentRow);
}

/**
 * Deletes one batch of these schools' documentation last changed before `cutoff` and not held
 * (by id, by one of its attachments' ids, by its author or a child it is about), with its
 * attachment rows; returns the count and the attachment ids, whose files the caller removes.
 */
export async function expireDocumentationBatch(
  sql: Sql, schoolIds: readonly string[], cutoff: string, h: Holds, limit: number,
): Promise<{ documentation: number; attachmentIds: string[] }> {
  return sql.begin(async (tx) => {
    const due = await tx<{ id: string }[]>`
      select d.id from documentation d
      where d.school_id = any(${[...schoolIds]}::text[]) and greatest(d.created_at, d.updated_at) < ${cutoff}::timestamptz
        and not (d.id = any(${h.items}::text[])) and not (d.author_id = any(${h.persons}::text[]))
        and not (d.child_ids && ${h.persons}::text[])
        and not exists (select 1 from attachments a where a.documentation_id = d.id and a.id = any(${h.items}::text[]))
      order by d.id limit ${limit}
      for update skip locked`;
    const ids = due.map((r) => r.id);
    if (ids.length === 0) return { documentation: 0, attachmentIds: [] };
    const attachments = await tx<{ id: string; thumbnailId: string | null }[]>`delete from attachments where documentation_id = any(${ids}::text[]) returning id, thumbnail_id`;
    await tx`delete from documentation where id = any(${ids}::text[])`;
    return { documentation: ids.length, attachmentIds: filesOf(attachments) };
  }) as Promise<{ documentation: number; attachmentIds: string[] }>;
}

/**
 * Deletes one batch of uploads never taken by a documentation, message or post, made before
 * `before` and not held; returns their files (with thumbnails: a full batch may name more
 * files than `limit`, and the caller's next batch then finds the rest or nothing).
 */
export async function expireUnlinkedAttachmentBatch(db: Db, before: string, h: Holds, limit: number): Promise<string[]> {
  const rows = await db<{ id: string; thumbnailId: string | null }[]>`
    delete from attachments where id in (
      select id from attachments
      where ${unlinked(db)} and created_at < ${before}::timestamptz
        and not (id = any(${h.items}::text[])) and not (owner_id = any(${h.persons}::text[]))
      order by id limit ${limit}
      for update skip locked)
    and ${unlinked(db)}
    returning id, thumbnail_id`;
  return filesOf(rows);
}

/** Which of these attachment ids have a row. */
export async function existingAttachmentIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  // A thumbnail's file is kept by the row that names it.
  const rows = await db<{ id: string }[]>`
    select id from attachments where id = any(${[...ids]}::text[])
    union all select thumbnail_id from attachments where thumbnail_id = any(${[...ids]}::text[])`;
  return new Set(rows.map((r) => r.id));
}
