// Whole-group conversations are announcements; students and guardians reply privately to the
// author, of a message or of a post (docs/DOMAIN.md §3 Readings; docs/PROTOCOL.md
// message.replyPrivately), over real connections and PostgreSQL.
//
// Demo district: p-mentor-ek (Eva Nyström) mentors g-ek-7a (Klass 7A, p-stu-ek-1..6) at Ekskolan,
// where teachers and guardians may NOT message directly; p-teacher-ek teaches g-ek-ma7
// (p-stu-ek-1..4). p-gua-ek-1a/1b are p-stu-ek-1's guardians (1a also of p-stu-bj-1 at
// Björkskolan); p-stu-ek-6 (Hugo) has a protected identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { demoBundle } from '../demo/district.ts';

interface Conversation { id: string; participants: { id: string; name: string }[]; group: { mentorIds: string[] } | null }
interface Quote { kind: string; id: string; conversationId?: string; title: string | null; excerpt: string }
interface Message { id: string; seq: number; body: string; senderId: string | null; senderName: string | null; conversationId: string; replyTo: Quote | null }
type Reply = { conversation: Conversation; message: Message };

let keyNo = 0;
const ck = () => `rp-${++keyNo}`;
const REASON = 'only the mentors write to the whole group; reply privately to the mentor';

const about = (conversationId: string) => (f: Frame) =>
  f.type === 'event' && JSON.stringify(f.data).includes(conversationId);
const ids = (c: Conversation) => c.participants.map((p) => p.id).sort();

/**
 * The reply quotes the start of `original` (at most 140 characters), reaches the author live
 * with its quote and the new conversation, and reaches none of `others`.
 */
async function deliveredQuoted(r: Reply, original: string, author: TestClient, others: TestClient[]): Promise<void> {
  expect(r.message.replyTo!.excerpt.length).toBeLessThanOrEqual(140);
  expect(original.replace(/\s+/g, ' ').startsWith(r.message.replyTo!.excerpt.slice(0, -1))).toBe(true);
  await author.waitFor((f) => f.type === 'event' && f.event === 'conversation.created' && (f.data as { conversation: Conversation }).conversation.id === r.conversation.id);
  const got = await author.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Message }).message.id === r.message.id);
  expect((got.data as { message: Message }).message.replyTo).toEqual(r.message.replyTo);
  for (const c of others) expect(await c.receivedSoFar(about(r.conversation.id))).toHaveLength(0);
}
async function blockGuardian(t: TestHub, guardianId: string, childId: string): Promise<void> {
  const res = await fetch(`${t.url}/api/v1/guardian-blocks`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ guardianId, childId }),
  });
  expect(res.status).toBeLessThan(300);
}

describe('reply privately to a whole-group message', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  async function announcement(mentor: TestClient, audience: 'students' | 'guardians', body: string) {
    const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience, subject: `${audience} ${ck()}`, clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body, clientKey: ck() });
    return { group: conversation, message };
  }

  it('only the mentor writes to the whole group; a guardian is refused with the way to answer', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { group } = await announcement(mentor, 'guardians', 'Föräldramöte på torsdag kl 18.');
    expect(group.group?.mentorIds).toEqual(['p-mentor-ek']);
    expect(await maria.request('message.send', { conversationId: group.id, body: 'Vi kommer!', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', message: REASON });
    expect(await maria.request('typing', { conversationId: group.id })).toMatchObject({ type: 'error', code: 'forbidden' });
    const { conversation } = await maria.ok<{ conversation: Conversation }>('history.get', { conversationId: group.id });
    expect(conversation.group?.mentorIds).toEqual(['p-mentor-ek']); // what the widget reads to hide the composer
  });

  it('starts, then continues, the one direct conversation with the mentor, quoting the original; nobody else sees it', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b'); // the co-guardian
    const other = await t.connect('p-gua-ek-3a'); // another family of the class
    const long = `Föräldramöte på torsdag kl 18 i aulan. ${'Vi pratar om klassresan och om läxorna. '.repeat(6)}`.trim();
    const { group, message } = await announcement(mentor, 'guardians', long);

    const first = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'Kan vi komma kl 18.30?', clientKey: 'r1' });
    expect(ids(first.conversation)).toEqual(['p-gua-ek-1a', 'p-mentor-ek']);
    expect(first.conversation.group).toBeNull();
    expect(first.message).toMatchObject({ body: 'Kan vi komma kl 18.30?', senderId: 'p-gua-ek-1a', conversationId: first.conversation.id });
    expect(first.message.replyTo).toMatchObject({ kind: 'message', id: message.id, conversationId: group.id, title: expect.stringMatching(/^guardians rp-/) });
    // The mentor gets the new conversation and the reply with its quote, live; not the
    // co-guardian, not another family, and not the group conversation.
    await deliveredQuoted(first, long, mentor, [johan, other]);
    const groupHistory = await mentor.ok<{ messages: Message[] }>('history.get', { conversationId: group.id });
    expect(groupHistory.messages.map((m) => m.body)).toEqual([long]);

    // A retry answers the same reply; the same key for something else is a conflict.
    const retry = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'Kan vi komma kl 18.30?', clientKey: 'r1' });
    expect(retry.message.id).toBe(first.message.id);
    expect(await maria.request('message.send', { conversationId: first.conversation.id, body: 'annat', clientKey: 'r1' })).toMatchObject({ type: 'error', code: 'conflict' });
    expect(await maria.request('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'annat', clientKey: 'r1' })).toMatchObject({ type: 'error', code: 'conflict' });

    // A second reply, to a second announcement, continues the same direct conversation.
    const next = await mentor.ok<{ message: Message }>('message.send', { conversationId: group.id, body: 'Glöm inte anmälan.', clientKey: ck() });
    const second = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'message', id: next.message.id }, body: 'Anmäld!', clientKey: ck() });
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(second.message.seq).toBe(2);
    // ...which is also the conversation the message function finds for the two.
    const direct = await maria.ok<{ conversation: Conversation; existing?: boolean }>('conversation.start', { participantIds: ['p-mentor-ek'], clientKey: ck() });
    expect(direct).toMatchObject({ existing: true, conversation: { id: first.conversation.id } });
    const history = await mentor.ok<{ messages: Message[] }>('history.get', { conversationId: first.conversation.id });
    expect(history.messages.map((m) => [m.body, m.replyTo?.id])).toEqual([['Kan vi komma kl 18.30?', message.id], ['Anmäld!', next.message.id]]);
    // What came live is what is stored, quote included.
    const live = await mentor.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Message }).message.id === second.message.id);
    const { reactions: _, ...stored } = history.messages[1] as Message & { reactions?: unknown };
    expect((live.data as { message: Message }).message).toEqual(stored);
  });

  it("a reply moves the sender's read mark, and the sender's other devices hear it", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const phone = await t.connect('p-gua-ek-2a');
    const laptop = await t.connect('p-gua-ek-2a', { codec: 'json' });
    const { message } = await announcement(mentor, 'guardians', 'Utflykt på fredag.');
    const reply = await phone.ok<Reply>('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'Vi tar med matsäck.', clientKey: ck() });
    const read = await laptop.waitFor((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { conversationId: string }).conversationId === reply.conversation.id);
    expect(read.data).toEqual({ conversationId: reply.conversation.id, personId: 'p-gua-ek-2a', seq: reply.message.seq });
    const inbox = await laptop.ok<{ conversations: { id: string; unread: number }[] }>('inbox.get');
    expect(inbox.conversations.find((c) => c.id === reply.conversation.id)?.unread).toBe(0);
  });

  it('a student replies privately to the mentor from the class conversation; a protected student stays hidden from classmates', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const hugo = await t.connect('p-stu-ek-6');
    const classmate = await t.connect('p-stu-ek-2');
    const { message } = await announcement(mentor, 'students', 'Glöm inte gympakläderna!');
    expect(await hugo.request('message.send', { conversationId: message.conversationId, body: 'Okej', clientKey: ck() })).toMatchObject({ type: 'error', code: 'forbidden', message: REASON });
    const reply = await hugo.ok<Reply>('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'Jag är sjuk i morgon.', clientKey: ck() });
    const got = await mentor.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Message }).message.id === reply.message.id);
    expect((got.data as { message: Message }).message).toMatchObject({ senderId: 'p-stu-ek-6', senderName: 'Hugo Larsson' }); // staff see him
    expect(await classmate.receivedSoFar(about(reply.conversation.id))).toHaveLength(0);
  });

  it('refuses what the caller may not read or write, with the documented codes', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const teacher = await t.connect('p-teacher-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { message } = await announcement(mentor, 'guardians', 'Till alla vårdnadshavare i 7A');
    const reply = (c: TestClient, id: string) => c.request('message.replyPrivately', { to: { kind: 'message', id }, body: 'Hej', clientKey: ck() });

    // Not in the group (another class's guardian), or no such message: the same answer.
    const outsider = await t.connect('p-gua-bj-4a');
    const unknown = await reply(outsider, 'msg_nope');
    expect(unknown).toMatchObject({ type: 'error', code: 'not_found', path: ['to', 'id'] });
    expect({ ...(await reply(outsider, message.id)), id: unknown.id }).toEqual(unknown);
    // One's own message.
    expect(await reply(mentor, message.id)).toMatchObject({ type: 'error', code: 'invalid' });
    // §3: a guardian may not write to a teacher directly where the school does not allow it,
    // even when the teacher answered them in an assignment's thread.
    const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Bråk', publish: true, clientKey: ck() });
    const { conversation: thread } = await maria.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: item.id }, clientKey: ck() });
    const { message: answer } = await teacher.ok<{ message: Message }>('message.send', { conversationId: thread.id, body: 'Uppgift 1–8.', clientKey: ck() });
    expect(await reply(maria, answer.id)).toMatchObject({
      type: 'error', code: 'forbidden', path: ['to', 'id'],
      message: 'this school does not allow teachers and guardians to message directly; use a plan or assignment',
    });

    // A blocked guardian relation: Maria blocked for Elsa (p-stu-ek-1) is no longer in 7A.
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }),
    });
    expect(block.status).toBeLessThan(300);
    const afterBlock = await t.connect('p-gua-ek-1a'); // still a guardian at Björkskolan
    expect(await reply(afterBlock, message.id)).toMatchObject({ type: 'error', code: 'not_found', path: ['to', 'id'] });
    await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
  });
});

describe('reply privately to a post (issue 13 item 3)', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  async function post(author: TestClient, groupId: string, body: string): Promise<{ id: string; title: string }> {
    const title = `Utflykt ${ck()}`;
    const { post } = await author.ok<{ post: { id: string; title: string } }>('post.create', {
      schoolId: 's-ekskolan', title, body, clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId }], recipients: { students: true, guardians: true } },
    });
    return post;
  }
  const reply = (c: TestClient, id: string, body = 'Hej', clientKey = ck()) => c.request('message.replyPrivately', { to: { kind: 'post', id }, body, clientKey });

  it("starts, then continues, the direct conversation with the post's author, quoting the post; nobody else sees it", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b'); // the co-guardian
    const emma = await t.connect('p-gua-ek-3a'); // another family of the class
    const long = `Vi åker till Skansen på fredag. ${'Ta med matsäck och regnkläder. '.repeat(8)}`.trim();
    const p = await post(mentor, 'g-ek-7a', long);

    const first = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'post', id: p.id }, body: 'Elsa är allergisk mot nötter.', clientKey: 'rp-post-1' });
    expect(ids(first.conversation)).toEqual(['p-gua-ek-1a', 'p-mentor-ek']);
    expect(first.message.replyTo).toEqual({ kind: 'post', id: p.id, title: p.title, excerpt: expect.any(String) });
    await deliveredQuoted(first, long, mentor, [johan, emma]);

    // A retry answers the same reply; the key for another target is a conflict.
    const retry = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'post', id: p.id }, body: 'Elsa är allergisk mot nötter.', clientKey: 'rp-post-1' });
    expect(retry.message.id).toBe(first.message.id);
    expect(await maria.request('message.replyPrivately', { to: { kind: 'message', id: p.id }, body: 'Elsa är allergisk mot nötter.', clientKey: 'rp-post-1' }))
      .toMatchObject({ type: 'error', code: 'conflict' });
    // A reply to a second post continues the same conversation (the one the message function finds).
    const q = await post(mentor, 'g-ek-7a', 'Föräldramöte på torsdag.');
    const second = await maria.ok<Reply>('message.replyPrivately', { to: { kind: 'post', id: q.id }, body: 'Vi kommer.', clientKey: ck() });
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(second.message.seq).toBe(2);
  });

  it('a protected student replies to a post: staff see him, classmates hear nothing', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const hugo = await t.connect('p-stu-ek-6');
    const liam = await t.connect('p-stu-ek-2');
    const p = await post(mentor, 'g-ek-7a', 'Gympa utomhus i morgon.');
    const r = await hugo.ok<Reply>('message.replyPrivately', { to: { kind: 'post', id: p.id }, body: 'Jag har inga skor.', clientKey: ck() });
    const got = await mentor.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Message }).message.id === r.message.id);
    expect((got.data as { message: Message }).message).toMatchObject({ senderId: 'p-stu-ek-6', senderName: 'Hugo Larsson', replyTo: { kind: 'post', id: p.id } });
    expect(await liam.receivedSoFar(about(r.conversation.id))).toHaveLength(0);
  });

  it("refuses what the caller may not read, §3's rows, one's own post and a blocked guardian relation", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const teacher = await t.connect('p-teacher-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const p = await post(mentor, 'g-ek-7a', 'Till 7A');
    const outsider = await t.connect('p-gua-bj-4a');
    const unknown = await reply(outsider, 'post_nope');
    expect(unknown).toMatchObject({ type: 'error', code: 'not_found', message: 'no such post', path: ['to', 'id'] });
    expect({ ...(await reply(outsider, p.id)), id: unknown.id }).toEqual(unknown);
    expect(await reply(mentor, p.id)).toMatchObject({ type: 'error', code: 'invalid', path: ['to', 'id'] });
    // §3: a teacher's post does not open direct messages where the school does not allow them.
    const math = await post(teacher, 'g-ek-ma7', 'Prov på måndag.');
    expect(await reply(maria, math.id)).toMatchObject({
      type: 'error', code: 'forbidden', path: ['to', 'id'],
      message: 'this school does not allow teachers and guardians to message directly; use a plan or assignment',
    });
    // ...while a student may write to staff of the school.
    const elsa = await t.connect('p-stu-ek-1');
    expect((await reply(elsa, math.id)).type).toBe('ok');

    await blockGuardian(t, 'p-gua-ek-1a', 'p-stu-ek-1');
    try {
      const blocked = await t.connect('p-gua-ek-1a');
      expect({ ...(await reply(blocked, p.id)), id: unknown.id }).toEqual(unknown);
      expect(await mentor.receivedSoFar((f) => f.type === 'event' && f.event === 'message.created' && JSON.stringify(f.data).includes('p-gua-ek-1a'))).toHaveLength(0);
    } finally {
      await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    }
  });
});

describe('reply privately to an author with a protected identity', () => {
  // The mentor carries a security marking here: families see the group's messages without a
  // sender, and may not write to them by this way either (the reply would name them).
  let t: TestHub;
  beforeAll(async () => {
    const b = demoBundle();
    b.persons.find((p) => p.id === 'p-mentor-ek')!.securityMarking = 'Skyddad folkbokföring';
    t = await startTestHub({ bundle: b });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is refused with forbidden, and nothing reaches the mentor', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', clientKey: ck() });
    const { message } = await mentor.ok<{ message: Message }>('message.send', { conversationId: conversation.id, body: 'Hej alla!', clientKey: ck() });
    const seen = await maria.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Message }).message.id === message.id);
    expect((seen.data as { message: Message }).message).toMatchObject({ senderId: null, senderName: null });
    const { conversation: asMaria } = await maria.ok<{ conversation: Conversation }>('history.get', { conversationId: conversation.id });
    expect(asMaria.group?.mentorIds).toEqual([]); // hidden from families too
    expect(await maria.request('message.replyPrivately', { to: { kind: 'message', id: message.id }, body: 'Hej', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['to', 'id'] });
    expect(await mentor.receivedSoFar((f) => f.type === 'event' && f.event === 'conversation.created' && !JSON.stringify(f.data).includes(conversation.id))).toHaveLength(0);
  });

  it('to their post as well', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Utflykt', body: 'På fredag.', clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    expect(await maria.request('message.replyPrivately', { to: { kind: 'post', id: post.id }, body: 'Hej', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', message: 'the author of this post cannot be written to privately', path: ['to', 'id'] });
    expect(await mentor.receivedSoFar((f) => f.type === 'event' && f.event === 'message.created')).toHaveLength(0);
  });
});
