// reaction.set (issue 13; docs/DOMAIN.md "Reactions"): one of a small fixed set of emoji on a
// message or a post, one of each per person and target, on or off. Setting what is already
// set changes nothing and publishes nothing (a safe retry). Whoever reads the target now may
// react: a participant of the message's conversation (in a whole-group conversation the
// families too: a reaction is how they acknowledge an announcement), a reader of the post.
import { RequestError } from '../protocol/codes.ts';
import { readKeysOf } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import type { Db } from '../../storage/pool.ts';
import { getConversation, getMessage, type ConversationRow, type MessageRow } from '../../storage/chat.ts';
import { readablePost, type PostRow } from '../../storage/feed.ts';
import { lockTarget, reactionsOn, setReaction, targetTable, type ReactionRow } from '../../storage/reactions.ts';
import type { Handler, HandlerContext } from './context.ts';
import { audit } from '../audit.ts';
import { isParticipant, participantsNow } from '../views/chat.ts';
import { messageAudience, namesFor, postAudience, reactionEvents, reactionsView, type ReactionAudience, type ReactionsView, type WireTarget } from '../views/reactions.ts';
import { heldRow } from '../publisher.ts';

type Path = (string | number)[];

/** A target the caller reads now, with its audience; the message's conversation or the post. */
export type Readable =
  | { kind: 'message'; message: MessageRow; conversation: ConversationRow; participants: string[] }
  | { kind: 'post'; post: PostRow };

export const noSuch = (kind: 'message' | 'post', path: Path) => new RequestError('not_found', `no such ${kind}`, path);

/**
 * The message or post, when `personId` reads it now: a participant of the message's
 * conversation (not a deleted message), a holder of one of the post's read keys. Else
 * not_found, the same as for an id that does not exist.
 */
export async function readableTarget(dir: Directory, db: Db, personId: string, t: { kind: 'message' | 'post'; id: string }, path: Path): Promise<Readable> {
  if (t.kind === 'post') {
    const post = await readablePost(db, t.id, readKeysOf(dir, personId));
    if (!post) throw noSuch('post', path);
    return { kind: 'post', post };
  }
  const message = await getMessage(db, t.id);
  const conversation = message && message.deletedAt === null ? await getConversation(db, message.conversationId) : undefined;
  if (!message || !conversation || !isParticipant(dir, conversation, personId)) throw noSuch('message', path);
  return { kind: 'message', message, conversation, participants: participantsNow(dir, conversation) };
}

export const wireTarget = (r: Readable): WireTarget =>
  r.kind === 'post' ? { kind: 'post', id: r.post.id } : { kind: 'message', id: r.message.id, conversationId: r.conversation.id };

export const audienceOf = (r: Readable): ReactionAudience =>
  r.kind === 'post' ? postAudience(r.post) : messageAudience(r.conversation, r.participants);

/**
 * The reactions on each target as the caller sees them (history.get, feed.get). Names of
 * protected persons shown to staff are audited under `operation` (hub/audit.ts); a
 * conversation's reactors are its participants, whom history.get audits already.
 */
export async function reactionsFor(
  ctx: HandlerContext, kind: 'message' | 'post', targets: readonly { id: string; audience: ReactionAudience }[], operation?: string,
): Promise<Map<string, ReactionsView>> {
  const { dir, personId } = ctx;
  const rows = await reactionsOn(ctx.sql, kind, targets.map((t) => t.id));
  const keys = new Set(readKeysOf(dir, personId));
  const shown = targets.map((t) => ({ id: t.id, rows: rows.get(t.id) ?? [], names: namesFor(dir, personId, t.audience, keys) }));
  if (operation) audit(ctx, operation, () => shown.filter((t) => t.names !== null).map((t) => ({ about: t.rows.map((r) => r.personId), ids: [t.id] })));
  return new Map(shown.map((t) => [t.id, reactionsView(dir, t.rows, t.names, personId)]));
}

export const setOneReaction: Handler<'reaction.set'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const target = await readableTarget(dir, ctx.sql, personId, req.target, ['target', 'id']);
  const wire = wireTarget(target);
  const audience = audienceOf(target);
  const rows = await ctx.publisher.write(async (tx) => {
    // Deleted or expired since it was read: gone, as for any other id.
    if (!(await lockTarget(tx, req.target))) throw noSuch(req.target.kind, ['target', 'id']);
    const changed = await setReaction(tx, req.target, personId, req.emoji, req.on);
    const now: ReactionRow[] = (await reactionsOn(tx, req.target.kind, [req.target.id])).get(req.target.id) ?? [];
    return { result: now, events: changed ? reactionEvents(dir, wire, now, audience, personId) : [] };
  }, [heldRow(targetTable(req.target.kind), req.target.id)]); // lockTarget's row
  const names = namesFor(dir, personId, audience);
  if (names !== null) audit(ctx, 'reaction.set', () => [{ about: rows.map((r) => r.personId), ids: [req.target.id] }]);
  return { target: wire, reactions: reactionsView(dir, rows, names, personId) };
};
