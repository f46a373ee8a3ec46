// A reader of many keys (a teacher holds one per student of their groups) is read by the keys'
// GIN index, never by a scan of the whole table comparing each row's keys with each of theirs
// (storage/rows.ts keysMeet, pageByKeys; loadtest/RESULTS.md, "Every read by keys"), nor by a
// walk of the time index until a page is full. Counted with PostgreSQL's own statistics: the
// rows each read takes from the table and the index entries it reads.
import { describe, expect, it } from 'vitest';
import { withCountedReads } from './test-database.ts';
import type { Sql } from './pool.ts';
import { itemsPage, itemIdsOf } from './items.ts';
import { feedbackPage } from './development.ts';
import { inboxPage, markAllRead, searchMessages, unreadTotal } from './chat.ts';
import { feedPage } from './feed.ts';

const ROWS = 60_000;
const GROUPS = 6_000;
/** A teacher of 600 students and 7 groups; the rows of 4 of those groups are theirs. */
const TEACHER = [
  ...Array.from({ length: 7 }, (_, i) => `go:g${i * 800}`),
  ...Array.from({ length: 600 }, (_, i) => `ct:s${i * 7}`),
];

let sql: Sql;
const readBy = withCountedReads(async (pool) => {
  sql = pool;
  // Each row: its group's owners and students, and one student's teachers.
  const keys = sql.unsafe(`array['go:g' || (n % ${GROUPS}), 'gs:g' || (n % ${GROUPS}), 'ct:s' || (n % 50000)]`);
  await sql`
    insert into items (id, kind, school_id, group_id, author_id, title, state, keys, client_key, created_at)
    select 'i' || n, 'plan', 'sc', 'g' || (n % ${GROUPS}), 'a', 't', 'published', ${keys}, 'k' || n, now() - n * interval '1 minute'
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into feedback (id, item_id, school_id, group_id, student_id, author_id, body, state, keys, client_key, created_at)
    select 'f' || n, 'i' || n, 'sc', 'g' || (n % ${GROUPS}), 's' || (n % 50000), 'a', 'b', 'published', ${keys}, 'k' || n, now() - n * interval '1 minute'
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into posts (id, school_id, author_id, title, body, audience, keys, client_key, created_at)
    select 'p' || n, 'sc', 'a', 't', 'b', '{}'::jsonb, ${keys}, 'k' || n, now() - n * interval '1 minute'
    from generate_series(1, ${ROWS}) n`;
  await sql`
    insert into conversations (id, creator_id, client_key, audience, keys, last_seq, last_message_at)
    select 'c' || n, 'a', 'k' || n, '{"kind":"group"}', ${keys}, 1, now() - n * interval '1 minute'
    from generate_series(1, ${ROWS}) n`;
  // One message in each conversation, every one with the same common word.
  await sql`
    insert into messages (conversation_id, seq, id, sender_id, body, client_key, created_at)
    select 'c' || n, 1, 'm' || n, 'a', 'utflykten imorgon ' || n, 'k' || n, now() - n * interval '1 minute'
    from generate_series(1, ${ROWS}) n`;
  await sql`vacuum analyze items, feedback, posts, conversations, messages`;
}, 120_000);

/**
 * What a read by the indexes may read: the ~800 rows the teacher's keys meet a few times over
 * (their index entries, each row by its id, the read marks beside them) and the newest
 * PAGE_WALK: 1,000–7,600 here. Before, each of these reads read the whole table or more.
 */
const BY_INDEX = ROWS / 5;

describe('a reader of many keys', () => {
  it('pages plans and assignments, feedback and the feed by the indexes', async () => {
    const want = await sql<{ id: string }[]>`select id from items where keys && ${TEACHER}::text[] order by created_at desc, id desc limit 20`;
    expect((await itemsPage(sql, TEACHER, 20, {})).map((i) => i.id)).toEqual(want.map((r) => r.id));
    expect(await readBy('items', () => itemsPage(sql, TEACHER, 20, {}))).toBeLessThan(BY_INDEX);
    expect(await readBy('feedback', () => feedbackPage(sql, TEACHER, {}, 20))).toBeLessThan(BY_INDEX);
    expect(await readBy('posts', () => feedPage(sql, 'p-teacher', TEACHER, 20))).toBeLessThan(BY_INDEX);
  });

  it('reads the inbox, the unread total and "mark all read" by the indexes', async () => {
    const inbox = await inboxPage(sql, 'p-teacher', TEACHER, 20);
    expect(inbox).toHaveLength(20);
    expect(await unreadTotal(sql, 'p-teacher', TEACHER)).toBeGreaterThan(20);
    expect(await readBy('conversations', () => inboxPage(sql, 'p-teacher', TEACHER, 20))).toBeLessThan(BY_INDEX);
    expect(await readBy('conversations', () => unreadTotal(sql, 'p-teacher', TEACHER))).toBeLessThan(BY_INDEX);
    expect(await readBy('conversations', () => markAllRead(sql, 'p-teacher', TEACHER))).toBeLessThan(BY_INDEX);
    expect(await unreadTotal(sql, 'p-teacher', TEACHER)).toBeLessThan(BY_INDEX);
  });

  it('searches their own messages, however common the word is in the district', async () => {
    const found = await searchMessages(sql, 'p-teacher', TEACHER, ['utflykt'], 20, {});
    const want = await sql<{ id: string }[]>`
      select m.id from messages m join conversations c on c.id = m.conversation_id
      where c.keys && ${TEACHER}::text[] order by m.created_at desc, m.id desc limit 20`;
    expect(found.map((m) => m.id)).toEqual(want.map((r) => r.id));
    expect(await readBy('messages', () => searchMessages(sql, 'p-teacher', TEACHER, ['utflykt'], 20, {}))).toBeLessThan(BY_INDEX);
    expect(await readBy('messages', () => searchMessages(sql, 'p-teacher', TEACHER, ['utflykt', '17'], 20, {}))).toBeLessThan(BY_INDEX);
  });

  it('lists what the keys meet for an export by the index', async () => {
    const ids = await itemIdsOf(sql, 'p-teacher', TEACHER);
    const [want] = await sql<{ n: number }[]>`select count(*)::int as n from items where keys && ${TEACHER}::text[]`;
    expect(ids).toHaveLength(want!.n);
  });
});
