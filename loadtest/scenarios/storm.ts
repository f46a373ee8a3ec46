// Reconnect storm: `clients` connections drop, miss a mailing to every school and posts to
// their school, then all reconnect at once with their cursors while more posts go out.
// Measured: time until every client has its replay (sync.done with everything it missed),
// and that none missed, repeated or reordered anything. The mailing also shows what one
// mailing to a whole district costs: stored rows and broker publishes.
import { HubConn, inPool, sourceAddress, type Frame } from '../lib/hub-client.ts';
import { cpuWindow, percentile, progress, serverStats, sleep, until, type Window } from '../lib/control.ts';
import { allReaders, filler, type LoadContext } from '../lib/load-context.ts';
import { held, type Held } from './idle.ts';
import { strip } from './fanout.ts';

export interface StormParams {
  clients: number;
  missedPostsPerSchool: number;
}

export interface StormResult {
  clients: number;
  seconds: number;
  p50Seconds: number;
  resumed: number;
  resets: number;
  connectRetries: number;
  eventsPerClient: number;
  clientsMissingEvents: number;
  clientsWithDuplicates: number;
  clientsOutOfOrder: number;
  clientsMissingLivePost: number;
  window: Omit<Window, 'start' | 'end'>;
  mailing: { schools: number; potentialRecipients: number; connectedRecipients: number; rowsAdded: number; eventsAdded: number; brokerPublishes: number; brokerControlPublishes: number };
}

const cmp = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

interface Returning {
  h: Held;
  cursor: string;
  received: string[];
  syncDoneAt: number;
  missedBeforeSync: boolean;
  resumed: boolean;
  reset: boolean;
}

/** A staff connection that remembers the cursor of every post or mailing it sees. */
async function staff(ctx: LoadContext, personId: string, i: number): Promise<{ conn: HubConn; cursors: Map<string, string> }> {
  const cursors = new Map<string, string>();
  const conn = await HubConn.connect(ctx.hubWs, personId, await ctx.token(personId), { localAddress: sourceAddress(i, ctx.spread) });
  conn.onEvent = (f: Frame) => {
    const d = f.data as { post?: { id: string }; mailing?: { id: string } };
    const id = d.post?.id ?? d.mailing?.id;
    if (id && typeof f.cursor === 'string') cursors.set(id, f.cursor);
  };
  return { conn, cursors };
}

async function cursorOf(s: { cursors: Map<string, string> }, id: string): Promise<string> {
  if (!(await until(() => s.cursors.has(id), 10_000, 5))) throw new Error(`storm: never saw the event of ${id}`);
  return s.cursors.get(id)!;
}

export async function storm(ctx: LoadContext, p: StormParams): Promise<StormResult> {
  if (held.length < p.clients) {
    const people = allReaders(ctx.plan).slice(held.length, p.clients);
    await inPool(people, 256, async (x, i) => {
      const conn = await HubConn.connect(ctx.hubWs, x.personId, await ctx.token(x.personId), { localAddress: sourceAddress(i, ctx.spread) });
      held.push({ conn, personId: x.personId, school: x.school, index: held.length });
    });
  }
  const leaving = held.slice(0, p.clients);
  const schools = ctx.plan.schools;
  const hoo = await staff(ctx, ctx.plan.hoo, 0);
  const leaders = await Promise.all(schools.map((s, i) => staff(ctx, s.leader, i + 1)));
  for (const h of leaving) h.conn.close();
  const remaining = held.length - leaving.length + 1 + leaders.length;
  if (!(await until(async () => (await serverStats('hub')).connections <= remaining, 15_000, 50))) throw new Error('storm: the hub did not see the clients leave');

  // While they are away: one mailing to every school, then posts to each school.
  const before = await serverStats('hub', { rows: true });
  const body = filler(400);
  const { mailing } = await hoo.conn.ok<{ mailing: { id: string } }>('mailing.create', {
    districtId: ctx.plan.districtId, schoolIds: schools.map((s) => s.id), title: 'Till alla skolor', body,
    recipients: { students: true, guardians: true, staff: true }, clientKey: 'storm-mailing',
  });
  const mailingCursor = await cursorOf(hoo, mailing.id);
  const afterMailing = await serverStats('hub', { rows: true });
  const post = async (s: number, tag: string) => {
    const { post } = await leaders[s]!.conn.ok<{ post: { id: string } }>('post.create', {
      schoolId: schools[s]!.id, title: `Storm ${tag}`, body, clientKey: `storm-${tag}-${s}`,
      audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: true, staff: false } },
    });
    return cursorOf(leaders[s]!, post.id);
  };
  const missed = await Promise.all(schools.map(async (_, s) => {
    const out = [mailingCursor];
    for (let k = 0; k < p.missedPostsPerSchool; k++) out.push(await post(s, `missed${k}`));
    return out;
  }));
  progress(`storm: ${leaving.length} clients away; each missed ${missed[0]!.length} events`);

  // Everyone back at once.
  const back: Returning[] = leaving.map((h) => ({ h, cursor: h.conn.welcome!.cursor as string, received: [], syncDoneAt: 0, missedBeforeSync: false, resumed: false, reset: false }));
  let retries = 0;
  const w = await cpuWindow('hub', 'storm');
  const t0 = performance.now();
  const reconnect = async (r: Returning) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const conn = await HubConn.connect(ctx.hubWs, r.h.personId, await ctx.token(r.h.personId), {
          localAddress: sourceAddress(r.h.index, ctx.spread), cursor: r.cursor,
          beforeWelcome: (c) => {
            c.onEvent = (f) => {
              if (f.event === 'sync.done') {
                r.syncDoneAt = performance.now();
                const got = new Set(r.received);
                r.missedBeforeSync = missed[r.h.school]!.every((m) => got.has(m));
              } else if (f.event === 'sync.reset') r.reset = true;
              else if (typeof f.cursor === 'string') r.received.push(f.cursor);
            };
          },
        });
        r.resumed = conn.welcome?.resumed === true;
        r.h.conn = conn;
        return;
      } catch (e) {
        // As a real client would: back off with full jitter and try again.
        if (attempt >= 8) throw e;
        retries++;
        await sleep(Math.random() * Math.min(5000, 250 * 2 ** attempt));
      }
    }
  };
  const all = Promise.all(back.map(reconnect));
  await sleep(100);
  const live = await Promise.all(schools.map((_, s) => post(s, 'live')));
  await all;
  await until(() => back.every((r) => r.syncDoneAt > 0 || r.reset), 60_000, 20);
  const win = await w.end();
  await until(() => back.every((r) => r.received.includes(live[r.h.school]!)), 10_000, 20);
  const times = back.filter((r) => r.syncDoneAt > 0).map((r) => (r.syncDoneAt - t0) / 1000).sort((a, b) => a - b);
  const result: StormResult = {
    clients: back.length,
    seconds: times.length === back.length ? times[times.length - 1]! : NaN,
    p50Seconds: percentile(times, 50),
    resumed: back.filter((r) => r.resumed).length,
    resets: back.filter((r) => r.reset).length,
    connectRetries: retries,
    eventsPerClient: missed[0]!.length,
    clientsMissingEvents: back.filter((r) => !r.missedBeforeSync).length,
    clientsWithDuplicates: back.filter((r) => new Set(r.received).size !== r.received.length).length,
    clientsOutOfOrder: back.filter((r) => r.received.some((c, i) => i > 0 && cmp(r.received[i - 1]!, c) >= 0)).length,
    clientsMissingLivePost: back.filter((r) => !r.received.includes(live[r.h.school]!)).length,
    window: strip(win),
    mailing: {
      schools: schools.length,
      potentialRecipients: ctx.plan.persons - 1,
      connectedRecipients: held.length - leaving.length,
      rowsAdded: (afterMailing.rows?.mailings ?? 0) - (before.rows?.mailings ?? 0),
      eventsAdded: (afterMailing.rows?.events ?? 0) - (before.rows?.events ?? 0),
      brokerPublishes: (afterMailing.brokerPublishes ?? 0) - (before.brokerPublishes ?? 0),
      brokerControlPublishes: (afterMailing.brokerControlPublishes ?? 0) - (before.brokerControlPublishes ?? 0),
    },
  };
  for (const h of held) h.conn.close();
  held.length = 0;
  hoo.conn.close();
  for (const l of leaders) l.conn.close();
  await sleep(200);
  return result;
}
