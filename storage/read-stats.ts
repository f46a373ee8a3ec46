// Read statistics of posts and mailings (migrations 014 and 024): one counter per item and
// audience part, and the last reminder of each item. A read mark takes no lock: it inserts what
// it counts (feed_read_deltas), one node at a time folds those rows into the counters every
// second, and a statistics read adds what is not folded yet. Which reader is in which part is
// the hub's to say (hub/read-audience.ts); this file only counts.
import type { Db, Sql, Tx } from './pool.ts';
import { iso } from './rows.ts';

export const READ_PARTS = ['students', 'guardians', 'staff'] as const;
export type ReadPart = (typeof READ_PARTS)[number];

/** Marks a counter as counted at no directory state: the next statistics read recounts it. */
const STALE = -1;

/**
 * The item's counters, one per part (folds and recounts lock them): an insert reading the item
 * from the CTE named `item` of the statement it is part of. Made in the item's creating
 * statement, and again by a recount for an item that still exists.
 */
export function readCountersOf(tx: Tx) {
  return tx`insert into feed_read_counts (item_id, part) select id, unnest(${[...READ_PARTS]}::text[]) from item on conflict do nothing`;
}

/**
 * After read marks were inserted in `tx`: what each new mark counts, the parts of its item's
 * audience the reader is in by the directory at `directoryImport` (none, too: a mark judged at
 * another import than the counters' makes them stale, whatever it counts). An insert and no
 * more: no row another writer needs is locked, so marks of one item never wait for each other's
 * commit, nor does any write that shares a group commit with one (migration 024).
 */
export async function countReads(tx: Tx, directoryImport: number, marks: readonly { itemId: string; parts: readonly ReadPart[] }[]): Promise<void> {
  if (marks.length === 0) return;
  // As text: postgres.js does not send an array of booleans as one.
  const inPart = (part: ReadPart) => marks.map((m) => String(m.parts.includes(part)));
  await tx`
    insert into feed_read_deltas (item_id, students, guardians, staff, directory_import)
    select m.*, ${directoryImport}
    from unnest(${marks.map((m) => m.itemId)}::text[], ${inPart('students')}::text[]::boolean[], ${inPart('guardians')}::text[]::boolean[], ${inPart('staff')}::text[]::boolean[]) as m`;
}

/** Rows of feed_read_deltas one fold takes at most; the rest wait for the next. */
export const FOLD_BATCH = 10_000;

/** One node at a time folds (schoolhub's advisory locks count up from MIGRATION_LOCK, storage/migrate.ts). */
const FOLD_LOCK = '7303411920006';

/**
 * Folds the oldest counted marks (at most FOLD_BATCH) into their items' counters: a counter at
 * the import every mark of its item was judged at takes their count; any other is made stale,
 * to be recounted by the next statistics read. Under the counters' row locks, taken in the
 * order recountReads takes them, so a fold and a recount of one item run one after the other.
 * Returns the marks folded, or undefined when another node was folding.
 */
export async function foldReads(sql: Sql): Promise<number | undefined> {
  // Mostly there is nothing to fold: one statement says so, and no transaction is opened (each
  // statement of one waits for this process's event loop, which at a chat's saturation is busy).
  const [some] = await sql<{ any: boolean }[]>`select exists (select from feed_read_deltas) as any`;
  if (!some?.any) return 0;
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${FOLD_LOCK}::bigint) as ok`;
    if (!lock?.ok) return undefined;
    const [oldest] = await tx<{ upto: string | null; items: string[] | null }[]>`
      select max(id)::text as upto, array_agg(distinct item_id) as items
      from (select id, item_id from feed_read_deltas order by id limit ${FOLD_BATCH}) x`;
    if (!oldest?.upto || !oldest.items) return 0;
    const items = oldest.items;
    await tx`select 1 from feed_read_counts where item_id = any(${items}::text[]) order by item_id, part for update`;
    // One statement: what it deletes is what it adds. A mark committed since the first read,
    // with an id up to `upto` and one of these items, is taken too (its counters are locked).
    const [folded] = await tx<{ n: number }[]>`
      with d as (
        delete from feed_read_deltas where id <= ${oldest.upto}::bigint and item_id = any(${items}::text[])
        returning item_id, students, guardians, staff, directory_import
      ),
      per_item as (
        select item_id, min(directory_import) as lo, max(directory_import) as hi, count(*)::int as marks,
          count(*) filter (where students)::int as students, count(*) filter (where guardians)::int as guardians,
          count(*) filter (where staff)::int as staff
        from d group by 1
      ),
      counted as (
        update feed_read_counts c set
          readers = c.readers + case c.part when 'students' then i.students when 'guardians' then i.guardians else i.staff end,
          directory_import = case when i.lo = c.directory_import and i.hi = c.directory_import then c.directory_import else ${STALE} end
        from per_item i where c.item_id = i.item_id
      )
      select coalesce(sum(marks), 0)::int as n from per_item`;
    return folded?.n ?? 0;
  }) as Promise<number | undefined>;
}

export interface ReadCounters {
  /** Readers per part, or undefined when a counter is not at the asked directory import. */
  readers: Partial<Record<ReadPart, number>> | undefined;
  reminderSentAt: string | null;
}

/**
 * The item's counters as they are at `directoryImport`, with the marks not folded yet, and its
 * last reminder. One statement, so one snapshot: a fold that commits meanwhile is seen whole or
 * not at all. Its cost is the item's three counters and the marks of about the last second.
 */
export async function readCounters(db: Db, itemId: string, directoryImport: number): Promise<ReadCounters> {
  // The unfolded rows are read once: counted per part, and checked against the import.
  const rows = await db<{ part: ReadPart; directoryImport: string; readers: number; unfolded: number; otherImport: boolean; sentAt: Date | null }[]>`
    with d as (
      select count(*) filter (where directory_import <> ${directoryImport}) > 0 as other_import,
        count(*) filter (where students)::int as students, count(*) filter (where guardians)::int as guardians,
        count(*) filter (where staff)::int as staff
      from feed_read_deltas where item_id = ${itemId}
    )
    select c.part, c.directory_import, c.readers, d.other_import, r.sent_at,
      case c.part when 'students' then d.students when 'guardians' then d.guardians else d.staff end as unfolded
    from feed_read_counts c cross join d left join feed_reminders r on r.item_id = c.item_id
    where c.item_id = ${itemId}`;
  const reminderSentAt = rows[0]?.sentAt ? iso(rows[0].sentAt) : null;
  const current = (r: (typeof rows)[number]) => Number(r.directoryImport) === directoryImport && !r.otherImport;
  if (rows.length === 0 || directoryImport === STALE || !rows.every(current)) return { readers: undefined, reminderSentAt };
  return { readers: Object.fromEntries(rows.map((r) => [r.part, r.readers + r.unfolded])), reminderSentAt };
}

/**
 * Counts the item's readers again for the directory at `directoryImport`: `partsOf` says which
 * parts a reader is in by that directory. The marks are read, and the item's unfolded counts
 * deleted, in one statement, so with one snapshot: a mark committed before it is counted here
 * and its unfolded count goes; one committed after it keeps its count, which the next read adds
 * (or folds, or finds at another import and recounts). None is lost or counted twice. The
 * counters stay locked until the new counts commit, so no fold runs in between.
 * Undefined when the item is gone.
 */
export async function recountReads(sql: Sql, itemId: string, directoryImport: number, partsOf: (personId: string) => readonly ReadPart[]): Promise<Record<ReadPart, number> | undefined> {
  return sql.begin(async (tx) => {
    // Counters are made again only for an item that still exists: a recount that comes late
    // (live statistics sent after retention deleted the item) must not leave counters behind.
    // The key-share lock makes a delete under way finish first, and one that comes later wait.
    const [found] = await tx<{ n: number }[]>`
      with p as (select id from posts where id = ${itemId} for key share),
           m as (select id from mailings where id = ${itemId} for key share),
           item as (select id from p union all select id from m),
           made as (${readCountersOf(tx)})
      select count(*)::int as n from item`;
    if (!found?.n) return undefined;
    await tx`select 1 from feed_read_counts where item_id = ${itemId} order by item_id, part for update`;
    const counts: Record<ReadPart, number> = { students: 0, guardians: 0, staff: 0 };
    const readers = await tx<{ personId: string }[]>`
      with counted as (delete from feed_read_deltas where item_id = ${itemId})
      select person_id from feed_reads where item_id = ${itemId}`;
    for (const r of readers) for (const part of partsOf(r.personId)) counts[part]++;
    await tx`
      update feed_read_counts c set readers = n.readers, directory_import = ${directoryImport}
      from (select unnest(${[...READ_PARTS]}::text[]) as part, unnest(${READ_PARTS.map((p) => counts[p])}::int[]) as readers) n
      where c.item_id = ${itemId} and c.part = n.part`;
    return counts;
  }) as Promise<Record<ReadPart, number> | undefined>;
}

/** Which of `personIds` have read the item (the "not read" list takes the others). */
export async function readersAmong(db: Db, itemId: string, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await db<{ personId: string }[]>`select person_id from feed_reads where item_id = ${itemId} and person_id = any(${personIds}::text[])`;
  return new Set(rows.map((r) => r.personId));
}

/**
 * Takes the item's reminder for now if none was sent within `minHours`: the time it was
 * taken, or undefined and the time of the last one. One row per item, so two nodes asked at
 * once cannot both take it.
 */
export async function takeReminder(tx: Tx, itemId: string, minHours: number, recipients: number): Promise<{ sentAt: string } | { lastAt: string }> {
  const [taken] = await tx<{ sentAt: Date }[]>`
    insert into feed_reminders (item_id, sent_at, recipients) values (${itemId}, now(), ${recipients})
    on conflict (item_id) do update set sent_at = excluded.sent_at, recipients = excluded.recipients
      where feed_reminders.sent_at <= now() - make_interval(hours => ${minHours})
    returning sent_at`;
  if (taken) return { sentAt: iso(taken.sentAt) };
  const [last] = await tx<{ sentAt: Date }[]>`select sent_at from feed_reminders where item_id = ${itemId}`;
  return { lastAt: iso(last!.sentAt) };
}
