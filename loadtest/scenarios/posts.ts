// Posts to groups (issue 14): every student of `groups` groups connected (a class each, its
// mentor the poster, docs/DOMAIN.md §1), posts at `rate` per second in all, round robin over
// the groups; post.create sent → post.created received at every student of the group. Then the
// same publish pattern through the reference (a uWS topic per group) for the floor of latency.
// Each post's title carries its number, which readers find in the frame's bytes without
// decoding it: a million deliveries decoded would make the load generator the limit.
import type { LeanSocket } from '../lib/lean-socket.ts';
import { inPool, openSocket, sourceAddress, type HubConn } from '../lib/hub-client.ts';
import { sampleWaits, type WaitSample } from '../lib/pg-waits.ts';
import { COMMIT_PROBE, commitProbe, type CommitProbeResult } from '../lib/database.ts';
import { cpuWindow, lateWindows, latency, paceAt, progress, until, writesPerCommit, type Latency, type Window } from '../lib/control.ts';
import { connectPeople, filler, type LoadContext } from '../lib/load-context.ts';
import type { ClassPlan } from '../district.ts';
import { strip } from './fanout.ts';
import type { Stages } from '../lib/ipc.ts';

export interface PostsParams {
  /** Groups posted to (the district's first classes); every student of them connects. */
  groups: number;
  /** Posts per second in all. */
  rate: number;
  warmupS: number;
  steadyS: number;
  bodyBytes: number;
  /** Students connected per group (0: all): fewer readers, the same posts, to tell fan-out's share of the tail. */
  readersPerGroup: number;
}

export interface PostsSide {
  groups: number;
  /** Connected readers (students of the groups). */
  readers: number;
  rate: number;
  /** Posts sent in the measured window, and the deliveries they should have made and made. */
  sent: number;
  expected: number;
  delivered: number;
  missing: number;
  /** Deliveries beyond one per reader and post. */
  duplicates: number;
  latencyMs: Latency;
  /** In how many of the 100 ms windows the deliveries at or past the p99 were sent (few: stalls). */
  lateWindows: { late: number; of: number };
  frameBytes: number;
  window: Omit<Window, 'start' | 'end'>;
}

export interface PostsHubResult extends PostsSide {
  errors: Record<string, number>;
  /** post.create → ok at the poster. */
  ackMs: Latency;
  writesPerCommit: number;
  brokerPublishesPerPost: number;
  /** Frames without a post number (anything but post.created): should be none. */
  otherFrames: number;
  dbWaits?: WaitSample;
  /** Beside the measured posts: what a write arriving at any moment waited for the disk. */
  commitProbe?: CommitProbeResult;
  /** The hub's own clocks over the window. */
  stages?: Stages;
}

const MARK = Buffer.from('~post:');

/** The number after the mark, or -1 for a frame without one. */
export function postNumber(d: Buffer): number {
  const at = d.indexOf(MARK);
  if (at < 0) return -1;
  let n = 0;
  let i = at + MARK.length;
  for (; i < d.length && d[i]! >= 48 && d[i]! <= 57; i++) n = n * 10 + d[i]! - 48;
  return i === at + MARK.length ? -1 : n;
}

/** Send times and deliveries by post number; latencies of the measured posts only. */
class Deliveries {
  readonly sentAt: Float64Array;
  readonly count: Int32Array;
  readonly measured: Uint8Array;
  /** Preallocated: a growing array of a million would be copied and collected during the window. */
  readonly latencies: Float64Array;
  /** When the post of each recorded delivery was sent, for lateWindows. */
  readonly recordedSentAt: Float64Array;
  recorded = 0;
  other = 0;
  constructor(capacity: number, perPost: number) {
    this.latencies = new Float64Array(capacity * perPost);
    this.recordedSentAt = new Float64Array(capacity * perPost);
    this.sentAt = new Float64Array(capacity);
    this.count = new Int32Array(capacity);
    this.measured = new Uint8Array(capacity);
  }
  sent(n: number, measured: boolean): void {
    this.sentAt[n] = performance.now();
    this.measured[n] = measured ? 1 : 0;
  }
  onFrame(d: Buffer): void {
    const n = postNumber(d);
    if (n < 0 || n >= this.count.length) {
      this.other++;
      return;
    }
    this.count[n]!++;
    if (this.measured[n] && this.recorded < this.latencies.length) {
      this.recordedSentAt[this.recorded] = this.sentAt[n]!;
      this.latencies[this.recorded++] = performance.now() - this.sentAt[n]!;
    }
  }
  /** p50/p99/max of the measured deliveries, and in how many 100 ms windows the late ones were sent. */
  summary(): { latencyMs: Latency; lateWindows: { late: number; of: number } } {
    const ms = this.latencies.subarray(0, this.recorded);
    const latencyMs = latency(ms);
    return { latencyMs, lateWindows: lateWindows(this.recordedSentAt.subarray(0, this.recorded), ms, latencyMs.p99) };
  }
  /** Over the measured posts: deliveries, missing ones and extra ones, with `perPost` readers each. */
  tally(perPost: (n: number) => number): { sent: number; expected: number; delivered: number; missing: number; duplicates: number } {
    let sent = 0, expected = 0, delivered = 0, missing = 0, duplicates = 0;
    for (let n = 0; n < this.count.length; n++) {
      if (!this.measured[n]) continue;
      const want = perPost(n);
      const got = this.count[n]!;
      sent++;
      expected += want;
      delivered += Math.min(got, want);
      missing += Math.max(0, want - got);
      duplicates += Math.max(0, got - want);
    }
    return { sent, expected, delivered, missing, duplicates };
  }
}

/** The groups posted to: the district's classes in order (all the same size at the bench's scales). */
function groupsOf(ctx: LoadContext, n: number): ClassPlan[] {
  const all = ctx.plan.schools.flatMap((s) => s.classes);
  if (all.length < n) throw new Error(`posts: the district has ${all.length} classes, ${n} asked for`);
  return all.slice(0, n);
}

/** Room for every post the pacing can send, with some to spare for a late timer. */
const capacity = (p: PostsParams) => Math.ceil(p.rate * (p.warmupS + p.steadyS)) + 16;

/**
 * Paces `send` at the rate, starts the server's CPU window (and `onMeasure`) when the warm-up
 * ends, waits for the measured posts' deliveries (10 s at most), and closes the window.
 */
async function run(server: 'hub' | 'ref', p: PostsParams, d: Deliveries, expectedPerPost: number, send: (n: number) => void, onMeasure: () => void = () => {}): Promise<{ window: Window; total: number }> {
  let w: Awaited<ReturnType<typeof cpuWindow>> | undefined;
  let measuredSent = 0;
  // The previous side's closed connections are collected now rather than in the window.
  (globalThis as { gc?: () => void }).gc?.();
  const total = await paceAt(
    p,
    (n, measured) => {
      d.sent(n, measured);
      if (measured) measuredSent++;
      send(n);
    },
    async () => {
      w = await cpuWindow(server, `posts-${server}`);
      onMeasure();
    },
  );
  // The window ends when the last measured post has reached its readers (or 10 s later).
  await until(() => d.recorded >= measuredSent * expectedPerPost, 10_000, 5);
  if (!w) throw new Error('posts: the measured window never started');
  return { window: await w.end(), total };
}

/** The students connected per group. */
const connected = (g: ClassPlan, p: PostsParams) => (p.readersPerGroup > 0 ? g.students.slice(0, p.readersPerGroup) : g.students);

export async function postsHub(ctx: LoadContext, p: PostsParams): Promise<PostsHubResult> {
  const groups = groupsOf(ctx, p.groups);
  const perGroup = connected(groups[0]!, p).length;
  const d = new Deliveries(capacity(p), perGroup);
  let frameBytes = 0;
  const students = groups.flatMap((g) => connected(g, p));
  const readers = await connectPeople(ctx, students, {
    prepare: (c) => {
      c.onData = (data) => {
        frameBytes ||= data.length;
        d.onFrame(data);
      };
    },
  });
  const posters = await connectPeople(ctx, groups.map((g) => g.mentor), { addressOffset: students.length });
  progress(`posts: ${readers.length} students of ${groups.length} groups connected, ${posters.length} mentors posting`);
  const body = filler(p.bodyBytes);
  const errors: Record<string, number> = {};
  const acks: number[] = [];
  let answered = 0;
  let waits: ReturnType<typeof sampleWaits> | undefined;
  let probe: ReturnType<typeof commitProbe> | undefined;
  const schoolOf = new Map(ctx.plan.schools.flatMap((s) => s.classes.map((c) => [c.id, s.id] as const)));
  const post = (n: number) => {
    const g = n % groups.length;
    const poster: HubConn = posters[g]!;
    const t0 = performance.now();
    void poster
      .request('post.create', {
        schoolId: schoolOf.get(groups[g]!.id), title: `Veckobrev ~post:${n}~`, body, clientKey: `posts-${n}`,
        audience: { targets: [{ kind: 'group', groupId: groups[g]!.id }], recipients: { students: true, guardians: false, staff: false } },
      })
      .then((a) => {
        answered++;
        // No retries: a refused post is a post its readers never get, and the verdict counts it.
        if (a.type === 'ok') acks.push(performance.now() - t0);
        else errors[String(a.code)] = (errors[String(a.code)] ?? 0) + 1;
      });
  };
  const { window: win, total } = await run('hub', p, d, perGroup, post, () => {
    if (ctx.databaseUrl) {
      waits = sampleWaits(ctx.databaseUrl);
      probe = commitProbe(ctx.databaseUrl, COMMIT_PROBE);
    }
  });
  const dbWaits = await waits?.stop();
  const commits = await (await probe)?.stop();
  await until(() => answered >= total, 30_000, 20);
  for (const c of [...readers, ...posters]) c.close();
  const t = d.tally(() => perGroup);
  const result: PostsHubResult = {
    groups: groups.length, readers: readers.length, rate: p.rate, ...t,
    ...d.summary(), frameBytes, window: strip(win),
    errors, ackMs: latency(acks), writesPerCommit: writesPerCommit(win),
    brokerPublishesPerPost: ((win.end.brokerPublishes ?? 0) - (win.start.brokerPublishes ?? 0)) / t.sent,
    otherFrames: d.other,
    ...(dbWaits ? { dbWaits } : {}),
    ...(commits ? { commitProbe: commits } : {}),
    ...(win.end.stages ? { stages: win.end.stages } : {}),
  };
  progress(`posts (hub): p99 ${result.latencyMs.p99.toFixed(1)} ms over ${t.delivered}/${t.expected} deliveries`);
  return result;
}

/** The same pattern through the reference: a topic per group, a publisher connection per group. */
export async function postsRef(ctx: LoadContext, p: PostsParams, frameBytes: number): Promise<PostsSide> {
  if (!ctx.refWs) throw new Error('no reference server');
  const groups = groupsOf(ctx, p.groups);
  const perGroup = connected(groups[0]!, p).length;
  const d = new Deliveries(capacity(p), perGroup);
  const slots = groups.flatMap((_, g) => Array.from({ length: perGroup }, () => g));
  const readers = new Array<LeanSocket>(slots.length);
  await inPool(slots, 200, async (g, i) => {
    const ws = await openSocket(`${ctx.refWs}/g/${g}`, undefined, sourceAddress(i, ctx.spread));
    ws.onMessage = (data) => d.onFrame(data);
    readers[i] = ws;
  });
  const pubs = await Promise.all(groups.map((_, g) => openSocket(`${ctx.refWs}/pub/${g}`, undefined, sourceAddress(slots.length + g, ctx.spread))));
  progress(`posts: ${readers.length} reference readers connected`);
  // As many bytes as the hub's frame, the post number where the readers look for it.
  const frame = (n: number) => {
    const b = Buffer.alloc(Math.max(frameBytes, 32), 0x20);
    b.write(`~post:${n}~`);
    return b;
  };
  const { window: win } = await run('ref', p, d, perGroup, (n) => pubs[n % groups.length]!.send(frame(n)));
  for (const ws of [...readers, ...pubs]) ws.terminate();
  const t = d.tally(() => perGroup);
  const result: PostsSide = { groups: groups.length, readers: readers.length, rate: p.rate, ...t, ...d.summary(), frameBytes: frame(0).length, window: strip(win) };
  progress(`posts (reference): p99 ${result.latencyMs.p99.toFixed(1)} ms over ${t.delivered}/${t.expected} deliveries`);
  return result;
}
