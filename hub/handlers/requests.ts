// The one table of requests (issue 16 item 5): every request type with its kind and its
// handler. The compiler checks it is complete: a type in hub/protocol/frames.ts without an
// entry here does not compile. The session looks entries up by own key only (a Map), so a
// `type` such as "constructor" finds nothing.
//
// The kind decides the per-person write budget (ABUSE_LIMITS.writesPerPerson): only `write`
// takes from it. `read` stores nothing; `ephemeral` stores nothing and has its own limit
// (typing: hub/handlers/typing.ts); `session` requests (ping, auth) are answered by the
// session itself.
import type { z } from 'zod';
import { requestSchemas, type RequestType } from '../protocol/frames.ts';
import type { Handler } from './context.ts';
import { createMailing, createPost, getFeed, readFeed, readAllFeed } from './feed.ts';
import { getAudience, getContacts } from './directory.ts';
import { getHistory, getInbox, readAllConversations, readConversation, sendMessage, startConversation } from './chat.ts';
import { deleteOwnMessage, editOwnMessage } from './chat-edit.ts';
import { searchOwnMessages } from './chat-search.ts';
import { replyPrivately } from './chat-reply.ts';
import { setOneReaction } from './reactions.ts';
import { relayTyping } from './typing.ts';
import { cancelScheduledItem, getScheduled, updateScheduledItem } from './scheduled.ts';
import { closeItem, createItem, getItems, getOneItem, hideItem, publishItem, updateItem } from './items.ts';
import { closeOneConference, createConference, getConferences, getOneConference } from './conferences.ts';
import { createFeedback, getItemFeedback, getOneFeedback, publishOneFeedback, updateOneFeedback } from './feedback.ts';
import { createAssessment, getGroupAssessments, getOneAssessment, publishOneAssessment, updateOneAssessment } from './assessments.ts';
import { addForm, fillOneForm, getConferenceForms, getFormTemplates, getOneForm } from './forms.ts';
import { createDocumentation, getGroupDocumentation, getOneDocumentation, updateOneDocumentation } from './documentation.ts';
import { getDevelopment, getGroupOverview, getStudentCard, searchStudents } from './cards.ts';
import { getDocumentationDashboard } from './documentation-dashboard.ts';
import { subscribeDevice, unsubscribeDevice } from './push.ts';
import { getNotifications, setNotifications } from './notifications.ts';

export type RequestKind = 'read' | 'write' | 'ephemeral' | 'session';
type SessionType = 'ping' | 'auth';
type HandledType = Exclude<RequestType, SessionType>;

type Entry<T extends RequestType> = T extends SessionType ? { kind: 'session' } : { kind: Exclude<RequestKind, 'session'>; handle: Handler<T> };

const TABLE = {
  ping: { kind: 'session' },
  auth: { kind: 'session' },
  // Feed (DOMAIN.md §1, §2)
  'post.create': { kind: 'write', handle: createPost },
  'mailing.create': { kind: 'write', handle: createMailing },
  'scheduled.get': { kind: 'read', handle: getScheduled },
  'scheduled.update': { kind: 'write', handle: updateScheduledItem },
  'scheduled.cancel': { kind: 'write', handle: cancelScheduledItem },
  'feed.get': { kind: 'read', handle: getFeed },
  'feed.read': { kind: 'write', handle: readFeed }, // stores read marks
  'feed.readAll': { kind: 'write', handle: readAllFeed }, // stores read marks
  // Chat (§3)
  'conversation.start': { kind: 'write', handle: startConversation },
  'message.send': { kind: 'write', handle: sendMessage },
  'message.replyPrivately': { kind: 'write', handle: replyPrivately },
  // Reactions on messages and posts (issue 13)
  'reaction.set': { kind: 'write', handle: setOneReaction },
  'conversation.read': { kind: 'write', handle: readConversation }, // stores the read position
  'inbox.get': { kind: 'read', handle: getInbox },
  'inbox.readAll': { kind: 'write', handle: readAllConversations }, // stores read positions
  'history.get': { kind: 'read', handle: getHistory },
  'contacts.get': { kind: 'read', handle: getContacts },
  'audience.get': { kind: 'read', handle: getAudience },
  'message.edit': { kind: 'write', handle: editOwnMessage },
  'message.delete': { kind: 'write', handle: deleteOwnMessage },
  'messages.search': { kind: 'read', handle: searchOwnMessages },
  typing: { kind: 'ephemeral', handle: relayTyping },
  // Plans and assignments (§5), conferences
  'item.create': { kind: 'write', handle: createItem },
  'item.update': { kind: 'write', handle: updateItem },
  'item.publish': { kind: 'write', handle: publishItem },
  'item.hide': { kind: 'write', handle: hideItem },
  'item.close': { kind: 'write', handle: closeItem },
  'item.get': { kind: 'read', handle: getOneItem },
  'items.get': { kind: 'read', handle: getItems },
  'conference.create': { kind: 'write', handle: createConference },
  'conference.close': { kind: 'write', handle: closeOneConference },
  'conference.get': { kind: 'read', handle: getOneConference },
  'conferences.get': { kind: 'read', handle: getConferences },
  // Development records (§4, §6–§8) and the student card
  'feedback.create': { kind: 'write', handle: createFeedback },
  'feedback.update': { kind: 'write', handle: updateOneFeedback },
  'feedback.publish': { kind: 'write', handle: publishOneFeedback },
  'feedback.get': { kind: 'read', handle: getOneFeedback },
  'item.feedback.get': { kind: 'read', handle: getItemFeedback },
  'assessment.create': { kind: 'write', handle: createAssessment },
  'assessment.update': { kind: 'write', handle: updateOneAssessment },
  'assessment.publish': { kind: 'write', handle: publishOneAssessment },
  'assessment.get': { kind: 'read', handle: getOneAssessment },
  'group.assessments.get': { kind: 'read', handle: getGroupAssessments },
  'form.templates.get': { kind: 'read', handle: getFormTemplates },
  'form.add': { kind: 'write', handle: addForm },
  'form.fill': { kind: 'write', handle: fillOneForm },
  'form.get': { kind: 'read', handle: getOneForm },
  'conference.forms.get': { kind: 'read', handle: getConferenceForms },
  'documentation.create': { kind: 'write', handle: createDocumentation },
  'documentation.update': { kind: 'write', handle: updateOneDocumentation },
  'documentation.get': { kind: 'read', handle: getOneDocumentation },
  'group.documentation.get': { kind: 'read', handle: getGroupDocumentation },
  'documentation.dashboard': { kind: 'read', handle: getDocumentationDashboard },
  'student.card.get': { kind: 'read', handle: getStudentCard },
  'development.get': { kind: 'read', handle: getDevelopment },
  'group.overview.get': { kind: 'read', handle: getGroupOverview },
  'students.search': { kind: 'read', handle: searchStudents },
  // Web Push devices (docs/NOTIFICATIONS.md)
  'push.subscribe': { kind: 'write', handle: subscribeDevice },
  'push.unsubscribe': { kind: 'write', handle: unsubscribeDevice },
  // Notification preferences (docs/PROTOCOL.md, "Notifications"): the caller's own
  'notifications.get': { kind: 'read', handle: getNotifications },
  'notifications.set': { kind: 'write', handle: setNotifications },
} as const satisfies { [T in RequestType]: Entry<T> };

/** What the session needs to answer one request type. */
export type RequestEntry =
  | { type: SessionType; schema: z.ZodType; kind: 'session' }
  | { type: HandledType; schema: z.ZodType; kind: Exclude<RequestKind, 'session'>; handle: Handler<HandledType> };

/** Every request type by its name: own entries only. */
export const REQUESTS: ReadonlyMap<string, RequestEntry> = new Map(
  (Object.keys(TABLE) as RequestType[]).map((type) => [type, { type, schema: requestSchemas[type] as z.ZodType, ...TABLE[type] } as RequestEntry]),
);

/** The kind of each request type, for docs and tests. */
export const requestKind = (type: RequestType): RequestKind => TABLE[type].kind;
