// Every node folds the counted read marks into the read counters every second, one node at a
// time (storage/read-stats.ts foldReads): a read mark only inserts what it counts, so that it
// locks nothing another writer needs, and a statistics read adds what is not folded yet, so
// it stays a read of about a second's marks of its item, however many have read it.
import { Periodic, sayOnce } from './periodic.ts';
import { FOLD_BATCH, foldReads } from '../storage/read-stats.ts';
import type { Sql } from '../storage/pool.ts';

/** How often. At 1,000 marks a second of one mailing, a statistics read adds about as many rows. */
export const READ_FOLD_MS = 1_000;

export class ReadFolder extends Periodic {
  constructor(sql: Sql, log: (message: string, error?: unknown) => void, intervalMs = READ_FOLD_MS) {
    const report = sayOnce(log, 'folding counted read marks into the read counters failed; retrying');
    super(intervalMs, async () => {
      // A full batch: more are waiting, fold on at once rather than a second later.
      while (((await foldReads(sql)) ?? 0) >= FOLD_BATCH);
      report.ok();
    }, report.failed);
  }
}
