// Small helpers for showing conversations: who is in them, what they are called, who wrote.
import type { Context, Conversation, Message } from '../client/protocol.ts';
import type { Strings } from './i18n.ts';

/** The other participants' names, or everyone's when the person is alone in it. */
export function otherNames(c: Pick<Conversation, 'participants'>, me: string | undefined): string {
  const others = c.participants.filter((p) => p.id !== me);
  return (others.length ? others : c.participants).map((p) => p.name).join(', ');
}

/** A conversation's name: its subject, its whole group, what it is about, or the other participants. */
export function conversationTitle(c: Pick<Conversation, 'subject' | 'group' | 'participants' | 'context'>, me: string | undefined, t: Strings): string {
  if (c.subject) return c.subject;
  if (c.group) return t.wholeGroup(c.group.name ?? t.group, t.who[c.group.audience]);
  if (c.context) return contextLabel(c.context, t);
  return otherNames(c, me) || t.conversation;
}

/** Whether the title already says what the conversation is about. */
export function titledByContext(c: Pick<Conversation, 'subject' | 'group' | 'context'>): boolean {
  return !c.subject && !c.group && c.context !== null;
}

/** "Uppgift: Bråk", or just the kind when the hub has no title. */
export function contextLabel(c: Pick<Context, 'kind' | 'title'>, t: Strings): string {
  return c.title ? `${t.context[c.kind]}: ${c.title}` : t.context[c.kind];
}

/** Who wrote a message: "Du", their name, or a neutral label for a person the hub does not name. */
export function senderLabel(m: Pick<Message, 'senderId' | 'senderName'>, me: string | undefined, t: Strings): string {
  if (m.senderId !== null && m.senderId === me) return t.you;
  return m.senderName ?? t.someone;
}

/** "Anna", "Anna och Bo", "Anna, Bo och Cia"; more than three: undefined (say "several"). */
export function nameList(names: string[], t: Strings): string | undefined {
  if (names.length === 0 || names.length > 3) return undefined;
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} ${t.and} ${names[names.length - 1]}`;
}
