// `npm run bench`: the hub against a bare uWS reference on this machine, in one run.
// The orchestrator (this process) makes a fresh database, imports a synthetic district
// through the real API, starts the hub and the reference pinned to CPU 0 and the load
// generator pinned to CPU 1, runs the scenarios and prints a table, the JSON and one summary
// line. The notify phase runs last, with hub nodes of its own (scenarios/notify.ts).
// Options: --scale tiny|full, --only idle,storm,fanout,chat,posts,readstats,notify, --cpu-prof [dir],
// --chat-rate N, --set group.param=N, --json FILE.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { syntheticDistrict, type DistrictSize } from './district.ts';
import { benchDatabase, rawInserts } from './lib/database.ts';
import { sampleWaits } from './lib/pg-waits.ts';
import { machine } from './lib/machine.ts';
import { LOADTEST_DIR, ServerChild, pinSelf, spawnChild, type Child } from './lib/procs.ts';
import type { FromLoadgen, ServerName, ToLoadgen } from './lib/ipc.ts';
import type { LoadSetup } from './lib/load-context.ts';
import type { FanoutHubResult, FanoutParams, FanoutRefResult } from './scenarios/fanout.ts';
import type { ChatParams, ChatResult } from './scenarios/chat.ts';
import type { IdleParams, IdleResult } from './scenarios/idle.ts';
import type { StormParams, StormResult } from './scenarios/storm.ts';
import type { ReadStatsParams, ReadStatsResult } from './scenarios/readstats.ts';
import type { PostsHubResult, PostsParams, PostsSide } from './scenarios/posts.ts';
import { markCost } from './lib/database.ts';
import { importBundle } from './lib/hub-client.ts';
import { render, summarize, summaryLine, type BenchResults } from './report.ts';
import { runNotify, type NotifyParams } from './scenarios/notify.ts';

export type Phase = 'idle' | 'storm' | 'fanout' | 'chat' | 'posts' | 'readstats' | 'notify';
export const PHASES: Phase[] = ['idle', 'storm', 'fanout', 'chat', 'posts', 'readstats', 'notify'];

export interface Scale {
  district: DistrictSize;
  fanout: FanoutParams;
  chat: ChatParams;
  idle: IdleParams;
  storm: StormParams;
  raw: { seconds: number; connections: number };
  /** Read statistics: a district of its own (its guardians are the mailing's audience), imported last. */
  readstats: ReadStatsParams & { district: DistrictSize; marks: number };
  /** Notifications: a mailing to every guardian of a district of its own, by one node, then two. */
  notify: NotifyParams;
  /** Posts to groups: a district of its own whose classes are the groups (every student connects). */
  posts: PostsParams & { district: DistrictSize };
}

export const SCALES: Record<'full' | 'tiny', Scale> = {
  full: {
    // 6 schools of 1,000 students with two guardians each: 18,000 people and staff.
    // Chat: every pair exchanges a message every 5 s (200 messages/s in all).
    district: { schools: 6, classesPerSchool: 40, studentsPerClass: 25, subjectsPerClass: 3, guardiansPerStudent: 2 },
    fanout: { readers: 2000, posts: 200, warmup: 10, window: 4, bodyBytes: 500, posters: 8 },
    // Then 1,000 msg/s, then 200 msg/s again with a busy loop pinned beside the hub (50% duty).
    chat: { pairs: 1000, rate: 200, highRate: 1000, busyCpu: 0, warmupS: 3, steadyS: 20, saturationS: 12, bodyBytes: 120 },
    idle: { connections: 10_000 },
    storm: { clients: 5000, missedPostsPerSchool: 3 },
    // The baseline gets 10 connections (the hub's pool opens up to 24 as needed).
    raw: { seconds: 8, connections: 10 },
    // 10 schools of 5,000 students with two guardians each: a mailing to 100,000 guardians.
    readstats: { district: { schools: 10, classesPerSchool: 200, studentsPerClass: 25, subjectsPerClass: 1, guardiansPerStudent: 2 }, readers: 1000, concurrency: 50, marks: 300 },
    // The same 100,000 guardians, one push subscription each; 1 push in 100 verified.
    notify: { schools: 10, classesPerSchool: 200, studentsPerClass: 25, keyPairs: 1000, verifyEvery: 100, timeoutS: 240 },
    // 50 groups of 200 (5 schools of 10 classes of 200, the class its mentor's group): 10,000
    // students connected, 250 posts/s in all, 5/s per mentor (the hub allows 20 writes/s a person).
    posts: { district: { schools: 5, classesPerSchool: 10, studentsPerClass: 200, subjectsPerClass: 1, guardiansPerStudent: 1 }, groups: 50, rate: 250, warmupS: 3, steadyS: 20, bodyBytes: 500, readersPerGroup: 0 },
  },
  tiny: {
    district: { schools: 2, classesPerSchool: 2, studentsPerClass: 5, subjectsPerClass: 2, guardiansPerStudent: 2 },
    fanout: { readers: 20, posts: 6, warmup: 2, window: 2, bodyBytes: 200, posters: 2 },
    chat: { pairs: 8, rate: 20, highRate: 40, busyCpu: -1, warmupS: 0.3, steadyS: 1, saturationS: 0.5, bodyBytes: 50 },
    idle: { connections: 40 },
    storm: { clients: 20, missedPostsPerSchool: 1 },
    raw: { seconds: 0.5, connections: 2 },
    readstats: { district: { schools: 2, classesPerSchool: 2, studentsPerClass: 5, subjectsPerClass: 1, guardiansPerStudent: 2 }, readers: 10, concurrency: 4, marks: 10 },
    // 300 guardians, every tenth push verified.
    notify: { schools: 2, classesPerSchool: 3, studentsPerClass: 25, keyPairs: 50, verifyEvery: 10, timeoutS: 60 },
    posts: { district: { schools: 1, classesPerSchool: 3, studentsPerClass: 6, subjectsPerClass: 1, guardiansPerStudent: 1 }, groups: 3, rate: 20, warmupS: 0.3, steadyS: 1, bodyBytes: 100, readersPerGroup: 0 },
  },
};

export interface BenchOptions {
  scale: Scale;
  phases: Phase[];
  adminUrl?: string;
  cpuProfDir?: string;
  /** Pin servers and load generator to separate CPUs (default true; the smoke test runs unpinned). */
  pin?: boolean;
  log?: (line: string) => void;
}

const ISSUER = 'schoolhub-bench';
const AUDIENCE = 'schoolhub';

/** Drives the load generator: one scenario at a time, stats requests routed to the servers. */
class Loadgen {
  private pending: { resolve: (r: unknown) => void; reject: (e: Error) => void } | undefined;

  constructor(
    readonly child: Child,
    servers: Partial<Record<ServerName, ServerChild>>,
    log: (line: string) => void,
  ) {
    child.proc.on('message', (raw) => {
      const m = raw as FromLoadgen;
      if (m.type === 'progress') log(`  ${m.line}`);
      else if (m.type === 'rpc') {
        const server = servers[m.server];
        if (!server) return;
        void server.stats(m.gc, m.rows, m.profile).then((stats) => this.send({ type: 'rpc', id: m.id, stats }));
      } else if (m.type === 'result') this.pending?.resolve(m.result);
      else if (m.type === 'failed') this.pending?.reject(new Error(`load generator: ${m.message}`));
    });
    child.proc.once('exit', (code) => this.pending?.reject(new Error(`load generator exited with ${code}`)));
  }

  send(msg: ToLoadgen | { type: 'setup'; setup: LoadSetup }): void {
    this.child.proc.send(msg);
  }

  run<T>(scenario: string, params: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (r: unknown) => void, reject };
      this.send({ type: 'run', scenario, params });
    });
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const log = opts.log ?? ((line: string) => console.error(`[bench] ${line}`));
  // Two CPUs at least: servers on 0, this process and the load generator on 1.
  const twoCpus = os.cpus().length >= 2 && opts.pin !== false;
  const pinned = twoCpus && pinSelf(1);
  // The notify phase brings its own hubs, database and district; the others share one hub.
  const results = opts.phases.some((p) => p !== 'notify') ? await hubPhases(opts, log, twoCpus, pinned) : undefined;
  if (!opts.phases.includes('notify')) return logged(results!, log);
  log(`notify: a mailing to ${opts.scale.notify.schools * opts.scale.notify.classesPerSchool * opts.scale.notify.studentsPerClass * 2} guardians with a push device each, one node then two`);
  const notify = await runNotify({ params: opts.scale.notify, pin: twoCpus, log, ...(opts.adminUrl ? { adminUrl: opts.adminUrl } : {}), ...(opts.cpuProfDir ? { cpuProfDir: opts.cpuProfDir } : {}) });
  return logged(results ? { ...results, notify } : {
    machine: machine(notify.database.version, pinned),
    district: { schools: notify.schools, persons: notify.persons, importSeconds: notify.importSeconds, database: notify.database.server },
    notify,
  }, log);
}

function logged(results: BenchResults, log: (line: string) => void): BenchResults {
  log(summaryLine(summarize(results)));
  return results;
}

async function hubPhases(opts: BenchOptions, log: (line: string) => void, twoCpus: boolean, pinned: boolean): Promise<BenchResults> {
  const scale = opts.scale;
  const has = (p: Phase) => opts.phases.includes(p);
  const db = await benchDatabase(opts.adminUrl);
  log(`database: ${db.server}, ${db.version}`);
  const children: ServerChild[] = [];
  let loadgenChild: Child | undefined;
  try {
    // Read statistics and posts have districts of their own: alone, theirs is the first
    // import; else it is imported into the running hub before the phase.
    const alone = opts.phases.length === 1 ? opts.phases[0] : undefined;
    const firstSize = alone === 'readstats' ? scale.readstats.district : alone === 'posts' ? scale.posts.district : scale.district;
    const { bundle, plan } = syntheticDistrict(firstSize);
    const secret = randomBytes(32).toString('base64url');
    const adminToken = randomBytes(24).toString('base64url');
    const env = {
      ...process.env, DATABASE_URL: db.url, HUB_JWT_SECRET: secret, HUB_ADMIN_TOKEN: adminToken,
      HUB_JWT_ISSUER: ISSUER, HUB_JWT_AUDIENCE: AUDIENCE, HUB_ALLOWED_ORIGINS: '', REDIS_URL: '',
    };
    const postsConnections = scale.posts.groups * (scale.posts.district.studentsPerClass + 1);
    const files = Math.max(4096, Math.max(scale.idle.connections, postsConnections) * 2 + 2048);
    const serverCpu = twoCpus ? 0 : undefined;
    // The import runs on a first hub; the measured hub starts fresh from the database, so
    // that memory freed after parsing the bundle does not hide what connections cost.
    const importer = await ServerChild.start('hub-server.ts', { name: 'hub', cpu: serverCpu, env, files });
    const importSeconds = await importBundle(importer.port, adminToken, bundle);
    await importer.stop();
    log(`district: ${plan.persons} persons imported in ${importSeconds.toFixed(1)} s`);
    // --cpu-prof: the whole hub process as `node --cpu-prof` sees it, and (lib/control.ts)
    // a profile of each measured window alone, from the same V8 profiler.
    const profFlags = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`, `--cpu-prof-name=hub-process-${opts.phases.join('-')}.cpuprofile`] : [];
    const hub = await ServerChild.start('hub-server.ts', { name: 'hub', cpu: serverCpu, env, files, nodeFlags: ['--expose-gc', ...profFlags] });
    children.push(hub);
    const ref = has('fanout') || has('posts') ? await ServerChild.start('reference-server.ts', { name: 'ref', cpu: serverCpu, env, files, nodeFlags: ['--expose-gc'] }) : undefined;
    if (ref) children.push(ref);
    loadgenChild = spawnChild('loadgen.ts', { name: 'loadgen', cpu: twoCpus ? 1 : undefined, files, nodeFlags: ['--max-old-space-size=4096', '--expose-gc'] });
    const loadgen = new Loadgen(loadgenChild, { hub, ...(ref ? { ref } : {}) }, log);
    const setup = {
      hubWs: `ws://127.0.0.1:${hub.port}/ws`, refWs: ref ? `ws://127.0.0.1:${ref.port}` : undefined,
      secret, issuer: ISSUER, audience: AUDIENCE, size: firstSize, spread: 64, databaseUrl: db.url,
      ...(opts.cpuProfDir ? { profileDir: opts.cpuProfDir } : {}),
    };
    loadgen.send({ type: 'setup', setup });
    let loaded = firstSize;
    /** The district of a phase that has its own, imported into the running hub unless it is the one loaded. */
    const districtFor = async (size: DistrictSize, label: string) => {
      const d = syntheticDistrict(size);
      if (size !== loaded) {
        const seconds = await importBundle(hub.port, adminToken, d.bundle);
        log(`${label}: their district, ${d.plan.persons} persons, imported in ${seconds.toFixed(1)} s`);
        loadgen.send({ type: 'setup', setup: { ...setup, size } });
        loaded = size;
      }
      return d;
    };

    const results: BenchResults = {
      machine: machine(db.version, pinned),
      district: { schools: plan.schools.length, persons: plan.persons, importSeconds, database: db.server },
      settled: {},
    };
    // Each write phase starts on a settled database: its window then carries its own writes'
    // write-back, not the write-back of the phases before it (lib/database.ts, settle).
    const settle = async (phase: string) => {
      const sec = await db.settle();
      results.settled![phase] = sec ?? null;
      log(`${phase}: checkpoint ${sec === undefined ? 'not allowed for this role' : `took ${sec.toFixed(1)} s`}`);
    };
    if (has('idle')) {
      log(`idle: ${scale.idle.connections} connections`);
      results.idle = await loadgen.run<IdleResult>('idle', scale.idle);
    }
    if (has('storm')) {
      log(`reconnect storm: ${scale.storm.clients} clients`);
      results.storm = await loadgen.run<StormResult>('storm', scale.storm);
    }
    if (has('fanout')) {
      log(`fan-out: ${scale.fanout.readers} readers × ${scale.fanout.posts} posts, hub then reference`);
      const hubSide = await loadgen.run<FanoutHubResult & { sample: string; offsets: number[] }>('fanout-hub', scale.fanout);
      const refSide = await loadgen.run<FanoutRefResult>('fanout-ref', { ...scale.fanout, readers: hubSide.readers, sample: hubSide.sample, offsets: hubSide.offsets });
      const { sample: _sample, offsets: _offsets, ...hubResult } = hubSide;
      results.fanout = { hub: hubResult, ref: refSide };
    }
    if (has('chat')) {
      await settle('chat');
      log(`raw INSERT baseline: ${scale.raw.connections} connections, ${scale.raw.seconds} s`);
      // Measured before and after the chat: this machine's WAL flush rate drifts, and the
      // ratio uses their mean.
      const raw = { ...scale.raw, bodyBytes: scale.chat.bodyBytes + 10 };
      const before = await rawInserts(db.url, raw);
      log(`chat: ${scale.chat.pairs} pairs at ${scale.chat.rate} msg/s, then saturation`);
      const waits = sampleWaits(db.url);
      // The busy loop goes beside the hub: on its CPU when pinned, else nowhere.
      const chatParams = { ...scale.chat, busyCpu: serverCpu === undefined ? -1 : scale.chat.busyCpu };
      results.chat = await loadgen.run<ChatResult>('chat', chatParams);
      results.chatDbWaits = await waits.stop();
      log('raw INSERT baseline again');
      const after = await rawInserts(db.url, raw);
      results.rawInserts = { before, after, insertsPerSec: (before.insertsPerSec + after.insertsPerSec) / 2 };
    }
    if (has('posts')) {
      const { district, ...params } = scale.posts;
      await districtFor(district, 'posts');
      await settle('posts');
      // A post is acked and delivered after its commit: the disk's INSERT+commit latency right
      // before, in the same run, says how much of the tail is the WAL flush.
      const raw = await rawInserts(db.url, { ...scale.raw, bodyBytes: params.bodyBytes });
      log(`posts: ${params.groups} groups of ${district.studentsPerClass} students at ${params.rate} posts/s, hub then reference`);
      const hubSide = await loadgen.run<PostsHubResult>('posts-hub', params);
      const refSide = ref ? await loadgen.run<PostsSide>('posts-ref', { ...params, frameBytes: hubSide.frameBytes }) : undefined;
      results.posts = { hub: hubSide, ...(refSide ? { ref: refSide } : {}), rawInserts: raw };
    }
    if (has('readstats')) {
      const rs = await districtFor(scale.readstats.district, 'read statistics');
      await settle('read statistics');
      log(`read statistics: a mailing to every guardian, ${scale.readstats.readers} of them read it while its statistics are read`);
      const run = await loadgen.run<ReadStatsResult>('readstats', scale.readstats);
      const guardians = rs.plan.schools.flatMap((s) => s.classes.flatMap((c) => c.students.map((st) => st.replace(/^p-st-/, 'p-gu-'))));
      results.readstats = { ...run, markCost: await markCost(db.url, run.mailingId, guardians, scale.readstats.marks) };
    }
    return results;
  } finally {
    if (loadgenChild && loadgenChild.proc.exitCode === null) loadgenChild.proc.kill('SIGTERM');
    for (const c of children) await c.stop().catch(() => {});
    await db.drop().catch((e: unknown) => log(`could not drop the bench database: ${String(e)}`));
  }
}

function parseArgs(argv: string[]): { options: BenchOptions; json?: string } {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scaleName = get('--scale') ?? 'full';
  if (scaleName !== 'full' && scaleName !== 'tiny') throw new Error('--scale is full or tiny');
  const scale = structuredClone(SCALES[scaleName]);
  const rate = get('--chat-rate');
  if (rate) scale.chat.rate = Number(rate);
  // --set fanout.window=1 (repeatable): any numeric parameter of the scale, for experiments.
  argv.forEach((a, i) => {
    if (a !== '--set') return;
    const [key, value] = (argv[i + 1] ?? '').split('=');
    const [group, field] = (key ?? '').split('.');
    const target = (scale as unknown as Record<string, Record<string, number>>)[group ?? ''];
    if (!target || !field || !(field in target) || value === undefined) throw new Error(`--set ${argv[i + 1]}: no such parameter`);
    target[field] = Number(value);
  });
  const only = get('--only');
  const phases = only ? (only.split(',') as Phase[]).filter((p) => PHASES.includes(p)) : PHASES;
  let cpuProfDir: string | undefined;
  if (argv.includes('--cpu-prof')) {
    const dir = get('--cpu-prof');
    cpuProfDir = path.resolve(dir && !dir.startsWith('--') ? dir : path.join(LOADTEST_DIR, 'profiles'));
    mkdirSync(cpuProfDir, { recursive: true });
  }
  const json = get('--json');
  return { options: { scale, phases, ...(cpuProfDir ? { cpuProfDir } : {}) }, ...(json ? { json } : {}) };
}

async function main(): Promise<void> {
  const { options, json } = parseArgs(process.argv.slice(2));
  // Bounded: a run that hangs is killed rather than left holding thousands of sockets. The
  // notify phase (two 100,000-push runs and their district) gets 8 minutes of its own.
  const minutes = (options.phases.some((p) => p !== 'notify') ? 9 : 0) + (options.phases.includes('notify') ? 8 : 0);
  const watchdog = setTimeout(() => {
    console.error(`[bench] still running after ${minutes} minutes: giving up`);
    process.exit(2);
  }, minutes * 60_000);
  watchdog.unref();
  const t0 = performance.now();
  const results = await runBench(options);
  console.error(`[bench] done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (json) writeFileSync(json, JSON.stringify({ ...results, summary: summarize(results) }, null, 2));
  console.log(render(results));
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error('[bench] failed:', e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
