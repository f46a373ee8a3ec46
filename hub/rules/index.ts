// The rules of DOMAIN.md as one pure module: every service asks `can` before it writes.
// Each channel keeps its rows in its own file; new channels add an action here.
import type { Directory } from '../directory/model.ts';
import type { Decision } from './decision.ts';
import { canCreateMailing, canCreatePost, type MailingDraft, type PostDraft } from './posts.ts';
import { canSendMessage, canStartConversation, type MessagingHistory, type Via } from './messages.ts';

export type Action =
  | { type: 'post.create'; post: PostDraft }
  | { type: 'mailing.create'; mailing: MailingDraft }
  | { type: 'conversation.start'; participantIds: string[]; via: Via; history?: MessagingHistory }
  | { type: 'message.send'; participantIds: string[]; via: Via; history?: MessagingHistory };

export function can(dir: Directory, actor: string, action: Action): Decision {
  switch (action.type) {
    case 'post.create':
      return canCreatePost(dir, actor, action.post);
    case 'mailing.create':
      return canCreateMailing(dir, actor, action.mailing);
    case 'conversation.start':
      return canStartConversation(dir, actor, action.participantIds, action.via, action.history);
    case 'message.send':
      return canSendMessage(dir, actor, action.participantIds, action.via, action.history);
  }
}

export { ALLOW, deny, type Decision, type Denial } from './decision.ts';
export { canReadPost, canReadMailing, type PostAudience, type AudienceTarget, type Recipients, type PostDraft, type MailingDraft } from './posts.ts';
export { rowAllows, NO_HISTORY, type Via, type MessagingHistory } from './messages.ts';
