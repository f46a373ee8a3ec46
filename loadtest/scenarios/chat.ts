// Chat: guardians and their children's mentors in `pairs` direct conversations.
// Steady: messages at `rate` per second in total, alternating sides, send→deliver latency
// measured at the other party (same process, same clock); then the same at `highRate`, and at
// `rate` again while a busy loop pinned beside the hub keeps its CPU half busy (`busyCpu`).
// Saturation: every guardian sends its next message as soon as the last one is acknowledged;
// persisted messages per second. What PostgreSQL's sessions wait on is sampled per phase.
import { spawn } from 'node:child_process';
import { inPool, type Frame, type HubConn } from '../lib/hub-client.ts';
import { sampleWaits, type WaitSample } from '../lib/pg-waits.ts';
import { COMMIT_PROBE, commitProbe, type CommitProbeResult } from '../lib/database.ts';
import { TASKSET } from '../lib/procs.ts';
import { cpuWindow, lateWindows, latency, paceAt, progress, serverStats, sleep, until, writesPerCommit, type Latency, type Window } from '../lib/control.ts';
import { connectPeople, filler, type LoadContext } from '../lib/load-context.ts';
import { ids } from '../district.ts';
import { strip } from './fanout.ts';
import type { Stages } from '../lib/ipc.ts';

export interface ChatParams {
  pairs: number;
  rate: number;
  /** The second steady phase's rate (0: none). */
  highRate: number;
  /** Run a third steady phase at `rate` with a 50%-duty busy loop pinned to this CPU (-1: none). */
  busyCpu: number;
  warmupS: number;
  steadyS: number;
  saturationS: number;
  bodyBytes: number;
}

export type { Latency };

export interface SteadyResult {
  rate: number;
  sent: number;
  delivered: number;
  missing: number;
  errors: Record<string, number>;
  latencyMs: Latency;
  /** The 100 ms windows (by send time) holding a delivery at or past the p99, of those the phase spans. */
  lateWindows: { late: number; of: number };
  ackedPerSec: number;
  window: Omit<Window, 'start' | 'end'>;
  /** Writes per group commit during the phase: the batch size the publisher settled at. */
  writesPerCommit: number;
  /** PostgreSQL sessions' wait events during the phase (when the database URL is known). */
  dbWaits?: WaitSample;
  /**
   * Beside the phase: an INSERT + commit every 40 ms, each timed from when it was sent (open
   * loop), so a stall of the disk shows in its p99 as it does in the messages'; the raw
   * baseline is closed loop and does not show it.
   */
  commitProbe?: CommitProbeResult;
  /** Where the time went inside the hub during the phase (lib/ipc.ts). */
  stages?: Stages;
}

export interface ChatResult {
  pairs: number;
  steady: SteadyResult;
  high?: SteadyResult;
  /** At `rate`, with the hub's CPU half taken by a busy loop. */
  contended?: SteadyResult;
  saturation: { acked: number; persistedPerSec: number; rowsPerSec: number; writesPerCommit: number; errors: Record<string, number>; latencyMs: Latency; window: Omit<Window, 'start' | 'end'>; dbWaits?: WaitSample; stages?: Stages };
}

/** A process that keeps `cpu` busy half the time (10 ms on, 10 ms off) until killed. */
function busyLoop(cpu: number): { stop(): void } {
  const src = 'const s=new Int32Array(new SharedArrayBuffer(4));for(;;){const t=performance.now();while(performance.now()-t<10);Atomics.wait(s,0,0,10);}';
  const child = TASKSET ? spawn(TASKSET, ['-c', String(cpu), process.execPath, '-e', src], { stdio: 'ignore' }) : spawn(process.execPath, ['-e', src], { stdio: 'ignore' });
  return { stop: () => void child.kill('SIGKILL') };
}

interface Pair {
  guardian: string;
  mentor: string;
  conversationId: string;
}

/** Pairs ordered so that one mentor's conversations are spread out (20 frames/s per connection). */
function choosePairs(ctx: LoadContext, n: number): Omit<Pair, 'conversationId'>[] {
  const out: Omit<Pair, 'conversationId'>[] = [];
  const schools = ctx.plan.schools.length > 1 ? [...ctx.plan.schools.slice(1), ctx.plan.schools[0]!] : ctx.plan.schools;
  for (const school of schools) {
    const perClass = Math.max(...school.classes.map((c) => c.students.length));
    for (let k = 0; k < perClass; k++) {
      for (const c of school.classes) {
        const st = c.students[k];
        if (st && out.length < n) out.push({ guardian: ids.guardian(st, 'b'), mentor: c.mentor });
      }
    }
  }
  return out;
}

export async function chat(ctx: LoadContext, p: ChatParams): Promise<ChatResult> {
  const chosen = choosePairs(ctx, p.pairs);
  const people = [...new Set(chosen.flatMap((x) => [x.guardian, x.mentor]))];
  const conns = new Map<string, HubConn>();
  // Latencies of deliveries to the other party; `measuring` gates what is recorded.
  let measuring = false;
  let measureFrom = Infinity;
  let recorded: number[] = [];
  /** When each recorded delivery was sent, for lateWindows. */
  let recordedSentAt: number[] = [];
  let deliveredInWindow = 0;
  const onEvent = (me: string) => (f: Frame) => {
    if (f.event !== 'message.created') return;
    const m = (f.data as { message: { senderId: string; body: string } }).message;
    if (m.senderId === me) return;
    const sentAt = Number.parseFloat(m.body);
    if (!measuring || sentAt < measureFrom) return;
    recorded.push(performance.now() - sentAt);
    recordedSentAt.push(sentAt);
    deliveredInWindow++;
  };
  for (const c of await connectPeople(ctx, people, { prepare: (c) => (c.onEvent = onEvent(c.personId)) })) conns.set(c.personId, c);
  const pairs: Pair[] = [];
  await inPool(chosen, 100, async (x) => {
    const r = await conns.get(x.guardian)!.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [x.mentor], clientKey: `bench-${x.guardian}` });
    pairs.push({ ...x, conversationId: r.conversation.id });
  });
  progress(`chat: ${pairs.length} conversations between ${conns.size} people`);
  const pad = filler(p.bodyBytes);
  let seq = 0;
  const errors: Record<string, number> = {};
  let acked = 0;
  const send = (from: string, conversationId: string): Promise<Frame> => {
    const body = `${performance.now().toFixed(3)} ${pad}`;
    return conns.get(from)!.request('message.send', { conversationId, body, clientKey: `m${seq++}` }).then((a) => {
      if (a.type === 'ok') acked++;
      else errors[String(a.code)] = (errors[String(a.code)] ?? 0) + 1;
      return a;
    });
  };

  const answered = () => acked + Object.values(errors).reduce((a, b) => a + b, 0);
  let sent = 0;
  const steadyPhase = async (rate: number, label: string): Promise<SteadyResult> => {
    for (const k of Object.keys(errors)) delete errors[k];
    recorded = [];
    recordedSentAt = [];
    deliveredInWindow = 0;
    measuring = false;
    measureFrom = Infinity;
    const due0 = sent;
    let sentInWindow = 0;
    let w: Awaited<ReturnType<typeof cpuWindow>> | undefined;
    let waits: ReturnType<typeof sampleWaits> | undefined;
    let probe: ReturnType<typeof commitProbe> | undefined;
    let ackedAtWindow = 0;
    await paceAt(
      { rate, warmupS: p.warmupS, steadyS: p.steadyS },
      (i, measured) => {
        const k = due0 + i;
        const pair = pairs[k % pairs.length]!;
        const fromGuardian = Math.floor(k / pairs.length) % 2 === 0;
        void send(fromGuardian ? pair.guardian : pair.mentor, pair.conversationId);
        sent = k + 1;
        if (measured) sentInWindow++;
      },
      async () => {
        w = await cpuWindow('hub', label);
        if (ctx.databaseUrl) {
          waits = sampleWaits(ctx.databaseUrl);
          probe = commitProbe(ctx.databaseUrl, COMMIT_PROBE);
        }
        ackedAtWindow = acked;
        measureFrom = performance.now();
        measuring = true;
      },
    );
    const ackedSteady = acked - ackedAtWindow;
    const steadyWin = await w!.end();
    const dbWaits = await waits?.stop();
    const commits = await (await probe)?.stop();
    await until(() => deliveredInWindow >= sentInWindow, 10_000, 20);
    measuring = false;
    // A hub slower than the rate has a backlog: let it drain so the next phase starts clean.
    await until(() => answered() >= sent, 60_000, 20);
    const latencyMs = latency(recorded);
    const result: SteadyResult = {
      rate, sent: sentInWindow, delivered: deliveredInWindow, missing: sentInWindow - deliveredInWindow, errors: { ...errors },
      latencyMs, lateWindows: lateWindows(recordedSentAt, recorded, latencyMs.p99), ackedPerSec: ackedSteady / (steadyWin.wallMs / 1000), window: strip(steadyWin),
      writesPerCommit: writesPerCommit(steadyWin),
      ...(dbWaits ? { dbWaits } : {}),
      ...(commits ? { commitProbe: commits } : {}),
      ...(steadyWin.end.stages ? { stages: steadyWin.end.stages } : {}),
    };
    progress(`chat ${label} at ${rate} msg/s: p99 ${result.latencyMs.p99.toFixed(1)} ms over ${result.latencyMs.count} deliveries`);
    return result;
  };
  const steady = await steadyPhase(p.rate, 'chat-steady');
  const high = p.highRate > 0 ? await steadyPhase(p.highRate, 'chat-high') : undefined;
  let contended: SteadyResult | undefined;
  if (p.busyCpu >= 0) {
    const busy = busyLoop(p.busyCpu);
    try {
      await sleep(300);
      contended = await steadyPhase(p.rate, 'chat-contended');
    } finally {
      busy.stop();
    }
  }

  // Saturation: closed loop per guardian, at most one message in flight each and no faster
  // than the per-connection frame limit allows.
  await sleep(500);
  for (const k of Object.keys(errors)) delete errors[k];
  recorded = [];
  recordedSentAt = [];
  measuring = true;
  measureFrom = 0;
  const rows0 = (await serverStats('hub', { rows: true })).rows?.messages ?? 0;
  const sw = await cpuWindow('hub', 'chat-saturation');
  const satWaitsSampler = ctx.databaseUrl ? sampleWaits(ctx.databaseUrl) : undefined;
  const satEnd = performance.now() + p.saturationS * 1000;
  const ackedAtSat = acked;
  await Promise.all(
    pairs.map(async (pair) => {
      while (performance.now() < satEnd) {
        const started = performance.now();
        await send(pair.guardian, pair.conversationId);
        const spent = performance.now() - started;
        if (spent < 60) await sleep(60 - spent);
      }
    }),
  );
  const satWin = await sw.end({ rows: true });
  const satWaits = await satWaitsSampler?.stop();
  measuring = false;
  const satAcked = acked - ackedAtSat;
  const result: ChatResult = {
    pairs: pairs.length,
    steady,
    ...(high ? { high } : {}),
    ...(contended ? { contended } : {}),
    saturation: {
      acked: satAcked,
      persistedPerSec: satAcked / (satWin.wallMs / 1000),
      rowsPerSec: ((satWin.end.rows?.messages ?? 0) - rows0) / (satWin.wallMs / 1000),
      errors: { ...errors },
      latencyMs: latency(recorded),
      window: strip(satWin),
      writesPerCommit: writesPerCommit(satWin),
      ...(satWaits ? { dbWaits: satWaits } : {}),
      ...(satWin.end.stages ? { stages: satWin.end.stages } : {}),
    },
  };
  for (const c of conns.values()) c.close();
  return result;
}
