// How the reactions on a message or a post are shown, and to whom their events go
// (docs/DOMAIN.md, "Reactions"; docs/PROTOCOL.md `reaction.set`). Everyone who reads the
// target sees the counts. Who reacted is shown to those the rules allow: in a conversation its
// participants, except in a whole-group conversation (an announcement) where only its mentors
// do; on a post its author and the staff who read it. A person the viewer may not see (a
// protected identity, hub/people.ts) is counted, never named.
import { REACTIONS, type Reaction } from '../protocol/limits.ts';
import { key, postKeys, readKeysOf } from '../audience.ts';
import type { PostAudience } from '../rules/index.ts';
import type { Directory } from '../directory/model.ts';
import type { NewEvent } from '../../storage/events.ts';
import type { ReactionRow } from '../../storage/reactions.ts';
import type { ConversationRow } from '../../storage/chat.ts';
import type { PostRow } from '../../storage/feed.ts';
import { hiddenFromFamilies } from '../people.ts';
import { conversationKeys, showAll, showTo, type Shown } from './chat.ts';

/** A target as the wire names it: a message with its conversation, or a post. */
export type WireTarget = { kind: 'message'; id: string; conversationId: string } | { kind: 'post'; id: string };

export interface ReactionsView {
  /** How many reacted with each emoji (only those with any), in the order of REACTIONS. */
  counts: Partial<Record<Reaction, number>>;
  /** Who reacted with each, where the viewer may see names; absent where they see counts only. */
  by?: Partial<Record<Reaction, { id: string; name: string }[]>>;
  /** The viewer's own reactions (in events: only in the one to the person who reacted). */
  mine?: Reaction[];
}

/**
 * Who reads a target and who of them sees names: `nameKeys` null means every reader (as each
 * may see people); else only holders of these read keys (staff), the others see counts.
 */
export interface ReactionAudience {
  keys: string[];
  /** Everyone in the conversation now (a message's target), for events split per person. */
  participants: string[] | null;
  nameKeys: string[] | null;
}

export function reactionsView(dir: Directory, rows: readonly ReactionRow[], names: Shown | null, viewer?: string): ReactionsView {
  const counts: Partial<Record<Reaction, number>> = {};
  const by: Partial<Record<Reaction, { id: string; name: string }[]>> = {};
  for (const emoji of REACTIONS) {
    const of = rows.filter((r) => r.emoji === emoji);
    if (of.length === 0) continue;
    counts[emoji] = of.length;
    if (names) by[emoji] = of.filter((r) => names(r.personId)).map((r) => ({ id: r.personId, name: dir.person(r.personId)?.name ?? 'Unknown' }));
  }
  const out: ReactionsView = names ? { counts, by } : { counts };
  if (viewer !== undefined) out.mine = REACTIONS.filter((e) => rows.some((r) => r.personId === viewer && r.emoji === e));
  return out;
}

/** A message's readers: the conversation's; names for all of them, or only the mentors in a whole-group conversation. */
export function messageAudience(c: ConversationRow, participants: readonly string[]): ReactionAudience {
  const keys = conversationKeys(c, participants);
  return { keys, participants: [...participants], nameKeys: c.audience?.kind === 'group' ? [key.groupOwners(c.audience.groupId)] : null };
}

/** A post's readers, and the staff among them who see names: its author, the school's leaders, admins and readers, the groups' owners, staff it went to. */
export function postAudience(p: PostRow): ReactionAudience {
  const audience = p.audience as PostAudience;
  const keys = postKeys(p.authorId, p.schoolId, audience);
  const nameKeys = [key.person(p.authorId), key.schoolLead(p.schoolId)];
  for (const t of audience.targets) {
    if (t.kind === 'group') nameKeys.push(key.groupOwners(t.groupId));
    else if (t.kind === 'school' && audience.recipients.staff) nameKeys.push(key.schoolStaff(p.schoolId));
  }
  return { keys, participants: null, nameKeys };
}

/** Whom `viewer` may see named in the reactions of a target with this audience; null: nobody (counts only). */
export function namesFor(dir: Directory, viewer: string, a: ReactionAudience, viewerKeys?: ReadonlySet<string>): Shown | null {
  if (a.nameKeys === null) return showTo(dir, viewer);
  const mine = viewerKeys ?? new Set(readKeysOf(dir, viewer));
  // Holders of the name keys are staff, who may see everyone (hub/people.ts).
  return a.nameKeys.some((k) => mine.has(k)) ? showAll : null;
}

/**
 * reaction.changed after `actor` changed a reaction: the counts to every reader, the names to
 * those who see them (split per participant when someone hidden from families reacted), and
 * the actor's own reactions (`mine`) to the actor's devices. One person can get two of these
 * for one change (the actor; a teacher who is also a guardian in the class): each carries the
 * same counts, and a client keeps `by` and `mine` from the one that has them (docs/PROTOCOL.md).
 */
export function reactionEvents(dir: Directory, target: WireTarget, rows: readonly ReactionRow[], a: ReactionAudience, actor: string): NewEvent[] {
  const name = 'reaction.changed';
  const event = (keys: string[], names: Shown | null, viewer?: string): NewEvent => ({ name, keys, data: { target, reactions: reactionsView(dir, rows, names, viewer) } });
  const out: NewEvent[] = [];
  if (a.nameKeys !== null) {
    // Counts to the readers who hold no name key; a name key's holders get the names alone.
    const nameKeys = new Set(a.nameKeys);
    const countKeys = a.keys.filter((k) => !nameKeys.has(k));
    if (countKeys.length > 0) out.push(event(countKeys, null));
    out.push(event(a.nameKeys, showAll));
  } else if (!rows.some((r) => hiddenFromFamilies(dir, r.personId))) {
    out.push(event(a.keys, showAll));
  } else {
    for (const p of a.participants ?? []) out.push(event([key.person(p)], showTo(dir, p)));
  }
  out.push(event([key.person(actor)], namesFor(dir, actor, a), actor));
  return out;
}
