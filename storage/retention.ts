// What the retention job's deletes share (each table's file has its own `expire…`): the
// legal holds they must spare and the batch size. Deletes run in batches so that no
// statement holds locks on a large part of a table for long.
import type postgres from 'postgres';
import type { Db } from './pool.ts';

/** Everything under legal hold (storage/privacy.ts loadHolds), as the deletes take it. */
export interface Holds {
  persons: string[];
  /** `p:ID` of every held person: posts addressed to them. */
  personKeys: string[];
  conversations: string[];
  /** Held records by id (plans, assignments, posts, mailings, conferences, part A's records). */
  items: string[];
}

/** Rows per delete statement. */
export const RETENTION_BATCH = 5_000;

/** Runs one batch `step` (it returns rows deleted) until a batch comes back short; the total. */
export async function inBatches(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < RETENTION_BATCH) return total;
  }
}

/** Tables whose rows expire by id, each on its own. */
type ExpiringTable = 'posts' | 'mailings' | 'items' | 'conferences' | 'assessments';

/**
 * Deletes the rows of `table` that `due` selects (the condition of a `where`; made anew for
 * each batch), in batches; the count. Posts and mailings take their read marks, read counters (folded or not) and reminder with them.
 */
export function expireRows(db: Db, table: ExpiringTable, due: () => postgres.Fragment): Promise<number> {
  const t = db(table);
  return inBatches(async () => {
    const readMarks = table === 'posts' || table === 'mailings'
      ? db`, r as (delete from feed_reads where item_id in (select id from d)),
            c as (delete from feed_read_counts where item_id in (select id from d)),
            m as (delete from feed_reminders where item_id in (select id from d)),
            u as (delete from feed_read_deltas where item_id in (select id from d))`
      : db``;
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from ${t} where id in (select id from ${t} where ${due()} limit ${RETENTION_BATCH})
        returning id
      )${readMarks}
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}
