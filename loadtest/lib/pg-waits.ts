// Samples what the bench database's sessions are waiting on (pg_stat_activity) while a
// scenario runs: the evidence for what limits persisted messages per second. It also counts
// the hub's own sessions (its pool, by application_name): how many connections the pool
// settles at under each load.
import postgres from 'postgres';
import { APPENDING_MARK } from '../../storage/events.ts';
import { POOL_APPLICATION_NAME } from '../../storage/pool.ts';

export interface WaitSample {
  samples: number;
  /** "type:event", "running", or idle in transaction → sessions seen, summed over samples. */
  waits: Record<string, number>;
  /**
   * The hubs' pool sessions (storage/pool.ts POOL_APPLICATION_NAME, or the mark of one taking
   * event ids): open (any state) and busy (in a statement or a transaction), summed over
   * samples; and the most seen open at once. With several nodes, all their pools together.
   */
  pool: { open: number; busy: number; maxOpen: number };
}

export function sampleWaits(url: string, everyMs = 50): { stop: () => Promise<WaitSample> } {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const waits: Record<string, number> = {};
  const pool = { open: 0, busy: 0, maxOpen: 0 };
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      // Both from one reading of pg_stat_activity (it is cached for the rest of a transaction).
      const [rows, [sessions]] = await sql.begin((tx) => [
        tx<{ w: string; n: number }[]>`
          select case when state = 'idle in transaction' then 'idle in transaction (waiting for the hub)'
                      else coalesce(wait_event_type || ':' || wait_event, 'running') end as w, count(*)::int as n
          from pg_stat_activity
          where datname = current_database() and state in ('active', 'idle in transaction') and pid <> pg_backend_pid()
          group by 1`,
        tx<{ open: number; busy: number }[]>`
          select count(*)::int as open, (count(*) filter (where state <> 'idle'))::int as busy
          from pg_stat_activity
          where datname = current_database()
            and (application_name = ${POOL_APPLICATION_NAME} or starts_with(application_name, ${APPENDING_MARK}))`,
      ]);
      samples++;
      for (const r of rows) waits[r.w] = (waits[r.w] ?? 0) + r.n;
      pool.open += sessions!.open;
      pool.busy += sessions!.busy;
      pool.maxOpen = Math.max(pool.maxOpen, sessions!.open);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => {});
      await sql.end({ timeout: 1 });
      return { samples, waits: Object.fromEntries(Object.entries(waits).sort((a, b) => b[1] - a[1])), pool };
    },
  };
}
