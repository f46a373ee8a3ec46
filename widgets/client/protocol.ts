// The wire protocol as the widgets see it (docs/PROTOCOL.md). This file is the widgets' only
// knowledge of the hub: shapes of frames, requests, results and events. Nothing is imported
// from hub/ but its limits (hub/protocol/limits.ts: plain constants, shared so that they
// cannot drift), so the widgets depend on the documented protocol and nothing else. Shapes
// the hub takes or sends as its own types (a post's audience; a private reply's quote, as
// stored) are those types, imported as types only: nothing of them reaches the bundle.
import type { AudienceTarget, PostAudience, Recipients } from '../../hub/rules/posts.ts';
import type { ReplyQuote } from '../../storage/chat.ts';
import type { Reaction } from '../../hub/protocol/limits.ts';
import type { Attachment, DevelopmentEvents, DevelopmentRequests } from './development-protocol.ts';
import type { NotificationEvents, NotificationRequests } from './notifications-protocol.ts';
import type { AnswerEvents, AnswerRequests, Ask, AskDraft, OwnAnswer } from './answers-protocol.ts';

export type { AudienceTarget as Target, Recipients };

export interface PersonRef {
  id: string;
  name: string;
}

export type RoleName =
  | 'teacher' | 'mentor' | 'school_leader' | 'school_admin' | 'reader'
  | 'student' | 'guardian' | 'head_of_operations' | 'system_admin';

export interface User extends PersonRef {
  roles: { role: RoleName; schoolId?: string; districtId?: string }[];
}

export type ContextKind = 'plan' | 'assignment' | 'conference';

/** What a conversation is about: a plan, an assignment or a conference, with the portal's page of it. */
export interface Context {
  kind: ContextKind;
  id: string;
  /** The item's title as it is now; null when the hub does not know it. */
  title: string | null;
  /** The portal's page of the item (HUB_LINK_*), null when not configured. Untrusted: checked before use. */
  link: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  /** null (with senderName) when the sender has a protected identity the viewer may not see. */
  senderId: string | null;
  senderName: string | null;
  /** "" for a deleted message (a tombstone). */
  body: string;
  createdAt: string;
  clientKey: string;
  editedAt: string | null;
  deletedAt: string | null;
  deleted: boolean;
  /** Sent to staff during their school's quiet hours: the teacher answers during school hours. */
  quietHours: boolean;
  context: Context | null;
  /** A private reply: what it answers, quoted as it was (older hubs send nothing). */
  replyTo?: ReplyQuote | null;
  /** Its images and PDFs (PROTOCOL.md §9); none once deleted. */
  files?: Attachment[];
  /** Its reactions: in history.get and after reaction.set (events of a new or edited message carry none). */
  reactions?: Reactions;
}

export { REACTIONS, type Reaction } from '../../hub/protocol/limits.ts';

/** The reactions on a message or a post as the viewer may see them (PROTOCOL.md `reaction.set`). */
export interface Reactions {
  counts: Partial<Record<Reaction, number>>;
  /** Who reacted, where the viewer may see names; absent: counts only. */
  by?: Partial<Record<Reaction, PersonRef[]>>;
  /** The viewer's own; absent in events about others' changes. */
  mine?: Reaction[];
}

export type ReactionTarget = { kind: 'message'; id: string; conversationId: string } | { kind: 'post'; id: string };

/** A conversation with a mentor's whole group: its students, or their guardians. */
export interface GroupRef {
  id: string;
  name: string | null;
  audience: 'students' | 'guardians';
  /** The mentors, who alone write to the whole group; the others reply privately (older hubs: absent). */
  mentorIds?: string[];
}

export interface Conversation {
  id: string;
  /** null when the creator has a protected identity the viewer may not see. */
  creatorId: string | null;
  subject: string | null;
  context: Context | null;
  group: GroupRef | null;
  /** The participants the viewer may see (protected persons of other families are left out). */
  participants: PersonRef[];
  createdAt: string;
}

export { EDIT_WINDOW_MS } from '../../hub/protocol/limits.ts';

/** One page of a conversation's history (oldest first). */
export interface HistoryPage {
  conversation: Conversation;
  messages: Message[];
  reads: Record<string, number>;
  /** The conversation's newest seq (0 when empty). */
  lastSeq: number;
}

export interface InboxEntry extends Conversation {
  unread: number;
  lastMessage: Message | null;
  lastActivityAt: string;
}

export interface Post {
  id: string;
  schoolId: string;
  authorId: string;
  authorName: string;
  title: string;
  body: string;
  audience: {
    targets: ({ kind: 'group'; groupId: string; groupName: string | null; part: boolean } | { kind: 'school' } | { kind: 'person' })[];
    recipients: Recipients;
  };
  /** What the post asks of its readers (acknowledge, RSVP), or null. */
  ask?: Ask | null;
  createdAt: string;
  /** Its images and PDFs (PROTOCOL.md §9). */
  files?: Attachment[];
  /** In feed.get (events of a new post carry none). */
  reactions?: Reactions;
}

/** A post or mailing set to be published later: its author's alone until then (PROTOCOL.md, scheduled posts). */
export interface Scheduled {
  id: string;
  kind: 'post' | 'mailing';
  state: 'pending' | 'published' | 'cancelled' | 'failed';
  publishAt: string;
  item: { title: string; body: string };
  publishedId: string | null;
  failure: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Mailing {
  id: string;
  districtId: string;
  schoolIds: string[];
  authorId: string;
  authorName: string;
  title: string;
  body: string;
  recipients: Recipients;
  createdAt: string;
}

/** An audience part of a post or mailing (PROTOCOL.md, read statistics). */
export type ReadPart = 'students' | 'guardians' | 'staff';
/** "Read by `read` of `audience`" per part, and the last reminder; the author side's only. */
export interface ReadStats {
  itemId: string;
  kind: 'post' | 'mailing';
  parts: { part: ReadPart; audience: number; read: number }[];
  reminder: { sentAt: string | null; nextAt: string | null };
}

/** `answers`: on a post that asks (feed.get), the reader's own answers; empty when not asked. */
export type FeedItem = ((Post & { kind: 'post'; answers?: OwnAnswer[] }) | (Mailing & { kind: 'mailing' })) & { read: boolean };

export interface Contact extends PersonRef {
  relation: 'mentor' | 'teacher' | 'staff' | 'student' | 'guardian';
  about?: PersonRef[];
}

/** A mentor group the person may start a whole-group conversation with (contacts.get). */
export interface ContactGroup {
  id: string;
  name: string;
  audiences: GroupRef['audience'][];
}

export interface AudienceGroup extends PersonRef {
  kind: string;
  /** Whether group.overview.get opens for the caller (the group's owners, the school's admins). */
  overview: boolean;
  /** Whether the caller documents this child group (documentation.create; its teachers). */
  documentation: boolean;
  members: PersonRef[];
}

export interface Audience {
  posts: { schools: (PersonRef & { wholeSchool: boolean; staff: boolean; groups: AudienceGroup[] })[] };
  mailings: { districts: (PersonRef & { schools: PersonRef[] })[] };
}

/** Every request the widgets make: its fields and its result (the development records' in development-protocol.ts). */
export interface Requests extends DevelopmentRequests, NotificationRequests, AnswerRequests {
  'inbox.get': [{ limit?: number; before?: string }, { conversations: InboxEntry[]; unreadTotal: number; next: string | null }];
  'history.get': [{ conversationId: string; beforeSeq?: number; afterSeq?: number; limit?: number }, HistoryPage];
  'conversation.start': [
    {
      participantIds?: string[]; subject?: string; context?: { kind: ContextKind; id: string; studentId?: string };
      groupId?: string; audience?: GroupRef['audience']; clientKey: string;
    },
    { conversation: Conversation; existing?: boolean },
  ];
  'message.send': [{ conversationId: string; body: string; attachmentIds?: string[]; clientKey: string }, { message: Message }];
  'message.replyPrivately': [{ to: { kind: 'message' | 'post'; id: string }; body: string; clientKey: string }, { conversation: Conversation; message: Message }];
  'reaction.set': [{ target: { kind: 'message' | 'post'; id: string }; emoji: Reaction; on: boolean }, { target: ReactionTarget; reactions: Reactions }];
  'message.edit': [{ messageId: string; body: string }, { message: Message }];
  'message.delete': [{ messageId: string }, { message: Message }];
  'messages.search': [
    { query: string; conversationId?: string; limit?: number; before?: string },
    { results: { message: Message; conversation: Conversation }[]; next: string | null },
  ];
  typing: [{ conversationId: string; typing: boolean }, { relayed: boolean }];
  'conversation.read': [{ conversationId: string; seq: number }, Record<string, never>];
  /** Moves every read mark of the person to the end; `conversations`: how many moved. */
  'inbox.readAll': [Record<string, never>, { conversations: number }];
  'feed.get': [{ limit?: number; before?: string }, { items: FeedItem[]; next: string | null }];
  'feed.read': [{ itemIds: string[] }, { itemIds: string[] }];
  'feed.readAll': [Record<string, never>, { itemIds: string[] }];
  'post.create': [{ schoolId: string; title: string; body: string; audience: PostAudience; ask?: AskDraft; attachmentIds?: string[]; clientKey: string }, { post: Post }];
  'mailing.create': [
    { districtId: string; schoolIds: string[]; title: string; body: string; recipients: Recipients; clientKey: string },
    { mailing: Mailing },
  ];
  'post.stats.get': [{ itemId: string }, ReadStats];
  'post.unread.get': [{ itemId: string; part: ReadPart; limit?: number; after?: string }, { itemId: string; part: ReadPart; people: PersonRef[]; next: string | null }];
  'post.remind': [{ itemId: string }, { itemId: string; sentAt: string; recipients: number }];
  'scheduled.get': [{ limit?: number }, { items: Scheduled[] }];
  'scheduled.update': [{ scheduledId: string; publishAt?: string; title?: string; body?: string }, { scheduled: Scheduled }];
  'scheduled.cancel': [{ scheduledId: string }, { scheduled: Scheduled }];
  'contacts.get': [{ query?: string; limit?: number }, { contacts: Contact[]; groups: ContactGroup[] }];
  'audience.get': [Record<string, never>, Audience];
}
export type RequestType = keyof Requests;
export type RequestFields<T extends RequestType> = Requests[T][0];
export type RequestResult<T extends RequestType> = Requests[T][1];

/** Pushed events (PROTOCOL.md §4) and their data (the development records' in development-protocol.ts). */
export interface HubEvents extends DevelopmentEvents, NotificationEvents, AnswerEvents {
  'post.created': { post: Post };
  'mailing.created': { mailing: Mailing };
  'conversation.created': { conversation: Conversation };
  'conversation.updated': { conversation: Conversation };
  'message.created': { message: Message };
  'message.edited': { message: Message };
  'message.deleted': { conversationId: string; messageId: string; seq: number; deletedAt: string };
  /** Ephemeral: no cursor, never replayed. Only for people the viewer may see. */
  typing: { conversationId: string; personId: string; name: string; typing: boolean };
  'conversation.read': { conversationId: string; personId: string; seq: number };
  'feed.read': { personId: string; itemIds: string[] };
  /** Counts to every reader; `by` and `mine` only where given: keep the ones you have otherwise. */
  'reaction.changed': { target: ReactionTarget; reactions: Reactions };
  'scheduled.changed': { scheduled: Scheduled };
  'post.stats': ReadStats;
  'post.reminder': { itemId: string; kind: 'post' | 'mailing'; title: string; authorId: string; authorName: string; schoolId: string | null; sentAt: string };
  'sync.done': Record<string, never>;
  'sync.reset': { reason: string };
}
export type EventName = keyof HubEvents;

export type ErrorCode =
  | 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'too_large' | 'unavailable' | 'refused';

/** An `error` answer to one request; `message` is the hub's reason, shown to the user for `forbidden`. */
export class HubError extends Error {
  constructor(
    readonly code: ErrorCode | 'closed',
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(message);
  }
}

/** Close codes (PROTOCOL.md §7) after which reconnecting cannot help: the client is wrong. */
export const FATAL_CLOSES: ReadonlySet<number> = new Set([4002, 1009]);
/** Close code for a bad or expired token: fetch a new token before reconnecting. */
export const TOKEN_CLOSE = 4003;

/**
 * Is cursor `a` after cursor `b`? Cursors are opaque decimal strings of any length, so they
 * are compared as numbers without parsing them: longer is greater, else by text (§4).
 */
export function cursorAfter(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}
