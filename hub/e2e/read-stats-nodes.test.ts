// Read statistics across two hub processes over Redis (docs/ARCHITECTURE.md "Read statistics"):
// reads marked on both nodes land in one counter; the author on node A hears the figure live
// for a read on node B; a guardian block made on node B leaves the audience on both nodes'
// figures (the counter is recounted at the new import, which both nodes agree on).
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startNodeProcess, type NodeProcess } from '../testing/processes.ts';
import { testRedis, useNodes } from '../testing/nodes.ts';
import { TEST_ADMIN } from '../testing/harness.ts';
import type { Frame } from '../testing/client.ts';

const { url: REDIS_URL, ok: redisOk } = await testRedis('read-stats-nodes tests');

let nodes: NodeProcess[] = [];
interface Stats { itemId: string; parts: { part: string; audience: number; read: number }[] }
const guardians = (s: Stats) => s.parts.find((p) => p.part === 'guardians');

describe.skipIf(!redisOk)('read statistics on two hub nodes', () => {
  const { connect } = useNodes({
    redisUrl: REDIS_URL,
    more: { HUB_REDIS_PREFIX: `schoolhub-test-${randomBytes(4).toString('hex')}:` },
    start: (env) => Promise.all([startNodeProcess(env), startNodeProcess(env)]),
  }, (started) => (nodes = started));

  it('marks on both nodes count once each, live on the other node, and a block on one node counts on both', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const mentor = await connect(a, 'p-mentor-ek');
    const leaderOnB = await connect(b, 'p-leader-ek');
    const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Två noder', body: '…', clientKey: 'rsn1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    const itemId = post.id;
    expect(guardians(await mentor.ok<Stats>('post.stats.get', { itemId }))).toEqual({ part: 'guardians', audience: 11, read: 0 });
    const onA = ['p-gua-ek-1a', 'p-gua-ek-2a', 'p-gua-ek-3a'];
    const onB = ['p-gua-ek-4a', 'p-gua-ek-5a', 'p-gua-ek-6a'];
    await Promise.all([...onA.map(async (g) => (await connect(a, g)).ok('feed.read', { itemIds: [itemId] })), ...onB.map(async (g) => (await connect(b, g)).ok('feed.read', { itemIds: [itemId] }))]);
    const six = (f: Frame) => f.type === 'event' && f.event === 'post.stats' && guardians(f.data as Stats)?.read === 6;
    await mentor.waitFor(six);
    await leaderOnB.waitFor(six);
    expect(guardians(await leaderOnB.ok<Stats>('post.stats.get', { itemId }))).toEqual({ part: 'guardians', audience: 11, read: 6 });

    // A block made through node B: both nodes count p-gua-ek-1a out (audience and read).
    const block = await fetch(`${b.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }),
    });
    expect(block.status).toBeLessThan(300);
    const afterBlock = { part: 'guardians', audience: 10, read: 5 };
    expect(guardians(await leaderOnB.ok<Stats>('post.stats.get', { itemId }))).toEqual(afterBlock);
    // Node A hears of the import through Redis (or its 5 s check of the import log).
    const deadline = Date.now() + 8_000;
    let seen: Stats | undefined;
    while (Date.now() < deadline) {
      seen = await mentor.ok<Stats>('post.stats.get', { itemId });
      if (guardians(seen)?.audience === 10) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(guardians(seen!)).toEqual(afterBlock);
    // A read on A after the block counts at the new import on both nodes.
    await (await connect(a, 'p-gua-ek-2b')).ok('feed.read', { itemIds: [itemId] });
    expect(guardians(await leaderOnB.ok<Stats>('post.stats.get', { itemId }))).toEqual({ part: 'guardians', audience: 10, read: 6 });
    expect(guardians(await mentor.ok<Stats>('post.stats.get', { itemId }))).toEqual({ part: 'guardians', audience: 10, read: 6 });
  }, 60_000);
});
