// Conversations and messages. seq counts from 1 per conversation without gaps: it is taken
// under the conversation row's lock, in the same transaction as the message.
//
// Two kinds of membership: most conversations list their participants in
// conversation_members; a conversation with an `audience` (a whole mentor group, a
// conference's family) has its members resolved from the directory when it is read or
// written (its read `keys` find it), and its conversation_members rows are only read marks.
import type { Db, Tx } from './pool.ts';
import { iso, isoOrNull } from './rows.ts';

export interface ConversationContext {
  kind: 'plan' | 'assignment' | 'conference';
  id: string;
  title?: string;
  /** Kept with the context so that the rights of every message need no lookup of the item. */
  groupId?: string;
  studentId?: string;
  mentorId?: string;
}

export type StoredAudience =
  | { kind: 'group'; groupId: string; members: 'students' | 'guardians' }
  | { kind: 'conference'; conferenceId: string; mentorId: string; groupId: string; studentId: string };

export interface ConversationRow {
  id: string;
  creatorId: string;
  subject: string | null;
  context: ConversationContext | null;
  /** Membership from the directory (null: the stored participants below). */
  audience: StoredAudience | null;
  /** Stored participants; for a conversation with an audience, those who have a read mark. */
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
  editedAt: string | null;
  /** A tombstone: the message was deleted; its body is empty. */
  deletedAt: string | null;
  /** Sent to staff during their school's quiet hours. */
  quietHours: boolean;
}

function conversationRow(r: Record<string, unknown>, participantIds: string[]): ConversationRow {
  return {
    id: r.id as string,
    creatorId: r.creator_id as string,
    subject: (r.subject as string | null) ?? null,
    context: (r.context as ConversationContext | null) ?? null,
    audience: (r.audience as StoredAudience | null) ?? null,
    participantIds,
    lastSeq: Number(r.last_seq),
    createdAt: iso(r.created_at),
  };
}

/** A message from a row, its columns optionally prefixed (`lm_` in the inbox query). */
export function messageRow(r: Record<string, unknown>, p = ''): MessageRow {
  return {
    id: r[`${p}id`] as string, conversationId: r[`${p}conversation_id`] as string, seq: Number(r[`${p}seq`]),
    senderId: r[`${p}sender_id`] as string, body: r[`${p}body`] as string, createdAt: iso(r[`${p}created_at`]),
    clientKey: r[`${p}client_key`] as string, editedAt: isoOrNull(r[`${p}edited_at`]), deletedAt: isoOrNull(r[`${p}deleted_at`]),
    quietHours: r[`${p}quiet_hours`] === true,
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

/** The conversation with its members in one round trip, for sending (the seq needs no lock here). */
export async function conversationForSend(db: Db, id: string): Promise<ConversationRow | undefined> {
  const [r] = await db`
    select c.*, array(select person_id from conversation_members m where m.conversation_id = c.id order by joined_at, person_id) as participant_ids
    from conversations c where c.id = ${id}`;
  return r ? conversationRow(r, r.participant_ids as string[]) : undefined;
}

/** The conversation row, locked for this transaction (edits and deletes). */
export async function lockConversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  const [r] = await tx`select * from conversations where id = ${id} for update`;
  return r ? conversationRow(r, await participantsOf(tx, id)) : undefined;
}

export async function findConversation(
  db: Db, by: { creatorId: string; clientKey: string } | { directKey: string } | { threadKey: string },
): Promise<ConversationRow | undefined> {
  const [r] = 'directKey' in by
    ? await db`select * from conversations where direct_key = ${by.directKey}`
    : 'threadKey' in by
      ? await db`select * from conversations where thread_key = ${by.threadKey}`
      : await db`select * from conversations where creator_id = ${by.creatorId} and client_key = ${by.clientKey}`;
  return r ? conversationRow(r, await participantsOf(db, r.id as string)) : undefined;
}

export async function insertConversation(
  tx: Tx,
  c: {
    id: string; creatorId: string; subject: string | null; context: ConversationContext | null; participantIds: string[]; clientKey: string;
    directKey: string | null; threadKey?: string | null; audience?: StoredAudience | null; keys?: string[] | null;
  },
): Promise<ConversationRow> {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const [r] = await tx`
    insert into conversations (id, creator_id, subject, context, client_key, direct_key, thread_key, audience, keys)
    values (${c.id}, ${c.creatorId}, ${c.subject}, ${json(c.context)}::text::jsonb, ${c.clientKey}, ${c.directKey},
            ${c.threadKey ?? null}, ${json(c.audience)}::text::jsonb, ${c.keys ?? null}::text[])
    returning *`;
  await tx`insert into conversation_members (conversation_id, person_id) select ${c.id}, unnest(${c.participantIds}::text[])`;
  return conversationRow(r!, c.participantIds);
}

/** Adds participants (a guardian joining an item's thread); returns those who were not in it yet. */
export async function addMembers(tx: Tx, conversationId: string, personIds: string[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  const rows = await tx<{ person_id: string }[]>`
    insert into conversation_members (conversation_id, person_id) select ${conversationId}, unnest(${personIds}::text[])
    on conflict do nothing returning person_id`;
  return rows.map((r) => r.person_id);
}

/** Has the person a row (a read mark) in the conversation: did they ever take part? */
export async function hasMemberRow(db: Db, conversationId: string, personId: string): Promise<boolean> {
  const rows = await db`select 1 from conversation_members where conversation_id = ${conversationId} and person_id = ${personId}`;
  return rows.length > 0;
}

/** Keeps the title shown in the contexts of an item's conversations in step with the item. */
export async function retitleContexts(tx: Tx, kind: string, id: string, title: string): Promise<void> {
  await tx`
    update conversations set context = jsonb_set(context, '{title}', to_jsonb(${title}::text))
    where context->>'kind' = ${kind} and context->>'id' = ${id} and context->>'title' is distinct from ${title}::text`;
}

export async function findMessageByKey(db: Db, senderId: string, clientKey: string): Promise<MessageRow | undefined> {
  const [r] = await db`select * from messages where sender_id = ${senderId} and client_key = ${clientKey}`;
  return r ? messageRow(r) : undefined;
}

export async function getMessage(db: Db, id: string): Promise<MessageRow | undefined> {
  const [r] = await db`select * from messages where id = ${id}`;
  return r ? messageRow(r) : undefined;
}

/**
 * Appends a message; the sender has read it. The seq is taken by the update itself, so two
 * messages to one conversation in one (group-committed) transaction get 6 and 7, not 6 twice.
 * The sender's read mark is an upsert: in a conversation with an audience they may have no
 * row yet.
 */
export async function appendMessage(
  tx: Tx, conv: Pick<ConversationRow, 'id'>, m: { id: string; senderId: string; body: string; clientKey: string; quietHours: boolean },
): Promise<MessageRow | undefined> {
  // A retry with a clientKey already stored takes no seq and inserts nothing (undefined).
  const [r] = await tx`
    with c as (
      update conversations set last_seq = last_seq + 1, last_message_at = date_trunc('milliseconds', now())
      where id = ${conv.id}
        and not exists (select 1 from messages where sender_id = ${m.senderId} and client_key = ${m.clientKey})
      returning id, last_seq
    ), m as (
      insert into messages (conversation_id, seq, id, sender_id, body, client_key, quiet_hours)
      select id, last_seq, ${m.id}, ${m.senderId}, ${m.body}, ${m.clientKey}, ${m.quietHours} from c returning *
    ), r as (
      insert into conversation_members (conversation_id, person_id, read_seq)
      select id, ${m.senderId}, last_seq from c
      on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
    )
    select * from m`;
  return r ? messageRow(r) : undefined;
}

/** A new body for a message; clears nothing else. */
export async function editMessage(tx: Tx, id: string, body: string): Promise<MessageRow> {
  const [r] = await tx`update messages set body = ${body}, edited_at = date_trunc('milliseconds', now()) where id = ${id} returning *`;
  return messageRow(r!);
}

/** Deletes a message's content, keeping its row and seq as a tombstone. */
export async function deleteMessage(tx: Tx, id: string): Promise<MessageRow> {
  const [r] = await tx`update messages set body = '', deleted_at = date_trunc('milliseconds', now()) where id = ${id} returning *`;
  return messageRow(r!);
}

/**
 * Moves a member's read mark forward (never back, never past the last message). Returns the
 * new mark, or undefined when it did not move. The caller has checked that the person is a
 * participant: in a conversation with an audience the row is made on the first read.
 */
export async function markRead(db: Db, conversationId: string, personId: string, seq: number): Promise<number | undefined> {
  const rows = await db<{ read_seq: number }[]>`
    insert into conversation_members as m (conversation_id, person_id, read_seq)
    select c.id, ${personId}, least(${seq}, c.last_seq) from conversations c
    where c.id = ${conversationId} and least(${seq}, c.last_seq) > 0
    on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
      where excluded.read_seq > m.read_seq
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

/**
 * A person's conversations, most recent activity first, with unread counts and the last
 * message: those they are listed in, and those whose audience their read `keys` meet.
 */
export async function inboxPage(db: Db, personId: string, keys: string[], limit: number, before?: { at: string; id: string }): Promise<InboxRow[]> {
  const beforeAt = before?.at ?? null;
  const beforeId = before?.id ?? null;
  const rows = await db`
    with mine as (
      select m.conversation_id as id from conversation_members m join conversations x on x.id = m.conversation_id
      where m.person_id = ${personId} and x.audience is null
      union
      select id from conversations where keys && ${keys}::text[]
    )
    select c.*, coalesce(rm.read_seq, 0) as read_seq, coalesce(c.last_message_at, c.created_at) as activity_at,
           (select array_agg(person_id order by joined_at, person_id) from conversation_members x where x.conversation_id = c.id) as participant_ids,
           lm.id as lm_id, lm.conversation_id as lm_conversation_id, lm.seq as lm_seq, lm.sender_id as lm_sender_id, lm.body as lm_body, lm.created_at as lm_created_at,
           lm.client_key as lm_client_key, lm.edited_at as lm_edited_at, lm.deleted_at as lm_deleted_at, lm.quiet_hours as lm_quiet_hours
    from mine join conversations c on c.id = mine.id
    left join conversation_members rm on rm.conversation_id = c.id and rm.person_id = ${personId}
    left join messages lm on lm.conversation_id = c.id and lm.seq = c.last_seq
    where (${beforeAt}::timestamptz is null or (coalesce(c.last_message_at, c.created_at), c.id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    order by coalesce(c.last_message_at, c.created_at) desc, c.id desc
    limit ${limit}`;
  return rows.map((r) => ({
    conversation: conversationRow(r, (r.participant_ids as string[] | null) ?? []),
    unread: Math.max(0, Number(r.last_seq) - Number(r.read_seq)),
    lastMessage: r.lm_id ? messageRow(r, 'lm_') : null,
    lastActivityAt: iso(r.activity_at),
  }));
}

export async function unreadTotal(db: Db, personId: string, keys: string[]): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    with mine as (
      select m.conversation_id as id from conversation_members m join conversations x on x.id = m.conversation_id
      where m.person_id = ${personId} and x.audience is null
      union
      select id from conversations where keys && ${keys}::text[]
    )
    select coalesce(sum(greatest(c.last_seq - coalesce(rm.read_seq, 0), 0)), 0)::int as n
    from mine join conversations c on c.id = mine.id
    left join conversation_members rm on rm.conversation_id = c.id and rm.person_id = ${personId}`;
  return Number(r?.n ?? 0);
}

/** Messages before `beforeSeq` (or the newest), or after `afterSeq` (the oldest after it); oldest first. */
export async function historyPage(db: Db, conversationId: string, limit: number, at: { beforeSeq?: number | undefined; afterSeq?: number | undefined }): Promise<MessageRow[]> {
  if (at.afterSeq !== undefined) {
    const rows = await db`
      select * from messages where conversation_id = ${conversationId} and seq > ${at.afterSeq}::bigint
      order by seq asc limit ${limit}`;
    return rows.map((r) => messageRow(r));
  }
  const beforeSeq = at.beforeSeq ?? null;
  const rows = await db`
    select * from messages where conversation_id = ${conversationId}
      and (${beforeSeq}::bigint is null or seq < ${beforeSeq}::bigint)
    order by seq desc limit ${limit}`;
  return rows.map((r) => messageRow(r)).reverse();
}

/**
 * Full-text search (every word a prefix, of its Swedish stem or of the plain word) over the
 * messages of the person's conversations (listed in, or reached by `keys`); deleted messages
 * are not found. Newest first. `words` are plain words: the caller strips operators.
 */
export async function searchMessages(
  db: Db, personId: string, keys: string[], words: string[], limit: number,
  opts: { conversationId?: string | undefined; before?: { at: string; id: string } | undefined },
): Promise<(MessageRow & { conversation: ConversationRow })[]> {
  const query = words.map((w) => `${w}:*`).join(' & ');
  const beforeAt = opts.before?.at ?? null;
  const beforeId = opts.before?.id ?? null;
  const only = opts.conversationId ?? null;
  const rows = await db`
    with mine as (
      select m.conversation_id as id from conversation_members m join conversations x on x.id = m.conversation_id
      where m.person_id = ${personId} and x.audience is null
      union
      select id from conversations where keys && ${keys}::text[]
    )
    select msg.*, c.id as c_id, c.creator_id as c_creator_id, c.subject as c_subject, c.context as c_context,
           c.audience as c_audience, c.last_seq as c_last_seq, c.created_at as c_created_at
    from mine join messages msg on msg.conversation_id = mine.id
    join conversations c on c.id = msg.conversation_id
    where msg.search @@ (to_tsquery('swedish', ${query}) || to_tsquery('simple', ${query})) and msg.deleted_at is null
      and (${only}::text is null or msg.conversation_id = ${only}::text)
      and (${beforeAt}::timestamptz is null or (msg.created_at, msg.id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    order by msg.created_at desc, msg.id desc
    limit ${limit}`;
  const participants = new Map<string, string[]>();
  for (const id of new Set(rows.map((r) => r.c_id as string))) participants.set(id, await participantsOf(db, id));
  return rows.map((r) => ({
    ...messageRow(r),
    conversation: conversationRow(
      { id: r.c_id, creator_id: r.c_creator_id, subject: r.c_subject, context: r.c_context, audience: r.c_audience, last_seq: r.c_last_seq, created_at: r.c_created_at },
      participants.get(r.c_id as string) ?? [],
    ),
  }));
}
