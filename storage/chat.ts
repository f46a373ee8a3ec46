// Conversations and messages. seq counts from 1 per conversation without gaps: it is taken
// under the conversation row's lock, in the same transaction as the message.
import type { Db, Tx } from './pool.ts';

export interface ConversationContext {
  kind: 'plan' | 'assignment' | 'conference';
  id: string;
  title?: string;
}

export interface ConversationRow {
  id: string;
  creatorId: string;
  subject: string | null;
  context: ConversationContext | null;
  participantIds: string[];
  lastSeq: number;
  createdAt: string;
}

export interface MessageRow {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  body: string;
  createdAt: string;
  clientKey: string;
}

const iso = (d: unknown) => (d instanceof Date ? d : new Date(String(d))).toISOString();

function conversationRow(r: Record<string, unknown>, participantIds: string[]): ConversationRow {
  return {
    id: r.id as string,
    creatorId: r.creator_id as string,
    subject: (r.subject as string | null) ?? null,
    context: (r.context as ConversationContext | null) ?? null,
    participantIds,
    lastSeq: Number(r.last_seq),
    createdAt: iso(r.created_at),
  };
}

export function messageRow(r: Record<string, unknown>): MessageRow {
  return {
    id: r.id as string, conversationId: r.conversation_id as string, seq: Number(r.seq), senderId: r.sender_id as string,
    body: r.body as string, createdAt: iso(r.created_at), clientKey: r.client_key as string,
  };
}

export async function participantsOf(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db<{ person_id: string }[]>`select person_id from conversation_members where conversation_id = ${conversationId} order by joined_at, person_id`;
  return rows.map((r) => r.person_id);
}

export async function getConversation(db: Db, id: string): Promise<ConversationRow | undefined> {
  const [r] = await db`select * from conversations where id = ${id}`;
  return r ? conversationRow(r, await participantsOf(db, id)) : undefined;
}

/** The conversation row, locked for this transaction (the message sequence). */
export async function lockConversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  const [r] = await tx`select * from conversations where id = ${id} for update`;
  return r ? conversationRow(r, await participantsOf(tx, id)) : undefined;
}

export async function findConversation(db: Db, by: { creatorId: string; clientKey: string } | { directKey: string }): Promise<ConversationRow | undefined> {
  const [r] = 'directKey' in by
    ? await db`select * from conversations where direct_key = ${by.directKey}`
    : await db`select * from conversations where creator_id = ${by.creatorId} and client_key = ${by.clientKey}`;
  return r ? conversationRow(r, await participantsOf(db, r.id as string)) : undefined;
}

export async function insertConversation(
  tx: Tx,
  c: { id: string; creatorId: string; subject: string | null; context: ConversationContext | null; participantIds: string[]; clientKey: string; directKey: string | null },
): Promise<ConversationRow> {
  const [r] = await tx`
    insert into conversations (id, creator_id, subject, context, client_key, direct_key)
    values (${c.id}, ${c.creatorId}, ${c.subject}, ${c.context === null ? null : JSON.stringify(c.context)}::text::jsonb, ${c.clientKey}, ${c.directKey})
    returning *`;
  await tx`insert into conversation_members (conversation_id, person_id) select ${c.id}, unnest(${c.participantIds}::text[])`;
  return conversationRow(r!, c.participantIds);
}

export async function findMessageByKey(db: Db, senderId: string, clientKey: string): Promise<MessageRow | undefined> {
  const [r] = await db`select * from messages where sender_id = ${senderId} and client_key = ${clientKey}`;
  return r ? messageRow(r) : undefined;
}

/**
 * Appends a message; the sender has read it. The seq is taken by the update itself, so two
 * messages to one conversation in one (group-committed) transaction get 6 and 7, not 6 twice.
 */
export async function appendMessage(tx: Tx, conv: Pick<ConversationRow, 'id'>, m: { id: string; senderId: string; body: string; clientKey: string }): Promise<MessageRow> {
  const [r] = await tx`
    with c as (
      update conversations set last_seq = last_seq + 1, last_message_at = date_trunc('milliseconds', now())
      where id = ${conv.id} returning id, last_seq
    ), m as (
      insert into messages (conversation_id, seq, id, sender_id, body, client_key)
      select id, last_seq, ${m.id}, ${m.senderId}, ${m.body}, ${m.clientKey} from c returning *
    ), r as (
      update conversation_members set read_seq = (select last_seq from c)
      where conversation_id = ${conv.id} and person_id = ${m.senderId}
    )
    select * from m`;
  if (!r) throw new Error(`conversation ${conv.id} vanished`);
  return messageRow(r);
}

/** Moves a member's read mark forward (never back, never past the last message). Returns the new mark, or undefined when it did not move. */
export async function markRead(db: Db, conversationId: string, personId: string, seq: number): Promise<number | undefined> {
  const rows = await db<{ read_seq: number }[]>`
    update conversation_members m set read_seq = least(${seq}, c.last_seq)
    from conversations c
    where m.conversation_id = ${conversationId} and m.person_id = ${personId} and c.id = m.conversation_id
      and least(${seq}, c.last_seq) > m.read_seq
    returning m.read_seq`;
  return rows[0] ? Number(rows[0].read_seq) : undefined;
}

export async function readMarks(db: Db, conversationId: string): Promise<Record<string, number>> {
  const rows = await db<{ person_id: string; read_seq: number }[]>`select person_id, read_seq from conversation_members where conversation_id = ${conversationId}`;
  return Object.fromEntries(rows.map((r) => [r.person_id, Number(r.read_seq)]));
}

export interface InboxRow {
  conversation: ConversationRow;
  unread: number;
  lastMessage: MessageRow | null;
  lastActivityAt: string;
}

/** A person's conversations, most recent activity first, with unread counts and the last message. */
export async function inboxPage(db: Db, personId: string, limit: number, before?: { at: string; id: string }): Promise<InboxRow[]> {
  const beforeAt = before?.at ?? null;
  const beforeId = before?.id ?? null;
  const rows = await db`
    select c.*, m.read_seq, coalesce(c.last_message_at, c.created_at) as activity_at,
           (select array_agg(person_id order by joined_at, person_id) from conversation_members x where x.conversation_id = c.id) as participant_ids,
           lm.id as lm_id, lm.seq as lm_seq, lm.sender_id as lm_sender_id, lm.body as lm_body, lm.created_at as lm_created_at, lm.client_key as lm_client_key
    from conversation_members m
    join conversations c on c.id = m.conversation_id
    left join messages lm on lm.conversation_id = c.id and lm.seq = c.last_seq
    where m.person_id = ${personId}
      and (${beforeAt}::timestamptz is null or (coalesce(c.last_message_at, c.created_at), c.id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    order by coalesce(c.last_message_at, c.created_at) desc, c.id desc
    limit ${limit}`;
  return rows.map((r) => ({
    conversation: conversationRow(r, r.participant_ids as string[]),
    unread: Number(r.last_seq) - Number(r.read_seq),
    lastMessage: r.lm_id
      ? { id: r.lm_id as string, conversationId: r.id as string, seq: Number(r.lm_seq), senderId: r.lm_sender_id as string, body: r.lm_body as string, createdAt: iso(r.lm_created_at), clientKey: r.lm_client_key as string }
      : null,
    lastActivityAt: iso(r.activity_at),
  }));
}

export async function unreadTotal(db: Db, personId: string): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    select coalesce(sum(c.last_seq - m.read_seq), 0)::int as n
    from conversation_members m join conversations c on c.id = m.conversation_id where m.person_id = ${personId}`;
  return Number(r?.n ?? 0);
}

/** Messages before `beforeSeq` (or the newest), oldest first. */
export async function historyPage(db: Db, conversationId: string, limit: number, beforeSeq?: number): Promise<MessageRow[]> {
  const rows = await db`
    select * from messages where conversation_id = ${conversationId}
      and (${beforeSeq ?? null}::bigint is null or seq < ${beforeSeq ?? null}::bigint)
    order by seq desc limit ${limit}`;
  return rows.map(messageRow).reverse();
}
