// The authorization walk (docs/SECURITY.md): every role of docs/DOMAIN.md tries every operation of
// docs/PROTOCOL.md on targets it must not reach: another district, another school's group,
// another family's child, a conversation, item or conference it is not part of, and ids that
// do not exist. Every attempt is answered forbidden or not_found; nothing is stored, nothing
// is delivered; an id that does not exist and one the person may not see get the same answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { TestClient, Frame } from '../testing/client.ts';
import { requestSchemas } from '../protocol/frames.ts';
import { ABUSE_LIMITS } from '../limits.ts';
import { SESSION_LIMITS } from '../session.ts';
import webPush from 'web-push';
import { browserSubscription } from '../notify/testing/push-service.ts';

const ROLES: Record<string, string> = {
  teacher: 'p-teacher-ek', mentor: 'p-mentor-ek', school_leader: 'p-leader-ek', school_admin: 'p-admin-ek', reader: 'p-reader-ek',
  student: 'p-stu-ek-1', guardian: 'p-gua-ek-1a', head_of_operations: 'p-hoo', preschool_teacher: 'p-pre-teacher',
};
/** People whose data the walkers must never touch; they listen for anything delivered. */
const VICTIMS = ['p-mentor-an', 'p-leader-an', 'p-stu-an-1', 'p-stu-an-2', 'p-gua-an-1', 'p-gua-an-2', 'p-gua-ek-5a', 'p-stu-ek-5'];
const WRITE_TABLES = [
  'posts', 'mailings', 'conversations', 'conversation_members', 'messages', 'events', 'items', 'conferences', 'feed_reads',
  'feedback', 'assessments', 'forms', 'documentation', 'attachments', 'reactions', 'scheduled_items', 'push_subscriptions', 'post_answers',
  'feed_read_counts', 'feed_reminders',
];
// Web Push on, with loopback endpoints allowed (tests only), so that a victim's device is stored.
const vapid = webPush.generateVAPIDKeys();
const PUSH_ENV = {
  NODE_ENV: 'test', HUB_PUSH_ALLOW_LOOPBACK: '1', HUB_PUSH_ALLOWED_HOSTS: '127.0.0.1',
  HUB_VAPID_PUBLIC_KEY: vapid.publicKey, HUB_VAPID_PRIVATE_KEY: vapid.privateKey, HUB_VAPID_SUBJECT: 'mailto:ops@example.org',
};
/** A victim's device: the walkers know its endpoint (an attacker might), not its keys. */
const VICTIM_DEVICE = browserSubscription('http://127.0.0.1:9/push/victim-device');
/** Requests on the caller's own devices: tried against a victim's device below, not with targets. */
const OWN_DEVICE = new Set(['push.subscribe', 'push.unsubscribe']);

let t: TestHub;
let db: postgres.Sql;
const ids = { conv: '', msg: '', item: '', draft: '', conf: '', post: '', ekPost: '', fb: '', form: '', asm: '', doc: '', sched: '', askEk: '' };
const saved = { rate: SESSION_LIMITS.rate, burst: SESSION_LIMITS.burst, writes: ABUSE_LIMITS.writesPerPerson };

beforeAll(async () => {
  Object.assign(SESSION_LIMITS, { rate: 1e6, burst: 1e6 });
  ABUSE_LIMITS.writesPerPerson = { rate: 1e6, burst: 1e6 };
  t = await startTestHub({ env: PUSH_ENV });
  db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
  await (await t.connect('p-gua-an-1')).ok('push.subscribe', { endpoint: VICTIM_DEVICE.endpoint, keys: VICTIM_DEVICE.keys });
  // What the walkers must not reach, made by those who may: in another district, so that no
  // walker (the guardian with a child at Björkskolan included) has a right to any of it.
  const mentorAn = await t.connect('p-mentor-an');
  const { conversation } = await mentorAn.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-an-1'], clientKey: 'w1' });
  ids.conv = conversation.id;
  ids.msg = (await mentorAn.ok<{ message: { id: string } }>('message.send', { conversationId: ids.conv, body: 'privat', clientKey: 'w1m' })).message.id;
  ids.conf = (await mentorAn.ok<{ conference: { id: string } }>('conference.create', { studentId: 'p-stu-an-2', startsAt: '2030-03-04T14:30:00Z', clientKey: 'w1c' })).conference.id;
  ids.item = (await mentorAn.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-an-9c', title: 'Läsläxa', publish: true, clientKey: 'w1i' })).item.id;
  const leaderAn = await t.connect('p-leader-an');
  ids.post = (await leaderAn.ok<{ post: { id: string } }>('post.create', { schoolId: 's-annan', title: 'Bara 9C', body: '…', clientKey: 'w1p', audience: { targets: [{ kind: 'group', groupId: 'g-an-9c' }], recipients: { students: true, guardians: true } }, ask: { kind: 'choice', options: ['Ja', 'Nej'] } })).post.id;
  // A post scheduled for later: its author's alone until then.
  ids.sched = (await leaderAn.ok<{ scheduled: { id: string } }>('post.create', { schoolId: 's-annan', title: 'Senare', body: '…', clientKey: 'w1s', publishAt: new Date(Date.now() + 3_600_000).toISOString(), audience: { targets: [{ kind: 'group', groupId: 'g-an-9c' }], recipients: { guardians: true } } })).scheduled.id;
  await (await t.connect('p-gua-an-1')).ok('post.answer', { postId: ids.post, answer: 1 });
  // An RSVP at Ekskolan to Klass 7A's guardians: a walker answers for no child of another family.
  ids.askEk = (await (await t.connect('p-mentor-ek')).ok<{ post: { id: string } }>('post.create', { schoolId: 's-ekskolan', title: 'Föräldramöte', body: '…', clientKey: 'w1q', audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } }, ask: { kind: 'ack' } })).post.id;
  // A post of the walkers' own school that most of them read: only its author (the mentor) and
  // the school's leader may see its read statistics.
  ids.ekPost = (await (await t.connect('p-mentor-ek')).ok<{ post: { id: string } }>('post.create', { schoolId: 's-ekskolan', title: 'Till 7A', body: '…', clientKey: 'w1e', audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } } })).post.id;
  const teacherEk = await t.connect('p-teacher-ek');
  ids.draft = (await teacherEk.ok<{ item: { id: string } }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Utkast', clientKey: 'w1d' })).item.id;
  // Development records (docs/DOMAIN.md §4, §6–§8): feedback and a form in the other district, a
  // draft assessment only its teacher sees, documentation only the preschool sees.
  ids.fb = (await mentorAn.ok<{ feedback: { id: string } }>('feedback.create', { itemId: ids.item, studentId: 'p-stu-an-1', body: 'privat', publish: true, clientKey: 'w1f' })).feedback.id;
  ids.form = (await mentorAn.ok<{ form: { id: string } }>('form.add', { conferenceId: ids.conf, templateId: 'iup', clientKey: 'w1o' })).form.id;
  ids.asm = (await teacherEk.ok<{ assessment: { id: string } }>('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-1', level: 'C', clientKey: 'w1a' })).assessment.id;
  const preTeacher = await t.connect('p-pre-teacher');
  ids.doc = (await preTeacher.ok<{ documentation: { id: string } }>('documentation.create', { groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 't', body: 'b', clientKey: 'w1x' })).documentation.id;
});
afterAll(async () => {
  Object.assign(SESSION_LIMITS, { rate: saved.rate, burst: saved.burst });
  ABUSE_LIMITS.writesPerPerson = saved.writes;
  await db?.end();
  await t?.stop();
});

type Attack = { label: string; fields: Record<string, unknown>; probe?: string };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const audience = (schoolId: string, groupId: string) => ({ schoolId, title: 't', body: 'b', audience: { targets: [{ kind: 'group', groupId }], recipients: { students: true, guardians: true } } });

/** A group of another district and one that does not exist, whose answers must be alike; `more` are the request's other fields. */
const foreignGroups = (more: Record<string, unknown> = {}): Attack[] => [
  { label: 'a group of another district', fields: { groupId: 'g-an-9c', ...more }, probe: 'group' },
  { label: 'a group that does not exist', fields: { groupId: 'g-nope', ...more }, probe: 'group' },
];
/** Someone else's record (`field` = `foreign`) and one that does not exist (`missing`), alike; `more` are the request's other fields. */
const othersAndMissing = (what: string, field: string, foreign: string, missing: string, more: Record<string, unknown> = {}): Attack[] => [
  { label: `another person's ${what}`, fields: { [field]: foreign, ...more }, probe: field },
  { label: `a ${what} that does not exist`, fields: { [field]: missing, ...more }, probe: field },
];
/** The same for students. */
const foreignStudents = (more: Record<string, unknown> = {}): Attack[] => [
  { label: 'a student of another district', fields: { studentId: 'p-stu-an-1', ...more }, probe: 'student' },
  { label: 'a student that does not exist', fields: { studentId: 'p-nope', ...more }, probe: 'student' },
];

/** Attacks per operation; `probe` names the pair whose answers must be alike (real vs missing id). */
function attacks(role: string): Record<string, Attack[]> {
  const foreignPerson = role === 'guardian' || role === 'student' ? 'p-stu-ek-5' : 'p-stu-an-1';
  return {
    'post.create': [
      { label: 'another district', fields: audience('s-annan', 'g-an-9c'), probe: 'school' },
      { label: "another school's group", fields: audience('s-bjorkskolan', 'g-bj-sv4') },
      { label: 'a group of another school named under own school', fields: audience('s-ekskolan', 'g-bj-sv4') },
      { label: 'a school that does not exist', fields: audience('s-nope', 'g-nope'), probe: 'school' },
      { label: 'a person of another district under its own school', fields: { ...audience('s-ekskolan', 'g-nope'), audience: { targets: [{ kind: 'person', personId: 'p-gua-an-1' }], recipients: { guardians: true } } }, probe: 'person' },
      { label: 'a person that does not exist under its own school', fields: { ...audience('s-ekskolan', 'g-nope'), audience: { targets: [{ kind: 'person', personId: 'p-nope' }], recipients: { guardians: true } } }, probe: 'person' },
      { label: 'another district, scheduled for later', fields: { ...audience('s-annan', 'g-an-9c'), publishAt: inAnHour() }, probe: 'later' },
      { label: 'a school that does not exist, scheduled for later', fields: { ...audience('s-nope', 'g-nope'), publishAt: inAnHour() }, probe: 'later' },
    ],
    // Read statistics: another district's post, and (but for its author and the leader) a post the walker reads itself.
    ...Object.fromEntries(([['post.stats.get', {}], ['post.unread.get', { part: 'guardians' }], ['post.remind', {}]] as const).map(([op, more]) => [op, [
      ...othersAndMissing('post', 'itemId', ids.post, 'post_nope', more),
      ...(role === 'mentor' || role === 'school_leader' ? [] : [{ label: 'a post of its own school it may read', fields: { itemId: ids.ekPost, ...more }, probe: 'itemId' }]),
    ]])),
    'scheduled.update': othersAndMissing('scheduled post', 'scheduledId', ids.sched, 'sched_nope', { title: 'Kapad' }),
    'scheduled.cancel': othersAndMissing('scheduled post', 'scheduledId', ids.sched, 'sched_nope'),
    'mailing.create': [
      { label: 'another district', fields: { districtId: 'd-annan', schoolIds: ['s-annan'], title: 't', body: 'b', recipients: { guardians: true } }, probe: 'district' },
      { label: 'a district that does not exist', fields: { districtId: 'd-nope', schoolIds: ['s-annan'], title: 't', body: 'b', recipients: { guardians: true } }, probe: 'district' },
      { label: 'a school of another district', fields: { districtId: 'd-exempel', schoolIds: ['s-annan'], title: 't', body: 'b', recipients: { guardians: true } }, probe: 'school' },
      { label: 'a school that does not exist', fields: { districtId: 'd-exempel', schoolIds: ['s-nope'], title: 't', body: 'b', recipients: { guardians: true } }, probe: 'school' },
    ],
    'conversation.start': [
      { label: 'a person of another district', fields: { participantIds: ['p-gua-an-1'] }, probe: 'person' },
      { label: 'a person that does not exist', fields: { participantIds: ['p-nope'] }, probe: 'person' },
      { label: role === 'guardian' || role === 'student' ? "another family's child" : 'a student of another district', fields: { participantIds: [foreignPerson] } },
      { label: 'an item of another district', fields: { context: { kind: 'assignment', id: ids.item } }, probe: 'item' },
      { label: 'an item that does not exist', fields: { context: { kind: 'assignment', id: 'item_nope' } }, probe: 'item' },
      { label: 'a conference it is not part of', fields: { context: { kind: 'conference', id: ids.conf } }, probe: 'conf' },
      { label: 'a conference that does not exist', fields: { context: { kind: 'conference', id: 'conf_nope' } }, probe: 'conf' },
      { label: 'a group of another school', fields: { groupId: 'g-bj-4b', audience: 'guardians', participantIds: [] } },
      ...foreignGroups({ audience: 'students', participantIds: [] }),
    ],
    'message.send': [
      { label: 'a conversation it is not part of', fields: { conversationId: ids.conv, body: 'hej' }, probe: 'conv' },
      { label: 'a conversation that does not exist', fields: { conversationId: 'conv_nope', body: 'hej' }, probe: 'conv' },
      { label: "a conversation it is not part of, with someone else's file", fields: { conversationId: ids.conv, body: '', attachmentIds: ['att_AAAAAAAAAAAAAAAAAAAAAA'] }, probe: 'conv' },
    ],
    'conversation.read': [
      { label: 'a conversation it is not part of', fields: { conversationId: ids.conv, seq: 1 }, probe: 'conv' },
      { label: 'a conversation that does not exist', fields: { conversationId: 'conv_nope', seq: 1 }, probe: 'conv' },
    ],
    'history.get': [
      { label: 'a conversation it is not part of', fields: { conversationId: ids.conv }, probe: 'conv' },
      { label: 'a conversation that does not exist', fields: { conversationId: 'conv_nope' }, probe: 'conv' },
    ],
    typing: [
      { label: 'a conversation it is not part of', fields: { conversationId: ids.conv }, probe: 'conv' },
      { label: 'a conversation that does not exist', fields: { conversationId: 'conv_nope' }, probe: 'conv' },
    ],
    'message.replyPrivately': [
      { label: 'a message of a conversation it is not part of', fields: { to: { kind: 'message', id: ids.msg }, body: 'hej' }, probe: 'msg' },
      { label: 'a message that does not exist', fields: { to: { kind: 'message', id: 'msg_nope' }, body: 'hej' }, probe: 'msg' },
      { label: 'a post of another district', fields: { to: { kind: 'post', id: ids.post }, body: 'hej' }, probe: 'post' },
      { label: 'a post that does not exist', fields: { to: { kind: 'post', id: 'post_nope' }, body: 'hej' }, probe: 'post' },
    ],
    'reaction.set': [
      { label: 'a message of a conversation it is not part of', fields: { target: { kind: 'message', id: ids.msg }, emoji: 'like', on: true }, probe: 'msg' },
      { label: 'a message that does not exist', fields: { target: { kind: 'message', id: 'msg_nope' }, emoji: 'like', on: true }, probe: 'msg' },
      { label: 'a post of another district', fields: { target: { kind: 'post', id: ids.post }, emoji: 'heart', on: true }, probe: 'post' },
      { label: 'a post that does not exist', fields: { target: { kind: 'post', id: 'post_nope' }, emoji: 'heart', on: true }, probe: 'post' },
      { label: 'taking off a reaction on a post of another district', fields: { target: { kind: 'post', id: ids.post }, emoji: 'heart', on: false }, probe: 'post' },
    ],
    'message.edit': othersAndMissing('message', 'messageId', ids.msg, 'msg_nope', { body: 'ändrat' }),
    'message.delete': othersAndMissing('message', 'messageId', ids.msg, 'msg_nope'),
    'item.create': [
      { label: "another school's group", fields: { kind: 'assignment', groupId: 'g-bj-sv4', title: 't' } },
      { label: 'another district', fields: { kind: 'plan', groupId: 'g-an-9c', title: 't' }, probe: 'group' },
      { label: 'a group that does not exist', fields: { kind: 'plan', groupId: 'g-nope', title: 't' }, probe: 'group' },
    ],
    ...Object.fromEntries(['item.update', 'item.publish', 'item.hide', 'item.close', 'item.get'].map((op) => [op, [
      { label: 'an item of another district', fields: { itemId: ids.item, ...(op === 'item.update' ? { title: 'x' } : {}) }, probe: 'item' },
      { label: 'an item that does not exist', fields: { itemId: 'item_nope', ...(op === 'item.update' ? { title: 'x' } : {}) }, probe: 'item' },
      ...(role === 'teacher' ? [] : [{ label: "a draft of another teacher's group", fields: { itemId: ids.draft, ...(op === 'item.update' ? { title: 'x' } : {}) } }]),
    ]])),
    'conference.create': [
      { label: 'a student of another school', fields: { studentId: 'p-stu-bj-3', startsAt: '2030-01-01T10:00:00Z' } },
      { label: role === 'mentor' ? 'a student it does not mentor' : 'a student of its own school', fields: { studentId: role === 'mentor' ? 'p-stu-bj-4' : 'p-stu-ek-5', startsAt: '2030-01-01T10:00:00Z' } },
      ...foreignStudents({ startsAt: '2030-01-01T10:00:00Z' }),
    ],
    'conference.close': [
      { label: 'a conference it is not part of', fields: { conferenceId: ids.conf }, probe: 'conf' },
      { label: 'a conference that does not exist', fields: { conferenceId: 'conf_nope' }, probe: 'conf' },
    ],
    'conference.get': [
      { label: 'a conference it is not part of', fields: { conferenceId: ids.conf }, probe: 'conf' },
      { label: 'a conference that does not exist', fields: { conferenceId: 'conf_nope' }, probe: 'conf' },
    ],
    'feedback.create': [
      { label: 'an item of another district', fields: { itemId: ids.item, studentId: 'p-stu-an-1', body: 'x' }, probe: 'item' },
      { label: 'an item that does not exist', fields: { itemId: 'item_nope', studentId: 'p-stu-an-1', body: 'x' }, probe: 'item' },
    ],
    ...Object.fromEntries(['feedback.update', 'feedback.publish', 'feedback.get'].map((op) => [op, [
      { label: 'feedback in another district', fields: { feedbackId: ids.fb, body: 'x' }, probe: 'fb' },
      { label: 'feedback that does not exist', fields: { feedbackId: 'fb_nope', body: 'x' }, probe: 'fb' },
    ]])),
    'assessment.create': [
      ...foreignGroups({ studentId: 'p-stu-an-1', level: 'C' }),
      { label: "another school's group", fields: { groupId: 'g-bj-sv4', studentId: 'p-stu-bj-1', level: 'C' } },
    ],
    ...Object.fromEntries(['assessment.update', 'assessment.publish', 'assessment.get'].map((op) => [op, [
      { label: 'an assessment that does not exist', fields: { assessmentId: 'asm_nope', text: 'x' }, probe: 'asm' },
      ...(role === 'teacher' ? [] : [{ label: "a draft of another teacher's group", fields: { assessmentId: ids.asm, text: 'x' }, probe: 'asm' }]),
    ]])),
    'form.add': [
      { label: 'a conference it is not part of', fields: { conferenceId: ids.conf, templateId: 'iup' }, probe: 'conf' },
      { label: 'a conference that does not exist', fields: { conferenceId: 'conf_nope', templateId: 'iup' }, probe: 'conf' },
    ],
    ...Object.fromEntries(['form.fill', 'form.get'].map((op) => [op, [
      { label: 'a form of another district', fields: { formId: ids.form, answers: [{ fieldId: 'student-strengths', value: 'x' }] }, probe: 'form' },
      { label: 'a form that does not exist', fields: { formId: 'form_nope', answers: [{ fieldId: 'student-strengths', value: 'x' }] }, probe: 'form' },
    ]])),
    'documentation.create': [
      ...foreignGroups({ title: 't', body: 'b' }),
      ...(role === 'preschool_teacher' ? [] : [{ label: 'a child group it does not work in', fields: { groupId: 'g-sol-blabar', title: 't', body: 'b' } }]),
    ],
    ...Object.fromEntries(['documentation.update', 'documentation.get'].map((op) => [op, [
      { label: 'documentation that does not exist', fields: { documentationId: 'doc_nope', body: 'x' }, probe: 'doc' },
      ...(role === 'preschool_teacher' ? [] : [{ label: "another child group's documentation", fields: { documentationId: ids.doc, body: 'x' }, probe: 'doc' }]),
      // Attachments: taking them off documentation it may not change, or adding an upload that is not its own.
      ...(op !== 'documentation.update' ? [] : role === 'preschool_teacher'
        ? [{ label: 'an upload that is not its own', fields: { documentationId: ids.doc, attachmentIds: ['att_AAAAAAAAAAAAAAAAAAAAAA'] } }]
        : [{ label: "the attachments of another child group's documentation", fields: { documentationId: ids.doc, attachmentIds: [] }, probe: 'doc' }]),
    ]])),
    // Acknowledge and RSVP: a post of another district, one that does not exist, a child of another family.
    'post.answer': [
      { label: 'a post of another district', fields: { postId: ids.post, answer: 0 }, probe: 'post' },
      { label: 'a post that does not exist', fields: { postId: 'post_nope', answer: 0 }, probe: 'post' },
      { label: "another family's child", fields: { postId: ids.askEk, childId: 'p-stu-ek-5', answer: 'ack' }, probe: 'child' },
      { label: 'a child that does not exist', fields: { postId: ids.askEk, childId: 'p-nope', answer: 'ack' }, probe: 'child' },
    ],
    'post.answers.get': [
      { label: 'a post of another district', fields: { postId: ids.post }, probe: 'post' },
      { label: 'a post that does not exist', fields: { postId: 'post_nope' }, probe: 'post' },
    ],
    // A group's assessments come with its school's levels: another school's group is not there.
    'group.assessments.get': foreignGroups(),
    'student.card.get': foreignStudents(),
    'development.get': foreignStudents(),
    'group.overview.get': foreignGroups(),
    // §4 the reader's dashboard: no walker is the reader of Förskolan Solrosen (p-reader-ek reads Ekskolan).
    'documentation.dashboard': [
      { label: 'a school of another district', fields: { schoolId: 's-annan' }, probe: 'school' },
      { label: 'a school that does not exist', fields: { schoolId: 's-nope' }, probe: 'school' },
      { label: 'a preschool it is not the reader of', fields: { schoolId: 's-solrosen' } },
      { label: 'a child group of that preschool', fields: { schoolId: 's-solrosen', groupId: 'g-sol-blabar' } },
      { label: "another school's child group under its own school", fields: { schoolId: 's-ekskolan', groupId: 'g-sol-blabar' }, probe: 'group' },
      { label: 'a group that does not exist under its own school', fields: { schoolId: 's-ekskolan', groupId: 'g-nope' }, probe: 'group' },
      ...(role === 'reader' ? [] : [{ label: 'no school named (the reader of none)', fields: {} }]),
    ],
  };
}

/** Operations with no target of their own: what they return must hold nothing foreign. */
const LISTS: Record<string, (r: Record<string, unknown>) => string> = Object.fromEntries(
  [
    'inbox.get', 'inbox.readAll', 'feed.get', 'items.get', 'conferences.get', 'contacts.get', 'audience.get',
    'messages.search', 'item.feedback.get', 'conference.forms.get', 'group.documentation.get',
    'students.search', 'form.templates.get', 'scheduled.get',
    'students.search', 'form.templates.get', 'notifications.get',
  ].map((op) => [op, (r: Record<string, unknown>) => JSON.stringify(r)]),
);
/** What the list operations above are asked with (by default nothing): foreign targets where they take one. */
const LIST_FIELDS = (): Record<string, Record<string, unknown>> => ({
  'messages.search': { query: 'privat' },
  'items.get': { groupId: 'g-an-9c' },
  'item.feedback.get': { itemId: ids.item },
  'conference.forms.get': { conferenceId: ids.conf },
  'group.documentation.get': { groupId: 'g-an-9c' },
  'students.search': { query: 'Bengtsson' },
});
const NOT_TARGETED = new Set(['ping', 'auth', 'feed.read', 'feed.readAll', 'notifications.set']);
/** Lists that take an id: a foreign id and a missing one give the same answer (filtered to nothing, or refused alike). */
const LIST_PROBES = (): Record<string, [foreign: Record<string, unknown>, missing: Record<string, unknown>]> => ({
  'items.get': [{ groupId: 'g-an-9c' }, { groupId: 'g-nope' }],
  'item.feedback.get': [{ itemId: ids.item }, { itemId: 'item_nope' }],
  'conference.forms.get': [{ conferenceId: ids.conf }, { conferenceId: 'conf_nope' }],
  'group.documentation.get': [{ groupId: 'g-an-9c' }, { groupId: 'g-nope' }],
  'messages.search': [{ query: 'privat', conversationId: ids.conv }, { query: 'privat', conversationId: 'conv_nope' }],
});

/** A walker's own preferences: whole, as notifications.set takes them. */
const OWN_PREFERENCES = {
  email: 'daily',
  kinds: Object.fromEntries(['message', 'post', 'mailing', 'item', 'development'].map((k) => [k, { push: false, email: true }])),
  quietHours: null,
  language: 'en',
};

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of WRITE_TABLES) out[table] = (await db.unsafe(`select count(*)::int as n from ${table}`))[0]!.n as number;
  return out;
}

describe('authorization walk', () => {
  it('covers every operation of the protocol', () => {
    const covered = new Set([...Object.keys(attacks('teacher')), ...Object.keys(LISTS), ...NOT_TARGETED, ...OWN_DEVICE]);
    const missing = Object.keys(requestSchemas).filter((op) => !covered.has(op));
    expect(missing, 'operations the walk does not try yet: add attacks for them').toEqual([]);
  });

  for (const [role, person] of Object.entries(ROLES)) {
    it(`${role} reaches nothing it may not: forbidden or not_found, nothing stored, nothing delivered`, async () => {
      const victims = await Promise.all(VICTIMS.map((v) => t.connect(v)));
      const before = await counts();
      const c = await t.connect(person);
      let n = 0;
      const answers: Record<string, Frame> = {};
      for (const [op, list] of Object.entries(attacks(role))) {
        for (const a of list) {
          const answer = await c.request(op, { ...a.fields, clientKey: `walk-${role}-${n++}` });
          const where = `${role} ${op} → ${a.label}: ${JSON.stringify(answer)}`;
          expect(answer.type, where).toBe('error');
          expect(['forbidden', 'not_found'], where).toContain(answer.code);
          if (a.probe) {
            const key = `${op}/${a.probe}`;
            const prior = answers[key];
            // No probing: a real id it may not see answers like one that does not exist.
            if (prior) expect({ code: answer.code, message: answer.message }, where).toEqual({ code: prior.code, message: prior.message });
            answers[key] = answer;
          }
        }
      }
      for (const [op, show] of Object.entries(LISTS)) {
        const fields = LIST_FIELDS()[op] ?? {};
        const answer = await c.request(op, fields);
        if (answer.type === 'error') {
          expect(['forbidden', 'not_found'], `${role} ${op}`).toContain(answer.code);
          continue;
        }
        const text = show(answer.result as Record<string, unknown>);
        for (const foreign of [ids.conv, ids.msg, ids.item, ids.conf, ids.post, ids.fb, ids.form, ids.sched, 'p-stu-an-1', 'p-gua-an-1', 'privat']) {
          expect(text.includes(foreign), `${role} ${op} shows ${foreign}`).toBe(false);
        }
      }
      for (const [op, [foreign, missing]] of Object.entries(LIST_PROBES())) {
        const [a, b] = [await c.request(op, foreign), await c.request(op, missing)];
        const { id: _a, ...shownForeign } = a;
        const { id: _b, ...shownMissing } = b;
        expect(shownForeign, `${role} ${op}: a foreign id answers like a missing one`).toEqual(shownMissing);
      }
      // feed.read of an item it may not see: answered like any other, and nothing is marked.
      expect(await c.ok('feed.read', { itemIds: [ids.post, 'post_nope'] })).toEqual({ itemIds: [] });
      // A victim's push device: knowing its endpoint neither takes it over nor removes it.
      const otherKeys = browserSubscription(VICTIM_DEVICE.endpoint).keys;
      expect(await c.request('push.subscribe', { endpoint: VICTIM_DEVICE.endpoint, keys: otherKeys })).toMatchObject({ type: 'error', code: 'refused', path: ['endpoint'] });
      expect(await c.ok('push.unsubscribe', { endpoint: VICTIM_DEVICE.endpoint })).toEqual({});
      expect((await db`select person_id, auth from push_subscriptions where endpoint = ${VICTIM_DEVICE.endpoint}`).map((r) => [r.person_id, r.auth])).toEqual([['p-gua-an-1', VICTIM_DEVICE.keys.auth]]);
      expect(await counts()).toEqual(before);
      await new Promise((r) => setTimeout(r, 100));
      for (const v of victims) expect(v.events().filter((e) => e.event !== 'typing'), `delivered to ${JSON.stringify(v.frames[0])}`).toEqual([]);
      // notifications.set names nobody: it changes the walker's own preferences, never a victim's,
      // and only the walker's own devices hear of it.
      const prefsBefore = await db`select person_id from notification_preferences where person_id = any(${VICTIMS}::text[])`;
      await c.ok('notifications.set', { personId: VICTIMS[0], preferences: { ...OWN_PREFERENCES, email: 'off' } });
      expect(await db`select person_id from notification_preferences where person_id = any(${VICTIMS}::text[])`).toEqual(prefsBefore);
      for (const v of victims) expect((await v.ok<{ preferences: { email: string } }>('notifications.get')).preferences.email, `${role} changed a victim's preferences`).toBe('hourly');
      await new Promise((r) => setTimeout(r, 100));
      for (const v of victims) expect(v.events('notifications.changed'), `${role}'s change delivered to ${JSON.stringify(v.frames[0])}`).toEqual([]);
      for (const v of victims) v.close();
      c.close();
    }, 60_000);
  }
});
