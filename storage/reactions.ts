// Reactions (issue 13): one row per person, emoji and target, a message or a post. The rows
// of a target go with it (ON DELETE CASCADE, migration 012); a deleted message's rows are
// removed with its body.
import type { Db, Tx } from './pool.ts';
import { iso } from './rows.ts';

export type ReactionTarget = { kind: 'message' | 'post'; id: string };

export interface ReactionRow {
  personId: string;
  emoji: string;
  createdAt: string;
}

const column = (db: Db, kind: ReactionTarget['kind']) => db(kind === 'message' ? 'message_id' : 'post_id');

/** The table of a target's row: the one lockTarget locks. */
export const targetTable = (kind: ReactionTarget['kind']): 'messages' | 'posts' => (kind === 'message' ? 'messages' : 'posts');

/**
 * Locks the target's row for this transaction, so that changes to one target's reactions are
 * applied, counted and published one at a time (each event's counts include every earlier
 * change), and a delete of the target waits or is waited for. False: the target is gone.
 * FOR NO KEY UPDATE, not FOR UPDATE: a row that refers to the target (an answer to the post,
 * its reactions' own foreign keys) and a read-statistics recount take a key-share lock on it,
 * which FOR UPDATE would make wait for this reaction's commit, through its WAL flush.
 */
export async function lockTarget(tx: Tx, t: ReactionTarget): Promise<boolean> {
  const rows = t.kind === 'message'
    ? await tx`select 1 from messages where id = ${t.id} and deleted_at is null for no key update`
    : await tx`select 1 from posts where id = ${t.id} for no key update`;
  return rows.length > 0;
}

/** Puts the reaction on (or takes it off); true when that changed anything. */
export async function setReaction(tx: Tx, t: ReactionTarget, personId: string, emoji: string, on: boolean): Promise<boolean> {
  const col = column(tx, t.kind);
  const rows = on
    ? await tx`insert into reactions (${col}, person_id, emoji) values (${t.id}, ${personId}, ${emoji}) on conflict do nothing returning 1`
    : await tx`delete from reactions where ${col} = ${t.id} and person_id = ${personId} and emoji = ${emoji} returning 1`;
  return rows.length > 0;
}

/** The reactions on each of these targets (of one kind), oldest first; targets without any are absent. */
export async function reactionsOn(db: Db, kind: ReactionTarget['kind'], ids: readonly string[]): Promise<Map<string, ReactionRow[]>> {
  const out = new Map<string, ReactionRow[]>();
  if (ids.length === 0) return out;
  const col = column(db, kind);
  const rows = await db<{ targetId: string; personId: string; emoji: string; createdAt: Date }[]>`
    select ${col} as target_id, person_id, emoji, created_at from reactions
    where ${col} = any(${[...ids]}::text[]) order by created_at, person_id, emoji`;
  for (const r of rows) {
    let list = out.get(r.targetId);
    if (!list) out.set(r.targetId, (list = []));
    list.push({ personId: r.personId, emoji: r.emoji, createdAt: iso(r.createdAt) });
  }
  return out;
}

/** Removes every reaction on a message (it was deleted). */
export async function clearMessageReactions(tx: Tx, messageId: string): Promise<void> {
  await tx`delete from reactions where message_id = ${messageId}`;
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** The person's own reactions, oldest first, with what they are on. */
export async function reactionsBy(db: Db, personId: string): Promise<{ target: ReactionTarget; emoji: string; createdAt: string }[]> {
  const rows = await db<{ messageId: string | null; postId: string | null; emoji: string; createdAt: Date }[]>`
    select message_id, post_id, emoji, created_at from reactions where person_id = ${personId} order by created_at, emoji`;
  return rows.map((r) => ({
    target: r.messageId !== null ? { kind: 'message' as const, id: r.messageId } : { kind: 'post' as const, id: r.postId ?? '' },
    emoji: r.emoji,
    createdAt: iso(r.createdAt),
  }));
}

/** Posts that a held person reacted to: they stay while the hold does, and the reaction with them. */
export async function postsWithHeldReactions(db: Db, heldPersons: readonly string[]): Promise<string[]> {
  if (heldPersons.length === 0) return [];
  const rows = await db<{ postId: string }[]>`
    select distinct post_id from reactions where post_id is not null and person_id = any(${[...heldPersons]}::text[])`;
  return rows.map((r) => r.postId);
}
