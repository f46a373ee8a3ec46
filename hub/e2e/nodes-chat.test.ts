// Issue 3's live parts across two hub processes over Redis: a typing signal (ephemeral, on
// its own broker topic), a hidden plan, and a message in a group conversation written on one
// node reach listeners on the other; and a thread changed on one node is written to as it is
// now on the other.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startNodeProcess, type NodeProcess } from '../testing/processes.ts';
import { testRedis, useNodes } from '../testing/nodes.ts';

const { url: REDIS_URL, ok: redisOk } = await testRedis('nodes-chat tests');

let nodes: NodeProcess[] = [];

describe.skipIf(!redisOk)('two hub nodes over Redis', () => {
  const { connect } = useNodes({
    redisUrl: REDIS_URL,
    more: { HUB_REDIS_PREFIX: `schoolhub-test-${randomBytes(4).toString('hex')}:` },
    start: (env) => Promise.all([startNodeProcess(env), startNodeProcess(env)]),
  }, (started) => (nodes = started));

  it('typing, a hidden plan and a group message written on node A reach node B', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const mentor = await connect(a, 'p-mentor-ek');
    const student = await connect(b, 'p-stu-ek-1');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', clientKey: 'n1' });
    expect(await mentor.ok('typing', { conversationId: conversation.id })).toEqual({ relayed: true });
    const typing = await student.waitFor((f) => f.type === 'event' && f.event === 'typing');
    expect(typing.data).toMatchObject({ conversationId: conversation.id, personId: 'p-mentor-ek', typing: true });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Från nod A', clientKey: 'n1m' });
    await student.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: { body: string } }).message.body === 'Från nod A');

    const { item } = await mentor.ok<{ item: { id: string } }>('item.create', { kind: 'plan', groupId: 'g-ek-7a', title: 'Temavecka', publish: true, clientKey: 'n2' });
    await student.waitFor((f) => f.type === 'event' && f.event === 'item.published');
    await mentor.ok('item.hide', { itemId: item.id });
    const hidden = await student.waitFor((f) => f.type === 'event' && f.event === 'item.hidden');
    expect(hidden.data).toMatchObject({ itemId: item.id, state: 'hidden' });
  });

  it("a guardian who joins an item's thread on node B gets the next message written on node A, whose copy of the thread is older", async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const teacher = await connect(a, 'p-teacher-ek');
    const first = await connect(a, 'p-gua-ek-3a');
    const second = await connect(b, 'p-gua-ek-3b');
    const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Bråk', publish: true, clientKey: 'n3' });
    const { conversation } = await first.ok<{ conversation: { id: string } }>('conversation.start', { context: { kind: 'plan', id: item.id }, participantIds: ['p-teacher-ek'], clientKey: 'n3c' });
    // Node A keeps its copy of the thread from this message (hub/conversation-copies.ts).
    await teacher.ok('message.send', { conversationId: conversation.id, body: 'Före', clientKey: 'n3m1' });
    await second.ok('conversation.start', { context: { kind: 'plan', id: item.id }, clientKey: 'n3j' });
    await teacher.ok('message.send', { conversationId: conversation.id, body: 'Efter', clientKey: 'n3m2' });
    const ev = await second.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: { body: string } }).message.body === 'Efter');
    expect(ev.data).toMatchObject({ message: { conversationId: conversation.id, seq: 2 } });
  });
});
