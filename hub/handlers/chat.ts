// conversation.start, message.send, conversation.read, inbox.get, history.get (DOMAIN.md §3).
import { can, type Via } from '../rules/index.ts';
import { key } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import { mayShow, peopleView } from '../people.ts';
import {
  appendMessage, findConversation, findMessageByKey, getConversation, historyPage, inboxPage, insertConversation,
  lockConversation, markRead, readMarks, unreadTotal, type ConversationRow, type MessageRow,
} from '../../storage/chat.ts';
import { isUniqueViolation, newId, type Handler, type HandlerContext } from './context.ts';
import { decodePageCursor, encodePageCursor } from './paging.ts';

export function conversationView(dir: Directory, viewer: string, c: ConversationRow) {
  return {
    id: c.id,
    creatorId: c.creatorId,
    subject: c.subject,
    context: c.context,
    participants: peopleView(dir, viewer, c.participantIds),
    createdAt: c.createdAt,
  };
}

export function messageView(dir: Directory, m: MessageRow) {
  return {
    id: m.id, conversationId: m.conversationId, seq: m.seq, senderId: m.senderId,
    senderName: dir.person(m.senderId)?.name ?? 'Unknown', body: m.body, createdAt: m.createdAt, clientKey: m.clientKey,
  };
}

/** The way into a conversation, from its context. Items (plans, assignments, conferences) come with their own issue. */
function viaOf(c: Pick<ConversationRow, 'context'>): Via {
  if (c.context === null) return { kind: 'direct' };
  throw new RequestError('not_found', `no such ${c.context.kind}`, ['context', 'id']);
}

/** Not a participant, or no such conversation: the same answer (no probing). */
const NOT_FOUND = () => new RequestError('not_found', 'no such conversation', ['conversationId']);

/**
 * conversation.created for each participant. One event for all when nobody in it has a
 * protected identity; otherwise one per participant with what that participant may see.
 */
function createdEvents(dir: Directory, c: ConversationRow): NewEvent[] {
  const anyProtected = c.participantIds.some((p) => dir.person(p)?.protected);
  if (!anyProtected) {
    return [{ name: 'conversation.created', keys: c.participantIds.map(key.person), data: { conversation: conversationView(dir, c.creatorId, c) } }];
  }
  return c.participantIds.map((p) => ({ name: 'conversation.created', keys: [key.person(p)], data: { conversation: conversationView(dir, p, c) } }));
}

export const startConversation: Handler<'conversation.start'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const prior = await findConversation(ctx.sql, { creatorId: personId, clientKey: req.clientKey });
  if (prior) return { conversation: conversationView(dir, personId, prior) };
  const others = [...new Set(req.participantIds)];
  const context = req.context ?? null;
  const via = viaOf({ context });
  const decision = can(dir, personId, { type: 'conversation.start', participantIds: others, via });
  if (!decision.ok) throw new RequestError(decision.code, decision.reason, decision.path);
  const subject = req.subject && req.subject.length > 0 ? req.subject : null;
  // Two people talking through the message function keep one thread.
  const directKey = others.length === 1 && context === null && subject === null ? [personId, others[0]!].sort().join('|') : null;
  if (directKey) {
    const existing = await findConversation(ctx.sql, { directKey });
    if (existing) return { conversation: conversationView(dir, personId, existing), existing: true };
  }
  try {
    const row = await ctx.publisher.write(async (tx) => {
      const c = await insertConversation(tx, {
        id: newId('conv'), creatorId: personId, subject, context, participantIds: [personId, ...others], clientKey: req.clientKey, directKey,
      });
      return { result: c, events: createdEvents(dir, c) };
    });
    return { conversation: conversationView(dir, personId, row) };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = (await findConversation(ctx.sql, { creatorId: personId, clientKey: req.clientKey })) ?? (directKey ? await findConversation(ctx.sql, { directKey }) : undefined);
    if (!raced) throw e;
    return { conversation: conversationView(dir, personId, raced) };
  }
};

async function messageByKey(ctx: HandlerContext, req: { conversationId: string; body: string; clientKey: string }) {
  const prior = await findMessageByKey(ctx.sql, ctx.personId, req.clientKey);
  if (!prior) return undefined;
  if (prior.conversationId !== req.conversationId || prior.body !== req.body) {
    throw new RequestError('conflict', 'this clientKey was already used for a different message', ['clientKey']);
  }
  return { message: messageView(ctx.dir, prior) };
}

export const sendMessage: Handler<'message.send'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const again = await messageByKey(ctx, req);
  if (again) return again;
  try {
    const message = await ctx.publisher.write(async (tx) => {
      const conv = await lockConversation(tx, req.conversationId);
      if (!conv || !conv.participantIds.includes(personId)) throw NOT_FOUND();
      // Rights are checked on every message, against the directory as it is now.
      const decision = can(dir, personId, { type: 'message.send', participantIds: conv.participantIds, via: viaOf(conv) });
      if (!decision.ok) throw new RequestError(decision.code, decision.reason, decision.path);
      const m = await appendMessage(tx, conv, { id: newId('msg'), senderId: personId, body: req.body, clientKey: req.clientKey });
      const data = { message: messageView(dir, m) };
      return { result: m, events: [{ name: 'message.created', keys: conv.participantIds.map(key.person), data }] };
    });
    return { message: messageView(dir, message) };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = await messageByKey(ctx, req);
    if (!raced) throw e;
    return raced;
  }
};

export const readConversation: Handler<'conversation.read'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const conv = await getConversation(ctx.sql, req.conversationId);
  if (!conv || !conv.participantIds.includes(personId)) throw NOT_FOUND();
  await ctx.publisher.write(async (tx) => {
    const seq = await markRead(tx, conv.id, personId, req.seq);
    if (seq === undefined) return { result: undefined, events: [] };
    // Read receipts of a protected person go only to those who may see them.
    const audience = conv.participantIds.filter((p) => p === personId || mayShow(dir, p, personId));
    return { result: seq, events: [{ name: 'conversation.read', keys: audience.map(key.person), data: { conversationId: conv.id, personId, seq } }] };
  });
  return {};
};

export const getInbox: Handler<'inbox.get'> = async (ctx, req) => {
  const limit = req.limit ?? 30;
  const before = req.before === undefined ? undefined : decodePageCursor(req.before, ['before']);
  const [rows, total] = await Promise.all([inboxPage(ctx.sql, ctx.personId, limit, before), unreadTotal(ctx.sql, ctx.personId)]);
  const last = rows[rows.length - 1];
  return {
    conversations: rows.map((r) => ({
      ...conversationView(ctx.dir, ctx.personId, r.conversation),
      unread: r.unread,
      lastMessage: r.lastMessage ? messageView(ctx.dir, r.lastMessage) : null,
      lastActivityAt: r.lastActivityAt,
    })),
    unreadTotal: total,
    next: rows.length === limit && last ? encodePageCursor(last.lastActivityAt, last.conversation.id) : null,
  };
};

export const getHistory: Handler<'history.get'> = async (ctx, req) => {
  const conv = await getConversation(ctx.sql, req.conversationId);
  if (!conv || !conv.participantIds.includes(ctx.personId)) throw NOT_FOUND();
  const [messages, marks] = await Promise.all([historyPage(ctx.sql, conv.id, req.limit ?? 50, req.beforeSeq), readMarks(ctx.sql, conv.id)]);
  const reads = Object.fromEntries(Object.entries(marks).filter(([p]) => mayShow(ctx.dir, ctx.personId, p)));
  return {
    conversation: conversationView(ctx.dir, ctx.personId, conv),
    messages: messages.map((m) => messageView(ctx.dir, m)),
    reads,
  };
};
