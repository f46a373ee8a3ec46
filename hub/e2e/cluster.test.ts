// Several hub processes sharing one PostgreSQL and one Redis: events cross nodes, imports
// reach every node, Redis carries one message per topic and a node listens only to topics
// it has listeners for.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startNodeProcess, startPrivateRedisCluster, type NodeProcess } from '../testing/processes.ts';
import { execFileSync } from 'node:child_process';
import { importInto, killNodes, nodeClients, nodeEnvironment, testRedis, useNodes } from '../testing/nodes.ts';
import { demoBundle } from '../demo/district.ts';

const { url: REDIS_URL, ok: redisOk } = await testRedis('cluster tests', ' (start one, or set REDIS_URL; .ci/run starts it)');

const prefix = `schoolhub-test-${randomBytes(4).toString('hex')}:`;
let nodes: NodeProcess[] = [];

describe.skipIf(!redisOk)('three hub nodes over Redis', () => {
  const { connect } = useNodes({
    redisUrl: REDIS_URL,
    more: { HUB_REDIS_PREFIX: prefix },
    // Started one after the other, then two at once: migrations must not race.
    start: async (env) => [await startNodeProcess(env), ...(await Promise.all([startNodeProcess(env), startNodeProcess(env)]))],
  }, (started) => (nodes = started));

  it('a message sent on node A reaches listeners on nodes B and C', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const mentor = await connect(a, 'p-mentor-ek');
    const onB = await connect(b, 'p-gua-ek-2a');
    const onC = await connect(c, 'p-gua-ek-2b');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-2a', 'p-gua-ek-2b'], clientKey: 'x1' });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Hej från nod A', clientKey: 'x1m' });
    for (const r of [onB, onC]) {
      const ev = await r.waitFor((f) => f.type === 'event' && f.event === 'message.created');
      expect((ev.data as { message: { body: string } }).message.body).toBe('Hej från nod A');
    }
  });

  it('Redis carries one message per topic and event, plus one tick', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const spy = new Redis(REDIS_URL);
    const seen: string[] = [];
    await spy.psubscribe(`${prefix}*`);
    spy.on('pmessage', (_p: string, channel: string) => seen.push(channel.slice(prefix.length)));
    const teacher = await connect(a, 'p-teacher-ek');
    await connect(b, 'p-stu-ek-1');
    await teacher.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Räknestuga', body: 'Tisdag', clientKey: 'rs1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true, guardians: true } },
    });
    await new Promise((r) => setTimeout(r, 300));
    spy.disconnect();
    // author, leaders of the school, the group's owners, students and guardians: one each.
    expect(seen.filter((t) => t !== '__tick').sort()).toEqual(['gg:g-ek-ma7', 'go:g-ek-ma7', 'gs:g-ek-ma7', 'lead:s-ekskolan', 'p:p-teacher-ek']);
    expect(seen.filter((t) => t === '__tick')).toHaveLength(1);
  });

  it('a node subscribes a topic only while it has a listener for it', async () => {
    const [, , c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const admin = new Redis(REDIS_URL);
    const channels = async () => new Set(await admin.pubsub('CHANNELS', `${prefix}*`) as string[]);
    expect((await channels()).has(`${prefix}p:p-stu-bj-3`)).toBe(false);
    const student = await connect(c, 'p-stu-bj-3');
    expect((await channels()).has(`${prefix}p:p-stu-bj-3`)).toBe(true);
    student.close();
    await student.closed;
    await new Promise((r) => setTimeout(r, 200));
    expect((await channels()).has(`${prefix}p:p-stu-bj-3`)).toBe(false);
    admin.disconnect();
  });

  it('an import on one node refreshes the rights on all', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const student = await connect(b, 'p-stu-ek-3');
    const teacher = await connect(c, 'p-teacher-ek');
    const post = (key: string) => teacher.ok('post.create', {
      schoolId: 's-ekskolan', title: key, body: '...', clientKey: key,
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    });
    await post('före');
    await student.waitFor((f) => f.type === 'event' && f.event === 'post.created' && JSON.stringify(f.data).includes('före'));
    const bundle = demoBundle();
    const group = bundle.groups.find((g) => g.id === 'g-ek-ma7')!;
    group.groupMemberships = group.groupMemberships!.filter((m) => m.person.id !== 'p-stu-ek-3');
    expect(await importInto(a, bundle)).toBe(200);
    // The import landed on A; B and C hear of it through Redis.
    await expect.poll(async () => (await student.ok<{ items: { title: string }[] }>('feed.get')).items.map((i) => i.title).includes('före'), { timeout: 5_000 }).toBe(false);
    await post('efter');
    await new Promise((r) => setTimeout(r, 300));
    expect(student.events('post.created').some((e) => JSON.stringify(e.data).includes('efter'))).toBe(false);
    expect(await importInto(a, demoBundle())).toBe(200);
  });
});

let hasRedisServer = true;
try {
  execFileSync('redis-server', ['--version']);
} catch {
  hasRedisServer = false;
  console.warn('[cluster tests] Redis Cluster part SKIPPED: no redis-server binary to start a private cluster (apt-get install redis-server)');
}

describe.skipIf(!hasRedisServer)('two hub nodes over Redis Cluster (sharded pub/sub)', () => {
  it('a message crosses nodes through SPUBLISH/SSUBSCRIBE on partition-tagged channels', async () => {
    const cluster = await startPrivateRedisCluster();
    const { connect } = nodeClients();
    const { env, drop: dropDatabase } = await nodeEnvironment(cluster.url);
    const pair = await Promise.all([startNodeProcess(env), startNodeProcess(env)]);
    try {
      expect(await importInto(pair[0], demoBundle())).toBe(200);
      const onB = await connect(pair[1], 'p-stu-ek-6');
      const mentor = await connect(pair[0], 'p-mentor-ek');
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-6'], clientKey: 'rc1' });
      await mentor.ok('message.send', { conversationId: conversation.id, body: 'Över klustret', clientKey: 'rc1m' });
      // A fresh cluster under a loaded machine can take seconds to route the first SSUBSCRIBE;
      // the node's once-a-second check of the event log delivers meanwhile.
      const ev = await onB.waitFor((f) => f.type === 'event' && f.event === 'message.created', 15_000);
      expect((ev.data as { message: { body: string } }).message.body).toBe('Över klustret');
      // The message may have come through that check while B's broker is still connecting to
      // the cluster; B says 503 (not ready) until it is, as a load balancer would see.
      await expect.poll(async () => (await fetch(`${pair[1].url}/readyz`)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    } finally {
      await killNodes(pair);
      await cluster.stop();
      await dropDatabase();
    }
  }, 90_000);
});
