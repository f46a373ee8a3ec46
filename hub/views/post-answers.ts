// How a post's ask and its answers are shown (docs/PROTOCOL.md "Answers to a post"), and the
// events an answer makes: the whole answer to the author side (the author, the school's leaders,
// admins and reader: `lead:S`), and the answerer's own answer to their own devices only.
import type { Directory } from '../directory/model.ts';
import type { Ask } from '../protocol/frames-answers.ts';
import type { AnswerSlot } from '../rules/index.ts';
import type { AnswerRow } from '../../storage/post-answers.ts';
import { key } from '../audience.ts';
import type { Shown } from './chat.ts';

export type AskView = { kind: 'ack'; deadline: string | null } | { kind: 'choice'; options: string[]; deadline: string | null };
/** On the wire an answer is "ack" or the index of the chosen option. */
export type WireAnswer = 'ack' | number;

/** The ask as every reader sees it (part of the Post view), or null. */
export function askView(stored: unknown): AskView | null {
  if (stored === null || stored === undefined) return null;
  const ask = stored as Ask;
  const deadline = ask.deadline ?? null;
  return ask.kind === 'ack' ? { kind: 'ack', deadline } : { kind: 'choice', options: [...ask.options], deadline };
}

export const wireAnswer = (choice: number | null): WireAnswer => (choice === null ? 'ack' : choice);
export const storedChoice = (answer: WireAnswer): number | null => (answer === 'ack' ? null : answer);

const nameOf = (dir: Directory, show: Shown, id: string) => (show(id) ? dir.person(id)?.name ?? 'Unknown' : null);

/** One expected answer as the author side sees it: who, for whom, and what (null: not yet). */
export function answerLine(dir: Directory, show: Shown, slot: AnswerSlot, row: AnswerRow | undefined) {
  return {
    personId: show(slot.personId) ? slot.personId : null,
    personName: nameOf(dir, show, slot.personId),
    forId: show(slot.forId) ? slot.forId : null,
    forName: nameOf(dir, show, slot.forId),
    /** `guardian`: answers for a child; `self`: answers for themselves. */
    as: slot.forId === slot.personId ? ('self' as const) : ('guardian' as const),
    answer: row ? wireAnswer(row.choice) : null,
    answeredAt: row?.answeredAt ?? null,
  };
}
export type AnswerLine = ReturnType<typeof answerLine>;

/** One of the viewer's own answers: for whom, and what (null: not yet). */
export function ownAnswer(dir: Directory, forId: string, row: AnswerRow | undefined) {
  return {
    forId,
    forName: dir.person(forId)?.name ?? 'Unknown',
    answer: row ? wireAnswer(row.choice) : null,
    answeredAt: row?.answeredAt ?? null,
  };
}

/** Per option, how many answered it (an acknowledgement: one count); and how many have not answered. */
export function tally(ask: AskView, lines: readonly { answer: WireAnswer | null }[]) {
  const counts = new Array<number>(ask.kind === 'ack' ? 1 : ask.options.length).fill(0);
  let waiting = 0;
  for (const l of lines) {
    if (l.answer === null) waiting++;
    else counts[l.answer === 'ack' ? 0 : l.answer] = (counts[l.answer === 'ack' ? 0 : l.answer] ?? 0) + 1;
  }
  return { counts, answered: lines.length - waiting, waiting };
}

/**
 * The events of a changed answer. The author side (all staff, who see every person) gets the
 * whole line; the answerer's own devices get their own answer. Nobody else, not the other
 * guardian of the same child: each answers for themselves, and families see only their own.
 */
export function answerEvents(dir: Directory, post: { id: string; authorId: string; schoolId: string }, row: AnswerRow) {
  const slot = { personId: row.personId, forId: row.forId };
  return [
    { name: 'post.answers.changed', keys: [key.person(post.authorId), key.schoolLead(post.schoolId)], data: { postId: post.id, answer: answerLine(dir, () => true, slot, row) } },
    { name: 'post.answered', keys: [key.person(row.personId)], data: { postId: post.id, answer: ownAnswer(dir, row.forId, row) } },
  ];
}
