// A message whose sender's rights were checked against a node's copy of its conversation
// (hub/conversation-copies.ts) is stored only while the copy is still what is stored: every
// field a message's rights and events are computed from is compared, inside the insert. A stale
// copy stores nothing, takes no seq and writes no event, as a retry of a stored clientKey does.
// Each case runs twice: the message alone (one statement of its own), and with a message to
// another conversation in the same statement, as a group commit sends them (appendMessages).
import { beforeEach, describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { addMembers, appendMessage, appendMessages, getConversation, insertConversation, messageDraft, retitleContexts, type ConversationRow, type StoredAudience } from './chat.ts';
import { commitWithEvents, type NewEvent } from './events.ts';

let sql: Sql;
withFreshPool(2, async (pool) => {
  sql = pool;
  await migrate(pool);
});

let n = 0;
/** A conversation that another message goes to in the same statement (undefined: the message goes alone). */
let alongside: ConversationRow | undefined;
/** Sends as message.send does with a copy: the insert not awaited, its event written from the draft. */
async function sendWith(copy: ConversationRow) {
  const m = { id: `m${++n}`, senderId: 'p-a', body: `nr ${n}`, clientKey: `k${n}`, quietHours: false };
  let stored: Promise<unknown> = Promise.resolve();
  const events = await commitWithEvents(sql, async (tx) => {
    if (alongside) {
      const other = { id: `m${++n}`, senderId: 'p-a', body: `nr ${n}`, clientKey: `k${n}`, quietHours: false };
      const both = appendMessages(tx, [{ conv: copy, message: m, unlessChanged: copy }, { conv: alongside, message: other }]);
      stored = both.then(([mine, theirs]) => (expect(theirs).toMatchObject({ id: other.id }), mine));
    } else {
      stored = appendMessage(tx, copy, m, copy);
    }
    const event: NewEvent = { name: 'message.created', keys: ['p:a'], data: { message: messageDraft(copy, m) }, ofRow: { table: 'messages', id: m.id, seqAt: ['message', 'seq'] } };
    return [event];
  });
  const [row] = await sql<{ lastSeq: number; messages: number }[]>`
    select last_seq::int, (select count(*)::int from messages where conversation_id = ${copy.id}) as messages from conversations where id = ${copy.id}`;
  return { stored: await stored, events, lastSeq: row!.lastSeq, messages: row!.messages };
}

async function start(c: { subject?: string | null; context?: ConversationRow['context']; audience?: StoredAudience | null; participantIds?: string[] } = {}) {
  const id = `c${++n}`;
  return sql.begin((tx) => insertConversation(tx, {
    id, creatorId: 'p-a', subject: c.subject ?? null, context: c.context ?? null, participantIds: c.participantIds ?? ['p-b', 'p-a'],
    clientKey: id, directKey: null, audience: c.audience ?? null,
  }));
}

const read = async (id: string) => (await getConversation(sql, id))!;

describe.each([['alone', false], ['with another message in its statement', true]])('a message checked against a copy of its conversation, %s', (_, together) => {
  let conv: ConversationRow;
  beforeEach(async () => {
    conv = await start({ subject: 'Utflykten' });
    alongside = together ? await start() : undefined;
  });

  it('is stored while the copy is current, whether read or as created (members in another order), with no subject or context', async () => {
    // insertConversation's row lists the members as given; a read lists them as joined.
    expect(conv.participantIds).toEqual(['p-b', 'p-a']);
    expect((await read(conv.id)).participantIds).toEqual(['p-a', 'p-b']);
    expect(await sendWith(conv)).toMatchObject({ stored: { seq: 1 }, lastSeq: 1, messages: 1, events: [{ data: { message: { seq: 1 } } }] });
    expect(await sendWith(await read(conv.id))).toMatchObject({ stored: { seq: 2 }, lastSeq: 2, messages: 2 });
    // Null subject and context: SQL nulls, not the JSON value null.
    const bare = await start();
    expect(await sendWith(bare)).toMatchObject({ stored: { seq: 1 }, lastSeq: 1 });
  });

  it('stores nothing, takes no seq and writes no event once a member was added, or taken away', async () => {
    const copy = await read(conv.id);
    await sql.begin((tx) => addMembers(tx, conv.id, ['p-c']));
    expect(await sendWith(copy)).toEqual({ stored: undefined, events: [], lastSeq: 0, messages: 0 });
    const withC = await read(conv.id);
    expect(await sendWith(withC)).toMatchObject({ stored: { seq: 1 }, lastSeq: 1 });
    await sql`delete from conversation_members where conversation_id = ${conv.id} and person_id = 'p-b'`;
    expect(await sendWith(withC)).toEqual({ stored: undefined, events: [], lastSeq: 1, messages: 1 });
    expect(await sendWith(await read(conv.id))).toMatchObject({ stored: { seq: 2 }, lastSeq: 2 });
  });

  it('stores nothing once the subject, the context or the audience changed', async () => {
    const copy = await read(conv.id);
    await sql`update conversations set subject = 'Utflykten (flyttad)' where id = ${conv.id}`;
    expect(await sendWith(copy)).toMatchObject({ stored: undefined, events: [] });

    const item = await start({ context: { kind: 'plan', id: 'item-1', title: 'Geometri', groupId: 'g-1' } });
    const before = await read(item.id);
    expect(await sendWith(before)).toMatchObject({ stored: { seq: 1 } });
    await sql.begin((tx) => retitleContexts(tx, 'plan', 'item-1', 'Geometri v. 14'));
    expect(await sendWith(before)).toMatchObject({ stored: undefined, events: [], lastSeq: 1 });
    expect(await sendWith(await read(item.id))).toMatchObject({ stored: { seq: 2 } });

    const group = await start({ audience: { kind: 'group', groupId: 'g-1', members: 'guardians' }, participantIds: ['p-a'] });
    const groupCopy = await read(group.id);
    await sql`update conversations set audience = ${JSON.stringify({ kind: 'group', groupId: 'g-1', members: 'students' })}::jsonb where id = ${group.id}`;
    expect(await sendWith(groupCopy)).toMatchObject({ stored: undefined, events: [] });
  });

  it("with an audience, its read marks are not compared: a first read adds one, and the copy stays good", async () => {
    const group = await start({ audience: { kind: 'group', groupId: 'g-1', members: 'guardians' }, participantIds: ['p-a'] });
    const copy = await read(group.id);
    await sql`insert into conversation_members (conversation_id, person_id, read_seq) values (${group.id}, 'p-guardian', 0)`;
    expect(await sendWith(copy)).toMatchObject({ stored: { seq: 1 }, events: [{ data: { message: { seq: 1 } } }] });
  });

  it('stores nothing when the conversation is gone', async () => {
    const copy = await read(conv.id);
    await sql`delete from conversation_members where conversation_id = ${conv.id}`;
    await sql`delete from conversations where id = ${conv.id}`;
    const m = { id: `m${++n}`, senderId: 'p-a', body: 'x', clientKey: `k${n}`, quietHours: false };
    const stored = await sql.begin(async (tx) => (alongside ? (await appendMessages(tx, [{ conv: copy, message: m, unlessChanged: copy }, { conv: alongside, message: { ...m, id: `m${++n}`, clientKey: `k${n}` } }]))[0] : appendMessage(tx, copy, m, copy)));
    expect(stored).toBeUndefined();
  });
});
