// How development records are shown (docs/PROTOCOL.md: Feedback, Assessment, Form,
// Documentation). Everyone who may see a feedback, an assessment or a form is staff, the
// student or the student's guardian, who all may see the student; what differs per viewer is
// which fields of a form they see, which children of a documentation, and (protected
// identities) who wrote a guardian's answer.
import type { Directory } from '../directory/model.ts';
import { formTemplate, type FormSide, type StoredConference, type StoredForm } from '../rules/index.ts';
import type { AssessmentRow, FeedbackRow } from '../../storage/development.ts';
import type { FormRow } from '../../storage/forms.ts';
import type { AttachmentRow, DocumentationRow } from '../../storage/documentation.ts';
import { attachmentView } from './files.ts';
import type { Shown } from './chat.ts';

const nameOf = (dir: Directory, p: string) => dir.person(p)?.name ?? 'Unknown';

export function feedbackView(dir: Directory, f: FeedbackRow) {
  return {
    id: f.id, itemId: f.itemId, itemKind: f.itemKind, itemTitle: f.itemTitle,
    groupId: f.groupId, groupName: dir.groups.get(f.groupId)?.name ?? null, schoolId: f.schoolId,
    studentId: f.studentId, studentName: nameOf(dir, f.studentId), authorId: f.authorId, authorName: nameOf(dir, f.authorId),
    body: f.body, state: f.state, createdAt: f.createdAt, updatedAt: f.updatedAt, publishedAt: f.publishedAt,
  };
}

export function assessmentView(dir: Directory, a: AssessmentRow) {
  return {
    id: a.id, groupId: a.groupId, groupName: dir.groups.get(a.groupId)?.name ?? null, schoolId: a.schoolId, subject: a.subject,
    studentId: a.studentId, studentName: nameOf(dir, a.studentId), authorId: a.authorId, authorName: nameOf(dir, a.authorId),
    level: a.level, text: a.text, state: a.state, createdAt: a.createdAt, updatedAt: a.updatedAt, publishedAt: a.publishedAt,
  };
}

/** The rules' view of a stored form: its conference as the rules know it. */
export function storedForm(f: FormRow): StoredForm {
  const conference: StoredConference = { mentorId: f.mentorId, studentId: f.studentId, groupId: f.conferenceGroupId, state: f.conferenceState };
  return { conference, schoolId: f.schoolId };
}

/** A form with only the fields of `sides`; `show` decides whose name an answer may carry. */
export function formView(dir: Directory, f: FormRow, sides: readonly FormSide[], show: Shown) {
  const template = formTemplate(f.templateId);
  return {
    id: f.id, conferenceId: f.conferenceId, templateId: f.templateId, title: template?.title ?? f.templateId,
    studentId: f.studentId, studentName: nameOf(dir, f.studentId), mentorId: f.mentorId, mentorName: nameOf(dir, f.mentorId),
    state: f.conferenceState, sides: [...sides],
    fields: (template?.fields ?? []).filter((field) => sides.includes(field.side)).map((field) => {
      const a = f.answers[field.id];
      const by = a && show(a.by) ? { id: a.by, name: nameOf(dir, a.by) } : null;
      return { id: field.id, side: field.side, label: field.label, answer: a ? { value: a.value, by, at: a.at } : null };
    }),
    createdAt: f.createdAt, updatedAt: f.updatedAt,
  };
}


/**
 * A documentation naming `children` only (a guardian sees their own child, never another's);
 * `wholeGroup` says it was about the whole child group.
 */
export function documentationView(dir: Directory, d: DocumentationRow, attachments: readonly AttachmentRow[], children: readonly string[]) {
  return {
    id: d.id, groupId: d.groupId, groupName: dir.groups.get(d.groupId)?.name ?? null, schoolId: d.schoolId,
    authorId: d.authorId, authorName: nameOf(dir, d.authorId), title: d.title, body: d.body, goals: d.goals, wholeGroup: d.wholeGroup,
    children: children.map((c) => ({ id: c, name: nameOf(dir, c) })),
    attachments: attachments.map(attachmentView),
    createdAt: d.createdAt, updatedAt: d.updatedAt,
  };
}

/**
 * The children of a documentation that `viewer` may see named: all of them for its group's
 * teachers and the school's reader; otherwise their own children and the children they mentor.
 */
export function childrenShownTo(dir: Directory, viewer: string, d: Pick<DocumentationRow, 'groupId' | 'schoolId' | 'childIds'>): string[] {
  if (dir.groups.get(d.groupId)?.owners.has(viewer) || dir.hasStaffRole(viewer, d.schoolId, 'reader')) return [...d.childIds];
  const own = dir.childrenOf(viewer);
  return d.childIds.filter((c) => own.has(c) || dir.mentors(viewer, c));
}
