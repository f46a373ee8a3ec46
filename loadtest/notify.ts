// `npm run bench:notify`: the notification scenario. A head of operations mails every guardian
// of a synthetic district (100,000 by default), each with one push device; hub nodes send to a
// local HTTP push endpoint (hub/testing/notify.ts, run in this process). Once with one node,
// once with two (sharing PostgreSQL and Redis). Reports, per run: pushes per second (in all and
// per node), CPU per notification (the nodes' user+system time over the pushes), and the time
// from the mailing's commit to the last push. Options: --guardians N, --nodes 1,2, --json FILE.
// The Web Push channel proper (VAPID, aes128gcm per recipient) is the push piece's: with it
// wired into hub/testing/notify-node.ts the same run measures it.
import { readFileSync, writeFileSync } from 'node:fs';
import { benchDatabase } from './lib/database.ts';
import { syntheticDistrict } from './district.ts';
import { startNodeProcess, redisReachable, type NodeProcess } from '../hub/testing/processes.ts';
import { NotifyReceiver } from '../hub/testing/notify.ts';
import { TestClient } from '../hub/testing/client.ts';
import { mintToken } from '../hub/auth/mint.ts';

export interface NotifyRun {
  nodes: number;
  guardians: number;
  pushes: number;
  /** From the mailing's answer (its commit) to the last push received. */
  commitToLastPushS: number;
  pushesPerS: number;
  pushesPerSPerNode: number;
  /** The nodes' CPU time (user + system) per push, in microseconds. */
  cpuUsPerPush: number;
}

const SECRET = 'bench-secret-that-is-at-least-32-characters-long';
const ADMIN = 'bench-admin-token';
const TICKS = 100; // clock ticks per second of /proc/<pid>/stat (USER_HZ)

/** User + system CPU seconds of a process so far (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export async function runNotify(guardians: number, nodeCount: number, redisUrl: string): Promise<NotifyRun> {
  const students = Math.ceil(guardians / 2);
  const classes = Math.ceil(students / 25);
  const schools = Math.max(1, Math.ceil(classes / 40));
  const { bundle, plan } = syntheticDistrict({ schools, classesPerSchool: Math.ceil(classes / schools), studentsPerClass: 25, subjectsPerClass: 1, guardiansPerStudent: 2 });
  const expected = plan.schools.reduce((n, s) => n + s.classes.reduce((m, c) => m + c.students.length * 2, 0), 0);
  const db = await benchDatabase();
  const receiver = await new NotifyReceiver().start();
  const nodes: NodeProcess[] = [];
  try {
    const env = {
      DATABASE_URL: db.url, REDIS_URL: redisUrl, HUB_REDIS_PREFIX: `bench-notify-${Date.now()}:`, HUB_JWT_SECRET: SECRET, HUB_ADMIN_TOKEN: ADMIN,
      TEST_NOTIFY_RECEIVER: receiver.url, HUB_NOTIFY_GRACE_MS: '0', HUB_RETENTION_INTERVAL_MS: '0',
    };
    for (let i = 0; i < nodeCount; i++) nodes.push(await startNodeProcess({ ...env, TEST_NODE_NAME: `n${i}` }, 'hub/testing/notify-node.ts'));
    const res = await fetch(`${nodes[0]!.url}/api/v1/directory/import`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle) });
    if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    const hoo = await TestClient.open(nodes[0]!.wsUrl);
    await hoo.hello(await mintToken(SECRET, plan.hoo));
    const cpuBefore = nodes.map((n) => cpuSeconds(n.proc.pid!));
    await hoo.ok('mailing.create', {
      districtId: plan.districtId, schoolIds: plan.schools.map((s) => s.id), title: 'Studiedag', body: 'Skolan är stängd på fredag.', recipients: { guardians: true }, clientKey: 'bench-1',
    });
    const committed = Date.now();
    await receiver.until(() => receiver.deliveries.length >= expected, 30 * 60_000, 'every push');
    const last = Math.max(...receiver.deliveries.map((d) => d.at));
    const cpu = nodes.reduce((s, n, i) => s + cpuSeconds(n.proc.pid!) - cpuBefore[i]!, 0);
    hoo.terminate();
    const seconds = (last - committed) / 1_000;
    const pushes = receiver.deliveries.length;
    return {
      nodes: nodeCount, guardians: expected, pushes, commitToLastPushS: Number(seconds.toFixed(2)),
      pushesPerS: Math.round(pushes / seconds), pushesPerSPerNode: Math.round(pushes / seconds / nodeCount), cpuUsPerPush: Math.round((cpu / pushes) * 1e6),
    };
  } finally {
    for (const n of nodes) n.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await receiver.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const guardians = Number(get('--guardians') ?? 100_000);
  const counts = (get('--nodes') ?? '1,2').split(',').map(Number);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisReachable(redisUrl))) throw new Error(`no Redis at ${redisUrl}`);
  const runs: NotifyRun[] = [];
  for (const n of counts) {
    const r = await runNotify(guardians, n, redisUrl);
    runs.push(r);
    console.log(`[bench:notify] ${r.nodes} node(s): ${r.pushes} pushes in ${r.commitToLastPushS} s from commit to last push; ` +
      `${r.pushesPerS}/s (${r.pushesPerSPerNode}/s per node), ${r.cpuUsPerPush} µs CPU per push`);
  }
  const one = runs.find((r) => r.nodes === 1);
  const two = runs.find((r) => r.nodes === 2);
  if (one && two) console.log(`[bench:notify] two nodes / one node: ${(two.pushesPerS / one.pushesPerS).toFixed(2)}×`);
  const json = get('--json');
  if (json) writeFileSync(json, JSON.stringify(runs, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
