// The rights of docs/DOMAIN.md §3 with the facts they need from storage: who earlier started a
// plan/assignment conversation with which teacher. The rules stay pure; the facts are
// loaded first, and only when the answer without them is no (they rarely matter).
import { can, type Action, type Decision, type MessagingHistory } from '../rules/index.ts';
import { RequestError } from '../protocol/codes.ts';
import type { Directory } from '../directory/model.ts';
import type { Db } from '../../storage/pool.ts';
import { hasMemberRow, type ConversationRow } from '../../storage/chat.ts';
import { itemStartsAmong } from '../../storage/items.ts';
import { participantsNow, viaOf } from '../views/chat.ts';
import { assertAllowed } from './rights.ts';

/** §3 history among these people, as the pure rules ask for it. */
export async function historyAmong(db: Db, ids: readonly string[]): Promise<MessagingHistory> {
  const pairs = await itemStartsAmong(db, [...new Set(ids)]);
  const set = new Set(pairs.map(([t, p]) => `${t}|${p}`));
  return { startedThroughItemWith: (teacherId, otherId) => set.has(`${teacherId}|${otherId}`) };
}

/**
 * Asks the rules; when the answer is `forbidden` and history could change it (the message
 * function between these people), asks again with the history loaded.
 */
export async function canWithHistory(dir: Directory, db: Db, actor: string, action: (history?: MessagingHistory) => Action, historyOf: readonly string[]): Promise<Decision> {
  const first = can(dir, actor, action());
  if (first.ok || first.code !== 'forbidden' || historyOf.length < 2) return first;
  return can(dir, actor, action(await historyAmong(db, historyOf)));
}

/** Not a participant, or no such conversation: the same answer (no probing). */
export const notFound = () => new RequestError('not_found', 'no such conversation', ['conversationId']);

/**
 * May `personId` write in the conversation now (a message, an edit, a typing signal)?
 * Returns everyone in it. A non-participant gets not_found; someone who took part but has
 * left the group, or lost the right (a setting turned off), gets forbidden with the reason.
 */
export async function assertMayWrite(dir: Directory, db: Db, personId: string, conv: ConversationRow): Promise<string[]> {
  const participants = participantsNow(dir, conv);
  if (!participants.includes(personId)) {
    if (conv.audience && (await hasMemberRow(db, conv.id, personId))) {
      const what = conv.audience.kind === 'group' ? 'this group' : 'this development conference';
      throw new RequestError('forbidden', `you are no longer part of ${what}`, ['conversationId']);
    }
    throw notFound();
  }
  const via = viaOf(conv);
  const decision = await canWithHistory(
    dir, db, personId,
    (history) => (history ? { type: 'message.send', participantIds: participants, via, history } : { type: 'message.send', participantIds: participants, via }),
    via.kind === 'direct' ? participants : [],
  );
  assertAllowed(decision);
  return participants;
}
