// The notification outbox (migration 016, docs/NOTIFICATIONS.md): the deriver's cursor, one job
// per event someone is told of, and one row per (recipient, channel, device or address, event).
// Every piece of work is claimed with FOR UPDATE SKIP LOCKED: the cursor and a job for the
// length of one short transaction, an outbox row by a lease (the send runs outside any
// transaction). The rules (who, when, what words) live in hub/notify/.
import type { Db, Sql, Tx } from './pool.ts';
import { iso } from './rows.ts';
import type { Holds } from './retention.ts';

export type OutboxChannel = 'push' | 'email';
export type DigestMode = 'immediate' | 'hourly' | 'daily';
export type OutboxState = 'waiting' | 'sending' | 'sent' | 'skipped' | 'gone' | 'given_up';

export interface NewJob {
  eventId: number;
  source: unknown;
  keys: string[];
  schoolId: string | null;
}

export interface Job {
  eventId: number;
  source: unknown;
  keys: string[];
  nextPerson: string;
}

export interface NewOutboxRow {
  personId: string;
  channel: OutboxChannel;
  target: string;
  digest: DigestMode;
  dueAt: Date;
}

export interface ClaimedRow {
  id: string;
  eventId: number;
  personId: string;
  channel: OutboxChannel;
  target: string;
  digest: DigestMode;
  tries: number;
  createdAt: string;
  source: unknown;
  keys: string[];
}

/**
 * Runs `work` on the deriver's cursor, if no other node holds it now (SKIP LOCKED): `work`
 * gets the last event looked at and returns the jobs found and the new cursor; both are
 * stored in the same transaction. Resolves false when another node had the cursor.
 */
export async function withCursor(sql: Sql, work: (tx: Tx, after: number) => Promise<{ upto: number; jobs: NewJob[] }>): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ eventId: number }[]>`select event_id from notification_cursor where id = 1 for update skip locked`;
    if (!row) return false;
    const { upto, jobs } = await work(tx, Number(row.eventId));
    if (jobs.length > 0) {
      await tx`
        insert into notification_jobs (event_id, source, keys, school_id)
        select x.e_id, x.source::jsonb, array(select jsonb_array_elements_text(x.keys::jsonb)), x.school_id
        from unnest(${jobs.map((j) => j.eventId)}::bigint[], ${jobs.map((j) => JSON.stringify(j.source))}::text[],
                    ${jobs.map((j) => JSON.stringify(j.keys))}::text[], ${jobs.map((j) => j.schoolId)}::text[]) as x(e_id, source, keys, school_id)
        on conflict (event_id) do nothing`;
    }
    if (upto > Number(row.eventId)) await tx`update notification_cursor set event_id = ${upto}, updated_at = now() where id = 1`;
    return true;
  }) as Promise<boolean>;
}

/**
 * Runs `work` on the oldest job still being expanded that no other node holds (SKIP LOCKED):
 * `work` inserts a batch of outbox rows and says where the next batch starts (or that it was
 * the last), in the same transaction. Resolves false when there was no free job.
 */
export async function withOpenJob(sql: Sql, work: (tx: Tx, job: Job) => Promise<{ rows: NewOutboxRow[]; nextPerson: string; done: boolean }>): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [job] = await tx<Job[]>`
      select event_id, source, keys, next_person from notification_jobs where not done order by event_id limit 1 for update skip locked`;
    if (!job) return false;
    const { rows, nextPerson, done } = await work(tx, { ...job, eventId: Number(job.eventId) });
    if (rows.length > 0) {
      await tx`
        insert into notification_outbox (event_id, person_id, channel, target, digest, due_at)
        select ${job.eventId}, x.person_id, x.channel, x.target, x.digest, x.due_at
        from unnest(${rows.map((r) => r.personId)}::text[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.target)}::text[],
                    ${rows.map((r) => r.digest)}::text[], ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[]) as x(person_id, channel, target, digest, due_at)
        on conflict (person_id, channel, target, event_id) do nothing`;
    }
    await tx`update notification_jobs set next_person = ${nextPerson}, done = ${done} where event_id = ${job.eventId}`;
    return true;
  }) as Promise<boolean>;
}

/**
 * Claims up to `limit` rows that are due and not leased (or whose lease lapsed while they were
 * still waiting), for `node` until `leaseMs` from now, oldest due first (a person's rows due
 * together side by side, so that a digest goes as one e-mail); with their job.
 */
export async function claimDue(db: Db, node: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
  const rows = await db<(Omit<ClaimedRow, 'createdAt'> & { createdAt: Date })[]>`
    with c as (
      select id from notification_outbox
      where state = 'waiting' and due_at <= now() and (lease_until is null or lease_until < now())
      order by due_at, person_id limit ${limit} for update skip locked
    ), claimed as (
      update notification_outbox o set lease_until = now() + ${leaseMs} * interval '1 millisecond', lease_node = ${node}
      from c where o.id = c.id
      returning o.id, o.event_id, o.person_id, o.channel, o.target, o.digest, o.tries, o.created_at
    )
    select claimed.*, j.source, j.keys from claimed join notification_jobs j on j.event_id = claimed.event_id`;
  return rows.map((r) => ({ ...r, id: String(r.id), eventId: Number(r.eventId), createdAt: iso(r.createdAt) }));
}

/**
 * Marks claimed rows as being sent now, one try more, if `node` still holds them; returns
 * those it does. From here a row is never sent again: a node that stops before it records
 * the outcome leaves it `sending`, and lapseSending gives it up with a kept reason.
 */
export async function markSending(db: Db, node: string, ids: readonly string[], leaseMs: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db<{ id: string }[]>`
    update notification_outbox set state = 'sending', tries = tries + 1, lease_until = now() + ${leaseMs} * interval '1 millisecond'
    where id = any(${ids as string[]}::bigint[]) and state = 'waiting' and lease_node = ${node}
    returning id`;
  return new Set(rows.map((r) => String(r.id)));
}

/** Records how rows ended: sent, skipped (and why), gone (the device), given up (and why). */
export async function finishRows(db: Db, ids: readonly string[], state: 'sent' | 'skipped' | 'gone' | 'given_up', reason: string | null): Promise<void> {
  if (ids.length === 0) return;
  await db`
    update notification_outbox set state = ${state}, reason = ${reason}, lease_until = null, done_at = now()
    where id = any(${ids as string[]}::bigint[])`;
}

/** Puts rows back to wait until `until` (a retry's backoff, quiet hours): any node may take them then. */
export async function waitAgain(db: Db, ids: readonly string[], until: Date, reason: string | null): Promise<void> {
  if (ids.length === 0) return;
  await db`
    update notification_outbox set state = 'waiting', due_at = ${until.toISOString()}::timestamptz, lease_until = null, lease_node = null,
      reason = coalesce(${reason}, reason)
    where id = any(${ids as string[]}::bigint[])`;
}

/** Releases claimed rows not handled (a node stopping): they wait for the next claim at once. */
export async function releaseRows(db: Db, node: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db`update notification_outbox set lease_until = null, lease_node = null where id = any(${ids as string[]}::bigint[]) and state = 'waiting' and lease_node = ${node}`;
}

export const OUTCOME_UNKNOWN = 'outcome unknown: the node sending it stopped before it heard back';

/** Rows left `sending` by a node that stopped (their lease lapsed): given up, never sent twice. Returns them by channel. */
export async function lapseSending(db: Db): Promise<{ channel: OutboxChannel; n: number }[]> {
  const rows = await db<{ channel: OutboxChannel; n: number }[]>`
    with lapsed as (
      update notification_outbox set state = 'given_up', reason = ${OUTCOME_UNKNOWN}, lease_until = null, done_at = now()
      where state = 'sending' and lease_until < now() returning channel
    ) select channel, count(*)::int as n from lapsed group by channel`;
  return rows;
}

export interface OutboxStats {
  /** Rows waiting (held or due) or being sent, by channel: the backlog, not the history. */
  backlog: Record<OutboxChannel, number>;
  /** Seconds since the oldest row that is due and still waiting became due; 0 when none. */
  oldestDueSeconds: number;
}

/**
 * Every node asks this every 2 s. Each state is read by its partial index, so the cost is the
 * backlog, never the finished rows: a year of mailings leaves millions, and counting them all
 * (as this did) took PostgreSQL 0.5 s at 3 million (loadtest/RESULTS.md, "The outbox's
 * backlog, not its history").
 */
export async function outboxStats(db: Db): Promise<OutboxStats> {
  const [rows, [oldest]] = await Promise.all([
    db<{ channel: OutboxChannel; n: number }[]>`
      select channel, count(*)::int as n from (
        select channel from notification_outbox where state = 'waiting'
        union all
        select channel from notification_outbox where state = 'sending') b
      group by channel`,
    db<{ s: number | null }[]>`select extract(epoch from now() - min(due_at))::float8 as s from notification_outbox where state = 'waiting' and due_at <= now()`,
  ]);
  const backlog: Record<OutboxChannel, number> = { push: 0, email: 0 };
  for (const r of rows) backlog[r.channel] = r.n;
  return { backlog, oldestDueSeconds: Math.max(0, Number(oldest?.s ?? 0)) };
}

/**
 * Which of these are read now: a message when the person's read mark in its conversation
 * reached it, a post or mailing when the person marked it read. Returns the indexes read.
 */
export async function readAlready(
  db: Db, checks: readonly ({ personId: string; conversationId: string; seq: number } | { personId: string; itemId: string })[],
): Promise<Set<number>> {
  const messages = checks.flatMap((c, i) => ('conversationId' in c ? [{ i, ...c }] : []));
  const items = checks.flatMap((c, i) => ('itemId' in c ? [{ i, ...c }] : []));
  const out = new Set<number>();
  if (messages.length > 0) {
    const rows = await db<{ i: number }[]>`
      select x.i from unnest(${messages.map((m) => m.i)}::int[], ${messages.map((m) => m.personId)}::text[],
                             ${messages.map((m) => m.conversationId)}::text[], ${messages.map((m) => m.seq)}::bigint[]) as x(i, person_id, conversation_id, seq)
      join conversation_members m on m.conversation_id = x.conversation_id and m.person_id = x.person_id and m.read_seq >= x.seq`;
    for (const r of rows) out.add(Number(r.i));
  }
  if (items.length > 0) {
    const rows = await db<{ i: number }[]>`
      select x.i from unnest(${items.map((m) => m.i)}::int[], ${items.map((m) => m.personId)}::text[], ${items.map((m) => m.itemId)}::text[]) as x(i, person_id, item_id)
      join feed_reads r on r.person_id = x.person_id and r.item_id = x.item_id`;
    for (const r of rows) out.add(Number(r.i));
  }
  return out;
}

export interface OutboxRecord {
  eventId: number;
  channel: OutboxChannel;
  target: string;
  digest: DigestMode;
  state: OutboxState;
  tries: number;
  reason: string | null;
  source: unknown;
  createdAt: string;
  dueAt: string;
  doneAt: string | null;
}

/** Every outbox row about the person (the export): what they were, are to be, or were not told of, and why. */
export async function outboxOf(db: Db, personId: string): Promise<OutboxRecord[]> {
  const rows = await db<(Omit<OutboxRecord, 'createdAt' | 'dueAt' | 'doneAt'> & { createdAt: Date; dueAt: Date; doneAt: Date | null })[]>`
    select o.event_id, o.channel, o.target, o.digest, o.state, o.tries, o.reason, j.source, o.created_at, o.due_at, o.done_at
    from notification_outbox o join notification_jobs j on j.event_id = o.event_id
    where o.person_id = ${personId} order by o.id`;
  return rows.map((r) => ({ ...r, eventId: Number(r.eventId), createdAt: iso(r.createdAt), dueAt: iso(r.dueAt), doneAt: r.doneAt ? iso(r.doneAt) : null }));
}

/**
 * Deletes finished rows older than `cutoff`, except those of persons under legal hold, and then
 * the finished jobs older than it that no row points at any more; the counts.
 */
export async function expireOutbox(db: Db, cutoff: string, holds: Holds, batch: number): Promise<{ rows: number; jobs: number }> {
  let rows = 0;
  for (;;) {
    const [r] = await db<{ n: number }[]>`
      with d as (
        delete from notification_outbox where id in (
          select id from notification_outbox
          where state not in ('waiting', 'sending') and created_at < ${cutoff}::timestamptz and person_id <> all(${holds.persons}::text[])
          limit ${batch})
        returning 1
      ) select count(*)::int as n from d`;
    const n = Number(r?.n ?? 0);
    rows += n;
    if (n < batch) break;
  }
  const [j] = await db<{ n: number }[]>`
    with d as (
      delete from notification_jobs j where j.done and j.created_at < ${cutoff}::timestamptz
        and not exists (select 1 from notification_outbox o where o.event_id = j.event_id)
      returning 1
    ) select count(*)::int as n from d`;
  return { rows, jobs: Number(j?.n ?? 0) };
}
