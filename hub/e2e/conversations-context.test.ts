// Conversations tied to a plan, an assignment or a development conference, and a mentor's
// conversations with a whole group, over real connections (docs/DOMAIN.md §3 with §5).
//
// Demo district: p-teacher-ek teaches g-ek-ma7 (p-stu-ek-1..4) at Ekskolan, where teachers may
// NOT message guardians directly; p-mentor-ek mentors g-ek-7a (p-stu-ek-1..6).
import { afterAll, describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHub } from '../testing/lifecycle.ts';
import type { WireConversation, WireMessage } from '../testing/wire.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';
import type { Bundle } from '../directory/schema.ts';

let t: TestHub;
useTestHub((hub) => (t = hub), { env: { HUB_LINK_ASSIGNMENT: 'https://portal.example/uppgifter/{id}', HUB_LINK_CONFERENCE: 'https://portal.example/samtal/{id}' } });

interface Conversation extends WireConversation {
  creatorId: string | null;
  context: { kind: string; id: string; title: string | null; link: string | null } | null;
  group: { id: string; name: string; audience: string } | null;
}
interface Message extends WireMessage {
  context: Conversation['context'];
}

let keyNo = 0;
const ck = () => `ctx-${++keyNo}`;

const messageIn = (conversationId: string, body?: string) => (f: Frame) =>
  f.type === 'event' && f.event === 'message.created'
  && (f.data as { message: Message & { conversationId: string } }).message.conversationId === conversationId
  && (body === undefined || (f.data as { message: Message }).message.body === body);
const conversationEvent = (name: string, conversationId: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && (f.data as { conversation: Conversation }).conversation.id === conversationId;


async function publishedItem(teacher: TestClient, kind: 'plan' | 'assignment', title: string, groupId = 'g-ek-ma7') {
  const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind, groupId, title, publish: true, clientKey: ck() });
  return item.id;
}

const ids = (c: Conversation) => c.participants.map((p) => p.id).sort();

describe('plans and assignments (§3 teacher, student, guardian through plans and assignments)', () => {
  it('a guardian asks about an assignment, the teacher answers, then writes to that guardian directly while the setting is off', async () => {
    const [teacher, teacherPhone, guardian, student] = await connectEach(t, 'p-teacher-ek', ['p-teacher-ek', { codec: 'json' }], 'p-gua-ek-3a', 'p-stu-ek-3');
    const assignmentId = await publishedItem(teacher, 'assignment', 'Bråk, sidorna 12–14');

    // Ekskolan does not let teachers message guardians through the message function.
    expect(await teacher.request('conversation.start', { participantIds: ['p-gua-ek-3a'], clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['participantIds', 0], message: expect.stringContaining('plan or assignment') });
    expect((await teacher.ok<{ contacts: { id: string }[] }>('contacts.get')).contacts.map((c) => c.id)).not.toContain('p-gua-ek-3a');

    // The guardian asks from inside the assignment: the teacher and the child are in the thread.
    const { conversation } = await guardian.ok<{ conversation: Conversation }>('conversation.start', {
      context: { kind: 'assignment', id: assignmentId }, clientKey: ck(),
    });
    expect(conversation.context).toEqual({ kind: 'assignment', id: assignmentId, title: 'Bråk, sidorna 12–14', link: `https://portal.example/uppgifter/${assignmentId}` });
    expect(ids(conversation)).toEqual(['p-gua-ek-3a', 'p-stu-ek-3', 'p-teacher-ek']);
    for (const c of [teacherPhone, student]) await c.waitFor(conversationEvent('conversation.created', conversation.id));

    await guardian.ok('message.send', { conversationId: conversation.id, body: 'Ska alla uppgifter göras?', clientKey: ck() });
    const asked = await teacherPhone.waitFor(messageIn(conversation.id, 'Ska alla uppgifter göras?'));
    // Each message carries what it is about, so the widget can show and link it.
    expect((asked.data as { message: Message }).message.context).toEqual(conversation.context);

    await teacher.ok('message.send', { conversationId: conversation.id, body: 'Ja, 1–8.', clientKey: ck() });
    await guardian.waitFor(messageIn(conversation.id, 'Ja, 1–8.'));
    await student.waitFor(messageIn(conversation.id, 'Ja, 1–8.'));

    // Now the teacher may write to that guardian directly, though the setting is still off…
    const direct = await teacher.ok<{ conversation: Conversation }>('conversation.start', { participantIds: ['p-gua-ek-3a'], clientKey: ck() });
    expect(direct.conversation.context).toBeNull();
    await teacher.ok('message.send', { conversationId: direct.conversation.id, body: 'Hej! En sak till om läxan.', clientKey: ck() });
    await guardian.waitFor(messageIn(direct.conversation.id, 'Hej! En sak till om läxan.'));
    await guardian.ok('message.send', { conversationId: direct.conversation.id, body: 'Tack!', clientKey: ck() });
    expect((await teacher.ok<{ contacts: { id: string }[] }>('contacts.get')).contacts.map((c) => c.id)).toContain('p-gua-ek-3a');
    // …but not to the other guardian, who did not ask.
    expect(await teacher.request('conversation.start', { participantIds: ['p-gua-ek-3b'], clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['participantIds', 0] });
  });

  it("one thread per item and student: the other guardian joins it, and everyone in it hears so", async () => {
    const teacher = await t.connect('p-teacher-ek');
    const first = await t.connect('p-gua-ek-2a');
    const second = await t.connect('p-gua-ek-2b');
    const planId = await publishedItem(teacher, 'plan', 'Geometri v. 14–16');
    const a = await first.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'plan', id: planId }, participantIds: ['p-teacher-ek'], clientKey: ck() });
    expect(a.conversation.context?.link).toBeNull(); // no HUB_LINK_PLAN configured
    await first.ok('message.send', { conversationId: a.conversation.id, body: 'Fråga om planeringen', clientKey: ck() });
    const b = await second.ok<{ conversation: Conversation; existing?: boolean }>('conversation.start', { context: { kind: 'plan', id: planId }, clientKey: ck() });
    expect(b.existing).toBe(true);
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(ids(b.conversation)).toEqual(['p-gua-ek-2a', 'p-gua-ek-2b', 'p-stu-ek-2', 'p-teacher-ek']);
    const updated = await teacher.waitFor(conversationEvent('conversation.updated', a.conversation.id));
    expect(ids((updated.data as { conversation: Conversation }).conversation)).toContain('p-gua-ek-2b');
    await first.waitFor(conversationEvent('conversation.updated', a.conversation.id));
    const { messages } = await second.ok<{ messages: Message[] }>('history.get', { conversationId: a.conversation.id });
    expect(messages.map((m) => m.body)).toEqual(['Fråga om planeringen']);
    // The teacher starting the same thread about the same student gets it too.
    const c = await teacher.ok<{ conversation: Conversation; existing?: boolean }>('conversation.start', { context: { kind: 'plan', id: planId, studentId: 'p-stu-ek-2' }, clientKey: ck() });
    expect(c.conversation.id).toBe(a.conversation.id);
  });

  it('a student asks the teacher from inside an assignment; a student not in the group cannot', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const student = await t.connect('p-stu-ek-4');
    const assignmentId = await publishedItem(teacher, 'assignment', 'Ekvationer');
    const { conversation } = await student.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: assignmentId }, participantIds: ['p-teacher-ek'], clientKey: ck() });
    expect(ids(conversation)).toEqual(['p-stu-ek-4', 'p-teacher-ek']);
    await student.ok('message.send', { conversationId: conversation.id, body: 'Jag förstår inte uppgift 3', clientKey: ck() });
    await teacher.waitFor(messageIn(conversation.id));
    const outside = await t.connect('p-stu-ek-5'); // in Klass 7A, not in Matematik 7
    expect(await outside.request('conversation.start', { context: { kind: 'assignment', id: assignmentId }, participantIds: ['p-teacher-ek'], clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['context', 'id'] });
  });

  it('refuses what §3 and §5 do not allow', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const assignmentId = await publishedItem(teacher, 'assignment', 'Refusals');
    const { item: draft } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Draft', clientKey: ck() });
    const cases: [who: string, fields: Record<string, unknown>, code: string, path?: (string | number)[]][] = [
      // A guardian whose child is not in the group does not see the item.
      ['p-gua-ek-5a', { context: { kind: 'assignment', id: assignmentId } }, 'not_found', ['context', 'id']],
      // Nobody but the teachers sees a draft.
      ['p-stu-ek-1', { context: { kind: 'assignment', id: draft.id } }, 'not_found', ['context', 'id']],
      // The teacher may not pull a student into a conversation about a draft.
      ['p-teacher-ek', { context: { kind: 'assignment', id: draft.id }, participantIds: ['p-stu-ek-1'] }, 'forbidden', ['context', 'id']],
      // The kind must match.
      ['p-gua-ek-1a', { context: { kind: 'plan', id: assignmentId } }, 'not_found', ['context', 'id']],
      // A guardian asks about their own child, not another.
      ['p-gua-ek-1a', { context: { kind: 'assignment', id: assignmentId, studentId: 'p-stu-ek-2' } }, 'forbidden'],
      // …and names a student of the group.
      ['p-gua-ek-1a', { context: { kind: 'assignment', id: assignmentId, studentId: 'p-stu-ek-5' } }, 'invalid', ['context', 'studentId']],
      // A student brings no classmate into their thread.
      ['p-stu-ek-1', { context: { kind: 'assignment', id: assignmentId }, participantIds: ['p-stu-ek-2'] }, 'forbidden', ['participantIds', 0]],
      // Nor another student's guardian.
      ['p-stu-ek-1', { context: { kind: 'assignment', id: assignmentId }, participantIds: ['p-gua-ek-2a'] }, 'forbidden', ['participantIds', 0]],
      // No such item.
      ['p-gua-ek-1a', { context: { kind: 'assignment', id: 'assignment_nope' } }, 'not_found', ['context', 'id']],
    ];
    for (const [who, fields, code, path] of cases) {
      const c = await t.connect(who);
      const answer = await c.request('conversation.start', { ...fields, clientKey: ck() });
      expect(answer, `${who} ${JSON.stringify(fields)}`).toMatchObject({ type: 'error', code, ...(path ? { path } : {}) });
    }
  });
});

describe('development conferences (§3 mentor, student, guardian through a conference)', () => {
  it('a mentor creates one for a mentee; only mentors of the student may', async () => {
    const teacher = await t.connect('p-teacher-ek');
    expect(await teacher.request('conference.create', { studentId: 'p-stu-ek-1', startsAt: '2025-05-06T14:00:00+02:00', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['studentId'] });
    // A student of another school is answered like one that does not exist (ARCHITECTURE.md, Decisions).
    const mentor = await t.connect('p-mentor-ek');
    expect(await mentor.request('conference.create', { studentId: 'p-stu-bj-1', startsAt: '2025-05-06T14:00:00Z', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', message: 'no such student', path: ['studentId'] });
    expect(await mentor.request('conference.create', { studentId: 'p-nobody', startsAt: '2025-05-06T14:00:00Z', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['studentId'] });
    expect(await mentor.request('conference.create', { studentId: 'p-stu-ek-1', startsAt: 'tisdag', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['startsAt'] });
    const student = await t.connect('p-stu-ek-1');
    expect(await student.request('conference.create', { studentId: 'p-stu-ek-1', startsAt: '2025-05-06T14:00:00Z', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden' });
  });

  it('a conference thread reaches the mentor, the student and both guardians, and nobody else', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const circle = await Promise.all(['p-mentor-ek', 'p-stu-ek-2', 'p-gua-ek-2a', 'p-gua-ek-2b'].map((p) => t.connect(p, { codec: 'json' })));
    const outside = await Promise.all(['p-stu-ek-3', 'p-gua-ek-3a', 'p-stu-ek-1', 'p-teacher-ek', 'p-leader-ek', 'p-admin-ek', 'p-reader-ek'].map((p) => t.connect(p)));
    const { conference } = await mentor.ok<{ conference: { id: string; participants: { id: string }[]; title: string; state: string } }>('conference.create', {
      studentId: 'p-stu-ek-2', startsAt: '2025-05-06T14:00:00+02:00', location: 'Rum 12', clientKey: ck(),
    });
    expect(conference).toMatchObject({ title: 'Utvecklingssamtal', state: 'open' });
    expect(conference.participants.map((p) => p.id).sort()).toEqual(['p-gua-ek-2a', 'p-gua-ek-2b', 'p-mentor-ek', 'p-stu-ek-2']);
    const created = (f: Frame) => f.type === 'event' && f.event === 'conference.created' && (f.data as { conference: { id: string } }).conference.id === conference.id;
    for (const c of circle) await c.waitFor(created);
    for (const c of outside) expect(await c.receivedSoFar(created)).toHaveLength(0);

    const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'conference', id: conference.id }, clientKey: ck() });
    expect(conversation.context).toEqual({ kind: 'conference', id: conference.id, title: 'Utvecklingssamtal', link: `https://portal.example/samtal/${conference.id}` });
    expect(ids(conversation)).toEqual(['p-gua-ek-2a', 'p-gua-ek-2b', 'p-mentor-ek', 'p-stu-ek-2']);
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Välkomna på tisdag kl 14.', clientKey: ck() });
    for (const c of circle) await c.waitFor(messageIn(conversation.id, 'Välkomna på tisdag kl 14.'));
    for (const c of outside) expect(await c.receivedSoFar(messageIn(conversation.id))).toHaveLength(0);

    // The student and a guardian answer in the same thread; starting it again finds it.
    const again = await circle[2]!.ok<{ conversation: Conversation; existing?: boolean }>('conversation.start', { context: { kind: 'conference', id: conference.id }, clientKey: ck() });
    expect(again).toMatchObject({ existing: true, conversation: { id: conversation.id } });
    await circle[1]!.ok('message.send', { conversationId: conversation.id, body: 'Vi kommer!', clientKey: ck() });
    await mentor.waitFor(messageIn(conversation.id, 'Vi kommer!'));
    for (const c of outside) {
      expect(await c.request('conversation.start', { context: { kind: 'conference', id: conference.id }, clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
      expect(await c.request('message.send', { conversationId: conversation.id, body: 'hej', clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
    }

    // open → closed, to the participants.
    expect(await circle[2]!.request('conference.close', { conferenceId: conference.id })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await outside[3]!.request('conference.close', { conferenceId: conference.id })).toMatchObject({ type: 'error', code: 'not_found' });
    const closed = await mentor.ok<{ conference: { state: string; closedAt: string } }>('conference.close', { conferenceId: conference.id });
    expect(closed.conference.state).toBe('closed');
    const closedEv = (f: Frame) => f.type === 'event' && f.event === 'conference.closed' && (f.data as { conference: { id: string } }).conference.id === conference.id;
    for (const c of circle) await c.waitFor(closedEv);
    for (const c of outside) expect(await c.receivedSoFar(closedEv)).toHaveLength(0);
    const listed = await circle[3]!.ok<{ conferences: { id: string; state: string }[] }>('conferences.get');
    expect(listed.conferences.find((x) => x.id === conference.id)?.state).toBe('closed');
    expect(await outside[1]!.request('conference.get', { conferenceId: conference.id })).toMatchObject({ type: 'error', code: 'not_found' });
  });
});

describe("a mentor's conversations with the whole group (membership follows the directory)", () => {
  it('with the students of the mentor group, or with their guardians', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const students = await Promise.all(['p-stu-ek-1', 'p-stu-ek-4', 'p-stu-ek-6'].map((p) => t.connect(p)));
    const guardians = await Promise.all(['p-gua-ek-1a', 'p-gua-ek-5b'].map((p) => t.connect(p)));
    const s = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', clientKey: ck() });
    expect(s.conversation.group).toEqual({ id: 'g-ek-7a', name: 'Klass 7A', audience: 'students', mentorIds: ['p-mentor-ek'] });
    expect(ids(s.conversation)).toEqual(['p-mentor-ek', 'p-stu-ek-1', 'p-stu-ek-2', 'p-stu-ek-3', 'p-stu-ek-4', 'p-stu-ek-5', 'p-stu-ek-6']);
    await mentor.ok('message.send', { conversationId: s.conversation.id, body: 'Glöm inte gympakläderna!', clientKey: ck() });
    for (const c of students) await c.waitFor(messageIn(s.conversation.id, 'Glöm inte gympakläderna!'));
    for (const c of guardians) expect(await c.receivedSoFar(messageIn(s.conversation.id))).toHaveLength(0);
    // Only the mentors write to the whole group: a student replies privately (docs/DOMAIN.md §3).
    expect(await students[0]!.request('message.send', { conversationId: s.conversation.id, body: 'Okej!', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', message: 'only the mentors write to the whole group; reply privately to the mentor' });

    const g = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', clientKey: ck() });
    await mentor.ok('message.send', { conversationId: g.conversation.id, body: 'Föräldramöte på torsdag', clientKey: ck() });
    for (const c of guardians) await c.waitFor(messageIn(g.conversation.id, 'Föräldramöte på torsdag'));
    for (const c of students) expect(await c.receivedSoFar(messageIn(g.conversation.id))).toHaveLength(0);
    // Without a subject it is the one conversation of the group: starting it again finds it.
    const again = await mentor.ok<{ conversation: Conversation; existing?: boolean }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', clientKey: ck() });
    expect(again).toMatchObject({ existing: true, conversation: { id: g.conversation.id } });
    const inbox = await guardians[1]!.ok<{ conversations: { id: string; unread: number }[] }>('inbox.get');
    expect(inbox.conversations.find((c) => c.id === g.conversation.id)?.unread).toBe(1);
  });

  it('only a mentor of the group opens one, and only for a mentor group', async () => {
    const cases: [who: string, fields: Record<string, unknown>, code: string, path: (string | number)[]][] = [
      ['p-teacher-ek', { groupId: 'g-ek-7a', audience: 'students' }, 'forbidden', ['groupId']],
      ['p-teacher-ek', { groupId: 'g-ek-ma7', audience: 'guardians' }, 'forbidden', ['groupId']],
      ['p-stu-ek-1', { groupId: 'g-ek-7a', audience: 'students' }, 'forbidden', ['groupId']],
      ['p-leader-ek', { groupId: 'g-ek-7a', audience: 'guardians' }, 'forbidden', ['groupId']],
      ['p-mentor-ek', { groupId: 'g-nowhere', audience: 'students' }, 'not_found', ['groupId']],
      ['p-mentor-ek', { groupId: 'g-ek-7a' }, 'invalid', ['audience']],
      ['p-mentor-ek', { groupId: 'g-ek-7a', audience: 'students', participantIds: ['p-stu-ek-1'] }, 'invalid', ['participantIds']],
      ['p-mentor-ek', { audience: 'students', participantIds: ['p-stu-ek-1'] }, 'invalid', ['groupId']],
    ];
    for (const [who, fields, code, path] of cases) {
      const c = await t.connect(who);
      expect(await c.request('conversation.start', { ...fields, clientKey: ck() }), `${who} ${JSON.stringify(fields)}`).toMatchObject({ type: 'error', code, path });
    }
  });

  it('contacts.get lists exactly the groups conversation.start accepts, for the widgets to offer', async () => {
    type Listed = { contacts: { id: string; name: string }[]; groups: { id: string; name: string; audiences: string[] }[] };
    const mentor = await t.connect('p-mentor-ek');
    const { groups } = await mentor.ok<Listed>('contacts.get');
    // Eva also teaches Svenska 7 (g-ek-sv7, a teaching group): owned, but not a mentor group.
    expect(groups).toEqual([{ id: 'g-ek-7a', name: 'Klass 7A', audiences: ['students', 'guardians'] }]);
    expect(await mentor.request('conversation.start', { groupId: 'g-ek-sv7', audience: 'students', clientKey: ck() })).toMatchObject({ type: 'error', code: 'forbidden' });
    // The query narrows the people, never the groups.
    const searched = await mentor.ok<Listed>('contacts.get', { query: 'Sara' });
    expect(searched.contacts.map((c) => c.name)).toEqual(['Sara Johansson']);
    expect(searched.groups).toEqual(groups);

    // A teacher who mentors nobody (owner of the teaching group g-ek-ma7), a guardian, a student and a school leader: none.
    for (const who of ['p-teacher-ek', 'p-gua-ek-2a', 'p-stu-ek-1', 'p-leader-ek']) {
      const c = await t.connect(who);
      expect((await c.ok<Listed>('contacts.get')).groups, who).toEqual([]);
    }

    // Every listed group and audience starts.
    const guardian = await t.connect('p-gua-ek-2a');
    for (const g of groups) {
      for (const audience of g.audiences) {
        const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: g.id, audience, subject: `Listad ${audience}`, clientKey: ck() });
        expect(conversation.group).toMatchObject({ id: g.id, name: g.name, audience });
        if (audience === 'guardians') {
          await mentor.ok('message.send', { conversationId: conversation.id, body: 'Till alla vårdnadshavare i 7A', clientKey: ck() });
          await guardian.waitFor(messageIn(conversation.id, 'Till alla vårdnadshavare i 7A'));
        }
      }
    }
  });
});

describe('rights follow the directory, on every message', () => {
  const importWith = async (edit: (b: Bundle) => void) => {
    const bundle = demoBundle();
    edit(bundle);
    const r = await t.importBundle(bundle);
    expect(r.status).toBe(200);
  };
  afterAll(async () => {
    await t.importBundle(demoBundle());
  });

  it("a student who leaves the group can no longer write in that assignment's thread, and the answer says why", async () => {
    const teacher = await t.connect('p-teacher-ek');
    const student = await t.connect('p-stu-ek-1');
    const assignmentId = await publishedItem(teacher, 'assignment', 'Sannolikhet');
    const { conversation } = await student.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: assignmentId }, clientKey: ck() });
    await student.ok('message.send', { conversationId: conversation.id, body: 'Hur långt ska vi läsa?', clientKey: ck() });

    // p-stu-ek-1 leaves Matematik 7.
    await importWith((b) => {
      const g = b.groups.find((x) => x.id === 'g-ek-ma7')!;
      g.groupMemberships = g.groupMemberships!.filter((m) => m.person.id !== 'p-stu-ek-1');
    });
    const refused = await student.request('message.send', { conversationId: conversation.id, body: 'Hallå?', clientKey: ck() });
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden', message: "you are no longer part of this assignment's group" });
    const teacherRefused = await teacher.request('message.send', { conversationId: conversation.id, body: 'Svar', clientKey: ck() });
    expect(teacherRefused).toMatchObject({ type: 'error', code: 'forbidden', message: 'the student this assignment conversation is about is no longer in its group' });
    // The history stays readable to those in it.
    const { messages } = await student.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(messages.map((m) => m.body)).toEqual(['Hur långt ska vi läsa?']);
  });

  it('a guardian with two children in the group names the one the question is about', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const assignmentId = await publishedItem(teacher, 'assignment', 'Syskon');
    // p-gua-ek-1a becomes a guardian of p-stu-ek-2 too: two children in Matematik 7.
    await importWith((b) => {
      b.persons.find((p) => p.id === 'p-stu-ek-2')!.responsibles!.push({ person: { id: 'p-gua-ek-1a' }, relationType: 'Vårdnadshavare' });
    });
    const guardian = await t.connect('p-gua-ek-1a');
    expect(await guardian.request('conversation.start', { context: { kind: 'assignment', id: assignmentId }, clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['context', 'studentId'] });
    const named = await guardian.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: assignmentId, studentId: 'p-stu-ek-2' }, clientKey: ck() });
    expect(ids(named.conversation)).toEqual(['p-gua-ek-1a', 'p-stu-ek-2', 'p-teacher-ek']);
    const byParticipant = await guardian.ok<{ conversation: Conversation }>('conversation.start', { context: { kind: 'assignment', id: assignmentId }, participantIds: ['p-stu-ek-1'], clientKey: ck() });
    expect(ids(byParticipant.conversation)).toEqual(['p-gua-ek-1a', 'p-stu-ek-1', 'p-teacher-ek']);
    await importWith(() => {});
  });

  it("a group conversation's members are the group's as the directory has them now", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const leaving = await t.connect('p-stu-ek-5');
    const { conversation } = await mentor.ok<{ conversation: Conversation }>('conversation.start', { groupId: 'g-ek-7a', audience: 'students', subject: 'Klassresa', clientKey: ck() });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Vart vill ni åka?', clientKey: ck() });
    await leaving.waitFor(messageIn(conversation.id));
    await leaving.ok('conversation.read', { conversationId: conversation.id, seq: 1 }); // took part
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Stockholm!', clientKey: ck() });

    // p-stu-ek-5 moves out of 7A; a new student moves in.
    await importWith((b) => {
      b.persons.push({ id: 'p-stu-ek-new', givenName: 'Nora', familyName: 'Ny', securityMarking: 'Ingen' });
      const g = b.groups.find((x) => x.id === 'g-ek-7a')!;
      g.groupMemberships = [...g.groupMemberships!.filter((m) => m.person.id !== 'p-stu-ek-5'), { person: { id: 'p-stu-ek-new' }, startDate: '2024-08-01' }];
    });
    expect(await leaving.request('message.send', { conversationId: conversation.id, body: 'Hallå?', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', message: 'you are no longer part of this group' });
    expect(await leaving.request('history.get', { conversationId: conversation.id })).toMatchObject({ type: 'error', code: 'not_found' });
    const leftInbox = await leaving.ok<{ conversations: { id: string }[] }>('inbox.get');
    expect(leftInbox.conversations.map((c) => c.id)).not.toContain(conversation.id);

    const newcomer = await t.connect('p-stu-ek-new');
    const inbox = await newcomer.ok<{ conversations: { id: string; unread: number }[] }>('inbox.get');
    expect(inbox.conversations.find((c) => c.id === conversation.id)?.unread).toBe(2);
    const { messages } = await newcomer.ok<{ messages: Message[] }>('history.get', { conversationId: conversation.id });
    expect(messages.map((m) => m.body)).toEqual(['Vart vill ni åka?', 'Stockholm!']);
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Välkommen Nora!', clientKey: ck() });
    await newcomer.waitFor(messageIn(conversation.id, 'Välkommen Nora!'));
    expect(await leaving.receivedSoFar(messageIn(conversation.id, 'Välkommen Nora!'))).toHaveLength(0);
  });
});
