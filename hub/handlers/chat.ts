// message.send, conversation.read, inbox.get, history.get (docs/DOMAIN.md §3). Starting a
// conversation is chat-start.ts; edits and deletes chat-edit.ts; search chat-search.ts.
import { sentInQuietHours } from '../rules/index.ts';
import { readKeysOf } from '../audience.ts';
import {
  type ConversationRow, type MessageRow, type NewMessage, appendMessage, appendMessageShared, conversationsByIds, messageDraft, findMessageByKey, markAllRead, getConversation, historyPage, inboxPage, markRead, readMarks, unreadTotal,
} from '../../storage/chat.ts';
import { newId, type Handler } from './context.ts';
import { RequestError } from '../protocol/codes.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { conversationView, isParticipant, messageView, participantsNow, readEvent, sentMessageEvents, showTo } from '../views/chat.ts';
import { assertMayWrite, notFound } from './chat-rights.ts';
import { takeableUploads } from './uploads.ts';
import { fileFacts, linkAttachments } from '../../storage/documentation.ts';
import { createOnce } from './create-once.ts';
import { reactionsFor } from './reactions.ts';
import { messageAudience } from '../views/reactions.ts';
import { audit, conversationTouch } from '../audit.ts';
import { heldRow } from '../publisher.ts';

export { startConversation } from './chat-start.ts';

export const sendMessage: Handler<'message.send'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const fileIds = req.attachmentIds ?? [];
  // The stored message of a retry that create() already looked up: createOnce answers with it
  // rather than reading it again.
  let storedByCreate: MessageRow | undefined;
  return createOnce({
    // A retry of a send with files finds it first: its uploads are taken, and taking them again would refuse it.
    lookFirst: fileIds.length > 0,
    find: async () => storedByCreate ?? findMessageByKey(ctx.sql, personId, req.clientKey),
    // An edit or delete since does not make a retry a different message.
    same: (prior) => prior.conversationId === req.conversationId && (prior.body === req.body || prior.deletedAt !== null || prior.editedAt !== null),
    what: 'a different message',
    answer: async (prior) => {
      const conv = await getConversation(ctx.sql, prior.conversationId);
      return { message: messageView(dir, showTo(dir, personId), ctx.links, prior, conv?.context ?? null) };
    },
    gone: notFound,
    create: async () => {
      // The node's copy of the conversation, when it has one, spares the read: the insert
      // stores nothing if the copy is stale (hub/conversation-copies.ts). A stale copy, or one
      // that refuses, is not the last word: the send is then made as if there were none.
      const copy = ctx.conversations.get(req.conversationId);
      if (copy) {
        const sent = await send(copy, true).catch((e: unknown) => {
          if (e instanceof RequestError) return undefined;
          throw e;
        });
        if (sent) {
          ctx.conversations.counted('used');
          return sent;
        }
        // Nothing stored: the copy is stale or refused, or this send retries a clientKey
        // already stored. A retry is answered with the stored message (createOnce, on
        // undefined); its copy was right, and the conversation need not be read again.
        storedByCreate = await findMessageByKey(ctx.sql, personId, req.clientKey);
        if (storedByCreate) {
          ctx.conversations.counted('used');
          return undefined;
        }
        ctx.conversations.counted('read_again');
      } else {
        ctx.conversations.counted('no_copy');
      }
      // Read and checked before the write's transaction, as that transaction would have seen
      // it (no lock: the append takes the seq): the transaction holds one statement per message.
      const conv = await getConversation(ctx.sql, req.conversationId);
      if (!conv) {
        ctx.conversations.drop(req.conversationId);
        throw notFound();
      }
      ctx.conversations.keep(conv);
      return send(conv);
    },
  });

  /**
   * Checks the sender's rights in `conv` and writes the message; undefined if nothing was
   * stored. `conv` is the node's copy when `fromCopy`: then the insert stores nothing unless
   * the copy is still what is stored.
   */
  async function send(conv: ConversationRow, fromCopy = false) {
    const unlessChanged = fromCopy ? conv : undefined;
    // Rights are checked on every message, against the directory as it is now.
    const participants = await assertMayWrite(dir, ctx.sql, personId, conv);
    const quietHours = sentInQuietHours(dir, personId, participants, new Date());
    const sent = await ctx.publisher.write(async (tx) => {
      const message = { id: newId('msg'), senderId: personId, body: req.body, clientKey: req.clientKey, quietHours };
      const events = (m: NewMessage) => sentMessageEvents(dir, ctx.links, conv, participants, messageDraft(conv, m));
      const result = (m: MessageRow | undefined) => m && { message: m, context: conv.context };
      if (fileIds.length === 0) {
        // Not awaited: the insert, the events and the COMMIT go to PostgreSQL in one write.
        return { result: appendMessageShared(tx, { conv, message, unlessChanged }).then(result), events: events(message) };
      }
      // Files are locked and checked first (a refusal writes nothing), then taken with the
      // message, once it is stored (a retry stores none, and its files stay with the first).
      const files = (await takeableUploads(tx, personId, fileIds, 'message')).map(fileFacts);
      const m = await appendMessage(tx, conv, { ...message, files }, unlessChanged);
      if (!m) return { result: undefined, events: [] };
      await linkAttachments(tx, fileIds, { messageId: m.id });
      return { result: result(m), events: events({ ...message, files }) };
    }, [heldRow('conversations', conv.id)]); // the append locks it for the next seq
    return sent && { message: messageView(dir, showTo(dir, personId), ctx.links, sent.message, sent.context) };
  }
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
