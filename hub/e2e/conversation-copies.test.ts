// message.send checks the sender against the node's copy of the conversation and does not read
// it again (hub/conversation-copies.ts); the insert stores nothing when the copy is stale, and
// the send is then made from a fresh read. Each case below changes a conversation after the
// node kept its copy, by a path that does not pass the copy, and checks that the next message
// goes where, and carries what, the conversation says now.
//
// Demo district: p-teacher-ek teaches g-ek-ma7 (p-stu-ek-1..4); p-gua-ek-1a/1b are the
// guardians of p-stu-ek-1, p-gua-ek-2a/2b of p-stu-ek-2; p-mentor-ek mentors g-ek-7a.
import { describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHubAndDatabase } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { seriesBy, seriesValue } from '../testing/metrics-text.ts';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)));

let keyNo = 0;
const ck = () => `copy-${++keyNo}`;

interface Sent {
  message: { id: string; seq: number; body: string; conversationId: string; context: { title: string | null } | null };
}
const created = (conversationId: string, body: string) => (f: Frame) =>
  f.type === 'event' && f.event === 'message.created'
  && (f.data as Sent).message.conversationId === conversationId && (f.data as Sent).message.body === body;

const copyOf = (id: string) => t.hub.core.conversations.get(id);

async function planThread(teacher: TestClient, guardian: TestClient, title: string) {
  const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title, publish: true, clientKey: ck() });
  const { conversation } = await guardian.ok<{ conversation: { id: string } }>('conversation.start', {
    context: { kind: 'plan', id: item.id }, participantIds: ['p-teacher-ek'], clientKey: ck(),
  });
  return { itemId: item.id, conversationId: conversation.id };
}

/** schoolhub_conversation_copies_total by outcome, as an operator reads it from /metrics. */
async function copyCounts(): Promise<Record<string, number>> {
  return seriesBy(await (await fetch(`${t.url}/metrics`)).text(), 'schoolhub_conversation_copies_total', 'outcome');
}
const grew = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]).filter(([, d]) => d !== 0));

describe("messages sent through the node's copy of a conversation", () => {
  it('use the copy of every kind of conversation on the next message: direct, a plan thread, a whole group, a conference', async () => {
    const [mentor, teacher, guardian] = await connectEach(t, 'p-mentor-ek', 'p-teacher-ek', 'p-gua-ek-4a');
    const direct = (await guardian.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-ek'], subject: 'Frånvaro', clientKey: ck() })).conversation.id;
    const thread = (await planThread(teacher, guardian, 'Statistik')).conversationId;
    const group = (await mentor.ok<{ conversation: { id: string } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', clientKey: ck() })).conversation.id;
    const { conference } = await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId: 'p-stu-ek-4', startsAt: '2030-05-06T14:00:00Z', clientKey: ck() });
    const talk = (await mentor.ok<{ conversation: { id: string } }>('conversation.start', { context: { kind: 'conference', id: conference.id }, clientKey: ck() })).conversation.id;
    const sends: [TestClient, string][] = [[guardian, direct], [guardian, thread], [mentor, group], [mentor, talk]];

    const before = await copyCounts();
    for (const [who, conversationId] of sends) await who.ok('message.send', { conversationId, body: 'Första', clientKey: ck() });
    const first = await copyCounts();
    expect(grew(before, first)).toEqual({ no_copy: 4 });
    for (const [who, conversationId] of sends) await who.ok('message.send', { conversationId, body: 'Andra', clientKey: ck() });
    expect(grew(first, await copyCounts())).toEqual({ used: 4 });
    const kept = seriesValue(await (await fetch(`${t.url}/metrics`)).text(), 'schoolhub_conversation_copies');
    expect(Number(kept)).toBeGreaterThanOrEqual(4);
  });

  it('reach a guardian who joined the thread since the copy was kept, once', async () => {
    const [teacher, first, second] = await connectEach(t, 'p-teacher-ek', 'p-gua-ek-2a', 'p-gua-ek-2b');
    const { itemId, conversationId } = await planThread(teacher, first, 'Bråk v. 40');
    await first.ok('message.send', { conversationId, body: 'Före', clientKey: ck() });
    expect(copyOf(conversationId)?.participantIds).not.toContain('p-gua-ek-2b');

    // The other guardian joins: the thread's stored members change, the copy does not.
    const joined = await second.ok<{ existing?: boolean }>('conversation.start', { context: { kind: 'plan', id: itemId }, clientKey: ck() });
    expect(joined.existing).toBe(true);
    const before = await copyCounts();
    const { message } = await first.ok<Sent>('message.send', { conversationId, body: 'Efter', clientKey: ck() });
    expect(message.seq).toBe(2);
    expect(grew(before, await copyCounts())).toEqual({ read_again: 1 });
    await second.waitFor(created(conversationId, 'Efter'));
    await teacher.waitFor(created(conversationId, 'Efter'));
    expect(await second.receivedSoFar(created(conversationId, 'Efter'))).toHaveLength(1);
    // The copy was read again, and the next message goes through it.
    expect(copyOf(conversationId)?.participantIds).toContain('p-gua-ek-2b');
    expect((await first.ok<Sent>('message.send', { conversationId, body: 'Igen', clientKey: ck() })).message.seq).toBe(3);
    await second.waitFor(created(conversationId, 'Igen'));
    const { messages } = await teacher.ok<{ messages: { body: string; seq: number }[] }>('history.get', { conversationId });
    expect(messages.map((m) => [m.seq, m.body])).toEqual([[1, 'Före'], [2, 'Efter'], [3, 'Igen']]);
  });

  it('no longer reach a guardian the school blocked for the child, and the blocked guardian can no longer write', async () => {
    const [teacher, blocked, other] = await connectEach(t, 'p-teacher-ek', 'p-gua-ek-1a', 'p-gua-ek-1b');
    const { itemId, conversationId } = await planThread(teacher, blocked, 'Ekvationer');
    await other.ok('conversation.start', { context: { kind: 'plan', id: itemId }, clientKey: ck() });
    await teacher.ok('message.send', { conversationId, body: 'Till båda', clientKey: ck() });
    await blocked.ok('message.send', { conversationId, body: 'Tack', clientKey: ck() });
    await blocked.waitFor(created(conversationId, 'Till båda'));
    expect(copyOf(conversationId)?.participantIds).toContain('p-gua-ek-1a');

    // The block takes the guardian out of the threads about that child (storage/privacy.ts).
    // The teacher's copy still lists them, and the directory no longer lets the teacher write
    // to them through the plan: the copy refuses, and the send is made from a fresh read.
    const res = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }),
    });
    expect(res.status).toBe(200);
    await teacher.ok('message.send', { conversationId, body: 'Bara till en', clientKey: ck() });
    await other.waitFor(created(conversationId, 'Bara till en'));
    expect(await blocked.receivedSoFar(created(conversationId, 'Bara till en'))).toHaveLength(0);
    expect(await blocked.request('message.send', { conversationId, body: 'Hallå?', clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
    const stored = await db`select 1 from messages where conversation_id = ${conversationId} and body = 'Hallå?'`;
    expect(stored).toHaveLength(0);
  });

  it("carry the item's title as it is now, renamed since the copy", async () => {
    const [teacher, guardian] = await connectEach(t, 'p-teacher-ek', 'p-gua-ek-2a');
    const { itemId, conversationId } = await planThread(teacher, guardian, 'Procent');
    await guardian.ok('message.send', { conversationId, body: 'En fråga', clientKey: ck() });
    await teacher.ok('item.update', { itemId, title: 'Procent och promille' });
    const { message } = await guardian.ok<Sent>('message.send', { conversationId, body: 'En till', clientKey: ck() });
    expect(message.context?.title).toBe('Procent och promille');
    const ev = await teacher.waitFor(created(conversationId, 'En till'));
    expect((ev.data as Sent).message.context?.title).toBe('Procent och promille');
  });

  it("in a mentor's conversation with the group's guardians, go by the directory, whatever read marks were added since the copy", async () => {
    const [mentor, guardian, other] = await connectEach(t, 'p-mentor-ek', 'p-gua-ek-2a', 'p-gua-ek-3a');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', clientKey: ck() });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Första', clientKey: ck() });
    // The copy keeps no read marks: the members are the directory's.
    expect(copyOf(conversation.id)).toMatchObject({ audience: { kind: 'group', groupId: 'g-ek-7a' }, participantIds: [] });
    const first = await guardian.waitFor(created(conversation.id, 'Första'));
    // A first read adds a guardian's read mark; the copy stays good.
    await guardian.ok('conversation.read', { conversationId: conversation.id, seq: (first.data as Sent).message.seq });
    const { message } = await mentor.ok<Sent>('message.send', { conversationId: conversation.id, body: 'Andra', clientKey: ck() });
    expect(message.seq).toBe(2);
    await guardian.waitFor(created(conversation.id, 'Andra'));
    await other.waitFor(created(conversation.id, 'Andra'));
    // Only the mentors write to the whole group: a guardian is refused the same way whether the
    // node has a copy or not (a copy that refuses gets a fresh read).
    for (let i = 0; i < 2; i++) {
      expect(await guardian.request('message.send', { conversationId: conversation.id, body: 'Tack', clientKey: ck() }))
        .toMatchObject({ type: 'error', code: 'forbidden', message: 'only the mentors write to the whole group; reply privately to the mentor' });
    }
    expect(await other.receivedSoFar(created(conversation.id, 'Tack'))).toHaveLength(0);
  });

  it('answer a retried clientKey with the stored message, and store it once', async () => {
    const [mentor, guardian] = await connectEach(t, 'p-mentor-ek', 'p-gua-ek-2a');
    const { conversation } = await guardian.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-ek'], clientKey: ck() });
    const key = ck();
    const first = await guardian.ok<Sent>('message.send', { conversationId: conversation.id, body: 'Hej', clientKey: key });
    expect(copyOf(conversation.id)).toBeDefined();
    const before = await copyCounts();
    const again = await guardian.ok<Sent>('message.send', { conversationId: conversation.id, body: 'Hej', clientKey: key });
    expect(again.message).toMatchObject({ id: first.message.id, seq: first.message.seq });
    // The copy was right: a retry is no stale copy, and the conversation is not read again.
    expect(grew(before, await copyCounts())).toEqual({ used: 1 });
    expect(await guardian.request('message.send', { conversationId: conversation.id, body: 'Annat', clientKey: key })).toMatchObject({ type: 'error', code: 'conflict' });
    await mentor.waitFor(created(conversation.id, 'Hej'));
    expect(await mentor.receivedSoFar(created(conversation.id, 'Hej'))).toHaveLength(1);
  });

  it('answer not_found once the conversation is gone, and keep no copy of it', async () => {
    const [guardian] = await connectEach(t, 'p-gua-ek-2b');
    const { conversation } = await guardian.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-ek'], clientKey: ck() });
    await guardian.ok('message.send', { conversationId: conversation.id, body: 'Snart borta', clientKey: ck() });
    expect(copyOf(conversation.id)).toBeDefined();
    // As the retention job removes an expired conversation (storage/chat.ts expireConversations).
    await db.begin(async (tx) => {
      await tx`delete from messages where conversation_id = ${conversation.id}`;
      await tx`delete from conversation_members where conversation_id = ${conversation.id}`;
      await tx`delete from conversations where id = ${conversation.id}`;
    });
    expect(await guardian.request('message.send', { conversationId: conversation.id, body: 'Hallå?', clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(copyOf(conversation.id)).toBeUndefined();
  });
});
