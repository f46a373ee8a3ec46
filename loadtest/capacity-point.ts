// One measured point for docs/CAPACITY.md: N real hub nodes (hub/main.ts) on one Redis and a
// fresh PostgreSQL database, readers of a school split over the nodes, a leader posting to the
// whole school at a fixed rate, and guardian–mentor pairs chatting across nodes. Prints the CPU
// each node spent (from /proc/<pid>/stat: user + system, all threads) while connecting and in
// the steady window, the deliveries counted by the readers, and the Redis messages seen on the
// deployment's prefix (a PSUBSCRIBE of our own: audience topics vs the ticks).
//
//   node --import ./hub/typescript/register.mjs loadtest/capacity-point.ts [--nodes 2] [--readers 1500] [--posts 3]
//        [--chat 40] [--seconds 30]
//
// Loopback only; REDIS_URL (else redis://127.0.0.1:6379) with a random HUB_REDIS_PREFIX; the
// database is created on DATABASE_URL's server (else 127.0.0.1:5432) and dropped at the end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startNodeProcess, type NodeProcess } from '../hub/testing/processes.ts';
import { mintToken } from '../hub/auth/mint.ts';
import { ids, syntheticDistrict } from './district.ts';
import { benchDatabase } from './lib/database.ts';
import { HubConn, inPool, sourceAddress, type Frame } from './lib/hub-client.ts';
import { filler, readersOf } from './lib/load-context.ts';

const { values: a } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2' },
    readers: { type: 'string', default: '1500' },
    posts: { type: 'string', default: '3' },
    chat: { type: 'string', default: '40' },
    pairs: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
  },
});
const NODES = Number(a.nodes);
const READERS = Number(a.readers);
const POSTS_PER_S = Number(a.posts);
const CHAT_PER_S = Number(a.chat);
const PAIRS = Number(a.pairs);
const SECONDS = Number(a.seconds);

const log = (s: string) => console.error(`[capacity] ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICK_HZ = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process, in ms, from /proc (all threads). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICK_HZ;
}
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const ISSUER = 'schoolhub-capacity';
const AUDIENCE = 'schoolhub';

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'schoolhub-capacity-'));
  const prefix = `cap_${randomBytes(4).toString('hex')}:`;
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const secret = randomBytes(32).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const nodes: NodeProcess[] = [];
  const conns: HubConn[] = [];
  const spy = new Redis(redisUrl, { lazyConnect: true });
  // Stopped from outside (a timeout, Ctrl-C): stop the nodes and drop the database all the same.
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    log('signal: stopping the nodes and dropping the database');
    for (const n of nodes) n.kill('SIGKILL');
    void db.drop().finally(() => (rmSync(dataDir, { recursive: true, force: true }), process.exit(1)));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    log(`database ${db.version}; redis ${redisUrl} prefix ${prefix}`);
    const size = { schools: 2, classesPerSchool: 20, studentsPerClass: 25, subjectsPerClass: 1, guardiansPerStudent: 2 as const };
    const { bundle, plan } = syntheticDistrict(size);
    const env = {
      DATABASE_URL: db.url, REDIS_URL: redisUrl, HUB_REDIS_PREFIX: prefix, HUB_JWT_SECRET: secret, HUB_ADMIN_TOKEN: adminToken,
      HUB_JWT_ISSUER: ISSUER, HUB_JWT_AUDIENCE: AUDIENCE, HUB_ALLOWED_ORIGINS: '', HUB_DATA_DIR: dataDir, HUB_RETENTION_INTERVAL_MS: '0', HUB_DRAIN_MS: '500',
    };
    for (let i = 0; i < NODES; i++) nodes.push(await startNodeProcess(env));
    const res = await fetch(`${nodes[0]!.url}/api/v1/directory/import`, {
      method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle),
    });
    if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    log(`${plan.persons} people imported; ${NODES} nodes up (pids ${nodes.map((n) => n.proc.pid).join(', ')})`);
    await sleep(6_000); // every node has reloaded the directory (broker message, else its 5 s check)

    // Redis, as the deployment sees it: every message on our prefix.
    let redisAudience = 0;
    let redisTicks = 0;
    let redisOther = 0;
    await spy.connect();
    spy.on('pmessage', (_p: string, ch: string) => {
      const topic = ch.slice(prefix.length);
      if (topic === '__tick') redisTicks++;
      else if (topic.startsWith('__')) redisOther++;
      else redisAudience++;
    });
    await spy.psubscribe(`${prefix}*`);

    const tokens = new Map<string, string>();
    const token = async (p: string) => tokens.get(p) ?? (tokens.set(p, await mintToken(secret, p, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 3600 })), tokens.get(p)!);
    const nodeOf = (i: number) => nodes[i % NODES]!;
    const pids = nodes.map((n) => n.proc.pid!);
    const snap = () => pids.map(cpuMs);

    // Connect: readers of school 0, spread over the nodes.
    const school = plan.schools[0]!;
    const people = readersOf(plan, 0).slice(0, READERS);
    let delivered = 0;
    const perNodeDelivered = new Array<number>(NODES).fill(0);
    const c0 = snap();
    const t0 = performance.now();
    await inPool(people, 100, async (p, i) => {
      const c = await HubConn.connect(nodeOf(i).wsUrl, p, await token(p), { localAddress: sourceAddress(i) });
      c.onData = () => {
        delivered++;
        perNodeDelivered[i % NODES]!++;
      };
      conns.push(c);
    });
    const c1 = snap();
    const connectS = (performance.now() - t0) / 1000;
    log(`${conns.length} readers connected in ${connectS.toFixed(1)} s; CPU ms per node ${c1.map((v, i) => (v - c0[i]!).toFixed(0)).join(' / ')}`);

    // Chat pairs in school 1: guardian b of a student and the class mentor.
    const chatPairs: { g: HubConn; m: HubConn; conv: string }[] = [];
    const mentors = new Map<string, HubConn>();
    const wanted: { gid: string; mentor: string; i: number }[] = [];
    for (const cls of plan.schools[1]!.classes) for (const st of cls.students) if (wanted.length < PAIRS) wanted.push({ gid: ids.guardian(st, 'b'), mentor: cls.mentor, i: wanted.length });
    let mi = 0;
    for (const mid of new Set(wanted.map((w) => w.mentor))) {
      const m = await HubConn.connect(nodeOf(mi + 1).wsUrl, mid, await token(mid), { localAddress: sourceAddress(mi + 11) });
      mentors.set(mid, m);
      conns.push(m);
      mi++;
    }
    // Guardians alternate between the nodes, mentors too: about half the pairs cross nodes.
    await inPool(wanted, 20, async ({ gid, mentor, i }) => {
      const g = await HubConn.connect(nodeOf(i).wsUrl, gid, await token(gid), { localAddress: sourceAddress(i + 7) });
      conns.push(g);
      const r = await g.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [mentor], clientKey: `cap-${gid}` });
      chatPairs.push({ g, m: mentors.get(mentor)!, conv: r.conversation.id });
    });
    let chatDelivered = 0;
    for (const m of mentors.values()) m.onEvent = (f: Frame) => void (f.type === 'event' && chatDelivered++);
    const posters = await Promise.all([0, 1, 2, 3].map(async (i) => HubConn.connect(nodeOf(i).wsUrl, school.leader, await token(school.leader), { localAddress: sourceAddress(i + 3) })));
    conns.push(...posters);
    log(`${chatPairs.length} chat pairs, ${mentors.size} mentors, ${posters.length} poster connections`);
    await sleep(2_000);

    // Idle: the nodes with everyone connected and nothing sent.
    const i0 = snap();
    await sleep(3_000);
    const idleMsPerS = snap().map((v, i) => (v - i0[i]!) / 3);

    // Steady: posts to the whole school and chat, at fixed rates.
    let posts = 0;
    let postErrors = 0;
    let retries = 0;
    let sent = 0;
    let acked = 0;
    const chatErrors = new Map<string, number>();
    const body = filler(500);
    const post = (k: number) => {
      void posters[k % posters.length]!.request('post.create', {
        schoolId: school.id, title: `Info ${k}`, body, clientKey: `cap-post-${k}`,
        audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: true, staff: false } },
      }).then((r) => {
        if (r.type === 'error' && r.code === 'rate_limited' && retries++ < 500) setTimeout(() => post(k), 100);
        else if (r.type !== 'ok') postErrors++;
      });
    };
    const chat = (k: number) => {
      const pair = chatPairs[k % chatPairs.length]!;
      sent++;
      void pair.g.request('message.send', { conversationId: pair.conv, body: filler(120), clientKey: `cap-m-${k}` }).then((r) => {
        if (r.type === 'ok') acked++;
        else chatErrors.set(String(r.code), (chatErrors.get(String(r.code)) ?? 0) + 1);
      });
    };
    const d0 = delivered;
    const nd0 = [...perNodeDelivered];
    const ch0 = chatDelivered;
    const r0 = { a: redisAudience, t: redisTicks, o: redisOther };
    const s0 = snap();
    const me0 = selfCpuMs();
    const start = performance.now();
    const end = start + SECONDS * 1000;
    let nextPost = start;
    let nextChat = start;
    let pk = 0;
    let ck = 0;
    while (performance.now() < end) {
      const now = performance.now();
      while (POSTS_PER_S > 0 && nextPost <= now) post(pk++), (nextPost += 1000 / POSTS_PER_S);
      while (CHAT_PER_S > 0 && nextChat <= now) chat(ck++), (nextChat += 1000 / CHAT_PER_S);
      await sleep(5);
    }
    posts = pk;
    await sleep(3_000); // let the last ones arrive
    const wall = (performance.now() - start) / 1000;
    const s1 = snap();
    const me = selfCpuMs() - me0;
    const cpu = s1.map((v, i) => v - s0[i]!);
    const out = {
      machine: { loadavg: readFileSync('/proc/loadavg', 'utf8').trim() },
      setup: { nodes: NODES, readers: conns.length, readersOfSchool: people.length, chatPairs: chatPairs.length, postsPerS: POSTS_PER_S, chatPerS: CHAT_PER_S, seconds: SECONDS },
      connect: { seconds: connectS, cpuMsPerNode: c1.map((v, i) => v - c0[i]!), cpuUsPerConnection: c1.reduce((s, v, i) => s + v - c0[i]!, 0) * 1000 / people.length },
      idleCpuMsPerSPerNode: idleMsPerS,
      steady: {
        wallS: wall, posts, postErrors, retries, messagesSent: sent, messagesAcked: acked, chatErrors: Object.fromEntries(chatErrors), chatDelivered: chatDelivered - ch0,
        delivered: delivered - d0, deliveredPerNode: perNodeDelivered.map((v, i) => v - nd0[i]!),
        expectedDeliveries: posts * people.length,
        cpuMsPerNode: cpu, cpuSharePerNode: cpu.map((v) => v / (wall * 1000)),
        redis: { audience: redisAudience - r0.a, ticks: redisTicks - r0.t, other: redisOther - r0.o },
        loadgenCpuShare: me / (wall * 1000),
      },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    for (const c of conns) c.close();
    spy.disconnect();
    for (const n of nodes) {
      n.kill('SIGTERM');
      const t = setTimeout(() => n.kill('SIGKILL'), 5_000);
      await n.exited;
      clearTimeout(t);
    }
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    log('stopped the nodes and dropped the database');
  }
}

await main();
process.exit(0);
