// Direct messages over real connections: live to every device, seq without gaps, unread
// counts across devices, idempotent sends, and the rules on every message.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { DEMO } from '../demo/district.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

describe('direct messages', () => {
  it("a mentor's message reaches both guardians of the mentee live, on two devices each", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const devices = await Promise.all(['p-gua-ek-2a', 'p-gua-ek-2a', 'p-gua-ek-2b', 'p-gua-ek-2b'].map((p) => t.connect(p)));
    const mentorOther = await t.connect('p-mentor-ek', { codec: 'json' });
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', {
      participantIds: ['p-gua-ek-2a', 'p-gua-ek-2b'], subject: 'Utvecklingssamtal', clientKey: 'c1',
    });
    const { message } = await mentor.ok<{ message: { seq: number; id: string } }>('message.send', {
      conversationId: conversation.id, body: 'Hej! Välkomna på samtal på tisdag.', clientKey: 'm1',
    });
    expect(message.seq).toBe(1);
    for (const d of [...devices, mentorOther]) {
      const ev = await d.waitFor((f) => f.type === 'event' && f.event === 'message.created');
      expect((ev.data as { message: { body: string; senderId: string } }).message).toMatchObject({ body: 'Hej! Välkomna på samtal på tisdag.', senderId: 'p-mentor-ek' });
      expect(typeof ev.cursor).toBe('string');
    }
    // Both guardians answer in front of each other and the mentor.
    const [phoneA, , phoneB] = devices as [typeof mentor, typeof mentor, typeof mentor, typeof mentor];
    await phoneA.ok('message.send', { conversationId: conversation.id, body: 'Tack, tisdag passar!', clientKey: 'ga1' });
    await phoneB.ok('message.send', { conversationId: conversation.id, body: 'Jag kommer också.', clientKey: 'gb1' });
    await mentor.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: { body: string } }).message.body === 'Jag kommer också.');
  });

  it('two guardians of one child cannot open a conversation of their own: the hub is for school and home', async () => {
    const guardian = await t.connect('p-gua-ek-3a');
    expect(await guardian.request('conversation.start', { participantIds: ['p-gua-ek-3b'], clientKey: 'fam1' })).toMatchObject({ type: 'error', code: 'forbidden' });
  });

  it('seq counts from 1 without gaps, and a retried clientKey returns the stored message', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-3'], clientKey: 'c-seq' });
    const sends = await Promise.all(Array.from({ length: 20 }, (_, i) => mentor.ok<{ message: { seq: number } }>('message.send', { conversationId: conversation.id, body: `nr ${i}`, clientKey: `k${i}` })));
    expect(sends.map((s) => s.message.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const again = await mentor.ok<{ message: { seq: number; body: string } }>('message.send', { conversationId: conversation.id, body: 'nr 3', clientKey: 'k3' });
    expect(again.message.body).toBe('nr 3');
    const { messages } = await mentor.ok<{ messages: { seq: number }[] }>('history.get', { conversationId: conversation.id, limit: 100 });
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const conflict = await mentor.request('message.send', { conversationId: conversation.id, body: 'something else', clientKey: 'k3' });
    expect(conflict).toMatchObject({ type: 'error', code: 'conflict' });
  });

  it('what devices get live is the stored message: event, answer and history agree; a retry sends no second event', async () => {
    type Sent = { id: string; seq: number; createdAt: string; body: string };
    const mentor = await t.connect('p-mentor-ek');
    const reader = await t.connect('p-stu-ek-2', { codec: 'json' });
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-2'], clientKey: 'c-live' });
    // Sent at once, so that they share group commits; the same clientKey three times among them.
    const requests = [
      ...Array.from({ length: 8 }, (_, i) => ({ body: `nr ${i}`, clientKey: `live-${i}` })),
      ...Array.from({ length: 3 }, () => ({ body: 'nr 0', clientKey: 'live-0' })),
    ];
    const answers = await Promise.all(requests.map((r) => mentor.ok<{ message: Sent }>('message.send', { conversationId: conversation.id, ...r })));
    const first = answers[0]!.message;
    for (const again of answers.slice(8)) expect(again.message).toEqual(first);
    const { messages } = await reader.ok<{ messages: (Sent & { reactions?: unknown })[] }>('history.get', { conversationId: conversation.id });
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const { reactions: _, ...stored } of messages) {
      const live = await reader.waitFor((f) => f.type === 'event' && f.event === 'message.created' && (f.data as { message: Sent }).message.id === stored.id);
      expect((live.data as { message: Sent }).message).toEqual(stored);
      expect(answers.find((a) => a.message.id === stored.id)?.message).toEqual(stored);
    }
    await reader.ping();
    const created = reader.frames.filter((f) => f.type === 'event' && f.event === 'message.created');
    expect(created).toHaveLength(8);
    // The mentor's read mark moved with each message, once each.
    const reads = reader.frames.filter((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { personId: string }).personId === 'p-mentor-ek');
    expect(reads.map((f) => (f.data as { seq: number }).seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('unread counts follow the person across devices', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const phone = await t.connect('p-stu-ek-4');
    const laptop = await t.connect('p-stu-ek-4', { codec: 'json' });
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-4'], clientKey: 'c-unread' });
    for (let i = 0; i < 3; i++) await mentor.ok('message.send', { conversationId: conversation.id, body: `läxa ${i}`, clientKey: `u${i}` });
    const before = await laptop.ok<{ conversations: { id: string; unread: number }[]; unreadTotal: number }>('inbox.get');
    expect(before.conversations.find((c) => c.id === conversation.id)?.unread).toBe(3);
    await phone.ok('conversation.read', { conversationId: conversation.id, seq: 2 });
    // (The mentor's own read marks, moved by sending, come as events too.)
    const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { personId: string }).personId === 'p-stu-ek-4');
    expect(ev.data).toEqual({ conversationId: conversation.id, personId: 'p-stu-ek-4', seq: 2 });
    const after = await laptop.ok<{ conversations: { id: string; unread: number }[] }>('inbox.get');
    expect(after.conversations.find((c) => c.id === conversation.id)?.unread).toBe(1);
  });

  it("sending moves the sender's read mark, and the sender's other devices hear it", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const phone = await t.connect('p-stu-ek-5');
    const laptop = await t.connect('p-stu-ek-5', { codec: 'json' });
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-5'], clientKey: 'c-sendread' });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Fråga', clientKey: 'sr1' });
    const answer = await phone.ok<{ message: { seq: number } }>('message.send', { conversationId: conversation.id, body: 'Svar', clientKey: 'sr2' });
    const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { personId: string }).personId === 'p-stu-ek-5');
    expect(ev.data).toEqual({ conversationId: conversation.id, personId: 'p-stu-ek-5', seq: answer.message.seq });
    // The mentor sees it as a receipt too.
    await mentor.waitFor((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { personId: string }).personId === 'p-stu-ek-5');
  });

  it('inbox.readAll moves every read mark of the person at once, and tells their devices', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const phone = await t.connect('p-stu-ek-6');
    const laptop = await t.connect('p-stu-ek-6', { codec: 'json' });
    const ids: string[] = [];
    for (const key of ['ra1', 'ra2']) {
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-6'], subject: key, clientKey: key });
      for (let i = 0; i < 2; i++) await mentor.ok('message.send', { conversationId: conversation.id, body: `nr ${i}`, clientKey: `${key}-${i}` });
      ids.push(conversation.id);
    }
    const before = await laptop.ok<{ unreadTotal: number }>('inbox.get');
    expect(before.unreadTotal).toBe(4);
    expect(await phone.ok('inbox.readAll', {})).toEqual({ conversations: 2 });
    for (const id of ids) {
      const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'conversation.read' && (f.data as { conversationId: string; personId: string }).conversationId === id
        && (f.data as { personId: string }).personId === 'p-stu-ek-6');
      expect(ev.data).toEqual({ conversationId: id, personId: 'p-stu-ek-6', seq: 2 });
    }
    const after = await laptop.ok<{ unreadTotal: number; conversations: { unread: number }[] }>('inbox.get');
    expect(after.unreadTotal).toBe(0);
    expect(after.conversations.every((c) => c.unread === 0)).toBe(true);
    // Again: nothing moves, nothing is sent.
    expect(await phone.ok('inbox.readAll', {})).toEqual({ conversations: 0 });
  });

  it('a teacher may message a guardian directly only where the school allows it', async () => {
    // Ekskolan: setting off.
    const teacherEk = await t.connect('p-teacher-ek');
    const refused = await teacherEk.request('conversation.start', { participantIds: ['p-gua-ek-1a'], clientKey: 'tg1' });
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden', path: ['participantIds', 0] });
    // Björkskolan: setting on.
    const teacherBj = await t.connect('p-teacher-bj');
    const guardian = await t.connect('p-gua-bj-2a');
    const { conversation } = await teacherBj.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-bj-2a'], clientKey: 'tg2' });
    await teacherBj.ok('message.send', { conversationId: conversation.id, body: 'Hej Anna!', clientKey: 'tg2m' });
    await guardian.waitFor((f) => f.type === 'event' && f.event === 'message.created');
  });

  it('a non-participant cannot read or write a conversation, and gets not_found', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-5'], clientKey: 'c-np' });
    const other = await t.connect('p-stu-ek-1');
    expect(await other.request('history.get', { conversationId: conversation.id })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await other.request('message.send', { conversationId: conversation.id, body: 'hej', clientKey: 'x' })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await other.request('history.get', { conversationId: 'conv_does_not_exist' })).toMatchObject({ type: 'error', code: 'not_found' });
  });
});
