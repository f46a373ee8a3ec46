// Who is shown to whom (hub/people.ts; docs/DOMAIN.md, "Protected identities"), over the demo
// district with one change: p-stu-ek-6 (protected, Klass 7A) has a second guardian, p-gua-ek-6b.
// p-gua-ek-6a and 6b are not protected themselves, but their presence would tell other families
// that the protected child is in the class.
import { describe, expect, it } from 'vitest';
import { bundleSchema, type Bundle } from './directory/schema.ts';
import { buildDirectory } from './directory/build.ts';
import { demoBundle } from './demo/district.ts';
import { hiddenFromFamilies, mayShow } from './people.ts';
import { conversationEvents, messageEvents, participantsNow } from './views/chat.ts';
import { key } from './audience.ts';
import type { ConversationRow, MessageRow } from '../storage/chat.ts';

function directory(change: (b: Bundle) => void = () => {}, guardianBlocks: { guardianId: string; childId: string }[] = []) {
  const b = demoBundle();
  b.persons.push({ id: 'p-gua-ek-6b', givenName: 'Per', familyName: 'Larsson', securityMarking: 'Ingen' });
  const hugo = b.persons.find((p) => p.id === 'p-stu-ek-6')!;
  hugo.responsibles = [...(hugo.responsibles ?? []), { person: { id: 'p-gua-ek-6b' }, relationType: 'Vårdnadshavare' }];
  change(b);
  const p = bundleSchema.parse(b);
  return buildDirectory({
    organisations: p.organisations, persons: p.persons, groups: p.groups, duties: p.duties, activities: p.activities,
    placements: p.placements, roles: p.extensions.roles, settings: p.extensions.settings, guardianBlocks,
  });
}

describe('guardians of a protected child are hidden from other families', () => {
  const dir = directory();

  it('is the case for both guardians, who are not protected themselves', () => {
    expect(dir.person('p-gua-ek-6a')?.protected).toBe(false);
    for (const g of ['p-gua-ek-6a', 'p-gua-ek-6b']) expect(hiddenFromFamilies(dir, g), g).toBe(true);
    expect(hiddenFromFamilies(dir, 'p-gua-ek-1a')).toBe(false);
    expect(hiddenFromFamilies(dir, 'p-stu-ek-6')).toBe(true); // protected
  });

  it('other families do not see them: guardians and students of the class, and of other classes', () => {
    for (const viewer of ['p-gua-ek-1a', 'p-gua-ek-2b', 'p-stu-ek-1', 'p-stu-ek-5', 'p-gua-bj-4a', 'p-stu-bj-1']) {
      expect(mayShow(dir, viewer, 'p-gua-ek-6a'), viewer).toBe(false);
    }
  });

  it('staff, the family itself and the guardian see them', () => {
    for (const viewer of ['p-mentor-ek', 'p-teacher-ek', 'p-leader-ek', 'p-hoo', 'p-gua-ek-6a', 'p-gua-ek-6b', 'p-stu-ek-6']) {
      expect(mayShow(dir, viewer, 'p-gua-ek-6a'), viewer).toBe(true);
    }
  });

  it('a blocked link is no relation: the blocked guardian is no longer hidden, nor family', () => {
    const blocked = directory(() => {}, [{ guardianId: 'p-gua-ek-6b', childId: 'p-stu-ek-6' }]);
    expect(hiddenFromFamilies(blocked, 'p-gua-ek-6b')).toBe(false);
    expect(mayShow(blocked, 'p-gua-ek-6b', 'p-gua-ek-6a')).toBe(false);
    expect(mayShow(blocked, 'p-gua-ek-6b', 'p-stu-ek-6')).toBe(false);
  });

  it('a guardian who also has an unprotected child is family to that child and its other guardian', () => {
    const sibling = directory((b) => {
      const liam = b.persons.find((p) => p.id === 'p-stu-ek-2')!;
      liam.responsibles = [...(liam.responsibles ?? []), { person: { id: 'p-gua-ek-6a' }, relationType: 'Vårdnadshavare' }];
    });
    expect(mayShow(sibling, 'p-stu-ek-2', 'p-gua-ek-6a')).toBe(true);
    expect(mayShow(sibling, 'p-gua-ek-2a', 'p-gua-ek-6a')).toBe(true);
    expect(mayShow(sibling, 'p-gua-ek-1a', 'p-gua-ek-6a')).toBe(false);
  });

  it('a protected guardian stays hidden from the child\'s other guardian (unchanged)', () => {
    const marked = directory((b) => { b.persons.find((p) => p.id === 'p-gua-ek-2b')!.securityMarking = 'Sekretessmarkering'; });
    expect(mayShow(marked, 'p-gua-ek-2a', 'p-gua-ek-2b')).toBe(false);
    expect(mayShow(marked, 'p-mentor-ek', 'p-gua-ek-2b')).toBe(true);
    expect(mayShow(marked, 'p-gua-ek-1a', 'p-gua-ek-2a')).toBe(true);
  });
});

describe("events of a whole-group conversation follow the same class (hub/views/chat.ts)", () => {
  // A message from a guardian of a protected child in a guardians' conversation of Klass 7A:
  // written before only the mentors wrote there, it is still in the history and the export.
  const dir = directory();
  const conv: ConversationRow = {
    id: 'conv_1', creatorId: 'p-mentor-ek', subject: null, context: null, participantIds: [], lastSeq: 1, createdAt: '2026-01-01T00:00:00.000Z',
    audience: { kind: 'group', groupId: 'g-ek-7a', members: 'guardians' },
  };
  const m: MessageRow = {
    id: 'msg_1', conversationId: 'conv_1', seq: 1, senderId: 'p-gua-ek-6a', body: 'Vi kommer', createdAt: '2026-01-01T00:00:00.000Z',
    clientKey: 'k', editedAt: null, deletedAt: null, quietHours: false, replyTo: null, files: [],
  };
  const participants = participantsNow(dir, conv);
  type Sent = { keys: string[]; data: { message?: { senderId: string | null; senderName: string | null }; conversation?: { participants: { id: string }[] } } };

  it('a message from such a guardian goes to other families without sender; staff and the family get it in full', () => {
    const events = messageEvents(dir, {}, 'message.created', conv, participants, m) as Sent[];
    const full = events.find((e) => e.data.message?.senderId === 'p-gua-ek-6a')!;
    const hidden = events.find((e) => e.data.message?.senderId === null)!;
    expect(hidden.data.message).toMatchObject({ senderId: null, senderName: null });
    for (const p of ['p-mentor-ek', 'p-gua-ek-6a', 'p-gua-ek-6b']) expect(full.keys, p).toContain(key.person(p));
    for (const p of ['p-gua-ek-1a', 'p-gua-ek-3b']) {
      expect(hidden.keys, p).toContain(key.person(p));
      expect(full.keys, p).not.toContain(key.person(p));
    }
  });

  it('conversation.created: the mentors see them, the families\' event leaves them out', () => {
    const events = conversationEvents(dir, {}, 'conversation.created', conv, participants) as Sent[];
    const ids = (e: Sent) => e.data.conversation!.participants.map((p) => p.id);
    expect(events).toHaveLength(2);
    expect(ids(events[0]!)).toEqual(expect.arrayContaining(['p-gua-ek-6a', 'p-gua-ek-6b']));
    expect(ids(events[1]!)).not.toContain('p-gua-ek-6a');
    expect(ids(events[1]!)).not.toContain('p-gua-ek-6b');
    expect(ids(events[1]!)).toContain('p-gua-ek-1a');
  });
});
