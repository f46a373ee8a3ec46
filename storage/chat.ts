// Conversations and messages. seq counts from 1 per conversation without gaps: it is taken
// under the conversation row's lock, in the same transaction as the message.
//
// Two kinds of membership: most conversations list their participants in
// conversation_members; a conversation with an `audience` (a whole mentor group, a
// conference's family) has its members resolved from the directory when it is read or
// written (its read `keys` find it), and its conversation_members rows are only read marks.
import type { Db, Tx } from './pool.ts';
import type { FileFacts } from './documentation.ts';
import { iso, isoOrNull, keyedRows, keysMeet, type Stored } from './rows.ts';
import { inBatches, RETENTION_BATCH } from './retention.ts';
import { sharedStatement } from './shared-statements.ts';

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
  /** A private reply: what it answers, quoted when it was written (null for other messages). */
  replyTo: ReplyQuote | null;
  /** Its files (images, PDFs), as they were taken when it was sent; none once deleted. */
  files: FileFacts[];
}

/**
 * The original a private reply answers: a message of a conversation the writer was in, or a
 * post they read (which has no conversation).
 */
export type ReplyQuote =
  | {
    kind: 'message';
    id: string;
    conversationId: string;
    /** The original conversation's title as shown: its subject or its group's name. */
    title: string | null;
    excerpt: string;
  }
  | {
    kind: 'post';
    id: string;
    /** The post's title. */
    title: string;
    excerpt: string;
  };

/** A jsonb parameter: SQL null for null (JSON.stringify would make it the JSON value null). */
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

type ConversationRecord = Stored<Omit<ConversationRow, 'participantIds'>, 'createdAt'>;

/**
 * Every column of a message row but `search`, for every read and `returning` of messages. The
 * search vector is only ever matched in a WHERE; read with `*` it cost PostgreSQL the vector's
 * text for each row (two to three times the body's bytes), sent to the hub to be parsed and
 * dropped, on every append, history page, inbox, search and export.
 */
export const MESSAGE_COLUMNS = [
  'conversation_id', 'seq', 'id', 'sender_id', 'body', 'client_key', 'created_at', 'edited_at', 'deleted_at', 'quiet_hours', 'reply_to', 'files',
] as const;

/** MESSAGE_COLUMNS as a select list (plain lowercase names: nothing to quote), made once. */
const MESSAGE_SELECT = MESSAGE_COLUMNS.join(', ');

/** The select list of the table, or of its alias `as` (a constant of this file). */
const messageColumns = (db: Db, as?: 'm' | 'msg') =>
  db.unsafe(as === undefined ? MESSAGE_SELECT : MESSAGE_COLUMNS.map((c) => `${as}.${c}`).join(', '));

type MessageRecord = Omit<Stored<MessageRow, 'createdAt' | 'editedAt' | 'deletedAt'>, 'files'> & { files: FileFacts[] | null };

function conversationRow(r: ConversationRecord, participantIds: string[]): ConversationRow {
  return {
    id: r.id, creatorId: r.creatorId, subject: r.subject, context: r.context, audience: r.audience, participantIds,
    lastSeq: Number(r.lastSeq), createdAt: iso(r.createdAt),
  };
}

function messageRow(r: MessageRecord): MessageRow {
  return {
    id: r.id, conversationId: r.conversationId, seq: Number(r.seq), senderId: r.senderId, body: r.body, createdAt: iso(r.createdAt),
    clientKey: r.clientKey, editedAt: isoOrNull(r.editedAt), deletedAt: isoOrNull(r.deletedAt), quietHours: r.quietHours === true,
    replyTo: r.replyTo ?? null, files: r.files ?? [],
  };
}

/**
 * The ids of the person's conversations, as an array for `c.id = any(...)`: those they are
 * listed in (stored members), and those whose audience their read `keys` meet (the keys'
 * GIN index, storage/rows.ts keysMeet). The inbox, the unread total, search and "mark all read"
 * take this one definition. As an array PostgreSQL plans for a few conversations and looks
 * each up by its id; as a join it planned for the ~1% of all conversations that it assumes
 * unseen keys meet, and scanned every conversation to join them (70–170 ms for any reader on
 * 620,000 conversations; loadtest/RESULTS.md, "Every read by keys").
 */
function myConversations(db: Db, personId: string, keys: string[]) {
  return db`array(
    select m.conversation_id from conversation_members m join conversations x on x.id = m.conversation_id
    where m.person_id = ${personId} and x.audience is null
    union
    select id from conversations where ${keysMeet(db, keys)})`;
}

export async function participantsOf(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db<{ personId: string }[]>`select person_id from conversation_members where conversation_id = ${conversationId} order by joined_at, person_id`;
  return rows.map((r) => r.personId);
}

/**
 * The conversation with its members, in one statement (message.send reads it for every
 * message; the seq needs no lock here). By `id = $1`, not conversationsByIds' `= any($1)`:
 * PostgreSQL prices the generic plan of `any` of a parameter array for ten ids, finds it dearer
 * than a custom plan for one, and so plans it again on every call: about 70 µs of its CPU per
 * message (storage/message-plans.test.ts).
 */
export async function getConversation(db: Db, id: string): Promise<ConversationRow | undefined> {
  return oneWithMembers(await db<WithMembers[]>`${withMembers(db)} where c.id = ${id}`);
}

type WithMembers = ConversationRecord & { participantIds: string[] };

/** Conversations `c` with their members (in participantsOf's order), one statement: add the where. */
const withMembers = (db: Db) =>
  db`select c.*, array(select person_id from conversation_members m where m.conversation_id = c.id order by joined_at, person_id) as participant_ids from conversations c`;

const oneWithMembers = ([r]: WithMembers[]): ConversationRow | undefined => (r ? conversationRow(r, r.participantIds) : undefined);

/**
 * The conversation row, locked for this transaction (edits and deletes). Its members are read
 * after the lock, in a statement of their own, so that they include any a transaction it
 * waited for added (withMembers' one statement would read them as of before the wait).
 */
export async function lockConversation(tx: Tx, id: string): Promise<ConversationRow | undefined> {
  const [r] = await tx<ConversationRecord[]>`select * from conversations where id = ${id} for update`;
  return r ? conversationRow(r, await participantsOf(tx, id)) : undefined;
}

export async function findConversation(
  db: Db, by: { creatorId: string; clientKey: string } | { directKey: string } | { threadKey: string },
): Promise<ConversationRow | undefined> {
  const where = 'directKey' in by
    ? db`c.direct_key = ${by.directKey}`
    : 'threadKey' in by
      ? db`c.thread_key = ${by.threadKey}`
      : db`c.creator_id = ${by.creatorId} and c.client_key = ${by.clientKey}`;
  return oneWithMembers(await db<WithMembers[]>`${withMembers(db)} where ${where}`);
}

export async function insertConversation(
  tx: Tx,
  c: {
    id: string; creatorId: string; subject: string | null; context: ConversationContext | null; participantIds: string[]; clientKey: string;
    directKey: string | null; threadKey?: string | null; audience?: StoredAudience | null; keys?: string[] | null;
  },
): Promise<ConversationRow> {
  const [r] = await tx<ConversationRecord[]>`
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
  const rows = await tx<{ personId: string }[]>`
    insert into conversation_members (conversation_id, person_id) select ${conversationId}, unnest(${personIds}::text[])
    on conflict do nothing returning person_id`;
  return rows.map((r) => r.personId);
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

export const { byKey: findMessageByKey, byId: getMessage } = keyedRows<MessageRecord, MessageRow>('messages', 'sender_id', messageRow, { columns: (db) => messageColumns(db) });

/** A message appendMessage is to store. */
export interface NewMessage {
  id: string;
  senderId: string;
  body: string;
  clientKey: string;
  quietHours: boolean;
  replyTo?: ReplyQuote;
  files?: readonly FileFacts[];
}

/**
 * The row appendMessage stores, but for what the database sets: seq 0 and createdAt '' stand
 * in for them. Its events are written from it before the insert has answered, and take those
 * two from the stored row (storage/events.ts, `ofRow`).
 */
export function messageDraft(conv: Pick<ConversationRow, 'id'>, m: NewMessage): MessageRow {
  return {
    id: m.id, conversationId: conv.id, seq: 0, senderId: m.senderId, body: m.body, createdAt: '', clientKey: m.clientKey,
    editedAt: null, deletedAt: null, quietHours: m.quietHours, replyTo: m.replyTo ?? null, files: m.files ? [...m.files] : [],
  };
}

/** A message to append: to `conv`, checked against `unlessChanged` when the sender's rights were checked against a copy. */
export interface MessageAppend {
  conv: Pick<ConversationRow, 'id'>;
  message: NewMessage;
  unlessChanged?: ConversationRow | undefined;
}

/**
 * Appends messages in one statement; each sender has read their own. Answers, in the order
 * given, each stored row, or undefined where nothing was stored: a retry whose clientKey is
 * stored already (or appears earlier in this same call) takes no seq, and neither does a
 * message whose rights were checked against a copy (`unlessChanged`) that is no longer what is
 * stored, nor one whose conversation is gone. The seqs are taken by the update itself, under
 * the conversation's row lock: messages to one conversation get consecutive seqs in the
 * order given, so two in one group commit get 6 and 7, not 6 twice. The sender's read mark is
 * an upsert (in a conversation with an audience they may have no row yet).
 *
 * Appends to one conversation that carry different copies go in statements of their own, one
 * after the other: the copy is checked once for the conversation, under its lock, and one
 * append's stale copy must not refuse another's.
 */
export function appendMessages(tx: Tx, appends: readonly MessageAppend[]): Promise<(MessageRow | undefined)[]> {
  const rounds: MessageAppend[][] = [];
  const copyIn: Map<string, ConversationRow | undefined>[] = [];
  for (const a of appends) {
    let r = 0;
    while (r < rounds.length && copyIn[r]!.has(a.conv.id) && copyIn[r]!.get(a.conv.id) !== a.unlessChanged) r++;
    if (r === rounds.length) (rounds.push([]), copyIn.push(new Map()));
    rounds[r]!.push(a);
    copyIn[r]!.set(a.conv.id, a.unlessChanged);
  }
  // Sent together, not one after the other's answer: the statements go out in one write.
  const answers = rounds.map((round) => (round.length === 1 ? appendOne(tx, round[0]!) : appendMany(tx, round)));
  return Promise.all(answers).then((stored) => {
    const byId = new Map(stored.flat().map((m) => [m.id, m]));
    return appends.map((a) => byId.get(a.message.id));
  });
}

/**
 * What a copy says of a conversation that its messages' rights and events are computed from,
 * for storedAsCopy as jsonb: absent keys (not JSON null) for a null context or audience, so
 * that `->` gives SQL null.
 */
const copyFacts = (copy: ConversationRow) =>
  ({ subject: copy.subject, context: copy.context ?? undefined, audience: copy.audience ?? undefined, participantIds: copy.participantIds });

/**
 * One append alone (most writes at a low rate commit alone): the set statement below does the
 * same for one row, with about 0.1 ms more of PostgreSQL's CPU (loadtest/RESULTS.md).
 */
async function appendOne(tx: Tx, { conv, message: m, unlessChanged: copy }: MessageAppend): Promise<MessageRow[]> {
  const rows = await tx<MessageRecord[]>`
    with c as (
      update conversations v set last_seq = v.last_seq + 1, last_message_at = date_trunc('milliseconds', now())
      from (select ${copy ? JSON.stringify(copyFacts(copy)) : null}::text::jsonb as copy) k
      where v.id = ${conv.id}
        and not exists (select 1 from messages where sender_id = ${m.senderId} and client_key = ${m.clientKey})
        and (k.copy is null or (${storedAsCopy(tx)}))
      returning v.id, v.last_seq
    ), m as (
      insert into messages (conversation_id, seq, id, sender_id, body, client_key, quiet_hours, reply_to, files)
      select id, last_seq, ${m.id}, ${m.senderId}, ${m.body}, ${m.clientKey}, ${m.quietHours}, ${m.replyTo ? JSON.stringify(m.replyTo) : null}::text::jsonb,
             ${m.files?.length ? JSON.stringify(m.files) : null}::text::jsonb from c returning ${messageColumns(tx)}
    ), r as (
      insert into conversation_members (conversation_id, person_id, read_seq)
      select id, ${m.senderId}, last_seq from c
      on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
    )
    select * from m`;
  return rows.map(messageRow);
}

/**
 * The batch sizes appendMany plans for, as a literal limit: PostgreSQL takes a set-returning
 * function for 100 rows, and for a few messages it would then read a small `conversations`
 * whole rather than look the few rows up. One prepared statement per class, each planned for
 * about its size.
 */
const SIZE_CLASSES = [4, 16, 100] as const;
const sizeClass = (n: number): number => SIZE_CLASSES.find((c) => c >= n) ?? n;

/** Several appends in one statement: what appendOne does, for a set of rows. */
async function appendMany(tx: Tx, round: readonly MessageAppend[]): Promise<MessageRow[]> {
  // One jsonb parameter carries the rows: a statement of any size is one prepared statement.
  // Absent keys (not null) for what a message lacks, so that `->` gives SQL null.
  const input = JSON.stringify(round.map(({ conv, message: m, unlessChanged: copy }) => ({
    conversationId: conv.id, id: m.id, senderId: m.senderId, body: m.body, clientKey: m.clientKey, quietHours: m.quietHours,
    replyTo: m.replyTo, files: m.files?.length ? m.files : undefined, copy: copy && copyFacts(copy),
  })));
  // `offset 0` keeps the clientKey test a lookup per message in the (sender, client_key) index,
  // whatever the plan thinks of the input's size. A clientKey given twice is stored once (the
  // first). Each conversation is updated once, by its number of messages; `k` is in id order,
  // which a plan of index lookups keeps, so two batches appending to the same conversations
  // mostly lock them in one order (a deadlock between batches is retried, hub/publisher.ts).
  const rows = await tx<MessageRecord[]>`
    with i as (
      select x.e->>'conversationId' as conversation_id, x.e->>'id' as id, x.e->>'senderId' as sender_id, x.e->>'body' as body,
             x.e->>'clientKey' as client_key, (x.e->>'quietHours')::boolean as quiet_hours, x.e->'replyTo' as reply_to,
             x.e->'files' as files, x.e->'copy' as copy, x.n
      from jsonb_array_elements(${input}::text::jsonb) with ordinality as x(e, n)
      limit ${tx.unsafe(String(sizeClass(round.length)))}
    ), f as (
      select distinct on (sender_id, client_key) * from i
      where not exists (select 1 from messages m where m.sender_id = i.sender_id and m.client_key = i.client_key offset 0)
      order by sender_id, client_key, n
    ), k as (
      select conversation_id, count(*) as k, (array_agg(copy))[1] as copy from f group by conversation_id order by conversation_id
    ), c as (
      update conversations v set last_seq = v.last_seq + k.k, last_message_at = date_trunc('milliseconds', now())
      from k where v.id = k.conversation_id and (k.copy is null or (${storedAsCopy(tx)}))
      returning v.id, v.last_seq, k.k
    ), s as (
      select f.*, c.last_seq - c.k + row_number() over (partition by f.conversation_id order by f.n) as seq
      from f join c on c.id = f.conversation_id
    ), m as (
      insert into messages (conversation_id, seq, id, sender_id, body, client_key, quiet_hours, reply_to, files)
      select conversation_id, seq, id, sender_id, body, client_key, quiet_hours, reply_to, files from s
      returning ${messageColumns(tx)}
    ), r as (
      insert into conversation_members (conversation_id, person_id, read_seq)
      select distinct on (conversation_id, sender_id) conversation_id, sender_id, seq from s order by conversation_id, sender_id, seq desc
      on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
    )
    select * from m`;
  return rows.map(messageRow);
}

/** appendMessages for one message: its stored row, or undefined when nothing was stored. */
export async function appendMessage(tx: Tx, conv: Pick<ConversationRow, 'id'>, message: NewMessage, unlessChanged?: ConversationRow): Promise<MessageRow | undefined> {
  const [stored] = await appendMessages(tx, [{ conv, message, unlessChanged }]);
  return stored;
}

/**
 * appendMessage as one of the writes of a group commit: the messages of every write of the
 * batch go out in one statement (storage/shared-statements.ts), sent once each write's work
 * has returned. So the work must return the promise, never await it.
 */
export const appendMessageShared = sharedStatement(appendMessages);

/**
 * The condition, inside an update of `conversations` v with the copy `k.copy` (jsonb:
 * copyFacts), that the row still holds what the copy says of everything a message's rights and
 * events are computed from: its subject, context and audience, and for a conversation without
 * an audience its members, as a set (insertConversation's row lists them in the order given, a
 * read in the order joined). A conversation with an audience takes its members from the
 * directory; its member rows are read marks, which every first read adds, so they are not
 * compared. `lastSeq` is the append's own to take, and the id, creator and creation time never
 * change.
 */
function storedAsCopy(tx: Tx) {
  return tx`v.subject is not distinct from k.copy->>'subject'
    and v.context is not distinct from k.copy->'context'
    and v.audience is not distinct from k.copy->'audience'
    and (v.audience is not null
      or array(select person_id from conversation_members where conversation_id = v.id order by person_id)
         = array(select jsonb_array_elements_text(k.copy->'participantIds') order by 1))`;
}

/** A new body for a message; clears nothing else. */
export async function editMessage(tx: Tx, id: string, body: string): Promise<MessageRow> {
  const [r] = await tx<MessageRecord[]>`update messages set body = ${body}, edited_at = date_trunc('milliseconds', now()) where id = ${id} returning ${messageColumns(tx)}`;
  return messageRow(r!);
}

/** Deletes a message's content, keeping its row and seq as a tombstone. */
export async function deleteMessage(tx: Tx, id: string): Promise<MessageRow> {
  const [r] = await tx<MessageRecord[]>`update messages set body = '', reply_to = null, files = null, deleted_at = date_trunc('milliseconds', now()) where id = ${id} returning ${messageColumns(tx)}`;
  return messageRow(r!);
}

/**
 * Moves a member's read mark forward (never back, never past the last message). Returns the
 * new mark, or undefined when it did not move. The caller has checked that the person is a
 * participant: in a conversation with an audience the row is made on the first read.
 */
export async function markRead(db: Db, conversationId: string, personId: string, seq: number): Promise<number | undefined> {
  const rows = await db<{ readSeq: number }[]>`
    insert into conversation_members as m (conversation_id, person_id, read_seq)
    select c.id, ${personId}, least(${seq}, c.last_seq) from conversations c
    where c.id = ${conversationId} and least(${seq}, c.last_seq) > 0
    on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
      where excluded.read_seq > m.read_seq
    returning m.read_seq`;
  return rows[0] ? Number(rows[0].readSeq) : undefined;
}

/**
 * Moves the person's read mark to the last message in every conversation of theirs (those
 * `inboxPage` lists), in one statement. Returns the marks that moved.
 */
export async function markAllRead(db: Db, personId: string, keys: string[]): Promise<{ conversationId: string; seq: number }[]> {
  const rows = await db<{ conversationId: string; readSeq: number }[]>`
    insert into conversation_members as m (conversation_id, person_id, read_seq)
    select c.id, ${personId}, c.last_seq from conversations c where c.id = any(${myConversations(db, personId, keys)}) and c.last_seq > 0
    on conflict (conversation_id, person_id) do update set read_seq = excluded.read_seq
      where excluded.read_seq > m.read_seq
    returning m.conversation_id, m.read_seq`;
  return rows.map((r) => ({ conversationId: r.conversationId, seq: Number(r.readSeq) }));
}

export async function readMarks(db: Db, conversationId: string): Promise<Record<string, number>> {
  const rows = await db<{ personId: string; readSeq: number }[]>`select person_id, read_seq from conversation_members where conversation_id = ${conversationId}`;
  return Object.fromEntries(rows.map((r) => [r.personId, Number(r.readSeq)]));
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
  const rows = await db<(ConversationRecord & { readSeq: number; activityAt: Date; participantIds: string[] | null })[]>`
    select c.*, coalesce(rm.read_seq, 0) as read_seq, coalesce(c.last_message_at, c.created_at) as activity_at,
           (select array_agg(person_id order by joined_at, person_id) from conversation_members x where x.conversation_id = c.id) as participant_ids
    from conversations c
    left join conversation_members rm on rm.conversation_id = c.id and rm.person_id = ${personId}
    where c.id = any(${myConversations(db, personId, keys)})
      and (${beforeAt}::timestamptz is null or (coalesce(c.last_message_at, c.created_at), c.id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    order by coalesce(c.last_message_at, c.created_at) desc, c.id desc
    limit ${limit}`;
  const last = await lastMessagesOf(db, rows);
  return rows.map((r) => ({
    conversation: conversationRow(r, r.participantIds ?? []),
    unread: Math.max(0, Number(r.lastSeq) - Number(r.readSeq)),
    lastMessage: last.get(r.id) ?? null,
    lastActivityAt: iso(r.activityAt),
  }));
}

/** The last message (seq = lastSeq) of each conversation, by conversation id. */
async function lastMessagesOf(db: Db, conversations: readonly { id: string; lastSeq: number }[]): Promise<Map<string, MessageRow>> {
  const withMessages = conversations.filter((c) => Number(c.lastSeq) > 0);
  if (withMessages.length === 0) return new Map();
  const rows = await db<MessageRecord[]>`
    select ${messageColumns(db, 'm')} from unnest(${withMessages.map((c) => c.id)}::text[], ${withMessages.map((c) => Number(c.lastSeq))}::bigint[]) as x(id, seq)
    join messages m on m.conversation_id = x.id and m.seq = x.seq`;
  return new Map(rows.map((r) => [r.conversationId, messageRow(r)]));
}

export async function unreadTotal(db: Db, personId: string, keys: string[]): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    select coalesce(sum(greatest(c.last_seq - coalesce(rm.read_seq, 0), 0)), 0)::int as n
    from conversations c
    left join conversation_members rm on rm.conversation_id = c.id and rm.person_id = ${personId}
    where c.id = any(${myConversations(db, personId, keys)})`;
  return Number(r?.n ?? 0);
}

/** Messages before `beforeSeq` (or the newest), or after `afterSeq` (the oldest after it); oldest first. */
export async function historyPage(db: Db, conversationId: string, limit: number, at: { beforeSeq?: number | undefined; afterSeq?: number | undefined }): Promise<MessageRow[]> {
  if (at.afterSeq !== undefined) {
    const rows = await db<MessageRecord[]>`
      select ${messageColumns(db)} from messages where conversation_id = ${conversationId} and seq > ${at.afterSeq}::bigint
      order by seq asc limit ${limit}`;
    return rows.map((r) => messageRow(r));
  }
  const beforeSeq = at.beforeSeq ?? null;
  const rows = await db<MessageRecord[]>`
    select ${messageColumns(db)} from messages where conversation_id = ${conversationId}
      and (${beforeSeq}::bigint is null or seq < ${beforeSeq}::bigint)
    order by seq desc limit ${limit}`;
  return rows.map((r) => messageRow(r)).reverse();
}

/**
 * Full-text search (every word a prefix, of its Swedish stem or of the plain word) over the
 * messages of the person's conversations (listed in, or reached by `keys`); deleted messages
 * are not found. Newest first. `words` are plain words: the caller strips operators.
 *
 * The person's messages first, each then matched: `offset 0` keeps PostgreSQL from pairing
 * them with the search index, which its cached generic plan did, as it cannot know how common
 * the words are. A common word's index entries are a tenth of the district's messages (27 ms
 * on 560,000 for a guardian with 20 messages of their own, against 0.5–2 ms so); what a
 * person may read grows with the person, not the district (loadtest/RESULTS.md, "Every read by keys").
 */
export async function searchMessages(
  db: Db, personId: string, keys: string[], words: string[], limit: number,
  opts: { conversationId?: string | undefined; before?: { at: string; id: string } | undefined },
): Promise<(MessageRow & { conversation: ConversationRow })[]> {
  const query = words.map((w) => `${w}:*`).join(' & ');
  const beforeAt = opts.before?.at ?? null;
  const beforeId = opts.before?.id ?? null;
  const only = opts.conversationId ?? null;
  const rows = await db<MessageRecord[]>`
    select ${messageColumns(db, 'msg')}
    from (
      select * from messages
      where conversation_id = any(${myConversations(db, personId, keys)}) and (${only}::text is null or conversation_id = ${only}::text)
      offset 0) msg
    where msg.search @@ (to_tsquery('swedish', ${query}) || to_tsquery('simple', ${query})) and msg.deleted_at is null
      and (${beforeAt}::timestamptz is null or (msg.created_at, msg.id) < (${beforeAt}::timestamptz, ${beforeId}::text))
    order by msg.created_at desc, msg.id desc
    limit ${limit}`;
  const conversations = await conversationsByIds(db, [...new Set(rows.map((r) => r.conversationId))]);
  return rows.flatMap((r) => {
    const conversation = conversations.get(r.conversationId);
    return conversation ? [{ ...messageRow(r), conversation }] : []; // gone meanwhile (retention)
  });
}

/** Conversations by id, each with its stored participants, in one round trip. */
export async function conversationsByIds(db: Db, ids: readonly string[]): Promise<Map<string, ConversationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db<WithMembers[]>`${withMembers(db)} where c.id = any(${[...ids]}::text[])`;
  return new Map(rows.map((r) => [r.id, conversationRow(r, r.participantIds)]));
}

// ── Privacy (hub/privacy/sources.ts) ────────────────────────────────────────────────────

/** Conversations the person has a row in, wrote in, or reaches now through `keys`. */
export async function conversationIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select conversation_id as id from conversation_members where person_id = ${personId}
    union select distinct conversation_id from messages where sender_id = ${personId}
    union select id from conversations where ${keysMeet(db, keys)}
    order by 1`;
  return rows.map((r) => r.id);
}

export async function messagesOf(db: Db, conversationIds: string[]): Promise<MessageRow[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db<MessageRecord[]>`select ${messageColumns(db)} from messages where conversation_id = any(${conversationIds}::text[]) order by conversation_id, seq`;
  return rows.map((r) => messageRow(r));
}

export async function readMarksOf(db: Db, personId: string): Promise<Map<string, { readSeq: number; joinedAt: string }>> {
  const rows = await db<{ conversationId: string; readSeq: number; joinedAt: Date }[]>`
    select conversation_id, read_seq, joined_at from conversation_members where person_id = ${personId}`;
  return new Map(rows.map((r) => [r.conversationId, { readSeq: Number(r.readSeq), joinedAt: iso(r.joinedAt) }]));
}

export interface ConversationCandidate {
  id: string;
  context: ConversationContext | null;
  audience: StoredAudience | null;
  /** Stored members (for a conversation with an audience: those with a read mark). */
  memberIds: string[];
  /** A held person wrote in it, or reacted to a message of it. */
  heldSender: boolean;
}

/**
 * Conversations (by id, after `afterId`) that have something older than `oldest`: their
 * first message, or their last activity. Nothing newer can be due under any district.
 */
export async function conversationCandidates(db: Db, oldest: string, heldPersons: string[], afterId: string, limit: number): Promise<ConversationCandidate[]> {
  const rows = await db<ConversationCandidate[]>`
    select c.id, c.context, c.audience,
           array(select m.person_id from conversation_members m where m.conversation_id = c.id) as member_ids,
           exists (select 1 from messages m where m.conversation_id = c.id and m.sender_id = any(${heldPersons}::text[]))
             or exists (select 1 from messages m join reactions r on r.message_id = m.id
                        where m.conversation_id = c.id and r.person_id = any(${heldPersons}::text[])) as held_sender
    from conversations c
    where c.id > ${afterId}
      and (coalesce(c.last_message_at, c.created_at) < ${oldest}::timestamptz
           or (select m.created_at from messages m where m.conversation_id = c.id order by m.seq limit 1) < ${oldest}::timestamptz)
    order by c.id limit ${limit}`;
  return rows.map((r) => ({ ...r, memberIds: r.memberIds ?? [], heldSender: r.heldSender === true }));
}

/**
 * Deletes each conversation's messages created before its cutoff. The seq of what remains
 * is untouched (history simply starts later); read marks move up to just below the first
 * message kept, so that deleted messages never count as unread; a conversation left with no
 * messages whose last activity is before its cutoff goes too, with its read marks.
 */
export async function expireConversations(db: Db, due: { id: string; cutoff: string }[]): Promise<{ messages: number; conversations: number }> {
  if (due.length === 0) return { messages: 0, conversations: 0 };
  const ids = due.map((d) => d.id);
  const cutoffs = due.map((d) => d.cutoff);
  const messages = await inBatches(async () => {
    const [r] = await db<{ n: number }[]>`
      with x as (select * from unnest(${ids}::text[], ${cutoffs}::text[]) as x(id, cutoff)),
      d as (
        delete from messages where (conversation_id, seq) in (
          select m.conversation_id, m.seq from messages m join x on m.conversation_id = x.id
          where m.created_at < x.cutoff::timestamptz
          limit ${RETENTION_BATCH})
        returning 1
      )
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
  await db`
    update conversation_members cm
    set read_seq = coalesce((select min(m.seq) from messages m where m.conversation_id = cm.conversation_id), c.last_seq + 1) - 1
    from conversations c
    where c.id = cm.conversation_id and cm.conversation_id = any(${ids}::text[])
      and cm.read_seq < coalesce((select min(m.seq) from messages m where m.conversation_id = cm.conversation_id), c.last_seq + 1) - 1`;
  // Read marks and §3 history go with the conversation in one statement (the foreign keys
  // are checked at its end); a message arriving meanwhile makes the delete fail, not vanish.
  const [r] = await db<{ n: number }[]>`
    with x as (select * from unnest(${ids}::text[], ${cutoffs}::text[]) as x(id, cutoff)),
    gone as (
      select c.id from conversations c join x on x.id = c.id
      where coalesce(c.last_message_at, c.created_at) < x.cutoff::timestamptz
        and not exists (select 1 from messages m where m.conversation_id = c.id)
    ),
    s as (delete from item_conversation_starters where conversation_id in (select id from gone)),
    m as (delete from conversation_members where conversation_id in (select id from gone)),
    d as (delete from conversations where id in (select id from gone) returning id)
    select count(*)::int as n from d`;
  return { messages, conversations: Number(r?.n ?? 0) };
}
