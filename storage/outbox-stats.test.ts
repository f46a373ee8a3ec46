// The outbox's backlog gauge (hub/notify/outbox.ts asks every 2 s on every node) counts what
// waits or is being sent by their partial indexes, never the finished rows a year of mailings
// leaves behind (loadtest/RESULTS.md, "The outbox's backlog, not its history"). Counted with
// PostgreSQL's own statistics, as storage/exports-by-person.test.ts does.
import { describe, expect, it } from 'vitest';
import { withCountedReads } from './test-database.ts';
import type { Sql } from './pool.ts';
import { outboxStats } from './notification-outbox.ts';

const FINISHED = 30_000;

let sql: Sql;
const readBy = withCountedReads(async (pool) => {
  sql = pool;
  await sql`insert into notification_jobs (event_id, source, keys, done) select n, '{}', '{}', true from generate_series(1, 100) n`;
  // A history of finished rows, and a backlog: 7 push and 3 e-mail waiting, 2 push being sent.
  await sql`
    insert into notification_outbox (event_id, person_id, channel, target, digest, state, due_at, created_at, done_at)
    select 1 + n % 100, 'p' || n, case when n % 3 = 0 then 'email' else 'push' end, 't', 'immediate',
      (array['sent', 'skipped', 'gone', 'given_up'])[1 + n % 4], now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
    from generate_series(1, ${FINISHED}) n`;
  await sql`
    insert into notification_outbox (event_id, person_id, channel, target, digest, state, due_at, lease_until)
    select 1, 'w' || n, case when n <= 7 then 'push' when n <= 10 then 'email' else 'push' end, 't', 'immediate',
      case when n <= 10 then 'waiting' else 'sending' end,
      case when n = 1 then now() - interval '90 seconds' else now() + interval '1 hour' end,
      case when n > 10 then now() + interval '1 minute' end
    from generate_series(1, 12) n`;
  await sql`vacuum analyze notification_outbox`;
}, 60_000);

describe("the outbox's backlog", () => {
  it('counts what waits or is being sent, by channel, and how long the oldest due row has waited', async () => {
    const stats = await outboxStats(sql);
    expect(stats.backlog).toEqual({ push: 9, email: 3 });
    expect(stats.oldestDueSeconds).toBeGreaterThanOrEqual(89);
    expect(stats.oldestDueSeconds).toBeLessThan(200);
  });

  it('reads the backlog by its indexes, never the finished rows', async () => {
    expect(await readBy('notification_outbox', () => outboxStats(sql))).toBeLessThan(FINISHED / 100);
  });
});
