// Fan-out: a school-wide post to the students and guardians of a school, repeated, to
// `readers` connected readers; server CPU per delivered event. Then the same bytes, the same
// number of times, through the reference (bare uWS topic publish), at the moments the hub
// published them (when the first reader got each event): uWS drains a topic once per loop iteration, so events that arrive
// together share one send() per socket, and most of fan-out's CPU is those sends. A reference
// allowed to publish faster than the hub would be measuring a different workload; it is
// reported too ("free-running"). Every run keeps at most `window` events not yet delivered to
// every reader, so no server is measured while its send buffers overflow.
import type { LeanSocket } from '../lib/lean-socket.ts';
import { HubConn, inPool, openSocket, sourceAddress } from '../lib/hub-client.ts';
import { cpuWindow, progress, sleep, until, type Window } from '../lib/control.ts';
import { connectPeople, filler, readersOf, type LoadContext } from '../lib/load-context.ts';

export interface FanoutParams {
  readers: number;
  posts: number;
  warmup: number;
  window: number;
  bodyBytes: number;
  /** Parallel connections of the posting leader: the hub allows 20 frames/s per connection. */
  posters: number;
}

export interface FanoutSide {
  readers: number;
  events: number;
  delivered: number;
  cpuUsPerDelivered: number;
  deliveredPerSec: number;
  frameBytes: number;
  /** Server CPU (share of one CPU) with every reader connected and nothing sent, for 1 s. */
  idleUtil: number;
  window: Omit<Window, 'start' | 'end'>;
}

export interface FanoutRefResult {
  /** Publishing at the hub's moments: the comparison the ratio uses. */
  timed: FanoutSide;
  /** Publishing as fast as the window allows. */
  free: FanoutSide;
}

export interface FanoutHubResult extends FanoutSide {
  /** Posts refused as rate_limited and sent again (the hub limits writes per person). */
  retries: number;
  /** Broker publishes per post: to audience topics, and to control topics (chain ticks). */
  brokerPublishesPerEvent: number;
  brokerControlPublishesPerEvent: number;
  errors: number;
}

/** Counts frames per reader; the k-th frame of every reader is the k-th event published. */
class Tally {
  readonly perEvent: Int32Array;
  /** When the first reader got event k: when the server published it, give or take a constant. */
  readonly firstAt: Float64Array;
  complete = 0;
  constructor(
    readonly readers: number,
    events: number,
  ) {
    this.perEvent = new Int32Array(events + 1);
    this.firstAt = new Float64Array(events + 1);
  }
  onFrame(k: number): void {
    if (k >= this.perEvent.length) return;
    const n = ++this.perEvent[k]!;
    if (n === 1) this.firstAt[k] = performance.now();
    if (n === this.readers) this.complete++;
  }
  delivered(): number {
    let n = 0;
    for (const v of this.perEvent) n += v;
    return n;
  }
}

/** What the server burns with the readers connected and nothing happening: its baseline. */
async function idleUtil(server: 'hub' | 'ref'): Promise<number> {
  const w = await cpuWindow(server);
  await sleep(1000);
  return (await w.end()).serverUtil;
}

/**
 * Sends events from..to-1, keeping at most `window` not yet delivered to every reader, and,
 * with `at`, not before at(i) (ms, performance.now()).
 */
async function paced(from: number, to: number, window: number, tally: Tally, send: (i: number) => void, timeoutMs: number, at?: (i: number) => number): Promise<void> {
  const total = to;
  for (let i = from; i < to; i++) {
    if (i - tally.complete >= window && !(await until(() => i - tally.complete < window, timeoutMs, 1))) {
      throw new Error(`fan-out stalled: ${tally.complete}/${i} events delivered to every reader`);
    }
    const due = at?.(i) ?? 0;
    while (performance.now() < due) await sleep(Math.max(0, Math.min(1, due - performance.now())));
    send(i);
  }
  if (!(await until(() => tally.complete >= total, timeoutMs, 2))) throw new Error(`fan-out stalled at the end: ${tally.complete}/${total}`);
}

export async function fanoutHub(ctx: LoadContext, p: FanoutParams): Promise<FanoutHubResult & { sample: string; offsets: number[] }> {
  const school = ctx.plan.schools[0]!;
  const people = readersOf(ctx.plan, 0).slice(0, p.readers);
  const total = p.warmup + p.posts;
  const tally = new Tally(people.length, total);
  let sample: Buffer | undefined;
  const readers = await connectPeople(ctx, people, {
    prepare: (c, i) => {
      let k = 0;
      // Count only: decoding 2,000 copies of every event would make the load generator the limit.
      c.onData = i === 0 ? (d) => ((sample ??= Buffer.from(d)), tally.onFrame(k++)) : () => tally.onFrame(k++);
    },
  });
  progress(`fan-out: ${readers.length} hub readers connected`);
  const posters = await Promise.all(
    Array.from({ length: p.posters }, async (_, i) => HubConn.connect(ctx.hubWs, school.leader, await ctx.token(school.leader), { localAddress: sourceAddress(i, ctx.spread) })),
  );
  let errors = 0;
  const body = filler(p.bodyBytes);
  let retries = 0;
  const post = (i: number) => {
    const poster = posters[i % posters.length]!;
    void poster
      .request('post.create', {
        schoolId: school.id, title: `Information ${i}`, body, clientKey: `fanout-${i}`,
        audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: true, staff: false } },
      })
      .then((a) => {
        // The hub limits writes per person: as a real client, retry with the same clientKey.
        if (a.type === 'error' && a.code === 'rate_limited' && retries++ < 1000) setTimeout(() => post(i), 100);
        else if (a.type !== 'ok') errors++;
      });
  };
  await paced(0, p.warmup, p.window, tally, post, 30_000);
  const idle = await idleUtil('hub');
  const w = await cpuWindow('hub', 'fanout');
  await paced(p.warmup, total, p.window, tally, post, 60_000);
  const win = await w.end();
  for (const c of [...readers, ...posters]) c.close();
  // The hub publishes at commit time, one commit after the other: the reference replays these moments.
  const first = tally.firstAt[p.warmup]!;
  const offsets = Array.from(tally.firstAt.subarray(p.warmup, total), (t) => t - first);
  const delivered = tally.delivered() - p.warmup * people.length;
  return {
    readers: people.length, events: p.posts, delivered, errors, retries,
    cpuUsPerDelivered: win.serverCpuUs / delivered,
    deliveredPerSec: delivered / (win.wallMs / 1000),
    frameBytes: sample?.length ?? 0,
    idleUtil: idle,
    brokerPublishesPerEvent: ((win.end.brokerPublishes ?? 0) - (win.start.brokerPublishes ?? 0)) / p.posts,
    brokerControlPublishesPerEvent: ((win.end.brokerControlPublishes ?? 0) - (win.start.brokerControlPublishes ?? 0)) / p.posts,
    window: strip(win),
    sample: (sample ?? Buffer.alloc(0)).toString('base64'),
    offsets,
  };
}

export async function fanoutRef(ctx: LoadContext, p: FanoutParams, sampleB64: string, offsets: number[]): Promise<FanoutRefResult> {
  if (!ctx.refWs) throw new Error('no reference server');
  const sample = Buffer.from(sampleB64, 'base64');
  const total = p.warmup + p.posts;
  let tally = new Tally(p.readers, total);
  const counts = new Int32Array(p.readers);
  const readers: LeanSocket[] = [];
  await inPool(Array.from({ length: p.readers }), 200, async (_, i) => {
    const ws = await openSocket(`${ctx.refWs}/ws`, undefined, sourceAddress(i, ctx.spread));
    ws.onMessage = () => tally.onFrame(counts[i]!++);
    readers.push(ws);
  });
  // Joining the topic happens in the server's open handler, which ran before 'open' here.
  const pub = await openSocket(`${ctx.refWs}/pub`, undefined, sourceAddress(0, ctx.spread));
  progress(`fan-out: ${readers.length} reference readers connected`);
  const send = () => pub.send(sample);
  const run = async (name: string, timed: boolean): Promise<FanoutSide> => {
    tally = new Tally(p.readers, total);
    counts.fill(0);
    await paced(0, p.warmup, p.window, tally, send, 30_000);
    const idle = await idleUtil('ref');
    const w = await cpuWindow('ref', name);
    const t0 = performance.now();
    await paced(p.warmup, total, p.window, tally, send, 60_000, timed ? (i) => t0 + (offsets[i - p.warmup] ?? 0) : undefined);
    const win = await w.end();
    const delivered = tally.delivered() - p.warmup * p.readers;
    return {
      readers: p.readers, events: p.posts, delivered,
      cpuUsPerDelivered: win.serverCpuUs / delivered,
      deliveredPerSec: delivered / (win.wallMs / 1000),
      frameBytes: sample.length,
      idleUtil: idle,
      window: strip(win),
    };
  };
  const result = { timed: await run('fanout-timed', true), free: await run('fanout-free', false) };
  for (const ws of [...readers, pub]) ws.terminate();
  return result;
}

export function strip(w: Window): Omit<Window, 'start' | 'end'> {
  const { start: _s, end: _e, ...rest } = w;
  return rest;
}
