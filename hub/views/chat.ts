// How conversations and messages are shown, and to whom their events go. People with a
// protected identity, and guardians of a protected child, never appear to other students and
// guardians (docs/DOMAIN.md, "Protected identities"; hub/people.ts decides): not in participant
// lists, not as the sender of a message, not in read receipts; so where one takes part, an
// event is split by who may see them.
import { audienceMembers, viaOfAudience, type Via } from '../rules/index.ts';
import { attachmentView } from './files.ts';
import { dynamicAudienceKeys, key } from '../audience.ts';
import type { Directory } from '../directory/model.ts';
import type { LinkPatterns } from '../config.ts';
import type { NewEvent } from '../../storage/events.ts';
import { hiddenFromFamilies, mayShow } from '../people.ts';
import type { ConversationContext, ConversationRow, MessageRow } from '../../storage/chat.ts';

/** Whom a viewer may see: `p => mayShow(dir, viewer, p)`, or everyone (staff), or only those hidden from no family (any family). */
export type Shown = (personId: string) => boolean;

export const showTo = (dir: Directory, viewer: string): Shown => (p) => mayShow(dir, viewer, p);
export const showAll: Shown = () => true;
export const showUnprotected = (dir: Directory): Shown => (p) => !hiddenFromFamilies(dir, p);

export interface ContextView {
  kind: ConversationContext['kind'];
  id: string;
  title: string | null;
  /** The portal's page of the item (HUB_LINK_*), or null when no pattern is configured. */
  link: string | null;
}

export function contextView(links: LinkPatterns, c: ConversationContext | null): ContextView | null {
  if (c === null) return null;
  const pattern = links[c.kind];
  return { kind: c.kind, id: c.id, title: c.title ?? null, link: pattern ? pattern.replaceAll('{id}', encodeURIComponent(c.id)) : null };
}

/** Everyone in the conversation now: its stored participants, or its audience as the directory has it. */
export function participantsNow(dir: Directory, c: Pick<ConversationRow, 'audience' | 'participantIds'>): string[] {
  return c.audience ? audienceMembers(dir, c.audience) : c.participantIds;
}

/** The way into a conversation (docs/DOMAIN.md §3), from what is stored with it. */
export function viaOf(c: Pick<ConversationRow, 'audience' | 'context'>): Via {
  if (c.audience) return viaOfAudience(c.audience);
  const ctx = c.context;
  if (ctx === null) return { kind: 'direct' };
  if (ctx.kind === 'conference') return { kind: 'conference', mentorId: ctx.mentorId ?? '', studentId: ctx.studentId ?? '' };
  return ctx.studentId === undefined ? { kind: ctx.kind, groupId: ctx.groupId ?? '' } : { kind: ctx.kind, groupId: ctx.groupId ?? '', studentId: ctx.studentId };
}

/** The read keys of everyone in the conversation: its audience's, or one per participant. */
export function conversationKeys(c: Pick<ConversationRow, 'audience'>, participants: readonly string[]): string[] {
  return c.audience ? dynamicAudienceKeys(c.audience) : participants.map(key.person);
}

export function conversationView(dir: Directory, show: Shown, links: LinkPatterns, c: ConversationRow, participants: readonly string[]) {
  // mentorIds: who writes to the whole group (docs/DOMAIN.md §3); the others reply privately.
  const g = c.audience?.kind === 'group' ? dir.groups.get(c.audience.groupId) : undefined;
  const group = c.audience?.kind === 'group'
    ? { id: c.audience.groupId, name: g?.name ?? null, audience: c.audience.members, mentorIds: [...(g?.owners ?? [])].filter(show).sort() }
    : null;
  return {
    id: c.id,
    creatorId: show(c.creatorId) ? c.creatorId : null,
    subject: c.subject,
    context: contextView(links, c.context),
    group,
    participants: participants.filter(show).map((id) => ({ id, name: dir.person(id)?.name ?? 'Unknown' })),
    createdAt: c.createdAt,
  };
}

/** Is `personId` in the conversation now? (Its audience follows the directory.) */
export function isParticipant(dir: Directory, conv: ConversationRow, personId: string): boolean {
  return participantsNow(dir, conv).includes(personId);
}

/** A message as `show` may see it: a sender `show` hides (hub/people.ts) is shown without id or name. */
export function messageView(dir: Directory, show: Shown, links: LinkPatterns, m: MessageRow, context: ConversationContext | null) {
  const visible = show(m.senderId);
  return {
    id: m.id, conversationId: m.conversationId, seq: m.seq,
    senderId: visible ? m.senderId : null,
    senderName: visible ? dir.person(m.senderId)?.name ?? 'Unknown' : null,
    body: m.body, createdAt: m.createdAt, clientKey: m.clientKey,
    editedAt: m.editedAt, deletedAt: m.deletedAt, deleted: m.deletedAt !== null, quietHours: m.quietHours,
    context: contextView(links, context),
    replyTo: m.deletedAt === null ? m.replyTo : null,
    files: m.deletedAt === null ? m.files.map(attachmentView) : [],
  };
}

/**
 * The events of a message being sent, written before its insert has answered (`draft`,
 * storage/chat.ts messageDraft): message.created, and the sender's read mark, which sending
 * moved to the message, so that their other devices (and receipts) never keep it unread. Each
 * takes the stored seq and createdAt, and is left out if the insert stored nothing (a retry).
 */
export function sentMessageEvents(dir: Directory, links: LinkPatterns, c: ConversationRow, participants: readonly string[], draft: MessageRow): NewEvent[] {
  const created = { table: 'messages', id: draft.id, seqAt: ['message', 'seq'], createdAtAt: ['message', 'createdAt'] } as const;
  return [
    ...messageEvents(dir, links, 'message.created', c, participants, draft).map((e) => ({ ...e, ofRow: created })),
    { ...readEvent(dir, c, participants, draft.senderId, draft.seq), ofRow: { table: 'messages', id: draft.id, seqAt: ['seq'] } },
  ];
}

/** The person's read mark in `c` is now `seq`: to their devices and the participants. */
export function readEvent(dir: Directory, c: ConversationRow, participants: readonly string[], personId: string, seq: number): NewEvent {
  // Read receipts of someone hidden from families (a protected person, or a guardian of a
  // protected child) go only to those who may see them (themselves included).
  const keys = hiddenFromFamilies(dir, personId)
    ? participants.filter((p) => mayShow(dir, p, personId)).map(key.person)
    : conversationKeys(c, participants);
  return { name: 'conversation.read', keys, data: { conversationId: c.id, personId, seq } };
}

/**
 * conversation.created / conversation.updated for everyone in it (or only for `to`, some of
 * them). One event when nobody in it is hidden from families (hub/people.ts). Otherwise a group
 * conversation gets one event for its mentors (everyone shown) and one for the families (the
 * hidden left out, also for their own family, who see them in history.get), and a smaller one
 * an event per participant with what they may see.
 */
export function conversationEvents(dir: Directory, links: LinkPatterns, name: string, c: ConversationRow, participants: readonly string[], only?: readonly string[]): NewEvent[] {
  const to = only ?? participants;
  const anyProtected = participants.some((p) => hiddenFromFamilies(dir, p));
  if (!anyProtected) {
    const keys = only ? only.map(key.person) : conversationKeys(c, participants);
    return [{ name, keys, data: { conversation: conversationView(dir, showAll, links, c, participants) } }];
  }
  if (c.audience?.kind === 'group' && !only) {
    const [owners, families] = dynamicAudienceKeys(c.audience) as [string, string];
    return [
      { name, keys: [owners], data: { conversation: conversationView(dir, showAll, links, c, participants) } },
      { name, keys: [families], data: { conversation: conversationView(dir, showUnprotected(dir), links, c, participants) } },
    ];
  }
  return to.map((p) => ({ name, keys: [key.person(p)], data: { conversation: conversationView(dir, showTo(dir, p), links, c, participants) } }));
}

/**
 * message.created / message.edited: one event to everyone in the conversation, or, when the
 * sender is hidden from families (hub/people.ts), the full message to those who may see them and the
 * message without its sender to the others.
 */
export function messageEvents(dir: Directory, links: LinkPatterns, name: string, c: ConversationRow, participants: readonly string[], m: MessageRow): NewEvent[] {
  if (!hiddenFromFamilies(dir, m.senderId)) {
    return [{ name, keys: conversationKeys(c, participants), data: { message: messageView(dir, showAll, links, m, c.context) } }];
  }
  const full = participants.filter((p) => mayShow(dir, p, m.senderId));
  const hidden = participants.filter((p) => !mayShow(dir, p, m.senderId));
  const out: NewEvent[] = [{ name, keys: full.map(key.person), data: { message: messageView(dir, showAll, links, m, c.context) } }];
  if (hidden.length > 0) out.push({ name, keys: hidden.map(key.person), data: { message: messageView(dir, () => false, links, m, c.context) } });
  return out;
}
