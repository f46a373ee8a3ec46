// The messages of a group commit go to PostgreSQL as one statement (storage/chat.ts
// appendMessages, storage/shared-statements.ts). What each message gets must not change with
// the company it keeps: consecutive seqs per conversation in the order sent, a clientKey stored
// once, a stale copy refusing only its own conversation's messages, the sender's read mark at
// their last message. A trigger counts the statements that inserted messages.
import { beforeEach, describe, expect, it } from 'vitest';
import { countMessageStatements, messageStatements, withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import {
  appendMessage, appendMessages, appendMessageShared, deleteMessage, editMessage, findMessageByKey, getConversation, getMessage, historyPage, inboxPage,
  insertConversation, MESSAGE_COLUMNS, messagesOf, searchMessages, type ConversationRow, type MessageAppend, type MessageRow,
} from './chat.ts';
import { closeShared, openShared, sendShared } from './shared-statements.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await migrate(pool);
  await countMessageStatements(pool);
});

let n = 0;
async function start(participantIds = ['p-a', 'p-b']): Promise<ConversationRow> {
  const id = `c${++n}`;
  return sql.begin((tx) => insertConversation(tx, {
    id, creatorId: participantIds[0]!, subject: null, context: null, participantIds, clientKey: id, directKey: null, audience: null,
  }));
}

const message = (senderId: string, clientKey = `k${++n}`) => ({ id: `m${++n}`, senderId, body: `nr ${n}`, clientKey, quietHours: false });
const to = (conv: ConversationRow, senderId: string, unlessChanged?: ConversationRow, clientKey?: string): MessageAppend =>
  ({ conv, message: message(senderId, clientKey), unlessChanged });

const statements = () => messageStatements(sql);

const state = async (id: string) => (await sql<{ lastSeq: number; marks: Record<string, number> }[]>`
  select last_seq::int, (select jsonb_object_agg(person_id, read_seq) from conversation_members where conversation_id = c.id) as marks
  from conversations c where id = ${id}`)[0]!;

beforeEach(async () => {
  await statements();
});

describe('messages appended together', () => {
  it('take consecutive seqs per conversation, in the order given, in one statement; each sender has read their last', async () => {
    const [one, two] = [await start(), await start()];
    const appends = [to(one, 'p-a'), to(two, 'p-a'), to(one, 'p-b'), to(one, 'p-a'), to(two, 'p-b')];
    const stored = await sql.begin((tx) => appendMessages(tx, appends));
    expect(stored.map((m) => m && [m.id, m.conversationId, m.seq])).toEqual(appends.map((a, i) => [a.message.id, a.conv.id, [1, 1, 2, 3, 2][i]]));
    expect(stored[2]).toMatchObject({ senderId: 'p-b', body: appends[2]!.message.body, quietHours: false, replyTo: null, files: [] });
    expect(await statements()).toEqual([5]);
    expect(await state(one.id)).toEqual({ lastSeq: 3, marks: { 'p-a': 3, 'p-b': 2 } });
    expect(await state(two.id)).toEqual({ lastSeq: 2, marks: { 'p-a': 1, 'p-b': 2 } });
  });

  it('store a clientKey once: a key already stored, or given twice, takes no seq', async () => {
    const conv = await start();
    const first = await sql.begin((tx) => appendMessage(tx, conv, message('p-a', 'same')));
    expect(first).toMatchObject({ seq: 1 });
    const stored = await sql.begin((tx) => appendMessages(tx, [to(conv, 'p-a', undefined, 'same'), to(conv, 'p-b', undefined, 'twice'), to(conv, 'p-b', undefined, 'twice'), to(conv, 'p-a')]));
    expect(stored.map((m) => m?.seq)).toEqual([undefined, 2, undefined, 3]);
    // The same key from another sender is another message.
    const other = await sql.begin((tx) => appendMessage(tx, conv, message('p-b', 'same')));
    expect(other).toMatchObject({ seq: 4 });
    expect((await state(conv.id)).lastSeq).toBe(4);
  });

  it("a stale copy refuses its own conversation's messages only; a fresh append to that conversation goes in a statement of its own and is stored", async () => {
    const [stale, fine] = [await start(), await start()];
    const copy = (await getConversation(sql, stale.id))!;
    await sql`update conversations set subject = 'Nytt ämne' where id = ${stale.id}`;
    const fineCopy = (await getConversation(sql, fine.id))!;
    const appends = [to(stale, 'p-a', copy), to(fine, 'p-a', fineCopy), to(stale, 'p-b'), to(stale, 'p-a', copy), to(fine, 'p-b', fineCopy)];
    const stored = await sql.begin((tx) => appendMessages(tx, appends));
    expect(stored.map((m) => m?.seq)).toEqual([undefined, 1, 1, undefined, 2]);
    // The copy's round (the stale conversation's copy and the fine one's) stored two; the fresh one, alone, one.
    expect(await statements()).toEqual([2, 1]);
    expect(await state(stale.id)).toMatchObject({ lastSeq: 1 });
  });

  it('store what a message alone stores: quiet hours, a quoted reply, files', async () => {
    const conv = await start();
    const replyTo = { kind: 'post' as const, id: 'post-1', title: 'Utflykt', excerpt: 'Vi åker på fredag <3' };
    const files = [{ id: 'f1', contentType: 'image/png', size: 10, filename: 'bild.png', width: 2, height: 3, thumbnail: true }];
    const full = (senderId: string) => ({ ...message(senderId), quietHours: true, replyTo, files });
    const alone = await sql.begin((tx) => appendMessage(tx, conv, full('p-a')));
    const [together] = await sql.begin((tx) => appendMessages(tx, [{ conv, message: full('p-b') }, to(conv, 'p-a')]));
    const facts = (m: typeof alone) => m && { quietHours: m.quietHours, replyTo: m.replyTo, files: m.files, editedAt: m.editedAt, deletedAt: m.deletedAt };
    expect(facts(together)).toEqual(facts(alone));
    expect(facts(alone)).toEqual({ quietHours: true, replyTo, files, editedAt: null, deletedAt: null });
    expect(together!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('a message to a conversation that is gone stores nothing; the others are stored', async () => {
    const conv = await start();
    const stored = await sql.begin((tx) => appendMessages(tx, [to({ ...conv, id: 'no-such' }, 'p-a'), to(conv, 'p-a')]));
    expect(stored.map((m) => m?.seq)).toEqual([undefined, 1]);
  });
});

describe('a shared statement', () => {
  it('waits inside a scope and goes out once for every caller, each answered with its own row', async () => {
    const conv = await start();
    const answers = await sql.begin(async (tx) => {
      openShared(tx);
      const pending = [message('p-a'), message('p-b'), message('p-a')].map((m) => appendMessageShared(tx, { conv, message: m }));
      expect(await statements()).toEqual([]);
      sendShared(tx);
      // Sent once: later calls go out at once.
      const after = appendMessageShared(tx, { conv, message: message('p-b') });
      return Promise.all([...pending, after]);
    });
    expect(answers.map((m) => m?.seq)).toEqual([1, 2, 3, 4]);
    expect(await statements()).toEqual([3, 1]);
  });

  it('outside a scope goes out at once; a closed scope sends nothing', async () => {
    const conv = await start();
    expect(await sql.begin((tx) => appendMessageShared(tx, { conv, message: message('p-a') }))).toMatchObject({ seq: 1 });
    await sql.begin(async (tx) => {
      openShared(tx);
      void appendMessageShared(tx, { conv, message: message('p-a') });
      closeShared(tx);
    });
    expect(await statements()).toEqual([1]);
    expect((await state(conv.id)).lastSeq).toBe(1);
  });
});

describe('a message read back', () => {
  it('by every path is the row stored, every field; the search vector is the one column no read takes', async () => {
    const columns = await sql<{ name: string }[]>`
      select column_name as name from information_schema.columns where table_name = 'messages' and table_schema = current_schema() order by 1`;
    expect(columns.map((c) => c.name).filter((c) => c !== 'search')).toEqual([...MESSAGE_COLUMNS].sort());
    expect(columns.map((c) => c.name)).toContain('search');

    const conv = await start();
    const files = [{ id: 'f1', contentType: 'image/png', size: 10, filename: 'bild.png', width: 4, height: 3, thumbnail: true }];
    const replyTo = { kind: 'post' as const, id: 'post-1', title: 'Utflykt', excerpt: 'Vi åker' };
    const rows = await sql.begin((tx) => appendMessages(tx, [
      { conv, message: { id: `m${++n}`, senderId: 'p-a', body: 'läxorna till fredag', clientKey: `k${++n}`, quietHours: true, replyTo, files } },
      { conv, message: message('p-b') },
    ]));
    const [stored, other] = rows as [MessageRow, MessageRow];
    expect(stored).toMatchObject({ seq: 1, quietHours: true, replyTo, files, editedAt: null, deletedAt: null });
    expect(await sql.begin((tx) => appendMessage(tx, conv, { id: `m${++n}`, senderId: 'p-b', body: 'ensam', clientKey: `k${++n}`, quietHours: false })))
      .toMatchObject({ seq: 3, body: 'ensam' });

    expect(await getMessage(sql, stored.id)).toEqual(stored);
    expect(await findMessageByKey(sql, 'p-a', stored.clientKey)).toEqual(stored);
    expect((await historyPage(sql, conv.id, 2, { afterSeq: 0 }))).toEqual([stored, other]);
    expect((await historyPage(sql, conv.id, 1, { beforeSeq: 2 }))).toEqual([stored]);
    expect((await messagesOf(sql, [conv.id])).slice(0, 2)).toEqual([stored, other]);
    const found = await searchMessages(sql, 'p-a', [], ['läx'], 10, {});
    expect(found.map(({ conversation, ...m }) => [conversation.id, m])).toEqual([[conv.id, stored]]);
    const [inbox] = await inboxPage(sql, 'p-a', [], 10);
    expect(inbox?.lastMessage).toMatchObject({ seq: 3, body: 'ensam', senderId: 'p-b' });

    const edited = await sql.begin((tx) => editMessage(tx, stored.id, 'läxorna till måndag'));
    expect(edited).toEqual({ ...stored, body: 'läxorna till måndag', editedAt: expect.any(String) });
    expect(await getMessage(sql, stored.id)).toEqual(edited);
    const deleted = await sql.begin((tx) => deleteMessage(tx, stored.id));
    expect(deleted).toEqual({ ...edited, body: '', replyTo: null, files: [], deletedAt: expect.any(String) });
    expect(await searchMessages(sql, 'p-a', [], ['läx'], 10, {})).toEqual([]);
  });
});
