// Exactly once across nodes, through a node's death (docs/NOTIFICATIONS.md, "Guarantees"): two
// hub processes share one database and Redis; a head of operations mails every guardian of a
// synthetic district; one node is SIGKILLed while both are sending. The other node finishes.
// Every guardian's device gets the mailing once, none twice; the only exceptions allowed are
// the sends the dead node had begun and not heard back from, which are kept as given up
// ("outcome unknown") and never sent again, and there are at most one chunk of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startNodeProcess, type NodeProcess } from '../testing/processes.ts';
import { importInto, killNodes, nodeClients, nodeEnvironment, testRedis } from '../testing/nodes.ts';
import { NotifyReceiver } from '../testing/notify.ts';
import { guardiansOf, syntheticDistrict } from '../../loadtest/district.ts';
import { OUTCOME_UNKNOWN } from '../../storage/notification-outbox.ts';
import { SEND_CONCURRENCY } from '../notify/outbox.ts';

const redis = await testRedis('notify-nodes');
const { bundle, plan } = syntheticDistrict({ schools: 3, classesPerSchool: 10, studentsPerClass: 25, subjectsPerClass: 1, guardiansPerStudent: 2 });
const guardians = plan.schools.flatMap((s) => s.classes.flatMap((c) => c.students.flatMap((st) => guardiansOf(plan, st)))).sort();

const receiver = new NotifyReceiver();
const clients = nodeClients();
let nodes: NodeProcess[] = [];
let drop: (() => Promise<void>) | undefined;
let db: postgres.Sql;

beforeAll(async () => {
  if (!redis.ok) return;
  await receiver.start();
  receiver.delayMs = 3; // a push service's latency: the mailing takes a few seconds
  const made = await nodeEnvironment(redis.url, { TEST_NOTIFY_RECEIVER: receiver.url, HUB_NOTIFY_GRACE_MS: '0', TEST_NOTIFY_LEASE_MS: '3000' });
  drop = made.drop;
  nodes = [
    await startNodeProcess({ ...made.env, TEST_NODE_NAME: 'a' }, 'hub/testing/notify-node.ts'),
    await startNodeProcess({ ...made.env, TEST_NODE_NAME: 'b' }, 'hub/testing/notify-node.ts'),
  ];
  expect(await importInto(nodes[0]!, bundle)).toBe(200);
  db = postgres(made.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  clients.terminateAll();
  await killNodes(nodes);
  await db?.end();
  await drop?.();
  await receiver.stop();
});

describe.skipIf(!redis.ok)('a district mailing while a node is SIGKILLed', () => {
  it('every guardian gets it once on their device, none twice; the survivor finishes; nothing is dropped silently', async () => {
    const hoo = await clients.connect(nodes[1]!, plan.hoo);
    const { mailing } = await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
      districtId: plan.districtId, schoolIds: plan.schools.map((s) => s.id), title: 'Studiedag', body: 'Skolan är stängd på fredag.',
      recipients: { guardians: true }, clientKey: 'district-1',
    });
    // Kill node a once both have sent part of it.
    await receiver.until(() => receiver.deliveries.filter((d) => d.node === 'a').length >= 150 && receiver.deliveries.length >= guardians.length / 4, 60_000, 'both nodes sending');
    nodes[0]!.kill('SIGKILL');
    await nodes[0]!.exited;
    const atKill = receiver.deliveries.length;
    expect(atKill).toBeLessThan(guardians.length);

    // The survivor finishes: nothing left waiting or being sent (the dead node's leases lapse).
    const open = async () => {
      const [r] = await db<{ n: number }[]>`select count(*)::int as n from notification_outbox where state in ('waiting', 'sending')`;
      const [j] = await db<{ n: number }[]>`select count(*)::int as n from notification_jobs where not done`;
      return r!.n + j!.n;
    };
    const end = Date.now() + 90_000;
    while ((await open()) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(await open()).toBe(0);

    const perDevice = new Map<string, number>();
    for (const d of receiver.deliveries) {
      expect(d.notices.every((x) => x.target.id === mailing.id)).toBe(true);
      perDevice.set(d.to, (perDevice.get(d.to) ?? 0) + 1);
    }
    const twice = [...perDevice].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    // Nobody else: no students, staff (not chosen), or the author.
    expect([...perDevice.keys()].map((d) => d.split('|')[0]!).filter((p) => !guardians.includes(p))).toEqual([]);

    const rows = await db<{ personId: string; state: string; reason: string | null }[]>`select person_id as "personId", state, reason from notification_outbox`;
    expect(rows).toHaveLength(guardians.length); // one row per recipient and device: the unique key held
    const unknown = new Set(rows.filter((r) => r.state === 'given_up' && r.reason === OUTCOME_UNKNOWN).map((r) => r.personId));
    const missing = guardians.filter((g) => !perDevice.has(`${g}|phone`));
    // Whoever got nothing is among the sends the dead node had begun: kept, counted, not retried.
    expect(missing.filter((g) => !unknown.has(g))).toEqual([]);
    expect(unknown.size).toBeLessThanOrEqual(SEND_CONCURRENCY);
    expect(rows.filter((r) => r.state !== 'sent' && !unknown.has(r.personId))).toEqual([]);
    expect(receiver.deliveries.filter((d) => d.node === 'b' && receiver.deliveries.indexOf(d) >= atKill).length).toBeGreaterThan(0);
    console.log(`[notify-nodes] ${guardians.length} guardians; ${atKill} delivered when node a was killed; after: ${receiver.deliveries.length} delivered, ` +
      `${unknown.size} of unknown outcome (${unknown.size - missing.length} of them had arrived), 0 twice`);
  }, 180_000);
});
