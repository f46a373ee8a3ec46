// docs/DOMAIN.md §1 (posts), §2 (mailings), §3 (messages), §5 (plans and assignments, with
// development conferences), §4 (preschool documentation), §6 (feedback), §7 (assessments) and
// §8 (conference forms) as one table over the pure rules
// module. Every row of those sections has allowed and denied cases; a failure names its row.
// The directory is hub/testing/fixture.ts (read its header for who is who); §4 and §6–§8 use
// hub/testing/fixture-development.ts, which adds a preschool and assessment levels.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../directory/model.ts';
import {
  can, canReadConference, canReadItem, canReadMailing, canReadPost,
  type Action, type AudienceTarget, type Decision, type Denial, type ItemChange, type ItemState, type MessagingHistory, type Recipients,
  type StoredConference, type StoredItem, type Via,
} from './index.ts';
import type { StoredMailing, StoredPost } from './posts.ts';
import { fixtureDirectory, later } from '../testing/fixture.ts';
import {
  canReadAssessment, canReadDocumentation, canReadFeedback, dashboardSchoolsOf, formSidesFor,
  type FormSide, type StoredAssessment, type StoredDocumentation, type StoredFeedback, type StoredForm,
} from './index.ts';
import { developmentDirectory, laterDev } from '../testing/fixture-development.ts';

const dir = fixtureDirectory();
const dirS1LeftMath = fixtureDirectory(later.s1LeftMath);
const dirSettingsFlipped = fixtureDirectory(later.settingsFlipped); // north off, south on
const dirG1cLinked = fixtureDirectory(later.g1cLinked);

// ── Builders ────────────────────────────────────────────────────────────────────────────

const rcp = (...who: ('students' | 'guardians' | 'staff')[]): Recipients => ({
  students: who.includes('students'),
  guardians: who.includes('guardians'),
  staff: who.includes('staff'),
});
const STUDENTS = rcp('students');
const GUARDIANS = rcp('guardians');
const BOTH = rcp('students', 'guardians');
const STAFF = rcp('staff');
const ALL = rcp('students', 'guardians', 'staff');
const NONE = rcp();

const grp = (groupId: string): AudienceTarget => ({ kind: 'group', groupId });
const part = (groupId: string, ...memberIds: string[]): AudienceTarget => ({ kind: 'group', groupId, memberIds });
const to = (personId: string): AudienceTarget => ({ kind: 'person', personId });
const SCHOOL: AudienceTarget = { kind: 'school' };

const postTo = (schoolId: string, targets: AudienceTarget[], recipients: Recipients): Action =>
  ({ type: 'post.create', post: { schoolId, audience: { targets, recipients } } });
const urgentPost = (schoolId: string, targets: AudienceTarget[], recipients: Recipients): Action =>
  ({ type: 'post.create', post: { schoolId, audience: { targets, recipients }, urgent: true } });
const mailTo = (districtId: string, schoolIds: string[], recipients: Recipients): Action =>
  ({ type: 'mailing.create', mailing: { districtId, schoolIds, recipients } });

const DIRECT: Via = { kind: 'direct' };
const plan = (groupId: string, studentId?: string): Via => (studentId ? { kind: 'plan', groupId, studentId } : { kind: 'plan', groupId });
const assignment = (groupId: string, studentId?: string): Via =>
  (studentId ? { kind: 'assignment', groupId, studentId } : { kind: 'assignment', groupId });
const conference = (mentorId: string, studentId: string): Via => ({ kind: 'conference', mentorId, studentId });
const wholeGroup = (groupId: string, members: 'students' | 'guardians'): Via => ({ kind: 'group', groupId, members });
const startGroup = (groupId: string): Action => ({ type: 'conversation.start.group', groupId });

/** Pairs (teacher, other) where `other` earlier started a plan/assignment conversation with `teacher`. */
const startedEarlier = (...pairs: [string, string][]): MessagingHistory => ({
  startedThroughItemWith: (teacherId, otherId) => pairs.some(([t, o]) => t === teacherId && o === otherId),
});

const start = (participantIds: string[], via: Via = DIRECT, history?: MessagingHistory): Action =>
  (history ? { type: 'conversation.start', participantIds, via, history } : { type: 'conversation.start', participantIds, via });
const send = (participantIds: string[], via: Via = DIRECT, history?: MessagingHistory): Action =>
  (history ? { type: 'message.send', participantIds, via, history } : { type: 'message.send', participantIds, via });

// Reading is not an Action of `can` (reads are filters, not writes): the table wraps them.
type Act = Action
  | { type: 'post.read'; post: StoredPost } | { type: 'mailing.read'; mailing: StoredMailing }
  | { type: 'item.read'; item: StoredItem } | { type: 'conference.read'; conference: StoredConference }
  | { type: 'feedback.read'; feedback: StoredFeedback } | { type: 'assessment.read'; assessment: StoredAssessment }
  | { type: 'form.read'; form: StoredForm; side: FormSide } | { type: 'documentation.read'; documentation: StoredDocumentation };
const readPost = (post: StoredPost): Act => ({ type: 'post.read', post });
const readMailing = (mailing: StoredMailing): Act => ({ type: 'mailing.read', mailing });
const readItem = (item: StoredItem): Act => ({ type: 'item.read', item });
const readConference = (c: StoredConference): Act => ({ type: 'conference.read', conference: c });

const NO: Decision = { ok: false, code: 'forbidden', reason: 'may not read' };
function decide(d: Directory, actor: string, act: Act): Decision {
  if (act.type === 'post.read') return canReadPost(d, actor, act.post) ? { ok: true } : NO;
  if (act.type === 'mailing.read') return canReadMailing(d, actor, act.mailing) ? { ok: true } : NO;
  if (act.type === 'item.read') return canReadItem(d, actor, act.item) ? { ok: true } : NO;
  if (act.type === 'conference.read') return canReadConference(d, actor, act.conference) ? { ok: true } : NO;
  if (act.type === 'feedback.read') return canReadFeedback(d, actor, act.feedback) ? { ok: true } : NO;
  if (act.type === 'assessment.read') return canReadAssessment(d, actor, act.assessment) ? { ok: true } : NO;
  if (act.type === 'form.read') return formSidesFor(d, actor, act.form).includes(act.side) ? { ok: true } : NO;
  if (act.type === 'documentation.read') return canReadDocumentation(d, actor, act.documentation) ? { ok: true } : NO;
  return can(d, actor, act);
}

// ── Plans, assignments and conferences of §5 and §3 ─────────────────────────────────────

const item = (kind: 'plan' | 'assignment', groupId: string, state: ItemState): StoredItem => ({ kind, groupId, state });
const createItem = (kind: 'plan' | 'assignment', groupId: string): Action => ({ type: 'item.create', item: { kind, groupId } });
const change = (it: StoredItem, c: ItemChange): Action => ({ type: 'item.change', item: it, change: c });
const I = {
  mathPlan: item('plan', 'tg-math', 'published'),
  mathAssignment: item('assignment', 'tg-math', 'published'),
  mathDraft: item('assignment', 'tg-math', 'draft'),
  mathHidden: item('plan', 'tg-math', 'hidden'),
  mathClosed: item('assignment', 'tg-math', 'closed'),
  artPlan: item('plan', 'tg-art', 'published'),
  southPlan: item('plan', 'tg-south', 'published'),
};
const C = {
  m1s1: { mentorId: 'm1', studentId: 's1', groupId: 'mg-7a', state: 'open' } satisfies StoredConference,
};
const createConference = (studentId: string): Action => ({ type: 'conference.create', studentId });
const closeConference = (c: StoredConference): Action => ({ type: 'conference.close', conference: c });

// ── Stored items read in §1 and §2 ──────────────────────────────────────────────────────

const storedPost = (authorId: string, schoolId: string, targets: AudienceTarget[], recipients: Recipients): StoredPost =>
  ({ authorId, schoolId, audience: { targets, recipients } });

const P = {
  mathStudents: storedPost('t1', 'north', [grp('tg-math')], STUDENTS),
  mathGuardians: storedPost('t1', 'north', [grp('tg-math')], GUARDIANS),
  mathPartS1: storedPost('lead1', 'north', [part('tg-math', 's1')], BOTH),
  mentorGroup: storedPost('m1', 'north', [grp('mg-7a')], BOTH),
  toS2: storedPost('t1', 'north', [to('s2')], BOTH),
  toG2a: storedPost('t1', 'north', [to('g2a')], GUARDIANS),
  schoolStudents: storedPost('lead1', 'north', [SCHOOL], STUDENTS),
  schoolGuardians: storedPost('admin1', 'north', [SCHOOL], GUARDIANS),
  schoolStaff: storedPost('lead1', 'north', [SCHOOL], STAFF),
  southGroup: storedPost('tS', 'south', [grp('tg-south')], BOTH),
};

const M = {
  northStudents: { authorId: 'hoo1', districtId: 'd1', schoolIds: ['north'], recipients: STUDENTS } satisfies StoredMailing,
  northGuardians: { authorId: 'hoo1', districtId: 'd1', schoolIds: ['north'], recipients: GUARDIANS } satisfies StoredMailing,
  bothAll: { authorId: 'hoo1', districtId: 'd1', schoolIds: ['north', 'south'], recipients: ALL } satisfies StoredMailing,
  southStaff: { authorId: 'hoo1', districtId: 'd1', schoolIds: ['south'], recipients: STAFF } satisfies StoredMailing,
  far: { authorId: 'hoo2', districtId: 'd2', schoolIds: ['far'], recipients: ALL } satisfies StoredMailing,
};

// ── The table ───────────────────────────────────────────────────────────────────────────

type Expected = 'allowed' | Denial['code'];
interface Row {
  /** docs/DOMAIN.md section and table row. */
  row: string;
  actor: string;
  what: string;
  act: Act;
  expect: Expected;
  /** The directory to ask (default: the fixture as imported). */
  dir?: Directory;
  /** When given, the denial must point here. */
  path?: (string | number)[];
}

const r = (row: string, actor: string, what: string, act: Act, expect: Expected, extra: Partial<Row> = {}): Row =>
  ({ row, actor, what, act, expect, ...extra });

const T1 = '§1 teacher';
const MEN1 = '§1 mentor';
const LEAD1 = '§1 school leader';
const ADM1 = '§1 school admin';
const STU1 = '§1 student';
const GUA1 = '§1 guardian';
const OTH1 = '§1 (no row: reader, head of operations)';
const HOO2 = '§2 head of operations';
const TM2 = '§2 teacher, mentor';
const LA2 = '§2 school leader, school admin';
const SG2 = '§2 student, guardian';
const OTH2 = '§2 (no row: reader; others may not send)';
const MEN3 = '§3 mentor';
const TEA3 = '§3 teacher';
const STU3 = '§3 student';
const GUA3 = '§3 guardian';
const OTH3 = '§3 (no row / general)';
const GRP3 = '§3 mentor: the whole mentor group';
const TEA5 = '§5 teacher';
const STU5 = '§5 student';
const GUA5 = '§5 guardian';
const REA5 = '§5 reader';
const ADM5 = '§5 school admin';
const OTH5 = '§5 (no row: school leader, mentor, others)';
const CON3 = '§3 development conference (mentor, student, guardians)';

// ── §4, §6–§8: the development fixture (hub/testing/fixture-development.ts) ──────────────

const dev = developmentDirectory();
const devS1LeftMath = developmentDirectory(later.s1LeftMath);
const devS1LeftMentor = developmentDirectory(laterDev.s1LeftMentorGroup);
const devS1JoinsArt = developmentDirectory(laterDev.s1JoinsArt);
const devT2CoTeaches = developmentDirectory(laterDev.t2CoTeachesMath);
const devG1cLinked = developmentDirectory(later.g1cLinked);
const devC1Moved = developmentDirectory(laterDev.c1MovedToMoon);

/** A row of §4, §6–§8, asked of the development fixture unless it names another. */
const rd = (row: string, actor: string, what: string, act: Act, expect: Expected, extra: Partial<Row> = {}): Row =>
  r(row, actor, what, act, expect, { dir: dev, ...extra });

type DevState = 'draft' | 'published';
const fb = (groupId: string, schoolId: string, studentId: string, state: DevState): StoredFeedback => ({ groupId, schoolId, studentId, state });
const F = {
  s1Math: fb('tg-math', 'north', 's1', 'published'),
  s1MathDraft: fb('tg-math', 'north', 's1', 'draft'),
  s3Mentor: fb('mg-7a', 'north', 's3', 'published'), // written by m1 in a plan of the mentor group
  sxMentor: fb('mg-7a', 'north', 'sx', 'published'),
  sxSouth: fb('tg-south', 'south', 'sx', 'published'),
};
const A: Record<string, StoredAssessment> = {
  s1Math: { groupId: 'tg-math', schoolId: 'north', studentId: 's1', state: 'published' },
  s1MathDraft: { groupId: 'tg-math', schoolId: 'north', studentId: 's1', state: 'draft' },
  sS1South: { groupId: 'tg-south', schoolId: 'south', studentId: 'sS1', state: 'published' },
};
const conferenceOf = (state: 'open' | 'closed'): StoredConference => ({ mentorId: 'm1', studentId: 's1', groupId: 'mg-7a', state });
const FORM = { open: { conference: conferenceOf('open'), schoolId: 'north' } satisfies StoredForm, closed: { conference: conferenceOf('closed'), schoolId: 'north' } satisfies StoredForm };
const DOC: Record<string, StoredDocumentation> = {
  group: { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c1', 'c2', 'c3'] },
  c1: { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c1'] },
  c2: { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c2'] },
  moon: { groupId: 'pg-moon', schoolId: 'sun', childIds: ['c4'] },
};

const readFeedback = (f: StoredFeedback): Act => ({ type: 'feedback.read', feedback: f });
const giveFeedback = (it: StoredItem, studentId: string, publish = false): Act => ({ type: 'feedback.create', item: it, studentId, publish });
const changeFeedback = (f: StoredFeedback, c: 'update' | 'publish', itemState: ItemState = 'published'): Act =>
  ({ type: 'feedback.change', feedback: f, itemState, change: c });
const readAssessment = (a: StoredAssessment): Act => ({ type: 'assessment.read', assessment: a });
const assess = (groupId: string, studentId: string, level: string | null = 'C'): Act => ({ type: 'assessment.create', assessment: { groupId, studentId, level } });
const changeAssessment = (a: StoredAssessment, c: 'update' | 'publish', level?: string | null): Act =>
  ({ type: 'assessment.change', assessment: a, change: c, level });
const seeSide = (form: StoredForm, side: FormSide): Act => ({ type: 'form.read', form, side });
const addForm = (c: StoredConference): Act => ({ type: 'form.add', conference: c });
const fill = (form: StoredForm, ...fieldSides: FormSide[]): Act => ({ type: 'form.fill', form, fieldSides });
const readDoc = (d: StoredDocumentation): Act => ({ type: 'documentation.read', documentation: d });
const documentGroup = (groupId: string, childIds?: string[]): Act => ({ type: 'documentation.create', documentation: { groupId, childIds } });
const editDoc = (d: StoredDocumentation): Act => ({ type: 'documentation.change', documentation: d });
const UPLOAD: Act = { type: 'attachment.upload' };
const card = (studentId: string): Act => ({ type: 'student.card', studentId });
const development = (studentId: string): Act => ({ type: 'development.open', studentId });
const overview = (groupId: string): Act => ({ type: 'group.overview', groupId });
const dashboard = (schoolId: string, groupId?: string): Act => ({ type: 'documentation.dashboard', schoolId, ...(groupId ? { groupId } : {}) });

const TEA4 = '§4 teacher';
const MEN4 = '§4 mentor';
const GUA4 = '§4 guardian';
const REA4 = '§4 reader';
const OTH4 = '§4 (no row: school admin, children, others)';
const TEA6 = '§6 teacher';
const MEN6 = '§6 mentor';
const STU6 = '§6 student';
const GUA6 = '§6 guardian';
const REA6 = '§6 reader';
const ADM6 = '§6 school admin';
const OTH6 = '§6 (no row: school leader, others)';
const TEA7 = '§7 teacher (Reading)';
const MEN7 = '§7 mentor';
const SG7 = '§7 student, guardian';
const RA7 = '§7 reader, school admin';
const OTH7 = '§7 (no row: other teachers, school leader)';
const MEN8 = '§8 mentor';
const STU8 = '§8 student';
const GUA8 = '§8 guardian';
const RA8 = '§8 reader, school admin';
const OTH8 = '§8 (no row: teachers, school leader)';
const CARD = '§4, §6–§8 student card, development overview, group overview';

const rows: Row[] = [
  // ── §1 teacher: may send to students and/or guardians of the groups they teach (owner) ──
  r(T1, 't1', 'send: whole tg-math, students', postTo('north', [grp('tg-math')], STUDENTS), 'allowed'),
  r(T1, 't1', 'send: whole tg-math, guardians', postTo('north', [grp('tg-math')], GUARDIANS), 'allowed'),
  r(T1, 't1', 'send: whole tg-math, both', postTo('north', [grp('tg-math')], BOTH), 'allowed'),
  r(T1, 't1', 'send: part of tg-math (s1), both', postTo('north', [part('tg-math', 's1')], BOTH), 'allowed'),
  r(T1, 't1', 'send: part of tg-math with s3, not a member', postTo('north', [part('tg-math', 's1', 's3')], BOTH), 'invalid',
    { path: ['audience', 'targets', 0, 'memberIds', 1] }),
  r(T1, 't1', 'send: person s1 (a student they teach)', postTo('north', [to('s1')], STUDENTS), 'allowed'),
  r(T1, 't1', 'send: person g1a (guardian of a student they teach)', postTo('north', [to('g1a')], GUARDIANS), 'allowed'),
  r(T1, 't1', 'send: person s3 (a student they do not teach)', postTo('north', [to('s3')], STUDENTS), 'forbidden',
    { path: ['audience', 'targets', 0, 'personId'] }),
  r(T1, 't1', 'send: person g3a (guardian of a student they do not teach)', postTo('north', [to('g3a')], GUARDIANS), 'forbidden'),
  r(T1, 't1', "send: tg-art (t2's group)", postTo('north', [grp('tg-art')], BOTH), 'forbidden',
    { path: ['audience', 'targets', 0, 'groupId'] }),
  r(T1, 't1', 'send: mentor group mg-7a (not its mentor)', postTo('north', [grp('mg-7a')], BOTH), 'forbidden'),
  r(T1, 't1', 'send: two groups, one not theirs', postTo('north', [grp('tg-math'), grp('tg-art')], BOTH), 'forbidden',
    { path: ['audience', 'targets', 1, 'groupId'] }),
  r(T1, 't1', 'send: whole school', postTo('north', [SCHOOL], STUDENTS), 'forbidden'),
  r(T1, 't1', 'send: tg-math marked urgent (a leader alone marks urgent)', urgentPost('north', [grp('tg-math')], BOTH), 'forbidden', { path: ['urgent'] }),
  r(T1, 't1', 'send: tg-math with staff recipients', postTo('north', [grp('tg-math')], ALL), 'forbidden',
    { path: ['audience', 'recipients', 'staff'] }),
  r(T1, 't1', 'send: tg-math choosing no recipients', postTo('north', [grp('tg-math')], NONE), 'invalid'),
  r(T1, 't1', 'send: a group of another school under north', postTo('north', [grp('tg-south')], BOTH), 'not_found'),
  r(T1, 't1', 'send: at south, where they have no role', postTo('south', [grp('tg-south')], BOTH), 'forbidden'),
  r(T1, 't2', 'send: whole tg-art (own group)', postTo('north', [grp('tg-art')], BOTH), 'allowed'),
  r(T1, 'tS', 'send: whole tg-south at south', postTo('south', [grp('tg-south')], BOTH), 'allowed'),
  // §1 teacher: may read posts to groups they are member or owner of
  r(T1, 't1', 'read: post to tg-math students (owner)', readPost(P.mathStudents), 'allowed'),
  r(T1, 't1', 'read: post to part of tg-math by lead1 (owner)', readPost(P.mathPartS1), 'allowed'),
  r(T1, 't1', 'read: post to school staff', readPost(P.schoolStaff), 'allowed'),
  r(T1, 't1', 'read: post to mg-7a (neither member nor owner)', readPost(P.mentorGroup), 'forbidden'),
  r(T1, 't2', 'read: post to tg-math (another teacher’s group)', readPost(P.mathStudents), 'forbidden'),
  r(T1, 't1', 'read: post to school students', readPost(P.schoolStudents), 'forbidden'),
  r(T1, 'tS', 'read: post to north staff (another school)', readPost(P.schoolStaff), 'forbidden'),

  // ── §1 mentor: may send to students and/or guardians they mentor ──
  r(MEN1, 'm1', 'send: whole mg-7a, both', postTo('north', [grp('mg-7a')], BOTH), 'allowed'),
  r(MEN1, 'm2', 'send: whole mg-7a, guardians (co-mentor)', postTo('north', [grp('mg-7a')], GUARDIANS), 'allowed'),
  r(MEN1, 'm1', 'send: part of mg-7a (s3), students', postTo('north', [part('mg-7a', 's3')], STUDENTS), 'allowed'),
  r(MEN1, 'm1', 'send: part of mg-7a with s2, not a member', postTo('north', [part('mg-7a', 's2')], STUDENTS), 'invalid'),
  r(MEN1, 'm1', 'send: person s3 (mentee)', postTo('north', [to('s3')], STUDENTS), 'allowed'),
  r(MEN1, 'm1', 'send: person g3a (guardian of a mentee)', postTo('north', [to('g3a')], GUARDIANS), 'allowed'),
  r(MEN1, 'm1', 'send: person s2 (not a mentee)', postTo('north', [to('s2')], STUDENTS), 'forbidden'),
  r(MEN1, 'm1', 'send: person g2a (guardian of a non-mentee)', postTo('north', [to('g2a')], GUARDIANS), 'forbidden'),
  r(MEN1, 'm1', 'send: tg-math, where mentees are members (not owner)', postTo('north', [grp('tg-math')], BOTH), 'forbidden'),
  r(MEN1, 'm1', 'send: whole school', postTo('north', [SCHOOL], GUARDIANS), 'forbidden'),
  r(MEN1, 'm1', 'send: mg-7a with staff recipients', postTo('north', [grp('mg-7a')], ALL), 'forbidden'),
  // §1 mentor: may read posts to groups they are member or owner of
  r(MEN1, 'm1', 'read: post to mg-7a', readPost(P.mentorGroup), 'allowed'),
  r(MEN1, 'm2', 'read: post to mg-7a by co-mentor m1', readPost(P.mentorGroup), 'allowed'),
  r(MEN1, 'm1', 'read: post to tg-math where mentees are members', readPost(P.mathStudents), 'forbidden'),
  r(MEN1, 'mS', 'read: post to mg-7a (another school)', readPost(P.mentorGroup), 'forbidden'),

  // ── §1 school leader: may send to all students and/or guardians and staff of the school ──
  r(LEAD1, 'lead1', 'send: whole school, students', postTo('north', [SCHOOL], STUDENTS), 'allowed'),
  r(LEAD1, 'lead1', 'send: whole school, guardians', postTo('north', [SCHOOL], GUARDIANS), 'allowed'),
  r(LEAD1, 'lead1', 'send: whole school, staff', postTo('north', [SCHOOL], STAFF), 'allowed'),
  r(LEAD1, 'lead1', 'send: whole school, everyone', postTo('north', [SCHOOL], ALL), 'allowed'),
  r(LEAD1, 'lead1', 'send: whole school, marked urgent', urgentPost('north', [SCHOOL], ALL), 'allowed'),
  r(LEAD1, 'lead1', 'send: any group (tg-math), both', postTo('north', [grp('tg-math')], BOTH), 'allowed'),
  r(LEAD1, 'lead1', 'send: part of tg-art (s3), guardians', postTo('north', [part('tg-art', 's3')], GUARDIANS), 'allowed'),
  r(LEAD1, 'lead1', 'send: part of tg-art with s1, not a member', postTo('north', [part('tg-art', 's1')], GUARDIANS), 'invalid'),
  r(LEAD1, 'lead1', 'send: person t1 (staff)', postTo('north', [to('t1')], STAFF), 'allowed'),
  r(LEAD1, 'lead1', 'send: person s2 (student)', postTo('north', [to('s2')], STUDENTS), 'allowed'),
  r(LEAD1, 'lead1', 'send: person g2a (guardian)', postTo('north', [to('g2a')], GUARDIANS), 'allowed'),
  r(LEAD1, 'lead1', 'send: person tS (staff of another school)', postTo('north', [to('tS')], STAFF), 'forbidden'),
  r(LEAD1, 'lead1', 'send: person gS1a (guardian at another school)', postTo('north', [to('gS1a')], GUARDIANS), 'forbidden'),
  r(LEAD1, 'lead1', 'send: person who does not exist', postTo('north', [to('nobody')], STUDENTS), 'not_found'),
  r(LEAD1, 'lead1', 'send: at south (not leader there)', postTo('south', [SCHOOL], STUDENTS), 'forbidden'),
  r(LEAD1, 'lead1', 'send: at a school that does not exist', postTo('nowhere', [SCHOOL], STUDENTS), 'not_found'),
  r(LEAD1, 'lead1', 'send: whole school choosing no recipients', postTo('north', [SCHOOL], NONE), 'invalid'),
  // §1 school leader: may read posts to any group of the school
  r(LEAD1, 'lead1', 'read: post to tg-math by t1', readPost(P.mathStudents), 'allowed'),
  r(LEAD1, 'lead1', 'read: post to mg-7a by m1', readPost(P.mentorGroup), 'allowed'),
  r(LEAD1, 'leadS', 'read: post to tg-math (another school)', readPost(P.mathStudents), 'forbidden'),
  r(LEAD1, 'lead1', 'read: post to tg-south (another school)', readPost(P.southGroup), 'forbidden'),

  // ── §1 school admin: may send to all students and/or guardians of the school (not staff) ──
  r(ADM1, 'admin1', 'send: whole school, students and guardians', postTo('north', [SCHOOL], BOTH), 'allowed'),
  r(ADM1, 'admin1', 'send: whole school marked urgent', urgentPost('north', [SCHOOL], BOTH), 'forbidden', { path: ['urgent'] }),
  r(ADM1, 'admin1', 'send: any group (tg-art), guardians', postTo('north', [grp('tg-art')], GUARDIANS), 'allowed'),
  r(ADM1, 'admin1', 'send: part of tg-math (s2), students', postTo('north', [part('tg-math', 's2')], STUDENTS), 'allowed'),
  r(ADM1, 'admin1', 'send: person s3 (student)', postTo('north', [to('s3')], STUDENTS), 'allowed'),
  r(ADM1, 'admin1', 'send: person g1b (guardian)', postTo('north', [to('g1b')], GUARDIANS), 'allowed'),
  r(ADM1, 'admin1', 'send: whole school, staff', postTo('north', [SCHOOL], STAFF), 'forbidden',
    { path: ['audience', 'recipients', 'staff'] }),
  r(ADM1, 'admin1', 'send: whole school, everyone incl. staff', postTo('north', [SCHOOL], ALL), 'forbidden',
    { path: ['audience', 'recipients', 'staff'] }),
  r(ADM1, 'admin1', 'send: tg-math with staff recipients', postTo('north', [grp('tg-math')], ALL), 'forbidden'),
  r(ADM1, 'admin1', 'send: person t1 (staff)', postTo('north', [to('t1')], BOTH), 'forbidden',
    { path: ['audience', 'targets', 0, 'personId'] }),
  r(ADM1, 'admin1', 'send: person lead1 (staff)', postTo('north', [to('lead1')], BOTH), 'forbidden'),
  r(ADM1, 'admin1', 'send: at south (not admin there)', postTo('south', [SCHOOL], BOTH), 'forbidden'),
  // §1 school admin: may read posts to any group of the school
  r(ADM1, 'admin1', 'read: post to mg-7a', readPost(P.mentorGroup), 'allowed'),
  r(ADM1, 'admin1', 'read: post to part of tg-math', readPost(P.mathPartS1), 'allowed'),
  r(ADM1, 'admin1', 'read: post to tg-south (another school)', readPost(P.southGroup), 'forbidden'),

  // ── §1 student: may send — ; may read posts that target the student ──
  r(STU1, 's1', 'send: to own group tg-math', postTo('north', [grp('tg-math')], STUDENTS), 'forbidden'),
  r(STU1, 's1', 'send: to the school', postTo('north', [SCHOOL], STUDENTS), 'forbidden'),
  r(STU1, 's1', 'send: to a classmate', postTo('north', [to('s2')], STUDENTS), 'forbidden'),
  r(STU1, 's1', 'read: post to tg-math students', readPost(P.mathStudents), 'allowed'),
  r(STU1, 's1', 'read: post to part of tg-math naming s1', readPost(P.mathPartS1), 'allowed'),
  r(STU1, 's2', 'read: post to part of tg-math not naming s2', readPost(P.mathPartS1), 'forbidden'),
  r(STU1, 's1', 'read: post to tg-math guardians only', readPost(P.mathGuardians), 'forbidden'),
  r(STU1, 's3', 'read: post to tg-math (not a member)', readPost(P.mathStudents), 'forbidden'),
  r(STU1, 's3', 'read: post to mg-7a', readPost(P.mentorGroup), 'allowed'),
  r(STU1, 's2', 'read: post to person s2', readPost(P.toS2), 'allowed'),
  r(STU1, 's1', 'read: post to person s2', readPost(P.toS2), 'forbidden'),
  r(STU1, 's1', 'read: post to school students', readPost(P.schoolStudents), 'allowed'),
  r(STU1, 'sS1', 'read: post to north students (another school)', readPost(P.schoolStudents), 'forbidden'),
  r(STU1, 's1', 'read: post to school guardians', readPost(P.schoolGuardians), 'forbidden'),
  r(STU1, 's1', 'read: post to school staff', readPost(P.schoolStaff), 'forbidden'),

  // ── §1 guardian: may send — ; may read posts that target the guardian ──
  r(GUA1, 'g1a', 'send: to the child’s group', postTo('north', [grp('tg-math')], GUARDIANS), 'forbidden'),
  r(GUA1, 'g1a', 'send: to the child', postTo('north', [to('s1')], STUDENTS), 'forbidden'),
  r(GUA1, 'g1a', 'read: post to tg-math guardians', readPost(P.mathGuardians), 'allowed'),
  r(GUA1, 'g1b', 'read: post to tg-math guardians (second guardian)', readPost(P.mathGuardians), 'allowed'),
  r(GUA1, 'g1a', 'read: post to tg-math students only', readPost(P.mathStudents), 'forbidden'),
  r(GUA1, 'g1a', 'read: post to part of tg-math naming their child', readPost(P.mathPartS1), 'allowed'),
  r(GUA1, 'g2a', 'read: post to part of tg-math not naming their child', readPost(P.mathPartS1), 'forbidden'),
  r(GUA1, 'g3a', 'read: post to tg-math guardians (child not a member)', readPost(P.mathGuardians), 'forbidden'),
  r(GUA1, 'g3a', 'read: post to mg-7a guardians', readPost(P.mentorGroup), 'allowed'),
  r(GUA1, 'g2a', 'read: post to person g2a', readPost(P.toG2a), 'allowed'),
  r(GUA1, 'g2b', 'read: post to person g2a (the other guardian)', readPost(P.toG2a), 'forbidden'),
  r(GUA1, 'g2a', 'read: post to person s2 (their child, not them)', readPost(P.toS2), 'forbidden'),
  r(GUA1, 'g1a', 'read: post to school guardians', readPost(P.schoolGuardians), 'allowed'),
  r(GUA1, 'gS1a', 'read: post to north guardians (child at another school)', readPost(P.schoolGuardians), 'forbidden'),
  r(GUA1, 'g1a', 'read: post to school students', readPost(P.schoolStudents), 'forbidden'),
  r(GUA1, 'g1c', 'read: post to tg-math guardians (not linked to any child)', readPost(P.mathGuardians), 'forbidden'),

  // ── §1 no row: the reader may not post (reads as overarching read role); head of operations ──
  r(OTH1, 'reader1', 'send: whole school', postTo('north', [SCHOOL], STUDENTS), 'forbidden'),
  r(OTH1, 'reader1', 'send: tg-math', postTo('north', [grp('tg-math')], BOTH), 'forbidden'),
  r(OTH1, 'reader1', 'read: post to tg-math guardians (read role of the school)', readPost(P.mathGuardians), 'allowed'),
  r(OTH1, 'reader1', 'read: post to tg-south (another school)', readPost(P.southGroup), 'forbidden'),
  r(OTH1, 'hoo1', 'send: post at north', postTo('north', [SCHOOL], STUDENTS), 'forbidden'),
  r(OTH1, 'hoo1', 'read: post to tg-math', readPost(P.mathStudents), 'forbidden'),

  // ── §2 head of operations: may send to one or more schools of the district ──
  r(HOO2, 'hoo1', 'send: north, students', mailTo('d1', ['north'], STUDENTS), 'allowed'),
  r(HOO2, 'hoo1', 'send: north and south, guardians and staff', mailTo('d1', ['north', 'south'], rcp('guardians', 'staff')), 'allowed'),
  r(HOO2, 'hoo1', 'send: north and south, everyone', mailTo('d1', ['north', 'south'], ALL), 'allowed'),
  r(HOO2, 'hoo2', 'send: far (own district d2), students', mailTo('d2', ['far'], STUDENTS), 'allowed'),
  r(HOO2, 'hoo1', 'send: north and far (far is in d2)', mailTo('d1', ['north', 'far'], STUDENTS), 'not_found', { path: ['schoolIds', 1] }),
  r(HOO2, 'hoo1', 'send: as district d2 (not head of operations there)', mailTo('d2', ['far'], STUDENTS), 'forbidden'),
  r(HOO2, 'hoo2', 'send: as district d1 (not head of operations there)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(HOO2, 'hoo1', 'send: a district that does not exist', mailTo('d9', ['north'], STUDENTS), 'not_found'),
  r(HOO2, 'hoo1', 'send: no recipients chosen', mailTo('d1', ['north'], NONE), 'invalid'),
  r(HOO2, 'hoo1', 'send: no school chosen ("one or more schools")', mailTo('d1', [], STUDENTS), 'invalid', { path: ['schoolIds'] }),
  // §2 head of operations: may read —; the author sees what they sent
  r(HOO2, 'hoo1', 'read: own mailing (author)', readMailing(M.northStudents), 'allowed'),
  r(HOO2, 'hoo2', 'read: mailing of district d1', readMailing(M.northStudents), 'forbidden'),
  r(HOO2, 'hoo1', 'read: mailing of district d2', readMailing(M.far), 'forbidden'),
  // §2 others may not send
  r(OTH2, 'lead1', 'send: mailing (school leader)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 'admin1', 'send: mailing (school admin)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 't1', 'send: mailing (teacher)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 'm1', 'send: mailing (mentor)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 'reader1', 'send: mailing (reader)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 's1', 'send: mailing (student)', mailTo('d1', ['north'], STUDENTS), 'forbidden'),
  r(OTH2, 'g1a', 'send: mailing (guardian)', mailTo('d1', ['north'], GUARDIANS), 'forbidden'),
  r(OTH2, 'reader1', 'read: mailing to north (staff of the school)', readMailing(M.northStudents), 'allowed'),
  r(OTH2, 'reader1', 'read: mailing to south only', readMailing(M.southStaff), 'forbidden'),

  // ── §2 teacher, mentor: may read mailings to schools they work at ──
  r(TM2, 't1', 'read: mailing to north students', readMailing(M.northStudents), 'allowed'),
  r(TM2, 't1', 'read: mailing to north and south', readMailing(M.bothAll), 'allowed'),
  r(TM2, 't1', 'read: mailing to south', readMailing(M.southStaff), 'forbidden'),
  r(TM2, 'tS', 'read: mailing to south', readMailing(M.southStaff), 'allowed'),
  r(TM2, 'tS', 'read: mailing to north guardians', readMailing(M.northGuardians), 'forbidden'),
  r(TM2, 'm1', 'read: mailing to north guardians', readMailing(M.northGuardians), 'allowed'),
  r(TM2, 'mS', 'read: mailing to north students', readMailing(M.northStudents), 'forbidden'),
  r(TM2, 'tF', 'read: mailing to far (district d2)', readMailing(M.far), 'allowed'),
  r(TM2, 'tF', 'read: mailing to north and south (district d1)', readMailing(M.bothAll), 'forbidden'),
  r(TM2, 't1', 'read: mailing to far (district d2)', readMailing(M.far), 'forbidden'),
  r(TM2, 'tp', 'read: mailing to south (teacher at south, guardian at north)', readMailing(M.southStaff), 'allowed'),
  r(TM2, 'tp', 'read: mailing to north students (guardian, not staff, at north)', readMailing(M.northStudents), 'forbidden'),

  // ── §2 school leader, school admin: may read mailings to their school ──
  r(LA2, 'lead1', 'read: mailing to north students', readMailing(M.northStudents), 'allowed'),
  r(LA2, 'leadS', 'read: mailing to north students', readMailing(M.northStudents), 'forbidden'),
  r(LA2, 'leadS', 'read: mailing to north and south', readMailing(M.bothAll), 'allowed'),
  r(LA2, 'admin1', 'read: mailing to north guardians', readMailing(M.northGuardians), 'allowed'),
  r(LA2, 'admin1', 'read: mailing to south', readMailing(M.southStaff), 'forbidden'),

  // ── §2 student, guardian: may read mailings that target them ──
  r(SG2, 's1', 'read: mailing to north students', readMailing(M.northStudents), 'allowed'),
  r(SG2, 's1', 'read: mailing to north guardians', readMailing(M.northGuardians), 'forbidden'),
  r(SG2, 'sS1', 'read: mailing to north students (another school)', readMailing(M.northStudents), 'forbidden'),
  r(SG2, 'sS1', 'read: mailing to north and south, everyone', readMailing(M.bothAll), 'allowed'),
  r(SG2, 's1', 'read: mailing to south staff', readMailing(M.southStaff), 'forbidden'),
  r(SG2, 'g1a', 'read: mailing to north guardians', readMailing(M.northGuardians), 'allowed'),
  r(SG2, 'g1a', 'read: mailing to north students', readMailing(M.northStudents), 'forbidden'),
  r(SG2, 'gS1a', 'read: mailing to north guardians (child at another school)', readMailing(M.northGuardians), 'forbidden'),
  r(SG2, 'gS1a', 'read: mailing to north and south, everyone', readMailing(M.bothAll), 'allowed'),
  r(SG2, 'gx1', 'read: mailing to south staff only', readMailing(M.southStaff), 'forbidden'),

  // ── §3 mentor: students they mentor; guardians of students they mentor; other staff ──
  r(MEN3, 'm1', 'start: mentee s1', start(['s1']), 'allowed'),
  r(MEN3, 'm1', 'start: guardian g1a of mentee', start(['g1a']), 'allowed'),
  r(MEN3, 'mS', 'start: guardian gS1a of mentee (south, setting off: mentors need no setting)', start(['gS1a']), 'allowed'),
  r(MEN3, 'm1', 'start: staff t1, lead1, admin1 of the school', start(['t1', 'lead1', 'admin1']), 'allowed'),
  r(MEN3, 'm1', 'start: s2 (not mentored, not taught)', start(['s2']), 'forbidden', { path: ['participantIds', 0] }),
  r(MEN3, 'm1', 'start: g2a (guardian of a non-mentee)', start(['g2a']), 'forbidden'),
  r(MEN3, 'm1', 'start: mentee and a non-mentee', start(['s1', 's2']), 'forbidden', { path: ['participantIds', 1] }),
  r(MEN3, 'm1', 'start: tS (staff of another school)', start(['tS']), 'forbidden'),
  r(MEN3, 'm1', 'start: reader1 (read-only role)', start(['reader1']), 'forbidden'),
  r(MEN3, 'm1', 'start: conference with s1 and guardians', start(['s1', 'g1a', 'g1b'], conference('m1', 's1')), 'allowed'),
  r(MEN3, 'm1', 'start: conference for s2 (not a mentee)', start(['s2'], conference('m1', 's2')), 'forbidden'),
  r(MEN3, 'm1', 'send: conversation with mentee', send(['m1', 's1']), 'allowed'),

  // ── §3 teacher ──
  // students they teach
  r(TEA3, 't1', 'start: s1 (taught)', start(['s1']), 'allowed'),
  r(TEA3, 't1', 'start: s3 (not taught)', start(['s3']), 'forbidden'),
  r(TEA3, 'tS', 'start: sx (taught at south)', start(['sx']), 'allowed'),
  // other staff of the school
  r(TEA3, 't1', 'start: t2 and lead1 (staff of the school)', start(['t2', 'lead1']), 'allowed'),
  r(TEA3, 'tS', 'start: tp (staff of the school)', start(['tp']), 'allowed'),
  r(TEA3, 't1', 'start: tS (staff of another school)', start(['tS']), 'forbidden'),
  r(TEA3, 't1', 'start: reader1 (read-only role)', start(['reader1']), 'forbidden'),
  // guardians of students they teach, through the message function, only where the setting allows (*)
  r(TEA3, 't1', 'start: g1a direct (north, setting on)', start(['g1a']), 'allowed'),
  r(TEA3, 't1', 'start: g1a direct after the setting is turned off', start(['g1a']), 'forbidden', { dir: dirSettingsFlipped }),
  r(TEA3, 't1', 'send: to g1a after the setting is turned off', send(['t1', 'g1a']), 'forbidden', { dir: dirSettingsFlipped }),
  r(TEA3, 'tS', 'start: gS1a direct (south, setting off)', start(['gS1a']), 'forbidden'),
  r(TEA3, 'tS', 'start: gS1a direct after the setting is turned on', start(['gS1a']), 'allowed', { dir: dirSettingsFlipped }),
  r(TEA3, 'tS', 'start: gx1 direct (taught at south, off; the child is also at north, on)', start(['gx1']), 'forbidden'),
  r(TEA3, 't1', 'start: g3a direct (setting on, but does not teach s3)', start(['g3a']), 'forbidden'),
  // guardians who earlier started a conversation with them through a plan or assignment
  r(TEA3, 'tS', 'start: gS1a direct, setting off, gS1a started earlier through a plan', start(['gS1a'], DIRECT, startedEarlier(['tS', 'gS1a'])), 'allowed'),
  r(TEA3, 'tS', 'start: gS1b direct, setting off, only gS1a started earlier', start(['gS1b'], DIRECT, startedEarlier(['tS', 'gS1a'])), 'forbidden'),
  r(TEA3, 'tS', 'start: gS1a direct, setting off, gS1a started earlier with another teacher', start(['gS1a'], DIRECT, startedEarlier(['mS', 'gS1a'])), 'forbidden'),
  r(TEA3, 'tS', 'send: gS1a replies in that direct conversation', send(['tS', 'gS1a'], DIRECT, startedEarlier(['tS', 'gS1a'])), 'allowed'),
  // through a plan / an assignment: students and guardians of the item's group
  r(TEA3, 'tS', 'start: plan tg-south with gS1a (setting off does not matter)', start(['sS1', 'gS1a'], plan('tg-south', 'sS1')), 'allowed'),
  r(TEA3, 't1', 'start: assignment tg-math with s2', start(['s2'], assignment('tg-math', 's2')), 'allowed'),
  r(TEA3, 't1', 'start: plan tg-math with g3a (child not in the group)', start(['g3a'], plan('tg-math')), 'forbidden'),
  r(TEA3, 't1', 'start: plan tg-math about s1 with g2a (guardian of another student)', start(['g2a'], plan('tg-math', 's1')), 'forbidden'),
  r(TEA3, 't2', "start: plan tg-math (not the group's teacher) with s1", start(['s1'], plan('tg-math', 's1')), 'forbidden'),
  r(TEA3, 't1', 'send: plan tg-math after s1 left the group', send(['t1', 's1'], plan('tg-math', 's1')), 'forbidden', { dir: dirS1LeftMath }),

  // ── §3 student ──
  // staff of the school
  r(STU3, 's1', 'start: t2 (staff of the school, does not teach s1)', start(['t2']), 'allowed'),
  r(STU3, 's1', 'start: lead1 and admin1', start(['lead1', 'admin1']), 'allowed'),
  r(STU3, 's1', 'start: reader1 (read-only role)', start(['reader1']), 'forbidden'),
  r(STU3, 's1', 'start: tS (staff of another school)', start(['tS']), 'forbidden'),
  r(STU3, 'sx', 'start: tp (staff at south, where sx is a student too)', start(['tp']), 'allowed'),
  r(STU3, 's1', 'start: s2 (another student)', start(['s2']), 'forbidden'),
  r(STU3, 'lead1', 'start: s1 (a leader does not start with students; the student row does)', start(['s1']), 'forbidden'),
  r(STU3, 'lead1', 'send: answer s1, who wrote to the leader', send(['s1', 'lead1']), 'allowed'),
  // guardians who earlier started a conversation through plans and assignments (Reading: own guardian)
  r(STU3, 's1', 'send: in a plan conversation started by own guardian g1a', send(['t1', 's1', 'g1a'], plan('tg-math', 's1')), 'allowed'),
  r(STU3, 's1', 'start: own guardian g1a directly', start(['g1a']), 'forbidden'),
  r(STU3, 's2', "start: plan tg-math with another student's guardian g1a", start(['g1a'], plan('tg-math', 's2')), 'forbidden'),
  r(STU3, 's2', "send: in s1's plan conversation with g1a", send(['s2', 'g1a'], plan('tg-math', 's1')), 'forbidden'),
  // teachers who teach them, through a plan or assignment
  r(STU3, 's1', 'start: plan tg-math with t1', start(['t1'], plan('tg-math', 's1')), 'allowed'),
  r(STU3, 's2', 'start: assignment tg-math with t1', start(['t1'], assignment('tg-math')), 'allowed'),
  r(STU3, 's3', 'start: plan tg-math with t1 (not in the group)', start(['t1'], plan('tg-math')), 'forbidden'),
  r(STU3, 's1', 'start: plan tg-math about s2 with t1', start(['t1'], plan('tg-math', 's2')), 'forbidden'),
  r(STU3, 's1', 'send: plan tg-math after leaving the group', send(['t1', 's1'], plan('tg-math', 's1')), 'forbidden', { dir: dirS1LeftMath }),
  r(STU3, 's1', 'start: plan tg-math after leaving the group', start(['t1'], plan('tg-math', 's1')), 'forbidden', { dir: dirS1LeftMath }),
  r(STU3, 's2', 'send: plan tg-math, still in the group after s1 left', send(['t1', 's2'], plan('tg-math', 's2')), 'allowed', { dir: dirS1LeftMath }),
  // their mentor, through a conference
  r(STU3, 's1', 'start: conference with mentor m1', start(['m1'], conference('m1', 's1')), 'allowed'),
  r(STU3, 's2', 'start: conference with m1 (not their mentor)', start(['m1'], conference('m1', 's2')), 'forbidden'),
  r(STU3, 's2', "start: s1's conference", start(['m1'], conference('m1', 's1')), 'forbidden'),

  // ── §3 guardian ──
  // the child's mentor and mentor group (all the child's mentors)
  r(GUA3, 'g1a', 'start: mentor m1', start(['m1']), 'allowed'),
  r(GUA3, 'g1a', 'start: co-mentor m2 of the mentor group', start(['m2']), 'allowed'),
  r(GUA3, 'gS1a', 'start: mentor mS (south, setting off: mentors need no setting)', start(['mS']), 'allowed'),
  r(GUA3, 'g2a', 'start: m1 (not the child’s mentor)', start(['m1']), 'forbidden'),
  r(GUA3, 'tp', 'start: m1, mentor of own child s3 (tp is also a teacher at south)', start(['m1']), 'allowed'),
  r(GUA3, 'tp', 'start: t2, who teaches own child s3 at north (setting on)', start(['t2']), 'allowed'),
  // teachers who teach the child through the message function, only where the setting allows (*)
  r(GUA3, 'g1a', 'start: t1 direct (north, setting on)', start(['t1']), 'allowed'),
  r(GUA3, 'g1a', 'start: t1 direct after the setting is turned off', start(['t1']), 'forbidden', { dir: dirSettingsFlipped }),
  r(GUA3, 'gS1a', 'start: tS direct (south, setting off)', start(['tS']), 'forbidden'),
  r(GUA3, 'gS1a', 'start: tS direct after the setting is turned on', start(['tS']), 'allowed', { dir: dirSettingsFlipped }),
  r(GUA3, 'gx1', 'start: tS direct (teaches sx at south, off; sx also at north, on)', start(['tS']), 'forbidden'),
  r(GUA3, 'g1a', 'start: t2 direct (setting on, but t2 does not teach s1)', start(['t2']), 'forbidden'),
  r(GUA3, 'g1a', 'start: lead1 (staff, but not in the guardian row)', start(['lead1']), 'forbidden'),
  r(GUA3, 'g1a', 'start: g1b (the other guardian) directly', start(['g1b']), 'forbidden'),
  // teachers who teach the child, through plans and assignments
  r(GUA3, 'gS1a', 'start: plan tg-south with tS (setting off)', start(['tS'], plan('tg-south', 'sS1')), 'allowed'),
  r(GUA3, 'gS1a', 'start: assignment tg-south with tS and the child', start(['tS', 'sS1'], assignment('tg-south', 'sS1')), 'allowed'),
  r(GUA3, 'g1a', 'start: plan tg-math with t1, both guardians', start(['t1', 's1', 'g1b'], plan('tg-math', 's1')), 'allowed'),
  r(GUA3, 'g1a', 'send: plan conversation with t1, s1 and the other guardian g1b', send(['t1', 's1', 'g1a', 'g1b'], plan('tg-math', 's1')), 'allowed'),
  r(GUA3, 'g3a', 'start: plan tg-math with t1 (child not in the group)', start(['t1'], plan('tg-math')), 'forbidden'),
  r(GUA3, 'g2a', 'start: plan tg-math about s1 with t1', start(['t1'], plan('tg-math', 's1')), 'forbidden'),
  r(GUA3, 'g1a', 'send: plan tg-math after the child left the group', send(['t1', 's1', 'g1a'], plan('tg-math', 's1')), 'forbidden', { dir: dirS1LeftMath }),
  // the child's mentor, through a conference
  r(GUA3, 'g1a', 'start: conference with m1 and s1', start(['m1', 's1'], conference('m1', 's1')), 'allowed'),
  r(GUA3, 'g1b', 'send: conference with m1, s1 and g1a', send(['m1', 's1', 'g1a', 'g1b'], conference('m1', 's1')), 'allowed'),
  r(GUA3, 'g2a', "start: s1's conference with m1", start(['m1'], conference('m1', 's1')), 'forbidden'),
  r(GUA3, 'g2a', 'start: conference with m1 about s2 (not mentored by m1)', start(['m1'], conference('m1', 's2')), 'forbidden'),

  // ── §3 no row: reader, head of operations; general checks ──
  r(OTH3, 'reader1', 'start: s1', start(['s1']), 'forbidden'),
  r(OTH3, 'reader1', 'start: t1', start(['t1']), 'forbidden'),
  r(OTH3, 'hoo1', 'start: lead1', start(['lead1']), 'forbidden'),
  r(OTH3, 't1', 'start: nobody', start([]), 'invalid'),
  r(OTH3, 't1', 'start: a person who does not exist', start(['nobody']), 'not_found'),
  r(OTH3, 't1', 'start: with oneself', start(['t1']), 'invalid'),
  r(OTH3, 't1', 'send: not a participant', send(['s1', 'm1']), 'not_found'),

  // ── §3 mentor: one conversation with the whole mentor group, or with its guardians ──
  r(GRP3, 'm1', 'start: with the whole mg-7a', startGroup('mg-7a'), 'allowed'),
  r(GRP3, 'm2', 'start: with the whole mg-7a (co-mentor)', startGroup('mg-7a'), 'allowed'),
  r(GRP3, 't1', 'start: with mg-7a (not its mentor)', startGroup('mg-7a'), 'forbidden', { path: ['groupId'] }),
  r(GRP3, 't1', 'start: with tg-math (a teaching group)', startGroup('tg-math'), 'forbidden', { path: ['groupId'] }),
  r(GRP3, 's1', 'start: with own mentor group', startGroup('mg-7a'), 'forbidden'),
  r(GRP3, 'lead1', 'start: with mg-7a (school leader)', startGroup('mg-7a'), 'forbidden'),
  r(GRP3, 'm1', 'start: with a group that does not exist', startGroup('nowhere'), 'not_found'),
  // Only the mentors write to the whole group; students and guardians answer a mentor privately.
  r(GRP3, 'm1', 'send: in the students’ conversation of mg-7a', send(['m1', 'm2', 's1', 's3', 'sx'], wholeGroup('mg-7a', 'students')), 'allowed'),
  r(GRP3, 'm2', 'send: in the guardians’ conversation of mg-7a (co-mentor)', send(['m1', 'm2', 'g1a', 'g1b', 'g3a'], wholeGroup('mg-7a', 'guardians')), 'allowed'),
  r(GRP3, 's1', 'send: in the students’ conversation of mg-7a (to classmates)', send(['m1', 'm2', 's1', 's3', 'sx'], wholeGroup('mg-7a', 'students')), 'forbidden'),
  r(GRP3, 'g1a', 'send: in the guardians’ conversation of mg-7a (to other families)', send(['m1', 'm2', 'g1a', 'g1b', 'g3a'], wholeGroup('mg-7a', 'guardians')), 'forbidden'),
  r(GRP3, 'g1a', 'send: in the students’ conversation of mg-7a', send(['m1', 'g1a', 's1'], wholeGroup('mg-7a', 'students')), 'forbidden'),
  r(GRP3, 's2', 'send: in mg-7a’s conversation (not a member)', send(['m1', 's2'], wholeGroup('mg-7a', 'students')), 'forbidden'),
  r(GRP3, 's1', 'send: in tg-math “group conversation” (not a mentor group)', send(['t1', 's1'], wholeGroup('tg-math', 'students')), 'forbidden'),

  // ── §5 teacher: create plans and assignments in groups they own; see and edit them there ──
  r(TEA5, 't1', 'create: plan in tg-math', createItem('plan', 'tg-math'), 'allowed'),
  r(TEA5, 't1', 'create: assignment in tg-math', createItem('assignment', 'tg-math'), 'allowed'),
  r(TEA5, 'm1', 'create: plan in the mentor group mg-7a they own', createItem('plan', 'mg-7a'), 'allowed'),
  r(TEA5, 't1', "create: in tg-art (t2's group)", createItem('plan', 'tg-art'), 'forbidden', { path: ['groupId'] }),
  r(TEA5, 't1', 'create: in mg-7a (not its mentor)', createItem('assignment', 'mg-7a'), 'forbidden'),
  r(TEA5, 't1', 'create: in a group that does not exist', createItem('plan', 'nowhere'), 'not_found', { path: ['groupId'] }),
  r(TEA5, 't1', 'edit: a published plan', change(I.mathPlan, 'update'), 'allowed'),
  r(TEA5, 't1', 'publish: a draft', change(I.mathDraft, 'publish'), 'allowed'),
  r(TEA5, 't1', 'hide: a published plan', change(I.mathPlan, 'hide'), 'allowed'),
  r(TEA5, 't1', 'close: a published assignment', change(I.mathAssignment, 'close'), 'allowed'),
  r(TEA5, 't1', 'publish: a hidden plan again', change(I.mathHidden, 'publish'), 'allowed'),
  r(TEA5, 't1', 'publish: a published plan again (a retry)', change(I.mathPlan, 'publish'), 'allowed'),
  r(TEA5, 't1', 'publish: a closed assignment', change(I.mathClosed, 'publish'), 'conflict', { path: ['itemId'] }),
  r(TEA5, 't1', 'edit: a closed assignment', change(I.mathClosed, 'update'), 'conflict'),
  r(TEA5, 't1', 'hide: a draft', change(I.mathDraft, 'hide'), 'conflict'),
  r(TEA5, 't2', "hide: tg-math's plan (not its teacher)", change(I.mathPlan, 'hide'), 'not_found', { path: ['itemId'] }),
  r(TEA5, 't1', 'see: own draft', readItem(I.mathDraft), 'allowed'),
  r(TEA5, 't1', 'see: own hidden and closed items', readItem(I.mathHidden), 'allowed'),
  r(TEA5, 't1', "see: tg-art's published plan (not their group)", readItem(I.artPlan), 'forbidden'),
  r(TEA5, 't1', 'edit: a published plan after a student left the group', change(I.mathPlan, 'update'), 'allowed', { dir: dirS1LeftMath }),

  // ── §5 student: published plans and assignments of their groups, not hidden or closed ──
  r(STU5, 's1', 'see: published plan of tg-math', readItem(I.mathPlan), 'allowed'),
  r(STU5, 's2', 'see: published assignment of tg-math', readItem(I.mathAssignment), 'allowed'),
  r(STU5, 's1', 'see: a draft', readItem(I.mathDraft), 'forbidden'),
  r(STU5, 's1', 'see: a hidden plan', readItem(I.mathHidden), 'forbidden'),
  r(STU5, 's1', 'see: a closed assignment', readItem(I.mathClosed), 'forbidden'),
  r(STU5, 's3', 'see: tg-math plan (not a member)', readItem(I.mathPlan), 'forbidden'),
  r(STU5, 's1', 'see: tg-math plan after leaving the group', readItem(I.mathPlan), 'forbidden', { dir: dirS1LeftMath }),
  r(STU5, 's1', 'create: a plan in own group', createItem('plan', 'tg-math'), 'forbidden'),
  r(STU5, 's1', 'hide: a plan they see', change(I.mathPlan, 'hide'), 'forbidden'),

  // ── §5 guardian: published, not hidden/closed plans (Reading: and assignments) of their child ──
  r(GUA5, 'g1a', "see: published plan of the child's group", readItem(I.mathPlan), 'allowed'),
  r(GUA5, 'g1b', "see: published assignment of the child's group (Reading)", readItem(I.mathAssignment), 'allowed'),
  r(GUA5, 'tp', 'see: published plan of tg-art where own child s3 is (tp is a teacher elsewhere)', readItem(I.artPlan), 'allowed'),
  r(GUA5, 'g1a', 'see: a hidden plan', readItem(I.mathHidden), 'forbidden'),
  r(GUA5, 'g1a', 'see: a draft', readItem(I.mathDraft), 'forbidden'),
  r(GUA5, 'g3a', 'see: tg-math plan (child not a member)', readItem(I.mathPlan), 'forbidden'),
  r(GUA5, 'g1a', 'see: tg-math plan after the child left the group', readItem(I.mathPlan), 'forbidden', { dir: dirS1LeftMath }),
  r(GUA5, 'g1c', 'see: tg-math plan once linked to s1', readItem(I.mathPlan), 'allowed', { dir: dirG1cLinked }),
  r(GUA5, 'g1c', 'see: tg-math plan before being linked', readItem(I.mathPlan), 'forbidden'),
  r(GUA5, 'g1a', 'close: an assignment they see', change(I.mathAssignment, 'close'), 'forbidden'),

  // ── §5 reader: no access ──
  r(REA5, 'reader1', 'see: published plan at their school', readItem(I.mathPlan), 'forbidden'),
  r(REA5, 'reader1', 'create: a plan', createItem('plan', 'tg-math'), 'forbidden'),
  r(REA5, 'reader1', 'hide: a plan', change(I.mathPlan, 'hide'), 'not_found'),

  // ── §5 school admin: published, not hidden/closed, through the group page ──
  r(ADM5, 'admin1', 'see: published plan of a group of the school', readItem(I.mathPlan), 'allowed'),
  r(ADM5, 'admin1', 'see: published assignment of tg-math', readItem(I.mathAssignment), 'allowed'),
  r(ADM5, 'admin1', 'see: a draft', readItem(I.mathDraft), 'forbidden'),
  r(ADM5, 'admin1', 'see: a hidden plan', readItem(I.mathHidden), 'forbidden'),
  r(ADM5, 'admin1', 'see: a plan of another school', readItem(I.southPlan), 'forbidden'),
  r(ADM5, 'admin1', 'create: a plan', createItem('plan', 'tg-math'), 'forbidden'),
  r(ADM5, 'admin1', 'hide: a plan they see', change(I.mathPlan, 'hide'), 'forbidden'),

  // ── §5 no row ──
  r(OTH5, 'lead1', 'see: published plan at their school (no row for school leaders)', readItem(I.mathPlan), 'forbidden'),
  r(OTH5, 'm1', "see: tg-math plan where mentees are members (mentor, not the group's teacher)", readItem(I.mathPlan), 'forbidden'),
  r(OTH5, 'hoo1', 'see: published plan in the district', readItem(I.mathPlan), 'forbidden'),
  r(OTH5, 'tS', 'see: published plan of its own group', readItem(I.southPlan), 'allowed'),

  // ── development conferences: a mentor with a mentee; participants mentor, student, guardians ──
  r(CON3, 'm1', 'create: for mentee s1', createConference('s1'), 'allowed'),
  r(CON3, 'm2', 'create: for s3 (co-mentor of mg-7a)', createConference('s3'), 'allowed'),
  r(CON3, 'mS', 'create: for mentee sS1 at south', createConference('sS1'), 'allowed'),
  r(CON3, 'm1', 'create: for s2 (not a mentee)', createConference('s2'), 'forbidden', { path: ['studentId'] }),
  r(CON3, 't1', 'create: for s1 (teaches, does not mentor)', createConference('s1'), 'forbidden'),
  r(CON3, 's1', 'create: for themselves', createConference('s1'), 'forbidden'),
  r(CON3, 'm1', 'create: for someone who does not exist', createConference('nobody'), 'not_found'),
  r(CON3, 'm1', 'close: own conference', closeConference(C.m1s1), 'allowed'),
  r(CON3, 'm2', "close: m1's conference (co-mentor, not its mentor)", closeConference(C.m1s1), 'not_found'),
  r(CON3, 'g1a', 'close: the child’s conference', closeConference(C.m1s1), 'forbidden'),
  r(CON3, 's1', 'see: own conference', readConference(C.m1s1), 'allowed'),
  r(CON3, 'g1b', "see: the child's conference", readConference(C.m1s1), 'allowed'),
  r(CON3, 'm1', 'see: the conference they hold', readConference(C.m1s1), 'allowed'),
  r(CON3, 'g2a', "see: another child's conference", readConference(C.m1s1), 'forbidden'),
  r(CON3, 'm2', "see: co-mentor's conference", readConference(C.m1s1), 'forbidden'),
  r(CON3, 'lead1', 'see: a conference at their school', readConference(C.m1s1), 'forbidden'),

  // ── §4 teacher: create documentation for the children in their child groups; read and edit it ──
  rd(TEA4, 'pt1', 'create: the whole child group pg-sun', documentGroup('pg-sun'), 'allowed'),
  rd(TEA4, 'pt1', 'create: chosen children of pg-sun (c2, c3)', documentGroup('pg-sun', ['c2', 'c3']), 'allowed'),
  rd(TEA4, 'pt1', 'create: with c4, who is in pg-moon', documentGroup('pg-sun', ['c2', 'c4']), 'invalid', { path: ['childIds', 1] }),
  rd(TEA4, 'pt1', 'create: in pg-moon (not their group)', documentGroup('pg-moon'), 'forbidden', { path: ['groupId'] }),
  rd(TEA4, 'pt1', 'create: in a group that does not exist', documentGroup('nowhere'), 'not_found', { path: ['groupId'] }),
  rd(TEA4, 't1', 'create: in tg-math (a teaching group they own)', documentGroup('tg-math'), 'invalid', { path: ['groupId'] }),
  rd(TEA4, 'pt1', 'read: documentation of pg-sun', readDoc(DOC.group!), 'allowed'),
  rd(TEA4, 'pt1', 'read: documentation of pg-sun about c1 after c1 moved to pg-moon', readDoc(DOC.c1!), 'allowed', { dir: devC1Moved }),
  rd(TEA4, 'pt1', 'read: documentation of pg-moon', readDoc(DOC.moon!), 'forbidden'),
  rd(TEA4, 'pt2', 'read: pg-sun documentation about c1 once c1 is in pg-moon', readDoc(DOC.c1!), 'forbidden', { dir: devC1Moved }),
  rd(TEA4, 'pt1', 'edit: documentation of pg-sun', editDoc(DOC.c2!), 'allowed'),
  rd(TEA4, 'pt2', 'edit: documentation of pg-sun', editDoc(DOC.group!), 'not_found', { path: ['documentationId'] }),
  rd(TEA4, 'pt1', 'upload: an attachment', UPLOAD, 'allowed'),
  rd(TEA4, 't1', 'upload: an attachment (no child group)', UPLOAD, 'forbidden'),

  // ── §4 mentor: see documentation and goals through the mentor overview and the child card ──
  rd(MEN4, 'pm', 'read: documentation about c1, their mentee', readDoc(DOC.c1!), 'allowed'),
  rd(MEN4, 'pm', 'read: documentation of the whole group, c1 among its children', readDoc(DOC.group!), 'allowed'),
  rd(MEN4, 'pm', 'read: documentation about c2 (not a mentee)', readDoc(DOC.c2!), 'forbidden'),
  rd(MEN4, 'pm', 'open: the child card of c1', card('c1'), 'allowed'),
  rd(MEN4, 'pm', 'edit: documentation about c1', editDoc(DOC.c1!), 'forbidden'),

  // ── §4 guardian: read documentation that concerns their child ──
  rd(GUA4, 'gc1a', 'read: documentation of the whole group (c1 in it)', readDoc(DOC.group!), 'allowed'),
  rd(GUA4, 'gc1b', 'read: documentation about c1', readDoc(DOC.c1!), 'allowed'),
  rd(GUA4, 'gc2', 'read: documentation about c2', readDoc(DOC.c2!), 'allowed'),
  rd(GUA4, 'gc1a', 'read: documentation about c2 (another child)', readDoc(DOC.c2!), 'forbidden'),
  rd(GUA4, 'gc3', 'read: documentation about c2 (another child of the same group)', readDoc(DOC.c2!), 'forbidden'),
  rd(GUA4, 'gc4', 'read: documentation of pg-sun (their child is in pg-moon)', readDoc(DOC.group!), 'forbidden'),
  rd(GUA4, 'gc1a', 'read: documentation about c1 after c1 moved to pg-moon', readDoc(DOC.c1!), 'allowed', { dir: devC1Moved }),
  rd(GUA4, 'gc1a', 'create: documentation of pg-sun', documentGroup('pg-sun'), 'forbidden'),
  rd(GUA4, 'gc1a', 'edit: documentation about their child', editDoc(DOC.c1!), 'forbidden'),

  // ── §4 reader: see children's documentation and goals through the dashboard and the child card ──
  rd(REA4, 'readerSun', 'read: documentation of pg-sun', readDoc(DOC.group!), 'allowed'),
  rd(REA4, 'readerSun', 'read: documentation of pg-moon', readDoc(DOC.moon!), 'allowed'),
  rd(REA4, 'readerSun', 'open: the child card of c2 (by search)', card('c2'), 'allowed'),
  rd(REA4, 'reader1', 'read: documentation at another school', readDoc(DOC.group!), 'forbidden'),
  rd(REA4, 'readerSun', 'edit: documentation', editDoc(DOC.group!), 'forbidden'),
  rd(REA4, 'readerSun', 'upload: an attachment', UPLOAD, 'forbidden'),
  rd(REA4, 'readerSun', 'dashboard: the documentation of sun', dashboard('sun'), 'allowed'),
  rd(REA4, 'readerSun', 'dashboard: sun filtered by pg-moon', dashboard('sun', 'pg-moon'), 'allowed'),
  rd(REA4, 'readerSun', 'dashboard: sun filtered by pmg-sun (no child group)', dashboard('sun', 'pmg-sun'), 'invalid', { path: ['groupId'] }),
  rd(REA4, 'readerSun', 'dashboard: sun filtered by tg-math (a group of north)', dashboard('sun', 'tg-math'), 'not_found', { path: ['groupId'] }),
  rd(REA4, 'readerSun', 'dashboard: sun filtered by a group that does not exist', dashboard('sun', 'nowhere'), 'not_found', { path: ['groupId'] }),
  rd(REA4, 'reader1', 'dashboard: sun (the reader of another school)', dashboard('sun'), 'not_found', { path: ['schoolId'] }),
  rd(REA4, 'readerSun', 'dashboard: north (not their school)', dashboard('north'), 'not_found', { path: ['schoolId'] }),
  rd(REA4, 'readerSun', 'dashboard: a school that does not exist', dashboard('nowhere'), 'not_found', { path: ['schoolId'] }),

  // ── §4 no row ──
  rd(OTH4, 'adminSun', 'read: documentation of pg-sun (school admin)', readDoc(DOC.group!), 'forbidden'),
  rd(OTH4, 'c1', 'read: documentation about themself', readDoc(DOC.c1!), 'forbidden'),
  rd(OTH4, 'g1a', 'read: documentation of pg-sun (guardian at another school)', readDoc(DOC.group!), 'forbidden'),
  rd(OTH4, 'pt2', 'read: documentation of pg-sun (preschool teacher of another group)', readDoc(DOC.group!), 'forbidden'),
  rd(OTH4, 'pt2', 'read: documentation of pg-moon, their own group', readDoc(DOC.moon!), 'allowed'),
  rd(OTH4, 'pt1', 'dashboard: sun (a preschool teacher there)', dashboard('sun'), 'forbidden', { path: ['schoolId'] }),
  rd(OTH4, 'adminSun', 'dashboard: sun (school admin)', dashboard('sun'), 'forbidden', { path: ['schoolId'] }),
  rd(OTH4, 'pm', 'dashboard: sun (mentor of c1: the child card, not the dashboard)', dashboard('sun'), 'forbidden', { path: ['schoolId'] }),
  rd(OTH4, 'gc1a', "dashboard: sun (a guardian of a child there)", dashboard('sun'), 'not_found', { path: ['schoolId'] }),
  rd(OTH4, 'c1', 'dashboard: sun (a child there)', dashboard('sun'), 'not_found'),

  // ── §6 teacher: give feedback; see feedback for students of their teaching groups and in subjects they assess ──
  rd(TEA6, 't1', 'give: draft feedback to s1 in a published tg-math plan', giveFeedback(I.mathPlan, 's1'), 'allowed'),
  rd(TEA6, 't1', 'give and publish: feedback to s2 in a published assignment', giveFeedback(I.mathAssignment, 's2', true), 'allowed'),
  rd(TEA6, 't1', 'give: draft feedback in a draft assignment', giveFeedback(I.mathDraft, 's1'), 'allowed'),
  rd(TEA6, 't1', 'give and publish: feedback in a draft assignment', giveFeedback(I.mathDraft, 's1', true), 'conflict', { path: ['publish'] }),
  rd(TEA6, 't1', 'give: feedback in a closed assignment (after it is done)', giveFeedback(I.mathClosed, 's1', true), 'allowed'),
  rd(TEA6, 't1', 'give: feedback to s3, not in tg-math', giveFeedback(I.mathPlan, 's3'), 'invalid', { path: ['studentId'] }),
  rd(TEA6, 't2', "give: feedback in tg-math's plan (not its teacher)", giveFeedback(I.mathPlan, 's1'), 'not_found', { path: ['itemId'] }),
  rd(TEA6, 't1', 'publish: a draft (the item is published)', changeFeedback(F.s1MathDraft, 'publish'), 'allowed'),
  rd(TEA6, 't1', 'publish: a draft while the item is a draft', changeFeedback(F.s1MathDraft, 'publish', 'draft'), 'conflict', { path: ['feedbackId'] }),
  rd(TEA6, 't1', 'edit: published feedback', changeFeedback(F.s1Math, 'update'), 'allowed'),
  rd(TEA6, 't2', "publish: the co-teacher's draft in tg-math", changeFeedback(F.s1MathDraft, 'publish'), 'allowed', { dir: devT2CoTeaches }),
  rd(TEA6, 't2', "edit: tg-math's feedback to s1 (not its teacher)", changeFeedback(F.s1Math, 'update'), 'not_found', { path: ['feedbackId'] }),
  rd(TEA6, 't1', 'see: own draft', readFeedback(F.s1MathDraft), 'allowed'),
  rd(TEA6, 't2', "see: published feedback to s3 in mg-7a's plan (t2 teaches s3 in tg-art)", readFeedback(F.s3Mentor), 'allowed'),
  rd(TEA6, 't2', 'see: published tg-math feedback to s1 once s1 is in tg-art too', readFeedback(F.s1Math), 'allowed', { dir: devS1JoinsArt }),
  rd(TEA6, 'tS', 'see: published feedback to sx from north (teaches sx at south)', readFeedback(F.sxMentor), 'allowed'),
  rd(TEA6, 't1', 'see: published feedback to s3 (does not teach s3)', readFeedback(F.s3Mentor), 'forbidden'),
  rd(TEA6, 't2', "see: tg-math's draft (not its teacher)", readFeedback(F.s1MathDraft), 'forbidden', { dir: devS1JoinsArt }),
  rd(TEA6, 't1', 'see: published feedback to s1 after s1 left tg-math (the group’s teacher)', readFeedback(F.s1Math), 'allowed', { dir: devS1LeftMath }),

  // ── §6 mentor: published feedback in the student card and the mentor group's overview ──
  rd(MEN6, 'm1', 'see: published feedback to mentee s1', readFeedback(F.s1Math), 'allowed'),
  rd(MEN6, 'm2', 'see: published feedback to s1 (co-mentor)', readFeedback(F.s1Math), 'allowed'),
  rd(MEN6, 'm1', 'see: published feedback to sx given at south', readFeedback(F.sxSouth), 'allowed'),
  rd(MEN6, 'm1', 'see: a draft to a mentee', readFeedback(F.s1MathDraft), 'forbidden'),
  rd(MEN6, 'm1', 'see: feedback to s1 after s1 left the mentor group', readFeedback(F.s1Math), 'forbidden', { dir: devS1LeftMentor }),
  rd(MEN6, 'mS', 'see: feedback to s1 (not a mentee)', readFeedback(F.s1Math), 'forbidden'),
  rd(MEN6, 'm1', 'open: the overview of the mentor group mg-7a', overview('mg-7a'), 'allowed'),
  rd(MEN6, 'm1', 'give: feedback in a tg-math plan (not its teacher)', giveFeedback(I.mathPlan, 's1'), 'not_found'),

  // ── §6 student: feedback in assignments, plans and the development overview ──
  rd(STU6, 's1', 'see: published feedback to themself', readFeedback(F.s1Math), 'allowed'),
  rd(STU6, 's1', 'see: their feedback after leaving tg-math (it follows the student)', readFeedback(F.s1Math), 'allowed', { dir: devS1LeftMath }),
  rd(STU6, 's1', 'see: a draft to themself', readFeedback(F.s1MathDraft), 'forbidden'),
  rd(STU6, 's2', "see: a classmate's feedback", readFeedback(F.s1Math), 'forbidden'),
  rd(STU6, 's1', 'give: feedback to a classmate', giveFeedback(I.mathPlan, 's2'), 'forbidden', { path: ['itemId'] }),

  // ── §6 guardian: published feedback for their child ──
  rd(GUA6, 'g1a', "see: published feedback to the child", readFeedback(F.s1Math), 'allowed'),
  rd(GUA6, 'g1b', "see: published feedback to the child (the other guardian)", readFeedback(F.s1Math), 'allowed'),
  rd(GUA6, 'tp', 'see: published feedback to own child s3 (tp is a teacher at south)', readFeedback(F.s3Mentor), 'allowed'),
  rd(GUA6, 'g1a', 'see: a draft to the child', readFeedback(F.s1MathDraft), 'forbidden'),
  rd(GUA6, 'g2a', "see: another child's feedback", readFeedback(F.s1Math), 'forbidden'),
  rd(GUA6, 'g1c', 'see: feedback to s1 once linked', readFeedback(F.s1Math), 'allowed', { dir: devG1cLinked }),
  rd(GUA6, 'g1c', 'see: feedback to s1 before being linked', readFeedback(F.s1Math), 'forbidden'),

  // ── §6 reader: published feedback in the student card; group overview in groups they own ──
  rd(REA6, 'reader1', 'see: published feedback at their school', readFeedback(F.s1Math), 'allowed'),
  rd(REA6, 'reader1', 'see: a draft', readFeedback(F.s1MathDraft), 'forbidden'),
  rd(REA6, 'reader1', 'see: feedback given at another school', readFeedback(F.sxSouth), 'forbidden'),
  rd(REA6, 'reader1', 'open: the student card of s1', card('s1'), 'allowed'),
  rd(REA6, 'reader1', 'open: the overview of mg-7a (a group they do not own)', overview('mg-7a'), 'forbidden', { path: ['groupId'] }),
  rd(REA6, 'reader1', 'give: feedback', giveFeedback(I.mathPlan, 's1'), 'not_found'),

  // ── §6 school admin: published feedback in the student card and the group overview ──
  rd(ADM6, 'admin1', 'see: published feedback at their school', readFeedback(F.s1Math), 'allowed'),
  rd(ADM6, 'admin1', 'see: a draft', readFeedback(F.s1MathDraft), 'forbidden'),
  rd(ADM6, 'admin1', 'see: feedback given at another school', readFeedback(F.sxSouth), 'forbidden'),
  rd(ADM6, 'admin1', 'open: the overview of tg-math', overview('tg-math'), 'allowed'),
  rd(ADM6, 'admin1', 'edit: published feedback', changeFeedback(F.s1Math, 'update'), 'forbidden'),

  // ── §6 no row ──
  rd(OTH6, 'lead1', 'see: published feedback at their school', readFeedback(F.s1Math), 'forbidden'),
  rd(OTH6, 'hoo1', 'see: published feedback in the district', readFeedback(F.s1Math), 'forbidden'),
  rd(OTH6, 'tF', 'see: published feedback (teacher at another district)', readFeedback(F.s1Math), 'forbidden'),
  rd(OTH6, 'leadS', 'see: published feedback to sx given at south', readFeedback(F.sxSouth), 'forbidden'),
  rd(OTH6, 'tS', 'see: published feedback to s1 (teaches other students)', readFeedback(F.s1Math), 'forbidden'),
  rd(OTH6, 'tS', 'see: its own group’s feedback to sx', readFeedback(F.sxSouth), 'allowed'),

  // ── §7 teacher (Reading: writes and publishes in the subjects they assess: their teaching groups) ──
  rd(TEA7, 't1', 'assess: s1 in tg-math with a level', assess('tg-math', 's1', 'C'), 'allowed'),
  rd(TEA7, 't1', 'assess: s1 in tg-math with text only', assess('tg-math', 's1', null), 'allowed'),
  rd(TEA7, 't1', 'assess: with a level the school does not have', assess('tg-math', 's1', 'G'), 'invalid', { path: ['level'] }),
  rd(TEA7, 'tS', 'assess: at south, which has no levels, with a level', assess('tg-south', 'sS1', 'C'), 'invalid', { path: ['level'] }),
  rd(TEA7, 'tS', 'assess: at south with text only', assess('tg-south', 'sS1', null), 'allowed'),
  rd(TEA7, 't1', 'assess: s3, not in tg-math', assess('tg-math', 's3'), 'invalid', { path: ['studentId'] }),
  rd(TEA7, 't1', "assess: in tg-art (t2's subject)", assess('tg-art', 's3'), 'forbidden', { path: ['groupId'] }),
  rd(TEA7, 'm1', 'assess: in the mentor group mg-7a (no subject)', assess('mg-7a', 's1'), 'invalid', { path: ['groupId'] }),
  rd(TEA7, 't1', 'assess: in a group that does not exist', assess('nowhere', 's1'), 'not_found'),
  rd(TEA7, 't1', 'publish: own draft', changeAssessment(A.s1MathDraft!, 'publish'), 'allowed'),
  rd(TEA7, 't1', 'edit: to a level the school does not have', changeAssessment(A.s1Math!, 'update', 'X'), 'invalid', { path: ['level'] }),
  rd(TEA7, 't2', "publish: the co-teacher's draft", changeAssessment(A.s1MathDraft!, 'publish'), 'allowed', { dir: devT2CoTeaches }),
  rd(TEA7, 't2', "edit: tg-math's assessment (not its teacher)", changeAssessment(A.s1Math!, 'update'), 'not_found', { path: ['assessmentId'] }),
  rd(TEA7, 't1', 'see: own draft', readAssessment(A.s1MathDraft!), 'allowed'),
  rd(TEA7, 's1', 'assess: themself', assess('tg-math', 's1'), 'forbidden'),

  // ── §7 mentor: published assessments in the student card and the mentor group's overview ──
  rd(MEN7, 'm1', 'see: published assessment of mentee s1', readAssessment(A.s1Math!), 'allowed'),
  rd(MEN7, 'm2', 'see: published assessment of s1 (co-mentor)', readAssessment(A.s1Math!), 'allowed'),
  rd(MEN7, 'm1', 'see: a draft', readAssessment(A.s1MathDraft!), 'forbidden'),
  rd(MEN7, 'm1', 'see: after s1 left the mentor group', readAssessment(A.s1Math!), 'forbidden', { dir: devS1LeftMentor }),
  rd(MEN7, 'mS', 'see: assessment of s1 (not a mentee)', readAssessment(A.s1Math!), 'forbidden'),

  // ── §7 student, guardian: published assessments in the development overview ──
  rd(SG7, 's1', 'see: own published assessment', readAssessment(A.s1Math!), 'allowed'),
  rd(SG7, 'g1a', "see: the child's published assessment", readAssessment(A.s1Math!), 'allowed'),
  rd(SG7, 'sS1', 'see: own text-only assessment at south', readAssessment(A.sS1South!), 'allowed'),
  rd(SG7, 's1', 'see: own draft assessment', readAssessment(A.s1MathDraft!), 'forbidden'),
  rd(SG7, 'g1b', "see: the child's draft assessment", readAssessment(A.s1MathDraft!), 'forbidden'),
  rd(SG7, 's2', "see: a classmate's assessment", readAssessment(A.s1Math!), 'forbidden'),
  rd(SG7, 'g2a', "see: another child's assessment", readAssessment(A.s1Math!), 'forbidden'),
  rd(SG7, 's1', 'open: own development overview', development('s1'), 'allowed'),
  rd(SG7, 'g1a', "open: the child's development overview", development('s1'), 'allowed'),
  rd(SG7, 'g2a', "open: another child's development overview", development('s1'), 'not_found', { path: ['studentId'] }),
  rd(SG7, 's2', "open: a classmate's development overview", development('s1'), 'not_found'),

  // ── §7 reader, school admin: published assessments in the student card ──
  rd(RA7, 'reader1', 'see: published assessment at their school', readAssessment(A.s1Math!), 'allowed'),
  rd(RA7, 'admin1', 'see: published assessment at their school', readAssessment(A.s1Math!), 'allowed'),
  rd(RA7, 'reader1', 'see: a draft', readAssessment(A.s1MathDraft!), 'forbidden'),
  rd(RA7, 'admin1', 'see: an assessment at another school', readAssessment(A.sS1South!), 'forbidden'),
  rd(RA7, 'admin1', 'assess: s1 in tg-math', assess('tg-math', 's1'), 'forbidden'),

  // ── §7 no row ──
  rd(OTH7, 't2', 'see: tg-math assessment of s1, whom t2 also teaches (in tg-art)', readAssessment(A.s1Math!), 'forbidden', { dir: devS1JoinsArt }),
  rd(OTH7, 'lead1', 'see: published assessment at their school', readAssessment(A.s1Math!), 'forbidden'),
  rd(OTH7, 'tS', 'see: own group’s assessment of sS1', readAssessment(A.sS1South!), 'allowed'),

  // ── §8 mentor: add forms to a conference, write in them and read them; forms in the student card ──
  rd(MEN8, 'm1', 'add: a form to their open conference with s1', addForm(conferenceOf('open')), 'allowed'),
  rd(MEN8, 'm1', 'add: a form to a closed conference', addForm(conferenceOf('closed')), 'conflict', { path: ['conferenceId'] }),
  rd(MEN8, 'm2', "add: a form to m1's conference (co-mentor)", addForm(conferenceOf('open')), 'not_found'),
  rd(MEN8, 'm1', 'write: the mentor fields', fill(FORM.open, 'mentor', 'mentor'), 'allowed'),
  rd(MEN8, 'm1', "write: the student's field", fill(FORM.open, 'mentor', 'student'), 'forbidden', { path: ['answers', 1, 'fieldId'] }),
  rd(MEN8, 'm1', 'write: after the conference is closed', fill(FORM.closed, 'mentor'), 'conflict'),
  rd(MEN8, 'm1', 'write: after s1 left the mentor group', fill(FORM.open, 'mentor'), 'forbidden', { dir: devS1LeftMentor }),
  rd(MEN8, 'm1', "read: the student's fields while open", seeSide(FORM.open, 'student'), 'allowed'),
  rd(MEN8, 'm1', "read: the guardians' fields while open", seeSide(FORM.open, 'guardian'), 'allowed'),
  rd(MEN8, 'm2', 'see: the form in the student card (co-mentor)', seeSide(FORM.open, 'mentor'), 'allowed'),
  rd(MEN8, 'mS', 'see: a form of a student they do not mentor', seeSide(FORM.closed, 'mentor'), 'forbidden'),

  // ── §8 student: the forms to fill in; the filled-in forms once the meeting is closed ──
  rd(STU8, 's1', 'see: their own fields while open', seeSide(FORM.open, 'student'), 'allowed'),
  rd(STU8, 's1', "see: the guardians' fields while open", seeSide(FORM.open, 'guardian'), 'forbidden'),
  rd(STU8, 's1', "see: the mentor's fields while open", seeSide(FORM.open, 'mentor'), 'forbidden'),
  rd(STU8, 's1', "see: the mentor's fields once closed", seeSide(FORM.closed, 'mentor'), 'allowed'),
  rd(STU8, 's1', "see: the guardians' fields once closed", seeSide(FORM.closed, 'guardian'), 'allowed'),
  rd(STU8, 's1', 'write: their own field', fill(FORM.open, 'student'), 'allowed'),
  rd(STU8, 's1', "write: a guardian's field", fill(FORM.open, 'guardian'), 'forbidden', { path: ['answers', 0, 'fieldId'] }),
  rd(STU8, 's1', 'write: once closed', fill(FORM.closed, 'student'), 'conflict'),
  rd(STU8, 's2', "see: a classmate's form", seeSide(FORM.closed, 'student'), 'forbidden'),
  rd(STU8, 's2', "write: a classmate's form", fill(FORM.open, 'student'), 'not_found', { path: ['formId'] }),

  // ── §8 guardian: the forms the guardian fills in; the filled-in forms once the meeting is closed ──
  rd(GUA8, 'g1a', "see: the guardians' fields while open", seeSide(FORM.open, 'guardian'), 'allowed'),
  rd(GUA8, 'g1a', "see: the student's fields while open", seeSide(FORM.open, 'student'), 'forbidden'),
  rd(GUA8, 'g1b', "see: the mentor's fields while open", seeSide(FORM.open, 'mentor'), 'forbidden'),
  rd(GUA8, 'g1b', "see: the mentor's fields once closed", seeSide(FORM.closed, 'mentor'), 'allowed'),
  rd(GUA8, 'g1a', "see: the student's fields once closed", seeSide(FORM.closed, 'student'), 'allowed'),
  rd(GUA8, 'g1a', "write: the guardians' field", fill(FORM.open, 'guardian'), 'allowed'),
  rd(GUA8, 'g1b', "write: the student's field", fill(FORM.open, 'guardian', 'student'), 'forbidden', { path: ['answers', 1, 'fieldId'] }),
  rd(GUA8, 'g2a', "see: another child's form", seeSide(FORM.closed, 'guardian'), 'forbidden'),
  rd(GUA8, 'g1a', 'add: a form to the conference', addForm(conferenceOf('open')), 'forbidden'),

  // ── §8 reader, school admin: forms in the student card ──
  rd(RA8, 'reader1', 'see: the form in the student card, every side', seeSide(FORM.open, 'guardian'), 'allowed'),
  rd(RA8, 'admin1', 'see: the form in the student card, every side', seeSide(FORM.open, 'student'), 'allowed'),
  rd(RA8, 'reader1', 'write: a field', fill(FORM.open, 'mentor'), 'forbidden', { path: ['formId'] }),
  rd(RA8, 'readerSun', 'see: a form at another school', seeSide(FORM.closed, 'student'), 'forbidden'),

  // ── §8 no row ──
  rd(OTH8, 't1', 'see: a form of s1, whom t1 teaches', seeSide(FORM.closed, 'student'), 'forbidden'),
  rd(OTH8, 'lead1', 'see: a form at their school', seeSide(FORM.closed, 'mentor'), 'forbidden'),
  rd(OTH8, 'm1', 'see: their own conference form (the conference’s mentor)', seeSide(FORM.closed, 'student'), 'allowed'),

  // ── Student card, development overview, group overview: who opens them (each record then by its row) ──
  rd(CARD, 'm1', 'card: mentee s1', card('s1'), 'allowed'),
  rd(CARD, 't1', 'card: s1, whom they teach', card('s1'), 'allowed'),
  rd(CARD, 'admin1', 'card: s1 at their school', card('s1'), 'allowed'),
  rd(CARD, 'pt1', 'card: c1 of their child group', card('c1'), 'allowed'),
  rd(CARD, 't2', 'card: s1 (staff at the school, no relation)', card('s1'), 'forbidden', { path: ['studentId'] }),
  rd(CARD, 'lead1', 'card: s1 (school leader: no row)', card('s1'), 'forbidden'),
  rd(CARD, 'tF', 'card: s1 (another district)', card('s1'), 'not_found'),
  rd(CARD, 'g1a', 'card: their own child (guardians use the development overview)', card('s1'), 'not_found'),
  rd(CARD, 'm1', 'card: someone who is no student', card('t1'), 'not_found'),
  rd(CARD, 't1', 'overview: tg-math, their group', overview('tg-math'), 'allowed'),
  rd(CARD, 't1', 'overview: mg-7a (not theirs)', overview('mg-7a'), 'forbidden'),
  rd(CARD, 'lead1', 'overview: tg-math', overview('tg-math'), 'forbidden'),
  rd(CARD, 'm1', 'overview: a group that does not exist', overview('nowhere'), 'not_found'),
  rd(CARD, 'm1', "development: a mentee's overview (staff use the card)", development('s1'), 'not_found'),
];

// ── Run ─────────────────────────────────────────────────────────────────────────────────

const named = rows.map((row, i) => ({ ...row, name: `${String(i + 1).padStart(3, '0')} ${row.row} | ${row.actor} ${row.what} → ${row.expect}` }));

describe('docs/DOMAIN.md §1–§8 rules table', () => {
  it('names every row once', () => {
    const keys = rows.map((row) => `${row.row}|${row.actor}|${row.what}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  // A loop rather than it.each: it.each shortens '$name' in reports, and the name is the row.
  for (const row of named) it(row.name, () => {
    const decision = decide(row.dir ?? dir, row.actor, row.act);
    if (row.expect === 'allowed') {
      expect(decision).toEqual({ ok: true });
    } else {
      expect(decision.ok).toBe(false);
      const denial = decision as Denial;
      expect(denial.code).toBe(row.expect);
      expect(denial.reason).toEqual(expect.any(String));
      if (row.path) expect(denial.path).toEqual(row.path);
    }
  });
});

describe('§4 reader: the schools whose documentation dashboard one opens', () => {
  it('are the schools where they are the reader, and agree with the dashboard rows', () => {
    expect(dashboardSchoolsOf(dev, 'readerSun')).toEqual(['sun']);
    expect(dashboardSchoolsOf(dev, 'reader1')).toEqual(['north']);
    for (const other of ['pt1', 'adminSun', 'pm', 'gc1a', 'c1', 'lead1']) expect(dashboardSchoolsOf(dev, other), other).toEqual([]);
    for (const [actor, school] of [['readerSun', 'sun'], ['reader1', 'north']] as const) {
      expect(can(dev, actor, { type: 'documentation.dashboard', schoolId: school })).toEqual({ ok: true });
    }
  });
});

describe('table coverage', () => {
  // §5 reader is "no access": it has denied rows only (checked here so it is not forgotten).
  it('§5 reader has rows, all denied', () => {
    const ofReader = rows.filter((row) => row.row === REA5);
    expect(ofReader.length).toBeGreaterThan(0);
    expect(ofReader.every((row) => row.expect !== 'allowed')).toBe(true);
  });

  const sections = new Set(rows.map((row) => row.row));
  it.each([
    T1, MEN1, LEAD1, ADM1, STU1, GUA1, OTH1, HOO2, TM2, LA2, SG2, OTH2, MEN3, TEA3, STU3, GUA3, GRP3, CON3, TEA5, STU5, GUA5, ADM5, OTH5,
    TEA4, MEN4, GUA4, REA4, OTH4, TEA6, MEN6, STU6, GUA6, REA6, ADM6, OTH6, TEA7, MEN7, SG7, RA7, OTH7, MEN8, STU8, GUA8, RA8, OTH8, CARD,
  ])(
    '%s has allowed and denied rows',
    (section) => {
      expect(sections.has(section)).toBe(true);
      const ofSection = rows.filter((row) => row.row === section);
      expect(ofSection.some((row) => row.expect === 'allowed')).toBe(true);
      expect(ofSection.some((row) => row.expect !== 'allowed')).toBe(true);
    },
  );
});
