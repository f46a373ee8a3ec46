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
import { canDevelopment, type DevelopmentAction } from './development.ts';

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

export function can(dir: Directory, actor: string, action: Action): Decision {
  switch (action.type) {
    case 'post.create':
      return canCreatePost(dir, actor, action.post);
    case 'mailing.create':
      return canCreateMailing(dir, actor, action.mailing);
    case 'conversation.start':
      return canStartConversation(dir, actor, action.participantIds, action.via, action.history);
    case 'conversation.start.group':
      return canStartGroupConversation(dir, actor, action.groupId);
    case 'message.send':
      return canSendMessage(dir, actor, action.participantIds, action.via, action.history);
    case 'item.create':
      return canCreateItem(dir, actor, action.item);
    case 'item.change':
      return canChangeItem(dir, actor, action.item, action.change);
    case 'conference.create':
      return canCreateConference(dir, actor, action.studentId);
    case 'conference.close':
      return canCloseConference(dir, actor, action.conference);
    default:
      return canDevelopment(dir, actor, action);
  }
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
export { inQuietHours, sentInQuietHours } from './quiet.ts';
export {
  canReadFeedback, canReadAssessment, canReadForm, formSidesFor, formSideOf, canReadDocumentation, cardStudentsOf, dashboardSchoolsOf, ownersOfGroupsOf,
  type DevelopmentAction, type DevelopmentState, type DevelopmentChange, type StoredFeedback, type StoredAssessment,
  type AssessmentDraft, type StoredForm, type DocumentationDraft, type StoredDocumentation,
} from './development.ts';
export { FORM_TEMPLATES, FORM_SIDES, formTemplate, type FormSide, type FormField, type FormTemplate } from './form-templates.ts';
