// docs/DOMAIN.md §4 (preschool documentation), §6 (feedback), §7 (assessments) and §8 (forms in
// development conferences), and the student card / development overview that gather them.
// Pure: handlers load what is stored and ask here, against the directory as it is now.
//
// Readings (docs/ARCHITECTURE.md, "Development records"):
// - "Teaches S" for §6 is owning a *teaching* group S is a member of. A teacher "is set to
//   assess" the subject of each teaching group they own, for its students (the group is the
//   subject: §7 assessments are written in a teaching group). So §6's second teacher clause,
//   "feedback in subjects they assess", names feedback about students the first clause
//   ("students of the teaching groups they own") already gives them.
// - Drafts (feedback, assessments) stay with the teachers of the group they were written in,
//   who share them as they share the group's plans (§5); nobody else sees a draft.
// - A published record follows the student, not the group: the student and the student's
//   guardians (now) keep it after the student changes group; mentors, teachers, readers and
//   admins see it while their relation to the student or school holds.
import type { Directory, GroupKind } from '../directory/model.ts';
import { ALLOW, deny, type Decision } from './decision.ts';
import { canReadConference, canReadItem, type ItemState, type StoredConference, type StoredItem } from './items.ts';
import { FORM_SIDES, type FormSide } from './form-templates.ts';

export type DevelopmentState = 'draft' | 'published';
export type DevelopmentChange = 'update' | 'publish';

/** Feedback to one student in a plan or assignment; `groupId` and `schoolId` are the item's. */
export interface StoredFeedback {
  groupId: string;
  schoolId: string;
  studentId: string;
  state: DevelopmentState;
}

export interface AssessmentDraft {
  groupId: string;
  studentId: string;
  level: string | null;
}

/** An assessment of one student in the subject of a teaching group. */
export interface StoredAssessment {
  groupId: string;
  schoolId: string;
  studentId: string;
  state: DevelopmentState;
}

/** A form added to a development conference: everything about it follows its conference. */
export interface StoredForm {
  conference: StoredConference;
  schoolId: string;
}

export interface DocumentationDraft {
  groupId: string;
  /** Chosen children of the group; absent: the whole group (its children at the time). */
  childIds?: readonly string[] | undefined;
}

/** Preschool documentation of a child group; `childIds` are the children it concerns. */
export interface StoredDocumentation {
  groupId: string;
  schoolId: string;
  childIds: readonly string[];
}

export type DevelopmentAction =
  | { type: 'feedback.create'; item: StoredItem; studentId: string; publish: boolean }
  | { type: 'feedback.change'; feedback: StoredFeedback; itemState: ItemState; change: DevelopmentChange }
  | { type: 'assessment.create'; assessment: AssessmentDraft }
  | { type: 'assessment.change'; assessment: StoredAssessment; change: DevelopmentChange; level?: string | null | undefined }
  | { type: 'form.add'; conference: StoredConference }
  | { type: 'form.fill'; form: StoredForm; fieldSides: readonly FormSide[] }
  | { type: 'documentation.create'; documentation: DocumentationDraft }
  | { type: 'documentation.change'; documentation: StoredDocumentation }
  | { type: 'attachment.upload'; purpose?: 'documentation' | 'message' | 'post' }
  | { type: 'student.card'; studentId: string }
  | { type: 'development.open'; studentId: string }
  | { type: 'group.overview'; groupId: string }
  | { type: 'documentation.dashboard'; schoolId: string; groupId?: string | undefined };

// ── Relations ───────────────────────────────────────────────────────────────────────────

/** The owners of the groups of `kind` that `studentId` is a member of (their teachers or mentors). */
export function ownersOfGroupsOf(dir: Directory, studentId: string, kind: GroupKind): Set<string> {
  const out = new Set<string>();
  for (const g of dir.groupsOf(studentId)) {
    const group = dir.groups.get(g);
    if (group?.kind === kind) for (const o of group.owners) out.add(o);
  }
  return out;
}

const ownsGroup = (dir: Directory, actor: string, groupId: string) => dir.groups.get(groupId)?.owners.has(actor) === true;
const teachesInTeachingGroup = (dir: Directory, t: string, s: string) => dir.ownsGroupWith(t, s, ['teaching']);
const isReaderAt = (dir: Directory, p: string, school: string) => dir.hasStaffRole(p, school, 'reader');
const isAdminAt = (dir: Directory, p: string, school: string) => dir.hasStaffRole(p, school, 'school_admin');
const isFamily = (dir: Directory, p: string, s: string) => p === s || dir.guardiansOf(s).has(p);

// ── §6 feedback ─────────────────────────────────────────────────────────────────────────

/**
 * §6 "see": the teachers of the item's group in every state (the draft's place); once
 * published the student, the student's guardians, mentors (student card, group overview),
 * teachers of the student's teaching groups, and the reader and school admins of the school.
 * hub/audience-development.ts feedbackKeys must agree.
 */
export function canReadFeedback(dir: Directory, reader: string, f: StoredFeedback): boolean {
  if (ownsGroup(dir, reader, f.groupId)) return true;
  if (f.state !== 'published') return false;
  return isFamily(dir, reader, f.studentId) || dir.mentors(reader, f.studentId) || teachesInTeachingGroup(dir, reader, f.studentId)
    || isReaderAt(dir, reader, f.schoolId) || isAdminAt(dir, reader, f.schoolId);
}

/** §6 teacher: "give feedback to students in plans and assignments" of the groups they own. */
export function canCreateFeedback(dir: Directory, actor: string, item: StoredItem, studentId: string, publish: boolean): Decision {
  const group = dir.groups.get(item.groupId);
  if (!group?.owners.has(actor)) {
    return canReadItem(dir, actor, item)
      ? deny('only the teachers of the group give feedback in its plans and assignments', 'forbidden', ['itemId'])
      : deny('no such plan or assignment', 'not_found', ['itemId']);
  }
  if (!group.members.has(studentId)) return deny('the student is not in the group of this plan or assignment', 'invalid', ['studentId']);
  if (publish && item.state === 'draft') return deny('publish the plan or assignment before feedback on it', 'conflict', ['publish']);
  return ALLOW;
}

/** Any teacher of the group edits and publishes its feedback; published feedback can be corrected. */
export function canChangeFeedback(dir: Directory, actor: string, f: StoredFeedback, itemState: ItemState, change: DevelopmentChange): Decision {
  if (!ownsGroup(dir, actor, f.groupId)) {
    return canReadFeedback(dir, actor, f)
      ? deny('only the teachers of the group change its feedback')
      : deny('no such feedback', 'not_found', ['feedbackId']);
  }
  if (change === 'publish' && itemState === 'draft') return deny('publish the plan or assignment before feedback on it', 'conflict', ['feedbackId']);
  return ALLOW;
}

// ── §7 assessments ──────────────────────────────────────────────────────────────────────

/**
 * §7 "see": the teachers of the group in every state; once published the student and the
 * guardians (development overview), mentors (student card, group overview), and the reader
 * and school admins of the school (student card). Other teachers: no row.
 * hub/audience-development.ts assessmentKeys must agree.
 */
export function canReadAssessment(dir: Directory, reader: string, a: StoredAssessment): boolean {
  if (ownsGroup(dir, reader, a.groupId)) return true;
  if (a.state !== 'published') return false;
  return isFamily(dir, reader, a.studentId) || dir.mentors(reader, a.studentId) || isReaderAt(dir, reader, a.schoolId) || isAdminAt(dir, reader, a.schoolId);
}

/** A level must be one of the school's (docs/DIRECTORY-IMPORT.md: extensions.settings[].assessmentLevels). */
function levelAllowed(dir: Directory, schoolId: string, level: string | null | undefined): Decision {
  if (level === null || level === undefined) return ALLOW;
  const levels = dir.schools.get(schoolId)?.assessmentLevels ?? [];
  if (levels.length === 0) return deny('this school has no assessment levels: write the assessment as text', 'invalid', ['level']);
  if (!levels.includes(level)) return deny(`the level must be one of the school's: ${levels.join(', ')}`, 'invalid', ['level']);
  return ALLOW;
}

/** §7 teacher (Reading): assesses the subject of a teaching group they own, for its students. */
export function canCreateAssessment(dir: Directory, actor: string, a: AssessmentDraft): Decision {
  const group = dir.groups.get(a.groupId);
  if (!group) return deny('no such group', 'not_found', ['groupId']);
  if (!group.owners.has(actor)) return deny('you assess only in the teaching groups you teach', 'forbidden', ['groupId']);
  if (group.kind !== 'teaching') return deny("assessments are written in teaching groups (the group's subject)", 'invalid', ['groupId']);
  if (!group.members.has(a.studentId)) return deny('the student is not in this group', 'invalid', ['studentId']);
  return levelAllowed(dir, group.schoolId, a.level);
}

export function canChangeAssessment(dir: Directory, actor: string, a: StoredAssessment, level: string | null | undefined): Decision {
  if (!ownsGroup(dir, actor, a.groupId)) {
    return canReadAssessment(dir, actor, a)
      ? deny('only the teachers of the group change its assessments')
      : deny('no such assessment', 'not_found', ['assessmentId']);
  }
  return levelAllowed(dir, a.schoolId, level);
}

// ── §8 forms ────────────────────────────────────────────────────────────────────────────

/**
 * Whose fields of a form `viewer` sees (empty: not the form at all). The conference's mentor,
 * the student's mentors, and the reader and school admins of the school (student card): every
 * side. The student and the guardians: their own side while the conference is open, every
 * side once the mentor has closed it. hub/audience-development.ts formKeys must agree.
 */
export function formSidesFor(dir: Directory, viewer: string, f: StoredForm): readonly FormSide[] {
  const c = f.conference;
  if (viewer === c.mentorId || dir.mentors(viewer, c.studentId) || isReaderAt(dir, viewer, f.schoolId) || isAdminAt(dir, viewer, f.schoolId)) return FORM_SIDES;
  const side: FormSide | undefined = viewer === c.studentId ? 'student' : dir.guardiansOf(c.studentId).has(viewer) ? 'guardian' : undefined;
  if (!side) return [];
  return c.state === 'closed' ? FORM_SIDES : [side];
}

export function canReadForm(dir: Directory, viewer: string, f: StoredForm): boolean {
  return formSidesFor(dir, viewer, f).length > 0;
}

/** The conference's mentor while mentoring the student through its group (as for closing it). */
function isConferenceMentor(dir: Directory, actor: string, c: StoredConference): boolean {
  const group = dir.groups.get(c.groupId);
  return actor === c.mentorId && group?.owners.has(actor) === true && group.members.has(c.studentId);
}

/** The side `actor` fills in: the conference's participants only (the mentor, the student, the guardians). */
export function formSideOf(dir: Directory, actor: string, c: StoredConference): FormSide | undefined {
  if (isConferenceMentor(dir, actor, c)) return 'mentor';
  if (actor === c.mentorId || !canReadConference(dir, actor, c)) return undefined;
  return actor === c.studentId ? 'student' : 'guardian';
}

/** §8 mentor: "add forms to a conference", while it is open. */
export function canAddForm(dir: Directory, actor: string, c: StoredConference): Decision {
  if (!canReadConference(dir, actor, c)) return deny('no such conference', 'not_found', ['conferenceId']);
  if (!isConferenceMentor(dir, actor, c)) return deny("only the student's mentor adds forms to the conference", 'forbidden', ['conferenceId']);
  if (c.state !== 'open') return deny('the conference is closed: its forms are final', 'conflict', ['conferenceId']);
  return ALLOW;
}

/** Each side writes its own fields, while the conference is open. */
export function canFillForm(dir: Directory, actor: string, f: StoredForm, fieldSides: readonly FormSide[]): Decision {
  const side = formSideOf(dir, actor, f.conference);
  if (!side) {
    return canReadForm(dir, actor, f)
      ? deny('only the mentor, the student and the guardians fill in the forms of a conference', 'forbidden', ['formId'])
      : deny('no such form', 'not_found', ['formId']);
  }
  if (f.conference.state !== 'open') return deny('the conference is closed: its forms are final', 'conflict', ['formId']);
  const other = fieldSides.findIndex((s) => s !== side);
  if (other >= 0) return deny(`this field is for the ${fieldSides[other]} to fill in`, 'forbidden', ['answers', other, 'fieldId']);
  return ALLOW;
}

// ── §4 preschool documentation ──────────────────────────────────────────────────────────

/**
 * §4: the teachers of the child group ("documentation of the child groups they are member
 * of"), the guardians of a child it concerns, the mentors of such a child (child card), and
 * the reader of the school (dashboard, child card by search). Nobody else; guardians see
 * only their own child named in it (the view's business).
 * hub/audience-development.ts documentationKeys must agree.
 */
export function canReadDocumentation(dir: Directory, reader: string, d: StoredDocumentation): boolean {
  if (ownsGroup(dir, reader, d.groupId) || isReaderAt(dir, reader, d.schoolId)) return true;
  return d.childIds.some((c) => dir.guardiansOf(c).has(reader) || dir.mentors(reader, c));
}

/** §4 teacher: "create documentation for the children in their child groups". */
export function canCreateDocumentation(dir: Directory, actor: string, d: DocumentationDraft): Decision {
  const group = dir.groups.get(d.groupId);
  if (!group) return deny('no such group', 'not_found', ['groupId']);
  if (!group.owners.has(actor)) return deny('you document only the child groups you work in', 'forbidden', ['groupId']);
  if (group.kind !== 'preschool') return deny('documentation belongs to preschool child groups', 'invalid', ['groupId']);
  const missing = (d.childIds ?? []).findIndex((c) => !group.members.has(c));
  if (missing >= 0) return deny('this child is not in the group', 'invalid', ['childIds', missing]);
  if (d.childIds === undefined && group.members.size === 0) return deny('the group has no children to document', 'invalid', ['groupId']);
  return ALLOW;
}

/** §4 teacher: "read and edit documentation of the child groups they are member of". */
export function canChangeDocumentation(dir: Directory, actor: string, d: StoredDocumentation): Decision {
  if (ownsGroup(dir, actor, d.groupId)) return ALLOW;
  return canReadDocumentation(dir, actor, d)
    ? deny('only the teachers of the child group edit its documentation')
    : deny('no such documentation', 'not_found', ['documentationId']);
}

/** Attachments are uploaded for documentation: by those who write it (preschool teachers). */
/**
 * Who may upload a file, by what it is for: documentation, preschool teachers (§4); a message,
 * anyone with a role (whether they may write to someone is asked when the message is sent);
 * a post, staff of a school (whether that audience is theirs is asked when the post is made).
 */
export function canUploadAttachment(dir: Directory, actor: string, purpose: 'documentation' | 'message' | 'post' = 'documentation'): Decision {
  if (purpose === 'message') return dir.rolesOf(actor).length > 0 ? ALLOW : deny('only people with a role at a school write messages');
  if (purpose === 'post') return dir.staffSchoolsOf(actor).size > 0 ? ALLOW : deny('only staff of a school write posts');
  for (const g of dir.groupsOwnedBy(actor)) if (dir.groups.get(g)?.kind === 'preschool') return ALLOW;
  return deny('only preschool teachers upload attachments (for documentation)');
}

// ── Student card, development overview, group overview ──────────────────────────────────

/**
 * The student card (§4, §6–§8): the student's mentors, the teachers of the student's teaching
 * or child groups, and the reader and school admins of a school the student is at. What the
 * card shows is each record's own rule; this only opens it. Staff of the student's school
 * without a row get `forbidden`; anyone else `not_found` (who is a student is not probed).
 */
export function canOpenStudentCard(dir: Directory, actor: string, studentId: string): Decision {
  if (!dir.isStudent(studentId)) return deny('no such student', 'not_found', ['studentId']);
  if (dir.mentors(actor, studentId) || dir.ownsGroupWith(actor, studentId, ['teaching', 'preschool'])) return ALLOW;
  const schools = dir.schoolsOfStudent(studentId);
  for (const s of schools) if (isReaderAt(dir, actor, s) || isAdminAt(dir, actor, s)) return ALLOW;
  for (const s of schools) if (dir.isStaffAt(actor, s)) return deny('you have no student card rights for this student', 'forbidden', ['studentId']);
  return deny('no such student', 'not_found', ['studentId']);
}

/** The development overview (§6–§8): the student's own, and their guardians'. */
export function canOpenDevelopment(dir: Directory, actor: string, studentId: string): Decision {
  return isFamily(dir, actor, studentId) ? ALLOW : deny('no such student', 'not_found', ['studentId']);
}

/** §6 group overview: the group's owners (mentor group: its mentors) and the school admins. */
export function canOpenGroupOverview(dir: Directory, actor: string, groupId: string): Decision {
  const group = dir.groups.get(groupId);
  if (!group) return deny('no such group', 'not_found', ['groupId']);
  if (group.owners.has(actor) || isAdminAt(dir, actor, group.schoolId)) return ALLOW;
  return dir.isStaffAt(actor, group.schoolId)
    ? deny("only the group's teachers or mentors and the school admins see its overview", 'forbidden', ['groupId'])
    : deny('no such group', 'not_found', ['groupId']);
}

/**
 * §4 reader: "see children's documentation and goals through the dashboard": the school-level
 * row of canReadDocumentation (the reader of the school), so that the dashboard shows exactly
 * what they may read. Other staff of the school get `forbidden`, anyone else `not_found` (as
 * for the group overview); a group filter must name a child group of that school.
 */
export function canOpenDocumentationDashboard(dir: Directory, actor: string, schoolId: string, groupId: string | undefined): Decision {
  if (!isReaderAt(dir, actor, schoolId)) {
    return dir.isStaffAt(actor, schoolId)
      ? deny("only the school's reader sees its documentation dashboard", 'forbidden', ['schoolId'])
      : deny('no such school', 'not_found', ['schoolId']);
  }
  if (groupId === undefined) return ALLOW;
  const group = dir.groups.get(groupId);
  if (!group || group.schoolId !== schoolId) return deny('no such child group at this school', 'not_found', ['groupId']);
  if (group.kind !== 'preschool') return deny('the dashboard is filtered by child groups (preschool)', 'invalid', ['groupId']);
  return ALLOW;
}

/** Schools whose documentation dashboard `actor` may open: where they are the reader. */
export function dashboardSchoolsOf(dir: Directory, actor: string): string[] {
  return [...dir.staffSchoolsOf(actor)].filter((s) => isReaderAt(dir, actor, s));
}

/** Students whose card `actor` may open (students.search): theirs, and their school's for readers and admins. */
export function cardStudentsOf(dir: Directory, actor: string): Set<string> {
  const out = new Set<string>();
  for (const g of dir.groupsOwnedBy(actor)) for (const m of dir.groups.get(g)?.members ?? []) out.add(m);
  const schools = new Set([...dir.staffSchoolsOf(actor)].filter((s) => isReaderAt(dir, actor, s) || isAdminAt(dir, actor, s)));
  if (schools.size > 0) {
    for (const group of dir.groups.values()) if (schools.has(group.schoolId)) for (const m of group.members) out.add(m);
  }
  return out;
}
