// Small helpers for showing conversations: who is in them, and where their context lives.
import type { Conversation } from '../client/protocol.ts';

/** The other participants' names, or everyone's when the person is alone in it. */
export function otherNames(c: Pick<Conversation, 'participants'>, me: string | undefined): string {
  const others = c.participants.filter((p) => p.id !== me);
  return (others.length ? others : c.participants).map((p) => p.name).join(', ');
}

/**
 * The portal's link for a conversation's context: `{kind}` and `{id}` in the pattern are
 * replaced (URL-encoded). Only http(s) links come out, so a pattern or an id can never
 * produce a javascript: URL.
 */
export function contextHref(
  pattern: string | null,
  context: NonNullable<Conversation['context']>,
  base: string = document.baseURI,
): string | undefined {
  if (!pattern) return undefined;
  const raw = pattern.replace(/\{kind\}/g, encodeURIComponent(context.kind)).replace(/\{id\}/g, encodeURIComponent(context.id));
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
