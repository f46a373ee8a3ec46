// Read statistics of posts and mailings (migration 014): one counter per item and audience
// part, kept in the read mark's own transaction, and the last reminder of each item. Which
// reader is in which part is the hub's to say (hub/read-audience.ts); this file only counts.
import type { Db, Sql, Tx } from './pool.ts';
import { iso } from './rows.ts';

export const READ_PARTS = ['students', 'guardians', 'staff'] as const;
export type ReadPart = (typeof READ_PARTS)[number];

/** Marks a counter as counted at no directory state: the next statistics read recounts it. */
const STALE = -1;

/**
 * The item's counters, one per part (read marks lock them): an insert reading the item from the
 * CTE named `item` of the statement it is part of. Made in the item's creating statement, and
 * again by a recount for an item that still exists.
 */
export function readCountersOf(tx: Tx) {
  return tx`insert into feed_read_counts (item_id, part) select id, unnest(${[...READ_PARTS]}::text[]) from item on conflict do nothing`;
}

/**
 * After read marks were inserted in `tx`: one more reader in each (item, part) of `marks` whose
 * counter is at `directoryImport`; every counter of those items that is at another import is
 * made stale (the reader's parts were judged by a directory the counter was not counted at).
 * One statement that writes every counter row of the items, so it always takes their locks: a
 * recount holding them makes it wait and then apply itself to the recounted rows; a recount
 * that comes later waits for this mark to commit and so reads it (recountReads).
 */
export async function countReads(tx: Tx, directoryImport: number, marks: { itemId: string; part: ReadPart }[], itemIds: string[]): Promise<void> {
  if (itemIds.length === 0) return;
  const pairs = marks.map((m) => `${m.itemId}|${m.part}`);
  // The rows' locks first, in one order (item, part), the order recountReads takes them in: an
  // UPDATE locks in whatever order its plan reads, and two orders deadlock.
  const items = [...itemIds].sort();
  await tx`select 1 from feed_read_counts where item_id = any(${items}::text[]) order by item_id, part for update`;
  await tx`
    update feed_read_counts c set
      readers = c.readers + (c.directory_import = ${directoryImport} and (c.item_id || '|' || c.part) = any(${pairs}::text[]))::int,
      directory_import = case when c.directory_import = ${directoryImport} then c.directory_import else ${STALE} end
    where c.item_id = any(${items}::text[])`;
}

export interface ReadCounters {
  /** Readers per part, or undefined when a counter is not at the asked directory import. */
  readers: Partial<Record<ReadPart, number>> | undefined;
  reminderSentAt: string | null;
}

/** The item's counters as they are at `directoryImport` (one primary-key read), and its last reminder. */
export async function readCounters(db: Db, itemId: string, directoryImport: number): Promise<ReadCounters> {
  const rows = await db<{ part: ReadPart; directoryImport: string; readers: number; sentAt: Date | null }[]>`
    select c.part, c.directory_import, c.readers, r.sent_at
    from feed_read_counts c left join feed_reminders r on r.item_id = c.item_id
    where c.item_id = ${itemId}`;
  const reminderSentAt = rows[0]?.sentAt ? iso(rows[0].sentAt) : null;
  if (rows.length === 0 || directoryImport === STALE || rows.some((r) => Number(r.directoryImport) !== directoryImport)) return { readers: undefined, reminderSentAt };
  return { readers: Object.fromEntries(rows.map((r) => [r.part, r.readers])), reminderSentAt };
}

/**
 * Counts the item's readers again for the directory at `directoryImport`: `partsOf` says which
 * parts a reader is in by that directory. The counters stay locked from before the readers are
 * read until the new counts commit, so a read mark committing meanwhile waits and then adds
 * itself (or finds the counter at its own import, or makes it stale): none is lost or counted twice.
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
    const readers = await tx<{ personId: string }[]>`select person_id from feed_reads where item_id = ${itemId}`;
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
