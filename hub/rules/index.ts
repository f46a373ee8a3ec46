// The rules of docs/DOMAIN.md as one pure module: every service asks `can` before it writes.
// Each channel keeps its rows in its own file; new channels add an action here.
import type { Directory } from '../directory/model.ts';
import type { Decision } from './decision.ts';
import { canCreateMailing, canCreatePost, type MailingDraft, type PostDraft } from './posts.ts';
import { canSendMessage, canStartConversation, canStartGroupConversation, type MessagingHistory, type Via } from './messages.ts';
import {
  canChangeItem, canCloseConference, canCreateConference, canCreateItem,
  type ItemChange, type ItemDraft, type StoredConference, type StoredItem,
} from './items.ts';
import {
  canAddForm, canChangeAssessment, canChangeDocumentation, canChangeFeedback, canCreateAssessment, canCreateDocumentation,
  canCreateFeedback, canFillForm, canOpenDevelopment, canOpenDocumentationDashboard, canOpenGroupOverview,
  canOpenStudentCard, canUploadAttachment, type DevelopmentAction,
} from './development.ts';

export type Action =
  | { type: 'post.create'; post: PostDraft }
  | { type: 'mailing.create'; mailing: MailingDraft }
  | { type: 'conversation.start'; participantIds: string[]; via: Via; history?: MessagingHistory }
  | { type: 'conversation.start.group'; groupId: string }
  | { type: 'message.send'; participantIds: string[]; via: Via; history?: MessagingHistory }
  | { type: 'item.create'; item: ItemDraft }
  | { type: 'item.change'; item: StoredItem; change: ItemChange }
  | { type: 'conference.create'; studentId: string }
  | { type: 'conference.close'; conference: StoredConference }
  | DevelopmentAction;

type Rule<T extends Action['type']> = (dir: Directory, actor: string, action: Extract<Action, { type: T }>) => Decision;

/** One rule for each action: the table is complete, so an action without a rule fails to compile. */
const RULES: { [T in Action['type']]: Rule<T> } = {
  'post.create': (dir, actor, a) => canCreatePost(dir, actor, a.post),
  'mailing.create': (dir, actor, a) => canCreateMailing(dir, actor, a.mailing),
  'conversation.start': (dir, actor, a) => canStartConversation(dir, actor, a.participantIds, a.via, a.history),
  'conversation.start.group': (dir, actor, a) => canStartGroupConversation(dir, actor, a.groupId),
  'message.send': (dir, actor, a) => canSendMessage(dir, actor, a.participantIds, a.via, a.history),
  'item.create': (dir, actor, a) => canCreateItem(dir, actor, a.item),
  'item.change': (dir, actor, a) => canChangeItem(dir, actor, a.item, a.change),
  'conference.create': (dir, actor, a) => canCreateConference(dir, actor, a.studentId),
  'conference.close': (dir, actor, a) => canCloseConference(dir, actor, a.conference),
  // The development records (development.ts).
  'feedback.create': (dir, actor, a) => canCreateFeedback(dir, actor, a.item, a.studentId, a.publish),
  'feedback.change': (dir, actor, a) => canChangeFeedback(dir, actor, a.feedback, a.itemState, a.change),
  'assessment.create': (dir, actor, a) => canCreateAssessment(dir, actor, a.assessment),
  'assessment.change': (dir, actor, a) => canChangeAssessment(dir, actor, a.assessment, a.level),
  'form.add': (dir, actor, a) => canAddForm(dir, actor, a.conference),
  'form.fill': (dir, actor, a) => canFillForm(dir, actor, a.form, a.fieldSides),
  'documentation.create': (dir, actor, a) => canCreateDocumentation(dir, actor, a.documentation),
  'documentation.change': (dir, actor, a) => canChangeDocumentation(dir, actor, a.documentation),
  'attachment.upload': (dir, actor, a) => canUploadAttachment(dir, actor, a.purpose),
  'student.card': (dir, actor, a) => canOpenStudentCard(dir, actor, a.studentId),
  'development.open': (dir, actor, a) => canOpenDevelopment(dir, actor, a.studentId),
  'group.overview': (dir, actor, a) => canOpenGroupOverview(dir, actor, a.groupId),
  'documentation.dashboard': (dir, actor, a) => canOpenDocumentationDashboard(dir, actor, a.schoolId, a.groupId),
};

export function can(dir: Directory, actor: string, action: Action): Decision {
  return (RULES[action.type] as Rule<Action['type']>)(dir, actor, action);
}

export { ALLOW, deny, type Decision, type Denial } from './decision.ts';
export { canReadPost, canReadMailing, type PostAudience, type AudienceTarget, type Recipients, type PostDraft, type MailingDraft } from './posts.ts';
export {
  rowAllows, audienceMembers, viaOfAudience, NO_HISTORY, REPLY_PRIVATELY,
  type Via, type MessagingHistory, type DynamicAudience, type GroupMembers,
} from './messages.ts';
export {
  canReadItem, canReadConference, mentorGroupOf, nextItemState,
  type ItemKind, type ItemState, type ItemChange, type ItemDraft, type StoredItem, type StoredConference, type ConferenceState,
} from './items.ts';
export { inQuietHours, quietEnd, sentInQuietHours, localMinutes } from './quiet.ts';
export {
  canReadFeedback, canReadAssessment, canReadForm, formSidesFor, formSideOf, canReadDocumentation, cardStudentsOf, dashboardSchoolsOf, ownersOfGroupsOf,
  type DevelopmentAction, type DevelopmentState, type DevelopmentChange, type StoredFeedback, type StoredAssessment,
  type AssessmentDraft, type StoredForm, type DocumentationDraft, type StoredDocumentation,
} from './development.ts';
export { FORM_TEMPLATES, FORM_SIDES, formTemplate, type FormSide, type FormField, type FormTemplate } from './form-templates.ts';
export { answersFor, expectedAnswers, pastDeadline, seesAllAnswers, type AnswerSlot } from './post-answers.ts';
