// Samples what the bench database's sessions are waiting on (pg_stat_activity) while a
// scenario runs: the evidence for what limits persisted messages per second.
import postgres from 'postgres';

export interface WaitSample {
  samples: number;
  /** "type:event", "running", or idle in transaction → sessions seen, summed over samples. */
  waits: Record<string, number>;
}

export function sampleWaits(url: string, everyMs = 50): { stop: () => Promise<WaitSample> } {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const waits: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ w: string; n: number }[]>`
        select case when state = 'idle in transaction' then 'idle in transaction (waiting for the hub)'
                    else coalesce(wait_event_type || ':' || wait_event, 'running') end as w, count(*)::int as n
        from pg_stat_activity
        where datname = current_database() and state in ('active', 'idle in transaction') and pid <> pg_backend_pid()
        group by 1`;
      samples++;
      for (const r of rows) waits[r.w] = (waits[r.w] ?? 0) + r.n;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => {});
      await sql.end({ timeout: 1 });
      return { samples, waits: Object.fromEntries(Object.entries(waits).sort((a, b) => b[1] - a[1])) };
    },
  };
}
