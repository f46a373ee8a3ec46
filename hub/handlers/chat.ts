// message.send, conversation.read, inbox.get, history.get (docs/DOMAIN.md §3). Starting a
// conversation is chat-start.ts; edits and deletes chat-edit.ts; search chat-search.ts.
import { sentInQuietHours } from '../rules/index.ts';
import { key, readKeysOf } from '../audience.ts';
import { hiddenFromFamilies, mayShow } from '../people.ts';
import {
  type ConversationRow, appendMessage, conversationsByIds, findMessageByKey, markAllRead, getConversation, historyPage, inboxPage, conversationForSend, markRead, readMarks, unreadTotal,
} from '../../storage/chat.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { conversationKeys, conversationView, isParticipant, messageEvents, messageView, participantsNow, showTo } from '../views/chat.ts';
import { assertMayWrite, notFound } from './chat-rights.ts';
import { takeableUploads } from './uploads.ts';
import { fileFacts, linkAttachments } from '../../storage/documentation.ts';
import { createOnce } from './create-once.ts';
import { reactionsFor } from './reactions.ts';
import { messageAudience } from '../views/reactions.ts';
import { audit, conversationTouch } from '../audit.ts';

export { startConversation } from './chat-start.ts';

export const sendMessage: Handler<'message.send'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const fileIds = req.attachmentIds ?? [];
  return createOnce({
    // A retry of a send with files finds it first: its uploads are taken, and taking them again would refuse it.
    lookFirst: fileIds.length > 0,
    find: () => findMessageByKey(ctx.sql, personId, req.clientKey),
    // An edit or delete since does not make a retry a different message.
    same: (prior) => prior.conversationId === req.conversationId && (prior.body === req.body || prior.deletedAt !== null || prior.editedAt !== null),
    what: 'a different message',
    answer: async (prior) => {
      const conv = await getConversation(ctx.sql, prior.conversationId);
      return { message: messageView(dir, showTo(dir, personId), ctx.links, prior, conv?.context ?? null) };
    },
    gone: notFound,
    create: async () => {
      // Read and checked before the write's transaction, as that transaction would have seen
      // it (no lock: the append takes the seq): the transaction holds one statement per message.
      const conv = await conversationForSend(ctx.sql, req.conversationId);
      if (!conv) throw notFound();
      // Rights are checked on every message, against the directory as it is now.
      const participants = await assertMayWrite(dir, ctx.sql, personId, conv);
      const quietHours = sentInQuietHours(dir, personId, participants, new Date());
      const sent = await ctx.publisher.write(async (tx) => {
        // Files are locked and checked first (a refusal writes nothing), then taken with the message.
        const files = fileIds.length > 0 ? await takeableUploads(tx, personId, fileIds, 'message') : [];
        const m = await appendMessage(tx, conv, { id: newId('msg'), senderId: personId, body: req.body, clientKey: req.clientKey, quietHours, files: files.map(fileFacts) });
        if (!m) return { result: undefined, events: [] };
        await linkAttachments(tx, fileIds, { messageId: m.id });
        // Sending moved the sender's read mark to the message: say so, like conversation.read,
        // so that the sender's other devices (and receipts) never keep an unread count.
        const events = [...messageEvents(dir, ctx.links, 'message.created', conv, participants, m), readEvent(dir, conv, participants, personId, m.seq)];
        return { result: { message: m, context: conv.context }, events };
      });
      return sent && { message: messageView(dir, showTo(dir, personId), ctx.links, sent.message, sent.context) };
    },
  });
};

export const readConversation: Handler<'conversation.read'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const conv = await getConversation(ctx.sql, req.conversationId);
  if (!conv || !isParticipant(dir, conv, personId)) throw notFound();
  await ctx.publisher.write(async (tx) => {
    const seq = await markRead(tx, conv.id, personId, req.seq);
    if (seq === undefined) return { result: undefined, events: [] };
    return { result: seq, events: [readEvent(dir, conv, participantsNow(dir, conv), personId, seq)] };
  });
  return {};
};

/** "Mark all as read": every conversation of the person, in one statement; a read event for each that moved. */
export const readAllConversations: Handler<'inbox.readAll'> = async (ctx) => {
  const { dir, personId } = ctx;
  const keys = readKeysOf(dir, personId);
  const read = await ctx.publisher.write(async (tx) => {
    const marks = await markAllRead(tx, personId, keys);
    const conversations = await conversationsByIds(tx, marks.map((m) => m.conversationId));
    const events = marks.flatMap(({ conversationId, seq }) => {
      const conv = conversations.get(conversationId);
      return conv ? [readEvent(dir, conv, participantsNow(dir, conv), personId, seq)] : [];
    });
    return { result: marks.length, events };
  });
  return { conversations: read };
};

/** The person's read mark in `conv` is now `seq`: to their devices and the participants. */
function readEvent(dir: HandlerContext['dir'], conv: ConversationRow, participants: readonly string[], personId: string, seq: number) {
  // Read receipts of someone hidden from families (a protected person, or a guardian of a
  // protected child) go only to those who may see them (themselves included).
  const keys = hiddenFromFamilies(dir, personId)
    ? participants.filter((p) => mayShow(dir, p, personId)).map(key.person)
    : conversationKeys(conv, participants);
  return { name: 'conversation.read' as const, keys, data: { conversationId: conv.id, personId, seq } };
}

export const getInbox: Handler<'inbox.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const limit = req.limit ?? 30;
  const before = pageBefore(req.before);
  const keys = readKeysOf(dir, personId);
  const [rows, total] = await Promise.all([inboxPage(ctx.sql, personId, keys, limit, before), unreadTotal(ctx.sql, personId, keys)]);
  const show = showTo(dir, personId);
  audit(ctx, 'inbox.get', () => rows.map((r) => conversationTouch(r.conversation, participantsNow(dir, r.conversation), r.lastMessage ? [r.lastMessage] : [])));
  return {
    conversations: rows.map((r) => ({
      ...conversationView(dir, show, ctx.links, r.conversation, participantsNow(dir, r.conversation)),
      unread: r.unread,
      lastMessage: r.lastMessage ? messageView(dir, show, ctx.links, r.lastMessage, r.conversation.context) : null,
      lastActivityAt: r.lastActivityAt,
    })),
    unreadTotal: total,
    next: nextCursor(rows.map((r) => ({ createdAt: r.lastActivityAt, id: r.conversation.id })), limit),
  };
};

export const getHistory: Handler<'history.get'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const conv = await getConversation(ctx.sql, req.conversationId);
  if (!conv || !isParticipant(dir, conv, personId)) throw notFound();
  const [messages, marks] = await Promise.all([
    historyPage(ctx.sql, conv.id, req.limit ?? 50, { beforeSeq: req.beforeSeq, afterSeq: req.afterSeq }),
    readMarks(ctx.sql, conv.id),
  ]);
  const participants = participantsNow(dir, conv);
  const show = showTo(dir, personId);
  // Read receipts of those in it now whom the viewer may see ("read by 2 of 3" counts the shown participants).
  const reads = Object.fromEntries(Object.entries(marks).filter(([p]) => participants.includes(p) && show(p)));
  audit(ctx, 'history.get', () => [conversationTouch(conv, participants, messages)]);
  const audience = messageAudience(conv, participants);
  const reactions = await reactionsFor(ctx, 'message', messages.map((m) => ({ id: m.id, audience })));
  return {
    conversation: conversationView(dir, show, ctx.links, conv, participants),
    messages: messages.map((m) => ({ ...messageView(dir, show, ctx.links, m, conv.context), reactions: reactions.get(m.id) })),
    reads,
    lastSeq: conv.lastSeq,
  };
};
