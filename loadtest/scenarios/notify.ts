// The notification phase of `npm run bench` (issue 11, Performance): a head of operations mails
// every guardian of a synthetic district (100,000 at full scale), each with one Web Push
// subscription, and the hub as `npm start` runs it sends them: the outbox (derive, expand,
// send) and the real WebPushChannel (VAPID token per push-service origin, aes128gcm per
// recipient), to a local push endpoint (loadtest/push-endpoint.ts) that answers 201, counts
// every path once and verifies a sample (VAPID signature, decryption). Once with one node, once
// with two sharing PostgreSQL and Redis. Reports pushes per second (in all and per node), the
// nodes' CPU per push, commit → last push, and what the machine's CPUs were doing meanwhile.
//
// Runs in the orchestrator: it needs hub processes of its own (VAPID keys, Redis, loopback
// push endpoints allowed: HUB_PUSH_ALLOW_LOOPBACK with NODE_ENV=test, set here only) and a
// database of its own, so that its district does not meet the other phases' one.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { guardiansOf, syntheticDistrict, type DistrictSize } from '../district.ts';
import { benchDatabase } from '../lib/database.ts';
import { HubConn, importBundle } from '../lib/hub-client.ts';
import { cpuUs } from '../lib/ipc.ts';
import { sleep } from '../lib/control.ts';
import { sampleWaits, type WaitSample } from '../lib/pg-waits.ts';
import { ServerChild, TASKSET, spawnChild, type Child } from '../lib/procs.ts';
import type { EndpointReport, FromEndpoint, ToEndpoint } from '../push-endpoint.ts';
import { mintToken } from '../../hub/auth/mint.ts';
import { redisReachable } from '../../hub/testing/processes.ts';
import { testVapid } from '../../hub/testing/vapid.ts';

export interface NotifyParams {
  /** The district: schools × classes × students, two guardians each (the mailing's audience). */
  schools: number;
  classesPerSchool: number;
  studentsPerClass: number;
  /**
   * Browser key pairs, reused round robin over the subscriptions: making 100,000 takes half a
   * minute of setup, and the hub's work per push (a fresh ECDH key and salt per message) does
   * not depend on whose public key it encrypts to.
   */
  keyPairs: number;
  /** The endpoint verifies one push in this many (VAPID signature, decryption). */
  verifyEvery: number;
  /** Give up on a run whose last push has not arrived after this long. */
  timeoutS: number;
}

export interface NotifyRun {
  nodes: number;
  expected: number;
  /** Distinct subscriptions that got the push (each counted once), and pushes beyond one per subscription. */
  pushes: number;
  duplicates: number;
  /** The mailing's answer (its commit) → the first and the last push at the endpoint. */
  commitToFirstPushS: number;
  commitToLastPushS: number;
  /** pushes / (commit → last push), in all and per node. */
  pushesPerS: number;
  pushesPerSPerNode: number;
  /** The nodes' CPU (user + system, all threads) from the mailing to the last push, per push. */
  cpuUsPerPush: number;
  /** 1 s / cpuUsPerPush: pushes one core of hub nodes sends per second. */
  pushesPerCoreS: number;
  /** Each node's CPU seconds over the run, and the CPU it was pinned to ('any': not pinned). */
  perNode: { cpuS: number; cpu: string }[];
  /** Pushes each node sent (the mailing's rows by lease node), most first. */
  sentByNode: number[];
  /** The endpoint's CPU per push (HTTP and counting; the verified sample adds a little). */
  endpointCpuUsPerPush: number;
  /** Share of all the machine's CPUs busy over the run (everything: nodes, PostgreSQL, Redis, endpoint, others). */
  machineBusy: number;
  /** CPU µs per push of every PostgreSQL and Redis process on the machine (the phase's own, unless another session used them). */
  postgresCpuUsPerPush: number;
  redisCpuUsPerPush: number;
  /** What the database's sessions waited on meanwhile (pg_stat_activity every 200 ms). */
  dbWaits: WaitSample;
  /** The mailing's outbox rows by state (all `sent` when nothing failed). */
  outbox: Record<string, number>;
  verified: number;
  verifyFailed: number;
  failures: string[];
  tags: string[];
  mailingId: string;
}

export interface NotifyResult {
  /** The phase's own database and district. */
  database: { server: string; version: string };
  schools: number;
  persons: number;
  guardians: number;
  keyPairs: number;
  verifyEvery: number;
  importSeconds: number;
  subscriptionsSeconds: number;
  /** Where the nodes and the endpoint ran. */
  pinning: string;
  /** Why there is no two-node run, when there is none. */
  note?: string;
  runs: NotifyRun[];
}

export interface NotifyOptions {
  params: NotifyParams;
  adminUrl?: string;
  /** Pin node i to CPU i and the endpoint to CPU 1 with one node (else on any CPU). */
  pin: boolean;
  cpuProfDir?: string;
  log: (line: string) => void;
}

export const notifyDistrict = (p: NotifyParams): DistrictSize => ({
  schools: p.schools, classesPerSchool: p.classesPerSchool, studentsPerClass: p.studentsPerClass, subjectsPerClass: 1, guardiansPerStudent: 2,
});

const ISSUER = 'schoolhub-bench';
const AUDIENCE = 'schoolhub';

/** Busy and total jiffies of all CPUs (/proc/stat), for the machine's busy share over a window. */
function machineJiffies(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** The push endpoint child: one answer per request, in order (requests of one type at a time). */
const USER_HZ = 100; // clock ticks per second of /proc/<pid>/stat

/** User + system CPU seconds so far of every process with this command name, by pid. */
function processCpu(comm: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / USER_HZ);
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** CPU seconds the processes of `after` used since `before` (a process started meanwhile counts whole). */
const cpuSince = (before: Map<number, number>, after: Map<number, number>) => [...after].reduce((sum, [pid, s]) => sum + s - (before.get(pid) ?? 0), 0);

/** The push endpoint child: one answer per request, in order (requests of one type at a time). */
class Endpoint {
  port = 0;
  private readonly waiting: { type: FromEndpoint['type']; resolve: (m: FromEndpoint) => void; reject: (e: Error) => void }[] = [];

  private constructor(readonly child: Child) {
    child.proc.on('message', (m: FromEndpoint) => {
      const i = this.waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(m);
    });
    child.proc.once('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`push endpoint exited with ${code}`));
    });
  }

  static async start(cpu: number | string | undefined): Promise<Endpoint> {
    const e = new Endpoint(spawnChild('push-endpoint.ts', { name: 'push-endpoint', cpu }));
    e.port = (await e.next('ready')).port;
    return e;
  }

  next<T extends FromEndpoint['type']>(type: T): Promise<Extract<FromEndpoint, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ type, resolve: resolve as (m: FromEndpoint) => void, reject });
    });
  }

  send(m: ToEndpoint): void {
    this.child.proc.send(m);
  }

  async report(): Promise<EndpointReport> {
    const answer = this.next('count');
    this.send({ type: 'count' });
    const { type: _type, ...report } = await answer;
    return report;
  }

  stop(): void {
    if (this.child.proc.exitCode !== null) return;
    this.send({ type: 'stop' });
    setTimeout(() => this.child.proc.kill('SIGKILL'), 2_000).unref();
  }
}

export async function runNotify(o: NotifyOptions): Promise<NotifyResult> {
  const { params: p, log } = o;
  const { bundle, plan } = syntheticDistrict(notifyDistrict(p));
  const guardians = plan.schools.flatMap((s) => s.classes.flatMap((c) => c.students.flatMap((st) => guardiansOf(plan, st))));
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = await redisReachable(redisUrl);
  const db = await benchDatabase(o.adminUrl);
  const secret = randomBytes(32).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const vapid = testVapid();
  const env = {
    ...process.env, DATABASE_URL: db.url, HUB_JWT_SECRET: secret, HUB_ADMIN_TOKEN: adminToken, HUB_JWT_ISSUER: ISSUER, HUB_JWT_AUDIENCE: AUDIENCE,
    HUB_ALLOWED_ORIGINS: '', REDIS_URL: redis ? redisUrl : '', HUB_REDIS_PREFIX: `bench-notify-${randomBytes(4).toString('hex')}:`,
    ...vapid.env, HUB_PUSH_ALLOWED_HOSTS: '127.0.0.1', HUB_PUSH_ALLOW_LOOPBACK: '1', NODE_ENV: 'test',
    // Sent at once: the grace period would only add 30 s of waiting to commit → last push.
    HUB_NOTIFY_GRACE_MS: '0', HUB_RETENTION_INTERVAL_MS: '0', HUB_SCHEDULE_INTERVAL_MS: '0',
  };
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  let endpoint: Endpoint | undefined;
  const nodes: ServerChild[] = [];
  try {
    // The district goes in through a hub that sends nothing, stopped before any run starts.
    const importer = await ServerChild.start('hub-server.ts', { name: 'importer', cpu: o.pin ? 0 : undefined, env: { ...env, HUB_NOTIFY: '0' } });
    const importSeconds = await importBundle(importer.port, adminToken, bundle).finally(() => importer.stop());
    log(`notify: district of ${plan.persons} persons imported in ${importSeconds.toFixed(1)} s`);

    endpoint = await Endpoint.start(o.pin ? 1 : undefined);
    const keysAnswer = endpoint.next('keys');
    endpoint.send({ type: 'keys', count: Math.min(p.keyPairs, guardians.length), vapidPublicKey: vapid.publicKey, verifyEvery: p.verifyEvery });
    const { keys } = await keysAnswer;
    // One device per guardian, written straight into the table push.subscribe fills (100,000
    // subscribes over WebSockets would be setup, not the phase); distinct endpoint paths.
    const t0 = performance.now();
    const origin = `http://127.0.0.1:${endpoint.port}`;
    for (let from = 0; from < guardians.length; from += 10_000) {
      const slice = guardians.slice(from, from + 10_000);
      const at = (i: number) => from + i;
      await sql`
        insert into push_subscriptions (id, person_id, endpoint, p256dh, auth)
        select * from unnest(${slice.map((_, i) => `dev_bench_${at(i)}`)}::text[], ${slice}::text[],
          ${slice.map((_, i) => `${origin}/push/${at(i).toString(36)}`)}::text[],
          ${slice.map((_, i) => keys[at(i) % keys.length]!.p256dh)}::text[], ${slice.map((_, i) => keys[at(i) % keys.length]!.auth)}::text[])`;
    }
    const subscriptionsSeconds = (performance.now() - t0) / 1000;
    log(`notify: ${guardians.length} subscriptions (${keys.length} browser key pairs) stored in ${subscriptionsSeconds.toFixed(1)} s`);

    const runs: NotifyRun[] = [];
    const counts = redis ? [1, 2] : [1];
    for (const count of counts) {
      // One node: it has CPU 0, the endpoint CPU 1. Two: a CPU each, and the endpoint (like
      // PostgreSQL and Redis) wherever the scheduler finds room: on 2 cores nothing else is left.
      const cpus = Array.from({ length: count }, (_, i) => (o.pin ? i : undefined));
      if (o.pin && count > 1 && TASKSET) execFileSync(TASKSET, ['-a', '-p', '-c', '0-1', String(endpoint.child.pid)], { stdio: 'ignore' });
      log(`notify: ${count} node(s), a mailing to ${guardians.length} guardians`);
      for (const [i, cpu] of cpus.entries()) nodes.push(await ServerChild.start('hub-server.ts', { name: `notify-${i}`, cpu, env }));
      const run = await oneRun(o, { nodes, cpus, endpoint, sql, dbUrl: db.url, plan, secret, expected: guardians.length, clientKey: `bench-notify-${count}` });
      runs.push(run);
      log(`notify: ${count} node(s): ${run.pushes}/${run.expected} pushes, commit → last push ${run.commitToLastPushS.toFixed(1)} s, ` +
        `${Math.round(run.pushesPerSPerNode)}/s per node, ${Math.round(run.cpuUsPerPush)} µs CPU per push, machine ${Math.round(run.machineBusy * 100)}% busy`);
      for (const n of nodes.splice(0)) await n.stop();
    }
    return {
      database: { server: db.server, version: db.version }, schools: plan.schools.length, persons: plan.persons, guardians: guardians.length, keyPairs: keys.length,
      pinning: o.pin ? 'one node on CPU 0, the endpoint on CPU 1; two nodes on CPU 0 and 1, the endpoint on either; PostgreSQL and Redis unpinned' : 'unpinned', verifyEvery: p.verifyEvery, importSeconds, subscriptionsSeconds, runs,
      ...(redis ? {} : { note: `no Redis at ${redisUrl}: one node only` }),
    };
  } finally {
    for (const n of nodes) await n.stop().catch(() => {});
    endpoint?.stop();
    await sql.end();
    await db.drop().catch((e: unknown) => log(`could not drop the notify database: ${String(e)}`));
  }
}

interface RunContext {
  nodes: ServerChild[];
  cpus: (number | undefined)[];
  endpoint: Endpoint;
  sql: postgres.Sql;
  dbUrl: string;
  plan: ReturnType<typeof syntheticDistrict>['plan'];
  secret: string;
  expected: number;
  clientKey: string;
}

async function oneRun(o: NotifyOptions, r: RunContext): Promise<NotifyRun> {
  const { nodes, endpoint, plan } = r;
  const hoo = await HubConn.connect(`ws://127.0.0.1:${nodes[0]!.port}/ws`, plan.hoo, await mintToken(r.secret, plan.hoo, { issuer: ISSUER, audience: AUDIENCE }), { localAddress: '127.0.0.1' });
  try {
    endpoint.send({ type: 'expect', count: r.expected });
    const endpoint0 = await endpoint.report();
    const profile = (i: number) => (o.cpuProfDir ? { stop: path.join(o.cpuProfDir, `hub-notify-${nodes.length}n-node${i}.cpuprofile`) } : undefined);
    const before = await Promise.all(nodes.map((n) => n.stats(false, false, o.cpuProfDir ? { start: true } : undefined)));
    const machine0 = machineJiffies();
    const pg0 = processCpu('postgres');
    const redis0 = processCpu('redis-server');
    const waits = sampleWaits(r.dbUrl, 200);
    const { mailing } = await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
      districtId: plan.districtId, schoolIds: plan.schools.map((s) => s.id), title: 'Studiedag på fredag',
      body: 'Skolorna är stängda på fredag. Fritidshemmen har öppet som vanligt.', recipients: { guardians: true }, clientKey: r.clientKey,
    });
    const committedAt = Date.now();
    const deadline = performance.now() + o.params.timeoutS * 1000;
    let report = await endpoint.report();
    while (report.distinct < r.expected && performance.now() < deadline && nodes.every((n) => n.child.proc.exitCode === null)) {
      await sleep(100);
      report = await endpoint.report();
    }
    const after = await Promise.all(nodes.map((n, i) => n.stats(false, false, profile(i))));
    const machine1 = machineJiffies();
    const pgS = cpuSince(pg0, processCpu('postgres'));
    const redisS = cpuSince(redis0, processCpu('redis-server'));
    const dbWaits = await waits.stop();
    if (report.distinct < r.expected) o.log(`notify: only ${report.distinct} of ${r.expected} pushes arrived within ${o.params.timeoutS} s`);
    // Let the verifications of the last pushes finish before the counts are read.
    await sleep(200);
    report = await endpoint.report();
    const rows = await r.sql<{ state: string; node: string | null; n: number }[]>`
      select state, lease_node as node, count(*)::int as n from notification_outbox
      where event_id = (select max(event_id) from notification_outbox) group by 1, 2`;
    const outbox: Record<string, number> = {};
    for (const row of rows) outbox[row.state] = (outbox[row.state] ?? 0) + row.n;
    const cpu = before.map((b, i) => (cpuUs(after[i]!) - cpuUs(b)) / 1e6);
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    const pushes = report.distinct;
    const seconds = report.lastAt > 0 ? (report.lastAt - committedAt) / 1000 : NaN;
    const cpuUsPerPush = (cpuTotal * 1e6) / pushes;
    return {
      nodes: nodes.length, expected: r.expected, pushes, duplicates: report.duplicates + report.unknown,
      commitToFirstPushS: report.firstAt > 0 ? (report.firstAt - committedAt) / 1000 : NaN, commitToLastPushS: seconds,
      pushesPerS: pushes / seconds, pushesPerSPerNode: pushes / seconds / nodes.length,
      cpuUsPerPush, pushesPerCoreS: 1e6 / cpuUsPerPush,
      perNode: cpu.map((s, i) => ({ cpuS: s, cpu: r.cpus[i] === undefined ? 'any' : String(r.cpus[i]) })),
      sentByNode: rows.filter((x) => x.state === 'sent').map((x) => x.n).sort((a, b) => b - a),
      endpointCpuUsPerPush: (report.cpuUs - endpoint0.cpuUs) / Math.max(1, report.received),
      machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
      postgresCpuUsPerPush: (pgS * 1e6) / pushes, redisCpuUsPerPush: (redisS * 1e6) / pushes, dbWaits,
      outbox, verified: report.verified, verifyFailed: report.verifyFailed, failures: report.failures, tags: report.tags, mailingId: mailing.id,
    };
  } finally {
    hoo.close();
  }
}
