// Events written before their message's insert has answered (`ofMessage`, storage/events.ts):
// they take the stored row's seq and createdAt, they are left out when the transaction stored
// no such message, and finding the message reads one index entry per event, also when the
// statement was planned while the table was empty (a new deployment) and the table grew since.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { appendMessage, messageDraft } from './chat.ts';
import { commitWithEvents, eventsBetween, type NewEvent } from './events.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await migrate(pool);
  await pool`insert into conversations (id, creator_id, client_key) values ('c1', 'p-a', 'k')`;
});

const message = (n: number) => ({ id: `m${n}`, senderId: 'p-a', body: `nr ${n}`, clientKey: `k${n}`, quietHours: false });
const ofMessage = (id: string): NewEvent[] => [
  { name: 'message.created', keys: ['p:a'], data: { message: { ...messageDraft({ id: 'c1' }, message(0)), id } }, ofMessage: { id, seqAt: ['message', 'seq'], createdAtAt: ['message', 'createdAt'] } },
  { name: 'conversation.read', keys: ['p:a'], data: { seq: 0 }, ofMessage: { id, seqAt: ['seq'] } },
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

/** The statistics of the messages table and its id index, once this many id lookups are counted. */
async function stats(atLeastLookups = 0) {
  for (;;) {
    await sql`select pg_stat_force_next_flush()`;
    const [row] = await sql<{ seqScan: string; idxScan: string; idxTupRead: string }[]>`
      select t.seq_scan::text as seq_scan, i.idx_scan::text as idx_scan, i.idx_tup_read::text as idx_tup_read
      from pg_stat_user_tables t join pg_stat_user_indexes i on i.relid = t.relid and i.indexrelname = 'messages_id_key'
      where t.relname = 'messages'`;
    const s = { seqScan: Number(row!.seqScan), idxScan: Number(row!.idxScan), idxTupRead: Number(row!.idxTupRead) };
    if (s.idxScan >= atLeastLookups) return s;
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
  });
});
