// message.replyPrivately (docs/DOMAIN.md §3 Readings): a reply to the author of a message or a
// post alone, in the one direct conversation between the two (found or started), quoting the
// original. It is how students and guardians answer a whole-group conversation, where only the
// mentors write, and a post, which takes no replies (§1).
//
// Steps: the caller must read the original now (else not_found, as for an unknown id); the
// author must be someone the caller sees (a protected identity is not written to by families)
// and may be written to by §3's rows through the message function (forbidden with the reason);
// then the direct conversation is found or started and the reply appended with its quote.
// Idempotent by clientKey like message.send; events as for any message (and conversation.created
// when the conversation is new).
import { sentInQuietHours, type Via } from '../rules/index.ts';
import { RequestError } from '../protocol/codes.ts';
import { mayShow } from '../people.ts';
import type { Directory } from '../directory/model.ts';
import { appendMessageShared, findMessageByKey, getConversation, messageDraft, type ConversationRow, type ReplyQuote } from '../../storage/chat.ts';
import { newId, type Handler, type HandlerContext } from './context.ts';
import { conversationView, messageView, participantsNow, sentMessageEvents, showTo } from '../views/chat.ts';
import { assertMayWrite, canWithHistory } from './chat-rights.ts';
import { assertAllowed } from './rights.ts';
import { createOnce } from './create-once.ts';
import { findOrStartDirect } from './chat-start.ts';
import { readableTarget, type Readable } from './reactions.ts';
import { heldRow } from '../publisher.ts';

/** How much of the original the quote keeps: enough to recognise it, not a copy. */
export const EXCERPT_CHARS = 140;

/** The original conversation's title as its participants see it: a subject, or the group's name, or the item's title. */
function titleOf(dir: Directory, c: ConversationRow): string | null {
  if (c.subject) return c.subject;
  if (c.audience?.kind === 'group') return dir.groups.get(c.audience.groupId)?.name ?? null;
  return c.context?.title ?? null;
}

export function excerptOf(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
}

/** What the reply quotes: the original as it is now, kept with the reply. */
function quoteOf(dir: Directory, original: Readable): ReplyQuote {
  if (original.kind === 'post') return { kind: 'post', id: original.post.id, title: original.post.title, excerpt: excerptOf(original.post.body) };
  const from = original.conversation;
  return { kind: 'message', id: original.message.id, conversationId: from.id, title: titleOf(dir, from), excerpt: excerptOf(original.message.body) };
}

function answer(ctx: HandlerContext, conv: ConversationRow | undefined, m: Parameters<typeof messageView>[3]) {
  const show = showTo(ctx.dir, ctx.personId);
  return {
    conversation: conv ? conversationView(ctx.dir, show, ctx.links, conv, participantsNow(ctx.dir, conv)) : null,
    message: messageView(ctx.dir, show, ctx.links, m, conv?.context ?? null),
  };
}

export const replyPrivately: Handler<'message.replyPrivately'> = async (ctx, req) => {
  const { dir, personId: me } = ctx;
  return createOnce({
    find: () => findMessageByKey(ctx.sql, me, req.clientKey),
    // An edit or delete since does not make a retry a different reply.
    same: (prior) => prior.deletedAt !== null || (prior.replyTo?.kind === req.to.kind && prior.replyTo.id === req.to.id && (prior.body === req.body || prior.editedAt !== null)),
    what: 'a different message',
    answer: async (prior) => answer(ctx, await getConversation(ctx.sql, prior.conversationId), prior),
    create: async () => {
      // Only what the caller reads now; a deleted message is gone for this purpose too.
      const original = await readableTarget(dir, ctx.sql, me, req.to, ['to', 'id']);
      const author = original.kind === 'post' ? original.post.authorId : original.message.senderId;
      if (author === me) throw new RequestError('invalid', `this is your own ${original.kind}`, ['to', 'id']);
      if (!dir.person(author) || !mayShow(dir, me, author)) {
        throw new RequestError('forbidden', `the author of this ${original.kind} cannot be written to privately`, ['to', 'id']);
      }
      // §3 through the message function: the caller's row must allow the author (a guardian
      // writes to the child's mentor), as for conversation.start; the path names the original.
      const via: Via = { kind: 'direct' };
      const decision = await canWithHistory(
        dir, ctx.sql, me,
        (history) => (history ? { type: 'conversation.start', participantIds: [author], via, history } : { type: 'conversation.start', participantIds: [author], via }),
        [me, author],
      );
      assertAllowed(decision, ['to', 'id']);
      const { row: conv } = await findOrStartDirect(ctx, [author], undefined, req.clientKey);
      const participants = await assertMayWrite(dir, ctx.sql, me, conv);
      const replyTo = quoteOf(dir, original);
      const quietHours = sentInQuietHours(dir, me, participants, new Date());
      const sent = await ctx.publisher.write(async (tx) => {
        const message = { id: newId('msg'), senderId: me, body: req.body, clientKey: req.clientKey, quietHours, replyTo };
        // Not awaited: the insert, the events and the COMMIT go to PostgreSQL in one write.
        return { result: appendMessageShared(tx, { conv, message }), events: sentMessageEvents(dir, ctx.links, conv, participants, messageDraft(conv, message)) };
      }, [heldRow('conversations', conv.id)]); // the append locks it for the next seq
      return sent && answer(ctx, conv, sent);
    },
  });
};
