// typing: "someone is writing" to the other participants' devices. Ephemeral (hub/typing.ts):
// never stored, never replayed. Rate-limited per connection: a client may send one on every
// keystroke; the hub relays a start at most once per window per conversation, a stop only
// after a start, and at most a few signals a second over all conversations. Checked like a
// message (a participant with the right to write); a protected person's indicator reaches
// only those who may see them.
import { TokenBucket } from '../rate.ts';
import { mayShow } from '../people.ts';
import { getConversation } from '../../storage/chat.ts';
import type { Handler } from './context.ts';
import { assertMayWrite, notFound } from './chat-rights.ts';

export const TYPING_LIMITS = {
  /** A repeated start within this time is not relayed: the indicator is still showing. */
  repeatMs: 3_000,
  /** Signals relayed per connection and second, and the burst. */
  rate: 2,
  burst: 6,
};

interface ConnectionTyping {
  bucket: TokenBucket;
  /** Per conversation: the last relayed signal. */
  last: Map<string, { at: number; typing: boolean }>;
}

// Keyed by the connection object: the state goes when the connection does.
const perConnection = new WeakMap<object, ConnectionTyping>();

export const relayTyping: Handler<'typing'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const typing = req.typing;
  let state = perConnection.get(ctx.connection);
  if (!state) perConnection.set(ctx.connection, (state = { bucket: new TokenBucket(TYPING_LIMITS.rate, TYPING_LIMITS.burst), last: new Map() }));
  const now = Date.now();
  const prev = state.last.get(req.conversationId);
  if (typing && prev?.typing && now - prev.at < TYPING_LIMITS.repeatMs) return { relayed: false };
  if (!typing && !prev?.typing) return { relayed: false };
  if (!state.bucket.take(now)) return { relayed: false };
  // Claimed before the awaits, so that two signals in flight do not both pass.
  if (state.last.size > 200) state.last.clear();
  state.last.set(req.conversationId, { at: now, typing });
  try {
    const conv = await getConversation(ctx.sql, req.conversationId);
    if (!conv) throw notFound();
    const participants = await assertMayWrite(dir, ctx.sql, personId, conv);
    const to = participants.filter((p) => p !== personId && mayShow(dir, p, personId));
    ctx.typing.send({ conversationId: conv.id, personId, name: dir.person(personId)?.name ?? 'Unknown', typing, to });
    return { relayed: true };
  } catch (e) {
    if (prev) state.last.set(req.conversationId, prev);
    else state.last.delete(req.conversationId);
    throw e;
  }
};
