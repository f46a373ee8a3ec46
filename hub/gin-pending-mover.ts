// Every node moves the GIN indexes' pending lists into the indexes twice a second, so that no
// write finds a list full and moves it inside its own transaction (storage/gin-pending.ts says
// why that matters). One node at a time does it; the others find the lock taken and skip.
import { Periodic, sayOnce } from './periodic.ts';
import { moveGinPendingLists } from '../storage/gin-pending.ts';
import type { Sql } from '../storage/pool.ts';

/**
 * How often. At 1,000 chat messages/s messages_search's list grows by about 1.5 MB/s; moved
 * every 500 ms it stays far below the 4 MB at which an insert would move it.
 */
export const GIN_MOVE_MS = 500;

export class GinPendingMover extends Periodic {
  constructor(sql: Sql, log: (message: string, error?: unknown) => void, intervalMs = GIN_MOVE_MS) {
    const report = sayOnce(log, 'moving GIN pending lists into their indexes failed; retrying');
    super(intervalMs, async () => {
      await moveGinPendingLists(sql);
      report.ok();
    }, report.failed);
  }
}
