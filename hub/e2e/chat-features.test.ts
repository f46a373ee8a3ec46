// The chat people expect, over real connections: typing indicators (ephemeral, limited),
// read receipts, edits and deletes (events, tombstones, resume), paging both ways, search,
// staff quiet hours, and protected identities kept out of other families' frames.
//
// The demo district with two changes: Ekskolan has staff quiet hours around now, Björkskolan
// has them later today; and p-gua-ek-2b (Mikael Johansson, guardian of p-stu-ek-2 in
// Klass 7A) has a protected identity.
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHubAndDatabase } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';
import { TYPING_LIMITS } from '../handlers/typing.ts';

const clock = (minutes: number) => {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const nowMinutes = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();

function bundle() {
  const b = demoBundle();
  for (const s of b.extensions.settings) {
    s.quietHours = s.organisation.id === 's-ekskolan'
      ? { start: clock(nowMinutes - 120), end: clock(nowMinutes + 120), timezone: 'UTC' }
      : { start: clock(nowMinutes + 180), end: clock(nowMinutes + 240), timezone: 'Europe/Stockholm' };
  }
  b.persons.find((p) => p.id === 'p-gua-ek-2b')!.securityMarking = 'Sekretessmarkering';
  return b;
}

let t: TestHub;
let sql: postgres.Sql;
useTestHubAndDatabase((hub, connection) => {
  t = hub;
  sql = connection;
}, { bundle: bundle(), max: 1 });

interface Message {
  id: string;
  conversationId: string;
  seq: number;
  body: string;
  senderId: string | null;
  senderName: string | null;
  editedAt: string | null;
  deletedAt: string | null;
  deleted: boolean;
  quietHours: boolean;
}

let keyNo = 0;
const ck = () => `feat-${++keyNo}`;

const event = (name: string, pred: (data: Record<string, unknown>) => boolean = () => true) => (f: Frame) =>
  f.type === 'event' && f.event === name && pred(f.data as Record<string, unknown>);
const inConversation = (name: string, conversationId: string) =>
  event(name, (d) => ((d.message as Message | undefined)?.conversationId ?? d.conversationId) === conversationId);

async function conversationWith(starter: TestClient, participantIds: string[], subject?: string): Promise<string> {
  const { conversation } = await starter.ok<{ conversation: { id: string } }>('conversation.start', { participantIds, ...(subject ? { subject } : {}), clientKey: ck() });
  return conversation.id;
}

async function send(c: TestClient, conversationId: string, body: string): Promise<Message> {
  return (await c.ok<{ message: Message }>('message.send', { conversationId, body, clientKey: ck() })).message;
}

describe('typing indicators', () => {
  it("reach the other participants' devices, not the typist's, and never the log", async () => {
    const [mentor, mentorOther, phone, laptop, outsider] = await connectEach(t, 'p-mentor-ek', 'p-mentor-ek', 'p-stu-ek-3', ['p-stu-ek-3', { codec: 'json' }], 'p-stu-ek-4');
    const conversationId = await conversationWith(mentor, ['p-stu-ek-3'], 'Typing');
    const cursor = laptop.lastCursor()!;
    expect(await mentor.ok('typing', { conversationId })).toEqual({ relayed: true });
    for (const c of [phone, laptop]) {
      const ev = await c.waitFor(event('typing'));
      expect(ev).toEqual({ type: 'event', event: 'typing', data: { conversationId, personId: 'p-mentor-ek', name: 'Eva Nyström', typing: true } });
      expect(ev.cursor).toBeUndefined(); // ephemeral: no cursor, nothing to resume
    }
    for (const c of [mentor, mentorOther, outsider]) {
      await c.ping();
      expect(c.events('typing')).toHaveLength(0);
    }
    // Repeats within the window are acknowledged but not relayed; a stop is.
    expect(await mentor.ok('typing', { conversationId })).toEqual({ relayed: false });
    expect(await mentor.ok('typing', { conversationId, typing: false })).toEqual({ relayed: true });
    await phone.waitFor(event('typing', (d) => d.typing === false));
    expect(await mentor.ok('typing', { conversationId, typing: false })).toEqual({ relayed: false });
    // Never stored, never replayed.
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from events where name = 'typing'`;
    expect(row?.n).toBe(0);
    const again = await t.connect('p-stu-ek-3', { cursor });
    await again.waitFor(event('sync.done'));
    expect(again.events('typing')).toHaveLength(0);
    // Only participants may type.
    expect(await outsider.request('typing', { conversationId })).toMatchObject({ type: 'error', code: 'not_found' });
  });

  it('are limited per connection', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const student = await t.connect('p-stu-ek-1');
    const conversations = await Promise.all(Array.from({ length: TYPING_LIMITS.burst + 4 }, (_, i) => conversationWith(mentor, ['p-stu-ek-1'], `Limit ${i}`)));
    const answers = await Promise.all(conversations.map((conversationId) => mentor.ok<{ relayed: boolean }>('typing', { conversationId })));
    const relayed = answers.filter((a) => a.relayed).length;
    expect(relayed).toBeLessThanOrEqual(TYPING_LIMITS.burst);
    expect(relayed).toBeGreaterThan(0);
    await student.ping();
    expect(student.events('typing')).toHaveLength(relayed);
    // Another connection of the same person has its own allowance.
    const other = await t.connect('p-mentor-ek');
    expect(await other.ok('typing', { conversationId: conversations[conversations.length - 1] })).toEqual({ relayed: true });
  });
});

describe('read receipts', () => {
  it('say who has read how far: "read by 2 of 3"', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const a = await t.connect('p-stu-ek-3');
    const b = await t.connect('p-stu-ek-4');
    const conversationId = await conversationWith(mentor, ['p-stu-ek-3', 'p-stu-ek-4'], 'Grupparbete');
    await send(mentor, conversationId, 'Ett');
    const two = await send(mentor, conversationId, 'Två');
    await a.ok('conversation.read', { conversationId, seq: two.seq });
    // (Sending moved the mentor's own mark: those events come too.)
    const theirs = (d: Record<string, unknown>) => d.conversationId === conversationId && d.personId === 'p-stu-ek-3';
    const receipt = await mentor.waitFor(event('conversation.read', theirs));
    expect(receipt.data).toEqual({ conversationId, personId: 'p-stu-ek-3', seq: 2 });
    await b.waitFor(event('conversation.read', theirs));
    const { reads, lastSeq, conversation } = await b.ok<{ reads: Record<string, number>; lastSeq: number; conversation: { participants: unknown[] } }>('history.get', { conversationId });
    expect(reads).toEqual({ 'p-mentor-ek': 2, 'p-stu-ek-3': 2, 'p-stu-ek-4': 0 });
    expect(lastSeq).toBe(2);
    expect(Object.values(reads).filter((s) => s >= 2)).toHaveLength(2);
    expect(conversation.participants).toHaveLength(3);
  });
});

describe('edit and delete', () => {
  it("reach every participant's device and survive a reconnect with resume; the history keeps a tombstone", async () => {
    const [mentor, mentorPhone, guardian, guardianAway] = await connectEach(t, 'p-mentor-ek', ['p-mentor-ek', { codec: 'json' }], 'p-gua-ek-1a', ['p-gua-ek-1a', { codec: 'json' }]);
    const conversationId = await conversationWith(mentor, ['p-gua-ek-1a', 'p-gua-ek-1b'], 'Utflykt');
    const sent = await send(mentor, conversationId, 'Utflykten är på onsdag');
    const other = await send(mentor, conversationId, 'Ta med matsäck');
    await guardianAway.waitFor(inConversation('message.created', conversationId));
    await guardianAway.waitFor((f) => inConversation('message.created', conversationId)(f) && (f.data as { message: Message }).message.seq === 2);
    const cursor = guardianAway.lastCursor()!;
    guardianAway.close();
    await guardianAway.closed;

    const { message: edited } = await mentor.ok<{ message: Message }>('message.edit', { messageId: sent.id, body: 'Utflykten är på torsdag' });
    expect(edited).toMatchObject({ id: sent.id, seq: 1, body: 'Utflykten är på torsdag', editedAt: expect.any(String), deleted: false });
    await mentor.ok('message.delete', { messageId: other.id });
    for (const c of [guardian, mentorPhone]) {
      const e = await c.waitFor(inConversation('message.edited', conversationId));
      expect((e.data as { message: Message }).message).toMatchObject({ id: sent.id, body: 'Utflykten är på torsdag' });
      const d = await c.waitFor(inConversation('message.deleted', conversationId));
      expect(d.data).toEqual({ conversationId, messageId: other.id, seq: 2, deletedAt: expect.any(String) });
    }
    const back = await t.connect('p-gua-ek-1a', { cursor });
    await back.waitFor(event('sync.done'));
    expect(back.events().map((e) => e.event)).toEqual(['message.edited', 'message.deleted', 'sync.done']);

    const { messages } = await back.ok<{ messages: Message[] }>('history.get', { conversationId });
    expect(messages).toMatchObject([
      { seq: 1, body: 'Utflykten är på torsdag', editedAt: expect.any(String), deleted: false },
      { seq: 2, body: '', deleted: true, deletedAt: expect.any(String), senderId: 'p-mentor-ek' },
    ]);
    // A new message keeps counting after the tombstone.
    expect((await send(mentor, conversationId, 'Tre')).seq).toBe(3);
    // Deleting again is a harmless retry; editing a deleted message is not possible.
    await mentor.ok('message.delete', { messageId: other.id });
    expect(await mentor.request('message.edit', { messageId: other.id, body: 'x' })).toMatchObject({ type: 'error', code: 'conflict' });
    await guardian.ping();
    expect(guardian.frames.filter(inConversation('message.deleted', conversationId))).toHaveLength(1);
  });

  it("only one's own message, only within the window, only for participants", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const guardian = await t.connect('p-gua-ek-1a');
    const outsider = await t.connect('p-gua-ek-3a');
    const conversationId = await conversationWith(mentor, ['p-gua-ek-1a'], 'Fönster');
    const m = await send(mentor, conversationId, 'Hej');
    expect(await guardian.request('message.edit', { messageId: m.id, body: 'Fusk' })).toMatchObject({ type: 'error', code: 'forbidden', path: ['messageId'] });
    expect(await guardian.request('message.delete', { messageId: m.id })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await outsider.request('message.edit', { messageId: m.id, body: 'x' })).toMatchObject({ type: 'error', code: 'not_found', path: ['messageId'] });
    expect(await mentor.request('message.delete', { messageId: 'msg_nope' })).toMatchObject({ type: 'error', code: 'not_found' });
    await sql`update messages set created_at = now() - interval '16 minutes' where id = ${m.id}`;
    expect(await mentor.request('message.edit', { messageId: m.id, body: 'Sent' })).toMatchObject({ type: 'error', code: 'forbidden', message: expect.stringContaining('15 minutes') });
    expect(await mentor.request('message.delete', { messageId: m.id })).toMatchObject({ type: 'error', code: 'forbidden' });
  });
});

describe('history paging and search', () => {
  it('pages backwards with beforeSeq and forwards with afterSeq', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const conversationId = await conversationWith(mentor, ['p-stu-ek-5'], 'Paging');
    for (let i = 1; i <= 12; i++) await send(mentor, conversationId, `nr ${i}`);
    const seqs = async (fields: Record<string, unknown>) =>
      (await mentor.ok<{ messages: Message[] }>('history.get', { conversationId, ...fields })).messages.map((m) => m.seq);
    expect(await seqs({ limit: 3 })).toEqual([10, 11, 12]);
    expect(await seqs({ beforeSeq: 10, limit: 3 })).toEqual([7, 8, 9]);
    expect(await seqs({ afterSeq: 0, limit: 3 })).toEqual([1, 2, 3]);
    expect(await seqs({ afterSeq: 3, limit: 3 })).toEqual([4, 5, 6]);
    expect(await seqs({ afterSeq: 11, limit: 3 })).toEqual([12]);
    expect(await mentor.request('history.get', { conversationId, beforeSeq: 5, afterSeq: 1 })).toMatchObject({ type: 'error', code: 'invalid', path: ['afterSeq'] });
  });

  it("finds words in one's own conversations only, and not what was deleted", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const student = await t.connect('p-stu-ek-6');
    const other = await t.connect('p-stu-ek-5');
    const mine = await conversationWith(mentor, ['p-stu-ek-6'], 'Sök');
    const theirs = await conversationWith(mentor, ['p-stu-ek-5'], 'Sök 2');
    await send(mentor, mine, 'Läxorna till tisdag: kapitel fyra');
    const gone = await send(mentor, mine, 'Läxan är struken');
    await send(mentor, theirs, 'Läxan för dig är kapitel fem');
    await mentor.ok('message.delete', { messageId: gone.id });
    type Results = { results: { message: Message; conversation: { id: string } }[]; next: string | null };
    const found = await student.ok<Results>('messages.search', { query: 'läxor' });
    expect(found.results.map((r) => r.message.body)).toEqual(['Läxorna till tisdag: kapitel fyra']);
    expect(found.results[0]!.conversation.id).toBe(mine);
    const prefix = await student.ok<Results>('messages.search', { query: 'kap tis' });
    expect(prefix.results).toHaveLength(1);
    const theirsFound = await other.ok<Results>('messages.search', { query: 'kapitel' });
    expect(theirsFound.results.map((r) => r.message.body)).toEqual(['Läxan för dig är kapitel fem']);
    const all = await mentor.ok<Results>('messages.search', { query: 'kapitel' });
    expect(all.results.map((r) => r.conversation.id).sort()).toEqual([mine, theirs].sort());
    const one = await mentor.ok<Results>('messages.search', { query: 'kapitel', conversationId: theirs });
    expect(one.results.map((r) => r.conversation.id)).toEqual([theirs]);
    expect(await student.request('messages.search', { query: '&|!:*' })).toMatchObject({ type: 'error', code: 'invalid', path: ['query'] });
  });
});

describe('staff quiet hours', () => {
  it('messages to staff during their quiet hours are delivered and flagged', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const guardian = await t.connect('p-gua-ek-4a');
    const conversationId = await conversationWith(guardian, ['p-mentor-ek']);
    const late = await send(guardian, conversationId, 'Noah är sjuk i morgon');
    expect(late.quietHours).toBe(true);
    const ev = await mentor.waitFor(inConversation('message.created', conversationId));
    expect((ev.data as { message: Message }).message.quietHours).toBe(true);
    // To families, and between colleagues, nothing is flagged.
    expect((await send(mentor, conversationId, 'Tack, krya på sig!')).quietHours).toBe(false);
    const colleagues = await conversationWith(mentor, ['p-teacher-ek']);
    expect((await send(mentor, colleagues, 'Hej Lars')).quietHours).toBe(false);
    // Björkskolan's quiet hours are later today.
    const parent = await t.connect('p-gua-bj-2a');
    const bj = await conversationWith(parent, ['p-teacher-bj']);
    expect((await send(parent, bj, 'Hej!')).quietHours).toBe(false);
  });

  it('the setting is validated on import', async () => {
    const b = bundle();
    b.extensions.settings[0]!.quietHours = { start: '17:00', end: '07:00', timezone: 'Europe/Nowhere' };
    const r = await t.importBundle(b);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid', path: ['extensions', 'settings', 0, 'quietHours', 'timezone'] } });
    b.extensions.settings[0]!.quietHours = { start: '25:00', end: '07:00', timezone: 'Europe/Stockholm' };
    expect((await t.importBundle(b)).body).toMatchObject({ error: { path: ['extensions', 'settings', 0, 'quietHours', 'start'] } });
  });
});

describe('protected identity', () => {
  /** Every raw frame a connection receives from now on, as bytes (msgpack or JSON). */
  function recordRaw(c: TestClient): Buffer[] {
    const raw: Buffer[] = [];
    c.ws.on('message', (data) => raw.push(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)));
    return raw;
  }
  const leaks = (raw: Buffer[]) => raw.filter((b) => b.includes('Mikael') || b.includes('p-gua-ek-2b')).map((b) => b.toString('utf8'));

  it("a protected guardian's name never appears in another family's frames", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const otherFamily = [await t.connect('p-gua-ek-3a', { codec: 'json' }), await t.connect('p-gua-ek-5b')];
    const raws = otherFamily.map(recordRaw);
    const hidden = await t.connect('p-gua-ek-2b');

    // The mentor opens the class's guardian conversation; the protected guardian takes part.
    const { conversation } = await mentor.ok<{ conversation: { id: string; participants: { id: string }[] } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', subject: 'Föräldramöte', clientKey: ck() });
    expect(conversation.participants.map((p) => p.id)).toContain('p-gua-ek-2b'); // staff see them
    await send(mentor, conversation.id, 'Välkomna på föräldramöte!');
    await hidden.waitFor(inConversation('message.created', conversation.id));
    await hidden.ok('conversation.read', { conversationId: conversation.id, seq: 1 });
    // Only the mentors write to the whole group (docs/DOMAIN.md §3): no message, no typing.
    for (const refused of [await hidden.request('typing', { conversationId: conversation.id }), await hidden.request('message.send', { conversationId: conversation.id, body: 'Jag kommer', clientKey: ck() })]) {
      expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });
    }

    // The mentor sees who read.
    await mentor.waitFor(event('conversation.read', (d) => d.personId === 'p-gua-ek-2b'));

    // Another family gets the mentor's message, and nothing of them.
    for (const c of otherFamily) {
      await c.waitFor(inConversation('message.created', conversation.id));
      const listed = await c.ok<{ conversations: { id: string; participants: { id: string }[] }[] }>('inbox.get');
      expect(listed.conversations.find((x) => x.id === conversation.id)?.participants.map((p) => p.id)).not.toContain('p-gua-ek-2b');
      const history = await c.ok<{ reads: Record<string, number>; conversation: { participants: { id: string }[] }; messages: Message[] }>('history.get', { conversationId: conversation.id });
      expect(Object.keys(history.reads)).not.toContain('p-gua-ek-2b');
      expect(history.messages.map((m) => m.senderId)).toEqual(['p-mentor-ek']);
      await c.ok('messages.search', { query: 'kommer' });
      await c.ok('contacts.get');
      await c.ping();
    }
    for (const raw of raws) {
      expect(raw.length).toBeGreaterThan(5);
      expect(leaks(raw)).toEqual([]);
    }
  });

  it('in a conference thread the other guardian of the child does not see them either; staff do', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const sara = await t.connect('p-gua-ek-2a', { codec: 'json' });
    const raw = recordRaw(sara);
    const { conference } = await mentor.ok<{ conference: { id: string; participants: { id: string }[] } }>('conference.create', { studentId: 'p-stu-ek-2', startsAt: '2025-05-07T08:00:00Z', clientKey: ck() });
    expect(conference.participants.map((p) => p.id)).toContain('p-gua-ek-2b');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { context: { kind: 'conference', id: conference.id }, clientKey: ck() });
    const hidden = await t.connect('p-gua-ek-2b');
    await send(hidden, conversation.id, 'Mikael här');
    await sara.waitFor((f) => inConversation('message.created', conversation.id)(f));
    await sara.ok('conference.get', { conferenceId: conference.id });
    await sara.ok('history.get', { conversationId: conversation.id });
    await sara.ping();
    // The body is the guardian's own words; everything else about them stays out.
    expect(raw.filter((b) => b.includes('p-gua-ek-2b') || b.includes('Mikael Johansson'))).toEqual([]);
  });
});

describe('search and links (found by the widget work)', () => {
  it('finds words that sit between angle brackets', async () => {
    const { startTestHub } = await import('../testing/harness.ts');
    const t2 = await startTestHub();
    try {
      const mentor = await t2.connect('p-mentor-ek');
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-3'], clientKey: 'lt1' });
      await mentor.ok('message.send', { conversationId: conversation.id, body: 'Kom ihåg att x<3 och y>2 i uppgiften', clientKey: 'lt1m' });
      const found = await mentor.ok<{ results: unknown[] }>('messages.search', { query: 'och' });
      expect(found.results).toHaveLength(1);
    } finally {
      await t2.stop();
    }
  });

  it('refuses a link pattern that is not an http(s) URL or a path', async () => {
    const { loadConfig } = await import('../config.ts');
    expect(() => loadConfig({ HUB_LINK_PLAN: 'javascript:alert({id})' })).toThrow(/http\(s\) URL or a path/);
    expect(loadConfig({ HUB_LINK_PLAN: '/skola/planering/{id}' }).links.plan).toBe('/skola/planering/{id}');
  });
});
