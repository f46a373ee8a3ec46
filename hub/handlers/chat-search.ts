// messages.search: words in the messages of one's own conversations (those one is in now),
// newest first. PostgreSQL full text: every word a prefix of a Swedish stem or of the plain
// word ("läxor" finds "läxorna" and "läxan", "Nys" finds "Nyström").
import { readKeysOf } from '../audience.ts';
import { RequestError } from '../protocol/codes.ts';
import { searchMessages } from '../../storage/chat.ts';
import type { Handler } from './context.ts';
import { nextCursor, pageBefore } from './paging.ts';
import { conversationView, messageView, participantsNow, showTo } from '../views/chat.ts';
import { audit, conversationTouch } from '../audit.ts';

/** Plain words only (letters and digits): nothing of the query syntax reaches to_tsquery. */
export function searchWords(query: string): string[] {
  return query.toLocaleLowerCase('sv').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0).slice(0, 10);
}

export const searchOwnMessages: Handler<'messages.search'> = async (ctx, req) => {
  const { dir, personId } = ctx;
  const words = searchWords(req.query);
  if (words.length === 0) throw new RequestError('invalid', 'search for at least one word', ['query']);
  const limit = req.limit ?? 20;
  const before = pageBefore(req.before);
  const rows = await searchMessages(ctx.sql, personId, readKeysOf(dir, personId), words, limit, { conversationId: req.conversationId, before });
  const show = showTo(dir, personId);
  // Listed once as a participant is not enough: someone who left a group conversation no longer searches it.
  const mine = rows.filter((r) => participantsNow(dir, r.conversation).includes(personId));
  audit(ctx, 'messages.search', () => mine.map((r) => conversationTouch(r.conversation, participantsNow(dir, r.conversation), [r])));
  return {
    results: mine.map((r) => ({
      message: messageView(dir, show, ctx.links, r, r.conversation.context),
      conversation: conversationView(dir, show, ctx.links, r.conversation, participantsNow(dir, r.conversation)),
    })),
    next: nextCursor(rows, limit),
  };
};
