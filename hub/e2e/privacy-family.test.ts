// The guardians of a protected child are hidden from other families (docs/DOMAIN.md, "Protected
// identities"; hub/people.ts), over real connections: in a mentor's conversation with the whole
// class's guardians, another family sees neither their name nor their id, in no frame; staff
// and the guardian's co-guardian do.
//
// Demo district with one change: p-stu-ek-6 (Hugo, protected, Klass 7A) has two guardians,
// p-gua-ek-6a (Jenny Larsson) and p-gua-ek-6b (Per Larsson), neither protected themselves.
// p-gua-ek-1a is another family of the class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';

let t: TestHub;
beforeAll(async () => {
  const b = demoBundle();
  b.persons.push({ id: 'p-gua-ek-6b', givenName: 'Per', familyName: 'Larsson', securityMarking: 'Ingen' });
  const hugo = b.persons.find((p) => p.id === 'p-stu-ek-6')!;
  hugo.responsibles = [...(hugo.responsibles ?? []), { person: { id: 'p-gua-ek-6b' }, relationType: 'Vårdnadshavare' }];
  t = await startTestHub({ bundle: b });
});
afterAll(async () => {
  await t?.stop();
});

interface Conversation { id: string; participants: { id: string; name: string }[] }
interface Message { id: string; seq: number; body: string; senderId: string | null; senderName: string | null; conversationId: string }

let keyNo = 0;
const ck = () => `fam-${++keyNo}`;
const HIDDEN = ['p-gua-ek-6a', 'Jenny Larsson', 'p-gua-ek-6b', 'Per Larsson', 'p-stu-ek-6', 'Hugo'];
const inConversation = (name: string, id: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && JSON.stringify(f.data).includes(id);
const ids = (c: { participants: { id: string }[] }) => c.participants.map((p) => p.id);

describe("a whole-class guardian conversation with a protected child's guardians in it", () => {
  it('another family sees neither their name nor their id; staff and the co-guardian do', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const other = await t.connect('p-gua-ek-1a', { codec: 'json' });
    const jenny = await t.connect('p-gua-ek-6a');
    const per = await t.connect('p-gua-ek-6b');

    const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', subject: 'Föräldramöte', clientKey: ck() });
    expect(ids(conversation)).toEqual(expect.arrayContaining(['p-gua-ek-6a', 'p-gua-ek-6b', 'p-gua-ek-1a'])); // staff see them
    const created = await other.waitFor(inConversation('conversation.created', conversation.id));
    expect(ids((created.data as { conversation: Conversation }).conversation)).toContain('p-gua-ek-1a');
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Välkomna på föräldramöte!', clientKey: ck() });
    for (const c of [other, jenny, per]) await c.waitFor(inConversation('message.created', conversation.id));

    // Jenny reads: the mentor and Per see the receipt, the other family does not.
    await jenny.ok('conversation.read', { conversationId: conversation.id, seq: 1 });
    for (const c of [mentor, per]) await c.waitFor((f) => inConversation('conversation.read', conversation.id)(f) && (f.data as { personId: string }).personId === 'p-gua-ek-6a');

    // Staff and the family see them in the conversation, with their receipts.
    for (const c of [mentor, per, jenny]) {
      const h = await c.ok<{ conversation: Conversation; reads: Record<string, number> }>('history.get', { conversationId: conversation.id });
      expect(ids(h.conversation)).toEqual(expect.arrayContaining(['p-gua-ek-6a', 'p-gua-ek-6b']));
      expect(h.reads['p-gua-ek-6a']).toBe(1);
    }

    // The other family: nowhere, in any request they can make.
    const h = await other.ok<{ conversation: Conversation; reads: Record<string, number> }>('history.get', { conversationId: conversation.id });
    expect(ids(h.conversation)).toContain('p-mentor-ek');
    expect(ids(h.conversation)).not.toContain('p-gua-ek-6a');
    expect(Object.keys(h.reads)).not.toContain('p-gua-ek-6a');
    const inbox = await other.ok<{ conversations: Conversation[] }>('inbox.get');
    expect(ids(inbox.conversations.find((c) => c.id === conversation.id)!)).not.toContain('p-gua-ek-6b');
    await other.ok('messages.search', { query: 'föräldramöte' });
    await other.ok('contacts.get', { query: 'Larsson' });
    await other.ping();
    const seen = JSON.stringify(other.frames);
    expect(seen).toContain('Välkomna på föräldramöte!');
    for (const s of HIDDEN) expect(seen, s).not.toContain(s);

    // Nor in the other family's export.
    const res = await fetch(`${t.url}/api/v1/export/p-gua-ek-1a`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    const exported = await res.text();
    expect(res.status).toBe(200);
    expect(exported).toContain('Välkomna på föräldramöte!');
    for (const s of HIDDEN) expect(exported, s).not.toContain(s);
  });
});
