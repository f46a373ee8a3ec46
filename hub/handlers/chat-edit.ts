// message.edit and message.delete: one's own message, within a time window. Both are events
// to every participant's devices (and in the log, so a resume brings them); a deleted
// message stays in the history as a tombstone (its seq, sender and time, no body), so that
// seq keeps counting without gaps.
import { RequestError } from '../protocol/codes.ts';
import { EDIT_WINDOW_MS } from '../protocol/limits.ts';
import type { Directory } from '../directory/model.ts';
import type { Tx } from '../../storage/pool.ts';
import { deleteMessageAttachments } from '../../storage/documentation.ts';
import { deleteMessage, editMessage, getMessage, lockConversation, type ConversationRow, type MessageRow } from '../../storage/chat.ts';
import { clearMessageReactions } from '../../storage/reactions.ts';
import type { Handler, HandlerContext } from './context.ts';
import { conversationKeys, isParticipant, messageEvents, messageView, participantsNow, showTo } from '../views/chat.ts';
import { assertMayWrite } from './chat-rights.ts';

const noSuchMessage = () => new RequestError('not_found', 'no such message', ['messageId']);

/** The caller's own message, its conversation locked; not_found for anything they may not see. */
async function ownMessage(dir: Directory, tx: Tx, personId: string, messageId: string, verb: string): Promise<{ conv: ConversationRow; m: MessageRow }> {
  const found = await getMessage(tx, messageId);
  if (!found) throw noSuchMessage();
  const conv = await lockConversation(tx, found.conversationId);
  if (!conv || !isParticipant(dir, conv, personId)) throw noSuchMessage();
  const m = (await getMessage(tx, messageId)) ?? found; // read again under the lock
  if (m.senderId !== personId) throw new RequestError('forbidden', `you may ${verb} only your own messages`, ['messageId']);
  return { conv, m };
}

function withinWindow(m: MessageRow, verb: string): void {
  if (Date.now() - Date.parse(m.createdAt) > EDIT_WINDOW_MS) {
    throw new RequestError('forbidden', `a message can be ${verb} only within ${Math.round(EDIT_WINDOW_MS / 60_000)} minutes of sending it`, ['messageId']);
  }
}

function view(ctx: HandlerContext, m: MessageRow, conv: ConversationRow) {
  return { message: messageView(ctx.dir, showTo(ctx.dir, ctx.personId), ctx.links, m, conv.context) };
}

export const editOwnMessage: Handler<'message.edit'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const out = await ctx.publisher.write(async (tx) => {
    const { conv, m } = await ownMessage(dir, tx, personId, req.messageId, 'edit');
    if (m.deletedAt !== null) throw new RequestError('conflict', 'this message was deleted', ['messageId']);
    if (m.body === req.body) return { result: { m, conv }, events: [] }; // a retry: nothing changes
    withinWindow(m, 'edited');
    // Editing is writing: the rights of §3 as for a new message (a student who left the group may not).
    const participants = await assertMayWrite(dir, tx, personId, conv);
    const edited = await editMessage(tx, m.id, req.body);
    return { result: { m: edited, conv }, events: messageEvents(dir, ctx.links, 'message.edited', conv, participants, edited) };
  });
  return view(ctx, out.m, out.conv);
};

export const deleteOwnMessage: Handler<'message.delete'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const out = await ctx.publisher.write(async (tx) => {
    const { conv, m } = await ownMessage(dir, tx, personId, req.messageId, 'delete');
    if (m.deletedAt !== null) return { result: { m, conv, files: [] as string[] }, events: [] }; // a retry
    withinWindow(m, 'deleted');
    // Taking back one's own words needs no right to write more: a participant may always.
    const deleted = await deleteMessage(tx, m.id);
    // Its files go with it: the rows now, in this transaction, the bytes once it committed.
    const files = await deleteMessageAttachments(tx, m.id);
    // Its reactions go with its words; clients drop them on message.deleted.
    await clearMessageReactions(tx, m.id);
    const data = { conversationId: conv.id, messageId: m.id, seq: m.seq, deletedAt: deleted.deletedAt };
    return { result: { m: deleted, conv, files }, events: [{ name: 'message.deleted', keys: conversationKeys(conv, participantsNow(dir, conv)), data }] };
  });
  // Nobody is served them any more (the rows are gone); a file left by a crash here goes in the
  // retention run's sweep of files without a row.
  for (const f of out.files) await ctx.attachmentFiles.remove(f).catch((e: unknown) => ctx.log(`message file ${f} could not be removed`, e));
  return view(ctx, out.m, out.conv);
};
