// Idle memory: `connections` authenticated connections of distinct students and guardians,
// doing nothing; the hub's RSS (after a full GC) before and after, per connection. The
// connections stay open for the reconnect storm, which runs next in the same process.
import { HubConn, inPool, sourceAddress } from '../lib/hub-client.ts';
import { progress, serverStats, sleep } from '../lib/control.ts';
import { allReaders, type LoadContext } from '../lib/load-context.ts';

export interface IdleParams {
  connections: number;
}

export interface IdleResult {
  connections: number;
  hubConnections: number;
  rssBefore: number;
  rssAfter: number;
  kbPerConn: number;
  heapKbPerConn: number;
  connectSeconds: number;
  connectsPerSec: number;
  loadgenRss: number;
}

export interface Held {
  conn: HubConn;
  personId: string;
  school: number;
  index: number;
}

/** The idle connections, kept for the storm. */
export const held: Held[] = [];

export async function idle(ctx: LoadContext, p: IdleParams): Promise<IdleResult> {
  const people = allReaders(ctx.plan).slice(0, p.connections);
  if (people.length < p.connections) throw new Error(`the district has ${people.length} students and guardians, fewer than ${p.connections}`);
  // Tokens first: minting is load generator work, not connection time.
  await Promise.all(people.map((x) => ctx.token(x.personId)));
  const before = await serverStats('hub', { gc: true });
  const t0 = performance.now();
  let done = 0;
  await inPool(people, 256, async (x, index) => {
    const conn = await HubConn.connect(ctx.hubWs, x.personId, await ctx.token(x.personId), { localAddress: sourceAddress(index, ctx.spread) });
    held.push({ conn, personId: x.personId, school: x.school, index });
    if (++done % 2000 === 0) progress(`idle: ${done} connected`);
  });
  const connectSeconds = (performance.now() - t0) / 1000;
  await sleep(1000);
  const after = await serverStats('hub', { gc: true });
  return {
    connections: held.length,
    hubConnections: after.connections,
    rssBefore: before.rss,
    rssAfter: after.rss,
    kbPerConn: (after.rss - before.rss) / 1024 / held.length,
    heapKbPerConn: (after.heapUsed - before.heapUsed) / 1024 / held.length,
    connectSeconds,
    connectsPerSec: held.length / connectSeconds,
    loadgenRss: process.memoryUsage().rss,
  };
}
