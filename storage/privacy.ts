// Privacy (migration 007): the audit log, legal holds, guardian blocks, the retention job's
// deletes and the per-person export's reads. Retention deletes run in batches so that no
// statement holds locks on a large part of a table for long.
import type { Db, Sql, Tx } from './pool.ts';
import { iso } from './rows.ts';
import { messageRow, type ConversationContext, type MessageRow, type StoredAudience } from './chat.ts';
import type { MailingRow, PostRow } from './feed.ts';

// ---------------------------------------------------------------------------------------------
// Audit log

export interface AuditEntry {
  /** When the read happened. */
  at: Date;
  actorId: string;
  operation: string;
  /** Whose data was read: a protected person. */
  subjectId: string;
  recordIds: string[];
}

export interface StoredAuditEntry {
  id: number;
  at: string;
  actorId: string;
  operation: string;
  subjectId: string;
  recordIds: string[];
}

/** One statement for a whole batch: the rows travel as one JSON parameter (text[][] would flatten). */
export async function insertAuditEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const json = JSON.stringify(entries.map((e) => ({ at: e.at.toISOString(), actorId: e.actorId, operation: e.operation, subjectId: e.subjectId, recordIds: e.recordIds })));
  await db`
    insert into audit_log (at, actor_id, operation, subject_id, record_ids)
    select (x->>'at')::timestamptz, x->>'actorId', x->>'operation', x->>'subjectId', array(select jsonb_array_elements_text(x->'recordIds'))
    from jsonb_array_elements(${json}::text::jsonb) with ordinality as t(x, n)
    order by t.n`;
}

/** Entries about `subjectId` and/or by `actorId`, newest first, before the entry id `before`. */
export async function auditEntries(
  db: Db, q: { subjectId?: string | undefined; actorId?: string | undefined; limit: number; before?: number | undefined },
): Promise<StoredAuditEntry[]> {
  const subject = q.subjectId ?? null;
  const actor = q.actorId ?? null;
  const before = q.before ?? null;
  const rows = await db`
    select id, at, actor_id, operation, subject_id, record_ids from audit_log
    where (${subject}::text is null or subject_id = ${subject}::text)
      and (${actor}::text is null or actor_id = ${actor}::text)
      and (${before}::bigint is null or id < ${before}::bigint)
    order by id desc limit ${q.limit}`;
  return rows.map((r) => ({
    id: Number(r.id), at: iso(r.at), actorId: r.actor_id as string, operation: r.operation as string,
    subjectId: r.subject_id as string, recordIds: r.record_ids as string[],
  }));
}

// ---------------------------------------------------------------------------------------------
// Legal holds

export interface LegalHold {
  kind: string;
  id: string;
  reason: string;
  setAt: string;
}

const holdRow = (r: Record<string, unknown>): LegalHold => ({ kind: r.kind as string, id: r.target_id as string, reason: r.reason as string, setAt: iso(r.set_at) });

/** Sets (or re-words) a hold. `created` is false when it was already held. */
export async function setLegalHold(db: Db, kind: string, id: string, reason: string): Promise<{ hold: LegalHold; created: boolean }> {
  const [r] = await db`
    insert into legal_holds (kind, target_id, reason) values (${kind}, ${id}, ${reason})
    on conflict (kind, target_id) do update set reason = excluded.reason
    returning *, (xmax = 0) as created`;
  return { hold: holdRow(r!), created: r!.created === true };
}

/** Releases a hold; false when there was none. */
export async function releaseLegalHold(db: Db, kind: string, id: string): Promise<boolean> {
  const rows = await db`delete from legal_holds where kind = ${kind} and target_id = ${id} returning 1`;
  return rows.length > 0;
}

export async function listLegalHolds(db: Db, q: { kind?: string | undefined; id?: string | undefined; limit: number }): Promise<LegalHold[]> {
  const kind = q.kind ?? null;
  const id = q.id ?? null;
  const rows = await db`
    select * from legal_holds
    where (${kind}::text is null or kind = ${kind}::text) and (${id}::text is null or target_id = ${id}::text)
    order by set_at desc, kind, target_id limit ${q.limit}`;
  return rows.map(holdRow);
}

/** Everything under hold, as the retention job's queries take it. */
export interface Holds {
  persons: string[];
  /** `p:ID` of every held person: posts addressed to them. */
  personKeys: string[];
  conversations: string[];
  /** Held records by id (plans, assignments, posts, mailings, conferences, part A's records). */
  items: string[];
}

export async function loadHolds(db: Db): Promise<Holds> {
  const rows = await db<{ kind: string; target_id: string }[]>`select kind, target_id from legal_holds`;
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.target_id);
  const persons = of('person');
  return { persons, personKeys: persons.map((p) => `p:${p}`), conversations: of('conversation'), items: of('item') };
}

// ---------------------------------------------------------------------------------------------
// Guardian blocks

export interface GuardianBlock {
  guardianId: string;
  childId: string;
  reason: string | null;
  createdAt: string;
}

const blockRow = (r: Record<string, unknown>): GuardianBlock => ({
  guardianId: r.guardian_id as string, childId: r.child_id as string, reason: (r.reason as string | null) ?? null, createdAt: iso(r.created_at),
});

/**
 * Records that every node must rebuild its directory: a row in the import log, which nodes
 * compare on the `__directory` broker message and every few seconds (hub/node.ts).
 */
async function markDirectoryChanged(tx: Tx, what: string): Promise<void> {
  await tx`insert into directory_imports (digest, changed, ended) values (${what}, 1, 0)`;
}

/**
 * Blocks one guardian for one child. Besides the directory link (left out when the view is
 * built), the guardian leaves the plan/assignment threads about that child that they had
 * joined: those list their members in storage, not through the directory.
 */
export async function addGuardianBlock(sql: Sql, b: { guardianId: string; childId: string; reason: string | null }): Promise<{ block: GuardianBlock; created: boolean }> {
  return sql.begin(async (tx) => {
    const [r] = await tx`
      insert into guardian_blocks (guardian_id, child_id, reason) values (${b.guardianId}, ${b.childId}, ${b.reason})
      on conflict (guardian_id, child_id) do update set reason = coalesce(excluded.reason, guardian_blocks.reason)
      returning *, (xmax = 0) as created`;
    await tx`
      delete from conversation_members m using conversations c
      where m.conversation_id = c.id and m.person_id = ${b.guardianId}
        and c.audience is null and c.context->>'studentId' = ${b.childId}`;
    await markDirectoryChanged(tx, `guardian-block:${b.guardianId}:${b.childId}`);
    return { block: blockRow(r!), created: r!.created === true };
  }) as Promise<{ block: GuardianBlock; created: boolean }>;
}

export async function removeGuardianBlock(sql: Sql, guardianId: string, childId: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const rows = await tx`delete from guardian_blocks where guardian_id = ${guardianId} and child_id = ${childId} returning 1`;
    if (rows.length > 0) await markDirectoryChanged(tx, `guardian-unblock:${guardianId}:${childId}`);
    return rows.length > 0;
  }) as Promise<boolean>;
}

export async function listGuardianBlocks(db: Db, q: { guardianId?: string | undefined; childId?: string | undefined; limit: number }): Promise<GuardianBlock[]> {
  const g = q.guardianId ?? null;
  const c = q.childId ?? null;
  const rows = await db`
    select * from guardian_blocks
    where (${g}::text is null or guardian_id = ${g}::text) and (${c}::text is null or child_id = ${c}::text)
    order by created_at desc, guardian_id, child_id limit ${q.limit}`;
  return rows.map(blockRow);
}

/** Does the imported directory name `guardianId` as a guardian of `childId` (whatever the blocks)? */
export async function isGuardianInRecords(db: Db, guardianId: string, childId: string): Promise<boolean> {
  const rows = await db`
    select 1 from directory_records d
    where d.kind = 'person' and d.id = ${childId} and d.ended_at is null
      and exists (select 1 from jsonb_array_elements(coalesce(d.data->'responsibles', '[]'::jsonb)) r
                  where r->'person'->>'id' = ${guardianId} and r->>'relationType' = 'Vårdnadshavare')`;
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Retention: deletes older than a cutoff, never what is held. Each returns the rows deleted.

/** Rows per delete statement. */
export const RETENTION_BATCH = 5_000;

async function loop(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < RETENTION_BATCH) return total;
  }
}

/** Posts of these schools created before `cutoff`, with their read marks. */
export function expirePosts(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return loop(async () => {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from posts where id in (
          select id from posts
          where school_id = any(${schoolIds}::text[]) and created_at < ${cutoff}::timestamptz
            and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))
            and not exists (select 1 from unnest(keys) k
                            where k = any(${h.personKeys}::text[]) or (k like 'gm_:%' and split_part(k, ':', 3) = any(${h.persons}::text[])))
          limit ${RETENTION_BATCH})
        returning id
      ), r as (delete from feed_reads where item_id in (select id from d))
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

/** Mailings of this district created before `cutoff`, with their read marks. */
export function expireMailings(db: Db, districtId: string, cutoff: string, h: Holds): Promise<number> {
  return loop(async () => {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from mailings where id in (
          select id from mailings
          where district_id = ${districtId} and created_at < ${cutoff}::timestamptz
            and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))
          limit ${RETENTION_BATCH})
        returning id
      ), r as (delete from feed_reads where item_id in (select id from d))
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

/** Plans and assignments of these schools last changed before `cutoff`. */
export function expireItems(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return loop(async () => {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from items where id in (
          select id from items
          where school_id = any(${schoolIds}::text[]) and greatest(created_at, updated_at) < ${cutoff}::timestamptz
            and not (id = any(${h.items}::text[])) and not (author_id = any(${h.persons}::text[]))
          limit ${RETENTION_BATCH})
        returning id
      )
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

/** Conferences of these schools whose last date (created, held, closed) is before `cutoff`. */
export function expireConferences(db: Db, schoolIds: string[], cutoff: string, h: Holds): Promise<number> {
  return loop(async () => {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from conferences where id in (
          select id from conferences
          where school_id = any(${schoolIds}::text[])
            and greatest(created_at, starts_at, coalesce(closed_at, created_at)) < ${cutoff}::timestamptz
            and not (id = any(${h.items}::text[]))
            and not (student_id = any(${h.persons}::text[])) and not (mentor_id = any(${h.persons}::text[]))
          limit ${RETENTION_BATCH})
        returning id
      )
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

export interface ConversationCandidate {
  id: string;
  context: ConversationContext | null;
  audience: StoredAudience | null;
  /** Stored members (for a conversation with an audience: those with a read mark). */
  memberIds: string[];
  /** A held person wrote in it. */
  heldSender: boolean;
}

/**
 * Conversations (by id, after `afterId`) that have something older than `oldest`: their
 * first message, or their last activity. Nothing newer can be due under any district.
 */
export async function conversationCandidates(db: Db, oldest: string, heldPersons: string[], afterId: string, limit: number): Promise<ConversationCandidate[]> {
  const rows = await db`
    select c.id, c.context, c.audience,
           array(select m.person_id from conversation_members m where m.conversation_id = c.id) as member_ids,
           exists (select 1 from messages m where m.conversation_id = c.id and m.sender_id = any(${heldPersons}::text[])) as held_sender
    from conversations c
    where c.id > ${afterId}
      and (coalesce(c.last_message_at, c.created_at) < ${oldest}::timestamptz
           or (select m.created_at from messages m where m.conversation_id = c.id order by m.seq limit 1) < ${oldest}::timestamptz)
    order by c.id limit ${limit}`;
  return rows.map((r) => ({
    id: r.id as string,
    context: (r.context as ConversationContext | null) ?? null,
    audience: (r.audience as StoredAudience | null) ?? null,
    memberIds: (r.member_ids as string[] | null) ?? [],
    heldSender: r.held_sender === true,
  }));
}

/**
 * Deletes each conversation's messages created before its cutoff. The seq of what remains
 * is untouched (history simply starts later); read marks move up to just below the first
 * message kept, so that deleted messages never count as unread; a conversation left with no
 * messages whose last activity is before its cutoff goes too, with its read marks.
 */
export async function expireConversations(db: Sql, due: { id: string; cutoff: string }[]): Promise<{ messages: number; conversations: number }> {
  if (due.length === 0) return { messages: 0, conversations: 0 };
  const ids = due.map((d) => d.id);
  const cutoffs = due.map((d) => d.cutoff);
  const messages = await loop(async () => {
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

/**
 * Prunes the event log up to the first event at or after `cutoff` (always a prefix by id,
 * and never the newest event: the next event's `prev` is the newest kept, and a resume from
 * a cursor before the first kept event gets sync.reset).
 */
export function pruneEvents(db: Db, cutoff: string): Promise<number> {
  return loop(async () => {
    const [r] = await db<{ n: number }[]>`
      with b as (
        select coalesce((select id from events where created_at >= ${cutoff}::timestamptz order by id limit 1),
                        (select max(id) from events)) as id
      ),
      d as (
        delete from events where id in (select id from events where id < (select id from b) order by id limit ${RETENTION_BATCH})
        returning 1
      )
      select count(*)::int as n from d`;
    return Number(r?.n ?? 0);
  });
}

export async function recordRetentionRun(db: Db, startedAt: Date, deleted: unknown): Promise<void> {
  await db`insert into retention_runs (started_at, deleted) values (${startedAt.toISOString()}::timestamptz, ${JSON.stringify(deleted)}::text::jsonb)`;
}

// ---------------------------------------------------------------------------------------------
// Export: what is stored about one person

/** The person's own directory records: their person record, duties, placements, roles, with replaced versions. */
export async function directoryRecordsOf(db: Db, personId: string) {
  const records = await db`
    select kind, id, data, first_seen, updated_at, ended_at from directory_records
    where (kind = 'person' and id = ${personId})
       or (kind in ('duty', 'role') and data->'person'->>'id' = ${personId})
       or (kind = 'placement' and data->'child'->>'id' = ${personId})
    order by kind, id`;
  const history = await db`
    select kind, id, data, replaced_at from directory_history
    where (kind = 'person' and id = ${personId})
       or (kind in ('duty', 'role') and data->'person'->>'id' = ${personId})
       or (kind = 'placement' and data->'child'->>'id' = ${personId})
    order by kind, id, replaced_at`;
  // Of a group record only the person's own membership entries: the others are other people's data.
  const memberships = await db`
    select d.id as group_id, d.data->>'displayName' as group_name, m as membership, d.ended_at
    from directory_records d, jsonb_array_elements(coalesce(d.data->'groupMemberships', '[]'::jsonb)) m
    where d.kind = 'group' and m->'person'->>'id' = ${personId}
    order by d.id`;
  return {
    records: records.map((r) => ({ kind: r.kind as string, id: r.id as string, data: r.data, firstSeen: iso(r.first_seen), updatedAt: iso(r.updated_at), endedAt: r.ended_at ? iso(r.ended_at) : null })),
    history: history.map((r) => ({ kind: r.kind as string, id: r.id as string, data: r.data, replacedAt: iso(r.replaced_at) })),
    groupMemberships: memberships.map((r) => ({ groupId: r.group_id as string, groupName: r.group_name as string, membership: r.membership, endedAt: r.ended_at ? iso(r.ended_at) : null })),
  };
}

export async function personExists(db: Db, personId: string): Promise<boolean> {
  const rows = await db`select 1 from directory_records where kind = 'person' and id = ${personId}`;
  return rows.length > 0;
}

/** Conversations the person has a row in, wrote in, or reaches now through `keys`. */
export async function conversationIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select conversation_id as id from conversation_members where person_id = ${personId}
    union select distinct conversation_id from messages where sender_id = ${personId}
    union select id from conversations where keys && ${keys}::text[]
    order by 1`;
  return rows.map((r) => r.id);
}

export async function messagesOf(db: Db, conversationIds: string[]): Promise<MessageRow[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db`select * from messages where conversation_id = any(${conversationIds}::text[]) order by conversation_id, seq`;
  return rows.map((r) => messageRow(r));
}

export async function readMarksOf(db: Db, personId: string): Promise<Map<string, { readSeq: number; joinedAt: string }>> {
  const rows = await db`select conversation_id, read_seq, joined_at from conversation_members where person_id = ${personId}`;
  return new Map(rows.map((r) => [r.conversation_id as string, { readSeq: Number(r.read_seq), joinedAt: iso(r.joined_at) }]));
}

/** §3 history: plan/assignment conversations the person started with a teacher (or, as a teacher, that others started with them). */
export async function itemStartsOf(db: Db, personId: string) {
  const rows = await db`
    select teacher_id, person_id, conversation_id, first_at from item_conversation_starters
    where teacher_id = ${personId} or person_id = ${personId} order by first_at`;
  return rows.map((r) => ({ teacherId: r.teacher_id as string, personId: r.person_id as string, conversationId: r.conversation_id as string, firstAt: iso(r.first_at) }));
}

export async function feedReadsOf(db: Db, personId: string) {
  const rows = await db`select item_id, read_at from feed_reads where person_id = ${personId} order by read_at`;
  return rows.map((r) => ({ itemId: r.item_id as string, readAt: iso(r.read_at) }));
}

/** Posts and mailings the person wrote or may read through `keys`. */
export async function feedIdsOf(db: Db, personId: string, keys: string[]): Promise<{ posts: string[]; mailings: string[] }> {
  const [r] = await db<{ posts: string[]; mailings: string[] }[]>`
    select
      array(select id from posts where author_id = ${personId} or keys && ${keys}::text[] order by created_at, id) as posts,
      array(select id from mailings where author_id = ${personId} or keys && ${keys}::text[] order by created_at, id) as mailings`;
  return { posts: r?.posts ?? [], mailings: r?.mailings ?? [] };
}

/** Plans and assignments the person wrote or may read through `keys`. */
export async function itemIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`select id from items where author_id = ${personId} or keys && ${keys}::text[] order by created_at, id`;
  return rows.map((r) => r.id);
}

/** Conferences about or held by the person, or that they may read through `keys`. */
export async function conferenceIdsOf(db: Db, personId: string, keys: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from conferences where student_id = ${personId} or mentor_id = ${personId} or keys && ${keys}::text[] order by created_at, id`;
  return rows.map((r) => r.id);
}

/** Posts and mailings by id, shaped as storage/feed.ts gives them (for the views of hub/handlers/feed.ts). */
export async function feedRowsByIds(db: Db, postIds: string[], mailingIds: string[]): Promise<{ posts: PostRow[]; mailings: MailingRow[] }> {
  const posts = postIds.length === 0 ? [] : await db`select * from posts where id = any(${postIds}::text[]) order by created_at, id`;
  const mailings = mailingIds.length === 0 ? [] : await db`select * from mailings where id = any(${mailingIds}::text[]) order by created_at, id`;
  return {
    posts: posts.map((r) => ({
      id: r.id as string, schoolId: r.school_id as string, authorId: r.author_id as string, title: r.title as string,
      body: r.body as string, audience: r.audience, createdAt: iso(r.created_at),
    })),
    mailings: mailings.map((r) => ({
      id: r.id as string, districtId: r.district_id as string, schoolIds: r.school_ids as string[], authorId: r.author_id as string,
      title: r.title as string, body: r.body as string, recipients: r.recipients, createdAt: iso(r.created_at),
    })),
  };
}
