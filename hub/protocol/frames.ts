// Every client frame, validated once at the edge (zod). Unknown fields are stripped.
import { ECDH } from 'node:crypto';
import { z } from 'zod';
import { developmentSchemas } from './frames-development.ts';
import { notificationSchemas } from './frames-notifications.ts';
import { answerSchemas, askSchema } from './frames-answers.ts';
import { attachmentIds, clientKey, cursor, id, pageLimit, req, requestId, text } from './frames-fields.ts';
import { LIMITS, REACTIONS } from './limits.ts';

const limit = pageLimit(LIMITS.pageSize);

export const recipientsSchema = z.object({
  students: z.boolean().default(false),
  guardians: z.boolean().default(false),
  staff: z.boolean().default(false),
});

export const targetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), groupId: id, memberIds: z.array(id).min(1).max(LIMITS.memberIds).optional() }),
  z.object({ kind: z.literal('person'), personId: id }),
  z.object({ kind: z.literal('school') }),
]);

export const audienceSchema = z.object({
  targets: z.array(targetSchema).min(1).max(LIMITS.targets),
  recipients: recipientsSchema,
});

export const contextSchema = z.object({
  kind: z.enum(['plan', 'assignment', 'conference']),
  id,
  /** A plan or assignment thread is about one student; named here when the hub cannot tell. */
  studentId: id.optional(),
});

const itemKind = z.enum(['plan', 'assignment']);
/**
 * When a scheduled post or mailing is published; absent: now. The hub checks it is ahead
 * (SCHEDULE_LIMITS in hub/protocol/limits.ts), against its own clock, when it takes the request.
 */
const publishAt = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time, e.g. 2025-03-04T14:30:00Z' }).optional();
const day = z.iso.date({ message: 'expected a date YYYY-MM-DD' });
const itemRef = { itemId: id };

/**
 * conversation.start: with people (`participantIds`), from an item (`context`, people
 * optional), or with a mentor's whole group (`groupId` + `audience`, no people).
 */
const conversationStartShape = {
  participantIds: z.array(id).max(LIMITS.participants).default([]),
  context: contextSchema.optional(),
  groupId: id.optional(),
  audience: z.enum(['students', 'guardians']).optional(),
  subject: z.string().trim().max(LIMITS.title).optional(),
  clientKey,
};

/** base64url (as PushSubscription.toJSON() gives it: no padding) decoding to `bytes` bytes. */
const base64url = (bytes: number, what: string) =>
  z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, `${what}: expected base64url without padding`)
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, `${what}: expected ${bytes} bytes`);

/** A browser's push subscription keys (RFC 8291): a P-256 public key (an uncompressed point on the curve) and a 16-byte auth secret. */
const pushKeys = z.object({
  p256dh: base64url(65, 'p256dh').refine((v) => {
    const point = Buffer.from(v, 'base64url');
    if (point[0] !== 4) return false;
    try {
      ECDH.convertKey(point, 'prime256v1'); // throws for a point not on the curve
      return true;
    } catch {
      return false;
    }
  }, 'p256dh: expected an uncompressed P-256 point on the curve'),
  auth: base64url(16, 'auth'),
});

export const requestSchemas = {
  /** `ask`: the post asks those it is addressed to for an acknowledgement or an answer (frames-answers.ts). */
  'post.create': req('post.create', {
    schoolId: id, title: text(LIMITS.title), body: text(LIMITS.postBody), audience: audienceSchema, urgent: z.boolean().optional(), ask: askSchema.optional(),
    attachmentIds: attachmentIds(LIMITS.postFiles).optional(), publishAt, clientKey,
  }),
  'mailing.create': req('mailing.create', {
    districtId: id,
    schoolIds: z.array(id).min(1).max(LIMITS.schoolIds),
    title: text(LIMITS.title),
    body: text(LIMITS.postBody),
    recipients: recipientsSchema,
    publishAt,
    clientKey,
  }),
  /** The author's scheduled posts and mailings: pending and failed first, soonest first. */
  'scheduled.get': req('scheduled.get', { limit }),
  /** Before its time: a new time, title or body (what is left out stays). */
  'scheduled.update': req('scheduled.update', { scheduledId: id, publishAt: publishAt, title: text(LIMITS.title).optional(), body: text(LIMITS.postBody).optional() }),
  'scheduled.cancel': req('scheduled.cancel', { scheduledId: id }),
  'conversation.start': req('conversation.start', conversationStartShape).superRefine((v, ctx) => {
    if (v.groupId !== undefined) {
      if (v.audience === undefined) ctx.addIssue({ code: 'custom', message: 'a group conversation needs audience: "students" or "guardians"', path: ['audience'] });
      if (v.context !== undefined) ctx.addIssue({ code: 'custom', message: 'a group conversation has no context', path: ['context'] });
      if (v.participantIds.length > 0) ctx.addIssue({ code: 'custom', message: "a group conversation's participants come from the group", path: ['participantIds'] });
    } else if (v.audience !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'audience needs a groupId', path: ['groupId'] });
    } else if (v.context === undefined && v.participantIds.length === 0) {
      ctx.addIssue({ code: 'too_small', origin: 'array', minimum: 1, inclusive: true, message: 'Too small: expected array to have >=1 items', path: ['participantIds'] });
    }
  }),
  /** Text, files (uploaded `?for=message`), or both. */
  'message.send': req('message.send', {
    conversationId: id, body: z.string().trim().max(LIMITS.messageBody), attachmentIds: attachmentIds(LIMITS.messageFiles).optional(), clientKey,
  }).refine((v) => v.body.length > 0 || (v.attachmentIds?.length ?? 0) > 0, { message: 'a message needs text or a file', path: ['body'] }),
  /** A reply to the author alone, in the direct conversation with them; `to` is what it answers: a message or a post. */
  'message.replyPrivately': req('message.replyPrivately', {
    to: z.object({ kind: z.enum(['message', 'post']), id }),
    body: text(LIMITS.messageBody),
    clientKey,
  }),
  /** One of the fixed set of reactions on a message or a post, on or off (issue 13). */
  'reaction.set': req('reaction.set', {
    target: z.object({ kind: z.enum(['message', 'post']), id }),
    emoji: z.enum(REACTIONS),
    on: z.boolean(),
  }),
  'conversation.read': req('conversation.read', { conversationId: id, seq: z.number().int().min(0) }),
  'inbox.get': req('inbox.get', { limit, before: cursor.optional() }),
  'inbox.readAll': req('inbox.readAll', {}),
  'history.get': req('history.get', {
    conversationId: id, beforeSeq: z.number().int().min(1).optional(), afterSeq: z.number().int().min(0).optional(), limit,
  }).refine((v) => v.beforeSeq === undefined || v.afterSeq === undefined, { message: 'page by beforeSeq or by afterSeq, not both', path: ['afterSeq'] }),
  'message.edit': req('message.edit', { messageId: id, body: text(LIMITS.messageBody) }),
  'message.delete': req('message.delete', { messageId: id }),
  'messages.search': req('messages.search', {
    query: z.string().trim().min(1).max(LIMITS.searchQuery),
    conversationId: id.optional(),
    limit: z.number().int().min(1).max(LIMITS.searchPage).optional(),
    before: cursor.optional(),
  }),
  typing: req('typing', { conversationId: id, typing: z.boolean().default(true) }),
  'item.create': req('item.create', {
    kind: itemKind,
    groupId: id,
    title: text(LIMITS.title),
    description: z.string().trim().max(LIMITS.itemDescription).optional(),
    subject: z.string().trim().max(LIMITS.subject).optional(),
    startsOn: day.optional(),
    dueOn: day.optional(),
    /** Publish at once instead of keeping a draft. */
    publish: z.boolean().optional(),
    clientKey,
  }),
  'item.update': req('item.update', {
    ...itemRef,
    title: text(LIMITS.title).optional(),
    description: z.string().trim().max(LIMITS.itemDescription).optional(),
    subject: z.string().trim().max(LIMITS.subject).nullable().optional(),
    startsOn: day.nullable().optional(),
    dueOn: day.nullable().optional(),
  }),
  'item.publish': req('item.publish', itemRef),
  'item.hide': req('item.hide', itemRef),
  'item.close': req('item.close', itemRef),
  'item.get': req('item.get', itemRef),
  'items.get': req('items.get', { groupId: id.optional(), kind: itemKind.optional(), limit, before: cursor.optional() }),
  'conference.create': req('conference.create', {
    studentId: id,
    startsAt: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time, e.g. 2025-03-04T14:30:00Z' }),
    title: z.string().trim().max(LIMITS.title).optional(),
    location: z.string().trim().max(LIMITS.location).optional(),
    clientKey,
  }),
  'conference.close': req('conference.close', { conferenceId: id }),
  'conference.get': req('conference.get', { conferenceId: id }),
  'conferences.get': req('conferences.get', { limit, before: cursor.optional() }),
  'feed.get': req('feed.get', { limit, before: cursor.optional() }),
  'feed.read': req('feed.read', { itemIds: z.array(id).min(1).max(LIMITS.pageSize) }),
  'feed.readAll': req('feed.readAll', {}),
  /** Read statistics (docs/PROTOCOL.md "Read statistics"): the author side of a post or mailing only. */
  'post.stats.get': req('post.stats.get', { itemId: id }),
  'post.unread.get': req('post.unread.get', { itemId: id, part: z.enum(['students', 'guardians', 'staff']), limit, after: cursor.optional() }),
  'post.remind': req('post.remind', { itemId: id }),
  /** `query` and `limit` narrow the people; the whole-group conversations (`groups`) are always all listed. */
  'contacts.get': req('contacts.get', { query: z.string().trim().max(LIMITS.contactsQuery).optional(), limit }),
  'audience.get': req('audience.get', {}),
  // Web Push (docs/NOTIFICATIONS.md): the device's endpoint is checked by hub/notify/endpoint-guard.ts in the handler.
  'push.subscribe': req('push.subscribe', {
    endpoint: z.string().max(LIMITS.pushEndpoint).url({ message: 'expected a URL' }),
    keys: pushKeys,
    label: z.string().trim().max(LIMITS.deviceLabel).optional(),
  }),
  'push.unsubscribe': req('push.unsubscribe', { endpoint: z.string().min(1).max(LIMITS.pushEndpoint) }),
  ...developmentSchemas,
  ...notificationSchemas,
  ...answerSchemas,
  ping: req('ping', {}),
  auth: z.object({ type: z.literal('auth'), id: requestId.optional(), token: z.string().min(1) }),
} as const;

export type RequestType = keyof typeof requestSchemas;
export type RequestOf<T extends RequestType> = z.infer<(typeof requestSchemas)[T]>;

export const helloSchema = z.object({
  type: z.literal('hello'),
  // Any length here: an oversized token is a bad token (4003), checked before verifying it.
  token: z.string().min(1),
  cursor: cursor.optional(),
});
export type Hello = z.infer<typeof helloSchema>;

/** Tokens longer than this are refused unread: no portal token is anywhere near it. */
export const MAX_TOKEN_CHARS = 8192;

export interface Invalid {
  message: string;
  path: (string | number)[];
}

/** The first zod issue as a message and the path to the field. */
export function firstIssue(error: z.ZodError): Invalid {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid frame', path: [] };
  return { message: issue.message, path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) };
}
