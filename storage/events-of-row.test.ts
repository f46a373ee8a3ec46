// Events written before the insert of their row (a message, a post, a mailing) has answered
// (`ofRow`, storage/events.ts): they take the stored row's seq and createdAt, they are left out
// when the transaction stored no such row, and finding the row reads one index entry per event
// of its own table and none of the others, also when the statement was planned while the table
// was empty (a new deployment) and the table grew since.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendMessage, messageDraft } from './chat.ts';
import { commitWithEvents, eventsBetween, type NewEvent } from './events.ts';
import { insertMailing, insertPost, type MailingRow, type PostRow } from './feed.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await migrate(pool);
  await pool`insert into conversations (id, creator_id, client_key) values ('c1', 'p-a', 'k')`;
});

const message = (n: number) => ({ id: `m${n}`, senderId: 'p-a', body: `nr ${n}`, clientKey: `k${n}`, quietHours: false });
const ofMessage = (id: string): NewEvent[] => [
  { name: 'message.created', keys: ['p:a'], data: { message: { ...messageDraft({ id: 'c1' }, message(0)), id } }, ofRow: { table: 'messages', id, seqAt: ['message', 'seq'], createdAtAt: ['message', 'createdAt'] } },
  { name: 'conversation.read', keys: ['p:a'], data: { seq: 0 }, ofRow: { table: 'messages', id, seqAt: ['seq'] } },
];

/** Sends a message and its events as message.send does: the insert is not awaited. */
async function send(n: number, extra: NewEvent[] = []) {
  let stored: Promise<unknown> = Promise.resolve();
  const events = await commitWithEvents(sql, async (tx) => {
    stored = appendMessage(tx, { id: 'c1' }, message(n));
    return [...ofMessage(`m${n}`), ...extra];
  });
  return { events, stored: await stored };
}

/** The statistics of a table and its id index, once this many id lookups are counted. */
async function stats(atLeastLookups = 0, table = 'messages', index = 'messages_id_key') {
  for (;;) {
    await sql`select pg_stat_force_next_flush()`;
    const [row] = await sql<{ seqScan: string; idxScan: string; idxTupRead: string }[]>`
      select t.seq_scan::text as seq_scan, i.idx_scan::text as idx_scan, i.idx_tup_read::text as idx_tup_read
      from pg_stat_user_tables t join pg_stat_user_indexes i on i.relid = t.relid and i.indexrelname = ${index}
      where t.relname = ${table}`;
    const s = { seqScan: Number(row!.seqScan), idxScan: Number(row!.idxScan), idxTupRead: Number(row!.idxTupRead) };
    if (s.idxScan >= atLeastLookups) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sequential scans of a table and scans of each of its indexes, once the indexes count this many in all. */
async function scans(table: string, atLeast = 0) {
  for (;;) {
    await sql`select pg_stat_force_next_flush()`;
    const [t] = await sql<{ seq: string }[]>`select seq_scan::text as seq from pg_stat_user_tables where relname = ${table}`;
    const rows = await sql<{ name: string; n: string }[]>`select indexrelname as name, idx_scan::text as n from pg_stat_user_indexes where relname = ${table}`;
    const byIndex = Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
    const total = Object.values(byIndex).reduce((a, b) => a + b, 0);
    if (total >= atLeast) return { seq: Number(t!.seq), byIndex, total };
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('events of a message', () => {
  it("take the stored row's seq and createdAt, as history shows them", async () => {
    const { events, stored } = await send(1);
    const row = stored as { seq: number; createdAt: string };
    expect(row.seq).toBe(1);
    expect(events.map((e) => e.name)).toEqual(['message.created', 'conversation.read']);
    const created = events[0]!.data as { message: { id: string; seq: number; createdAt: string } };
    expect(created.message).toMatchObject({ id: 'm1', seq: 1, createdAt: row.createdAt });
    expect(created.message.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(events[1]!.data).toEqual({ seq: 1 });
    // What was published is what a replay reads.
    const replayed = await eventsBetween(sql, events[0]!.id - 1, events[1]!.id, 10);
    expect(replayed).toEqual(events);
  });

  it('are left out when the transaction stored no such message (a retried clientKey); other events stay', async () => {
    const first = await send(2);
    const other = { name: 'post.created', keys: ['g:x'], data: { post: { title: 'kept' } } };
    let stored: Promise<unknown> = Promise.resolve();
    const events = await commitWithEvents(sql, async (tx) => {
      // The same clientKey again, under a new id: the insert stores nothing.
      stored = appendMessage(tx, { id: 'c1' }, { ...message(2), id: 'm2-again' });
      return [...ofMessage('m2-again'), other];
    });
    expect(await stored).toBeUndefined();
    expect(events.map((e) => e.name)).toEqual(['post.created']);
    expect(events[0]!.id).toBeGreaterThan(first.events[1]!.id);
    const [row] = await sql<{ count: string }[]>`select count(*)::text from messages where conversation_id = 'c1'`;
    expect(Number(row?.count)).toBe(2);
  });

  it('find their message by one index entry each, though planned while the table was small', async () => {
    // Enough sends on a small table for postgres.js's prepared statement to get PostgreSQL's
    // generic plan on both connections (from the sixth run on), then a table grown well past
    // that without an analyze: the cached plan must still look each message up by its id.
    // (Analyzed while small, as autovacuum does on a new deployment.)
    await sql`analyze messages`;
    for (let i = 0; i < 14; i++) await send(1000 + i);
    await sql`
      insert into messages (conversation_id, seq, id, sender_id, body, client_key)
      select 'c1', 100 + i, 'bulk' || i, 'p-b', 'x', 'bulk' || i from generate_series(1, 5000) i`;
    const before = await stats();
    const others = [await stats(0, 'posts', 'posts_pkey'), await stats(0, 'mailings', 'mailings_pkey')];
    const n = 30;
    for (let i = 0; i < n; i++) {
      // The message is stored first, on its own, so that only the events' lookups are counted.
      await sql`insert into messages (conversation_id, seq, id, sender_id, body, client_key) values ('c1', ${100_000 + i}, ${`m${10 + i}`}, 'p-a', 'x', ${`k${10 + i}`})`;
      await commitWithEvents(sql, async () => ofMessage(`m${10 + i}`));
    }
    // Each send looks up its two events' message (one lookup per event).
    const after = await stats(before.idxScan + 2 * n);
    expect(after.seqScan - before.seqScan).toBe(0);
    expect(after.idxTupRead - before.idxTupRead).toBeLessThanOrEqual(2 * n);
    // The branches of the other tables did not run.
    expect([await stats(0, 'posts', 'posts_pkey'), await stats(0, 'mailings', 'mailings_pkey')]).toEqual(others);
  });
});

const post = (n: number): PostRow => ({
  id: `post${n}`, schoolId: 's', authorId: 'p-t', title: `t${n}`, body: 'b', audience: { targets: [] }, urgent: false, ask: null, files: [], createdAt: '',
});
const mailing = (n: number): MailingRow => ({ id: `mail${n}`, districtId: 'd', schoolIds: ['s'], authorId: 'p-h', title: `t${n}`, body: 'b', recipients: {}, createdAt: '' });
const ofPost = (id: string): NewEvent => ({ name: 'post.created', keys: ['g:x'], data: { post: { id, createdAt: '' } }, ofRow: { table: 'posts', id, createdAtAt: ['post', 'createdAt'] } });
const ofMailing = (id: string): NewEvent => ({ name: 'mailing.created', keys: ['d:x'], data: { mailing: { id, createdAt: '' } }, ofRow: { table: 'mailings', id, createdAtAt: ['mailing', 'createdAt'] } });

describe('events of a post or a mailing', () => {
  it("take the stored row's createdAt, and are left out when a retried clientKey stored nothing", async () => {
    let stored: Promise<(PostRow | MailingRow | undefined)[]> = Promise.resolve([]);
    const events = await commitWithEvents(sql, async (tx) => {
      stored = Promise.all([
        insertPost(tx, { ...post(1), keys: ['g:x'], clientKey: 'pk1' }),
        insertMailing(tx, { ...mailing(1), keys: ['d:x'], clientKey: 'mk1' }),
        // The same key twice in one transaction: the second stores nothing, its event is left out.
        insertPost(tx, { ...post(2), keys: ['g:x'], clientKey: 'pk1' }),
      ]);
      return [ofPost('post1'), ofMailing('mail1'), ofPost('post2'), ofMailing('mail-never-stored')];
    });
    const [p, m, again] = await stored;
    expect(again).toBeUndefined();
    expect(events.map((e) => e.name)).toEqual(['post.created', 'mailing.created']);
    expect(events[0]!.data).toEqual({ post: { id: 'post1', createdAt: p!.createdAt } });
    expect(events[1]!.data).toEqual({ mailing: { id: 'mail1', createdAt: m!.createdAt } });
    expect(p!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await eventsBetween(sql, events[0]!.id - 1, events[1]!.id, 10)).toEqual(events);
  });

  it('find their row by one index entry each, and read no other table', async () => {
    await sql`analyze posts`;
    for (let i = 0; i < 14; i++) {
      await commitWithEvents(sql, async (tx) => {
        void insertPost(tx, { ...post(100 + i), keys: ['g:x'], clientKey: `pk${100 + i}` });
        return [ofPost(`post${100 + i}`)];
      });
    }
    await sql`
      insert into posts (id, school_id, author_id, title, body, audience, keys, client_key)
      select 'bulk' || i, 's', 'p-b', 'x', 'x', '{}', '{}', 'bulk' || i from generate_series(1, 5000) i`;
    const before = await scans('posts');
    const messages = await stats();
    const n = 20;
    for (let i = 0; i < n; i++) {
      await sql`insert into posts (id, school_id, author_id, title, body, audience, keys, client_key) values (${`post${200 + i}`}, 's', 'p-t', 'x', 'x', '{}', '{}', ${`pk${200 + i}`})`;
      await commitWithEvents(sql, async () => [ofPost(`post${200 + i}`)]);
    }
    // Each by its primary key: not by another index that has the id in it (posts_created has,
    // after created_at: planned while the table was small, it was read whole for every lookup).
    const after = await scans('posts', before.total + n);
    expect(after.seq - before.seq).toBe(0);
    expect(Object.fromEntries(Object.entries(after.byIndex).map(([k, v]) => [k, v - (before.byIndex[k] ?? 0)])))
      .toEqual({ posts_pkey: n, posts_created: 0, posts_author_id_client_key_key: 0, posts_keys: 0 });
    expect(await stats()).toEqual(messages);
  });
});
