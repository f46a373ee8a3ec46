// Read statistics under load (docs/DOMAIN.md "Read statistics"): the head of operations sends
// a mailing to every guardian of the district (100,000 at full scale), then `readers` of them
// mark it read over their own connections while the author reads the statistics in a loop.
// Reports the latency of a statistics read (p50/p99) while the marks land, the first read after
// the directory was loaded (the audience walked once), the round trip of one feed.read, and
// what PostgreSQL's sessions waited on while the marks landed (marks of one item that waited
// for each other's commit would show as Lock waits).
import { HubConn, inPool, sourceAddress } from '../lib/hub-client.ts';
import { sampleWaits, type WaitSample } from '../lib/pg-waits.ts';
import { latency, progress, sleep, type Latency } from '../lib/control.ts';
import type { LoadContext } from '../lib/load-context.ts';
import { guardiansOf } from '../district.ts';

export interface ReadStatsParams {
  /** Guardians who read the mailing while its statistics are read. */
  readers: number;
  /** feed.read requests in flight at a time. */
  concurrency: number;
}

export interface ReadStatsResult {
  guardians: number;
  readers: number;
  firstStatsMs: number;
  stats: Latency;
  feedRead: Latency;
  readsPerSec: number;
  finalRead: number;
  mailingId: string;
  /** The database's wait events while the marks landed (with a database URL only). */
  dbWaits?: WaitSample;
}

export async function readStats(ctx: LoadContext, p: ReadStatsParams): Promise<ReadStatsResult> {
  const { plan } = ctx;
  const hoo = await HubConn.connect(ctx.hubWs, plan.hoo, await ctx.token(plan.hoo), { localAddress: sourceAddress(0, ctx.spread) });
  const { mailing } = await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
    districtId: plan.districtId, schoolIds: plan.schools.map((s) => s.id), title: 'Läsräkning', body: 'Alla vårdnadshavare.',
    recipients: { guardians: true }, clientKey: `readstats-${Date.now()}`,
  });
  type Stats = { parts: { part: string; audience: number; read: number }[] };
  const t0 = performance.now();
  const first = await hoo.ok<Stats>('post.stats.get', { itemId: mailing.id });
  const firstStatsMs = performance.now() - t0;
  const guardians = first.parts.find((x) => x.part === 'guardians')?.audience ?? 0;
  progress(`readstats: mailing to ${guardians} guardians; first statistics read ${firstStatsMs.toFixed(1)} ms`);

  const all = plan.schools.flatMap((s) => s.classes.flatMap((c) => c.students.flatMap((st) => guardiansOf(plan, st))));
  const step = Math.max(1, Math.floor(all.length / p.readers));
  const chosen = Array.from({ length: Math.min(p.readers, all.length) }, (_, i) => all[i * step]!);
  await Promise.all(chosen.map((g) => ctx.token(g)));
  const conns: HubConn[] = [];
  await inPool(chosen, 64, async (g, i) => {
    conns.push(await HubConn.connect(ctx.hubWs, g, await ctx.token(g), { localAddress: sourceAddress(i + 1, ctx.spread) }));
  });
  progress(`readstats: ${conns.length} readers connected`);

  const statsMs: number[] = [];
  const readMs: number[] = [];
  let reading = true;
  const statsLoop = (async () => {
    while (reading) {
      const t = performance.now();
      await hoo.ok<Stats>('post.stats.get', { itemId: mailing.id });
      const took = performance.now() - t;
      statsMs.push(took);
      // The hub allows 20 frames/s a connection (burst 40): unpaced, fast reads get rate_limited.
      if (took < 60) await sleep(60 - took);
    }
  })();
  const waits = ctx.databaseUrl ? sampleWaits(ctx.databaseUrl) : undefined;
  const r0 = performance.now();
  await inPool(conns, p.concurrency, async (c) => {
    const t = performance.now();
    const r = await c.ok<{ itemIds: string[] }>('feed.read', { itemIds: [mailing.id] });
    if (r.itemIds.length !== 1) throw new Error(`${c.personId} could not mark the mailing read`);
    readMs.push(performance.now() - t);
  });
  const readSeconds = (performance.now() - r0) / 1000;
  const dbWaits = await waits?.stop();
  reading = false;
  await statsLoop;
  const final = await hoo.ok<Stats>('post.stats.get', { itemId: mailing.id });
  const finalRead = final.parts.find((x) => x.part === 'guardians')?.read ?? 0;
  if (finalRead !== conns.length) throw new Error(`the statistics say ${finalRead} read, ${conns.length} did`);
  for (const c of [hoo, ...conns]) c.close();
  return {
    guardians, readers: conns.length, firstStatsMs, stats: latency(statsMs), feedRead: latency(readMs),
    readsPerSec: conns.length / readSeconds, finalRead, mailingId: mailing.id, ...(dbWaits ? { dbWaits } : {}),
  };
}
