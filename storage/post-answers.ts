// Answers to posts that ask for them (acknowledge and RSVP; storage/migrations/013_post_answers.sql):
// one row per post, answering person and the one it is for, overwritten when changed.
import type { Db, Tx } from './pool.ts';
import { iso, type Stored } from './rows.ts';

export interface AnswerRow {
  postId: string;
  personId: string;
  forId: string;
  /** null: an acknowledgement; else the index of the chosen option. */
  choice: number | null;
  answeredAt: string;
}

const answerRow = (r: Stored<AnswerRow, 'answeredAt'>): AnswerRow => ({
  postId: r.postId, personId: r.personId, forId: r.forId, choice: r.choice, answeredAt: iso(r.answeredAt),
});

/**
 * Stores the answer, or changes it; `changed` is false when it was already this answer (then
 * the stored row, with its time, is returned and nothing is to be told).
 */
export async function saveAnswer(tx: Tx, a: Omit<AnswerRow, 'answeredAt'>): Promise<{ row: AnswerRow; changed: boolean }> {
  const [r] = await tx<Stored<AnswerRow, 'answeredAt'>[]>`
    insert into post_answers (post_id, person_id, for_id, choice) values (${a.postId}, ${a.personId}, ${a.forId}, ${a.choice})
    on conflict (post_id, person_id, for_id) do update set choice = excluded.choice, answered_at = excluded.answered_at
      where post_answers.choice is distinct from excluded.choice
    returning *`;
  if (r) return { row: answerRow(r), changed: true };
  const [same] = await tx<Stored<AnswerRow, 'answeredAt'>[]>`
    select * from post_answers where post_id = ${a.postId} and person_id = ${a.personId} and for_id = ${a.forId}`;
  return { row: answerRow(same!), changed: false };
}

/** Every answer to one post. */
export async function answersToPost(db: Db, postId: string): Promise<AnswerRow[]> {
  const rows = await db<Stored<AnswerRow, 'answeredAt'>[]>`select * from post_answers where post_id = ${postId} order by answered_at, person_id, for_id`;
  return rows.map(answerRow);
}

/** The answers one person gave to these posts (their own, for the feed). */
export async function answersBy(db: Db, personId: string, postIds: readonly string[]): Promise<AnswerRow[]> {
  if (postIds.length === 0) return [];
  const rows = await db<Stored<AnswerRow, 'answeredAt'>[]>`
    select * from post_answers where person_id = ${personId} and post_id = any(${postIds as string[]}::text[])`;
  return rows.map(answerRow);
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** Every answer the person gave, oldest first, with the post's title and ask (for the export). */
export async function answersGivenBy(db: Db, personId: string): Promise<(AnswerRow & { postTitle: string; ask: unknown })[]> {
  const rows = await db<(Stored<AnswerRow, 'answeredAt'> & { postTitle: string; ask: unknown })[]>`
    select a.*, p.title as post_title, p.ask from post_answers a join posts p on p.id = a.post_id
    where a.person_id = ${personId} order by a.answered_at, a.post_id, a.for_id`;
  return rows.map((r) => ({ ...answerRow(r), postTitle: r.postTitle, ask: r.ask }));
}

/**
 * Posts that hold an answer by or for a held person, or a held answer's post: kept by retention
 * with them (answers go with their post through ON DELETE CASCADE).
 */
export async function postsOfHeldAnswers(db: Db, heldPersons: readonly string[]): Promise<string[]> {
  if (heldPersons.length === 0) return [];
  const rows = await db<{ postId: string }[]>`
    select distinct post_id from post_answers
    where person_id = any(${heldPersons as string[]}::text[]) or for_id = any(${heldPersons as string[]}::text[])`;
  return rows.map((r) => r.postId);
}
