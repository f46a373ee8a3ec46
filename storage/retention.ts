// What the retention job's deletes share (each table's file has its own `expire…`): the
// legal holds they must spare and the batch size. Deletes run in batches so that no
// statement holds locks on a large part of a table for long.

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
