// Resume without loss: writers commit concurrently while a reader keeps dropping its
// connection and coming back with its cursor. At the end the reader holds exactly the
// committed messages, each once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { Frame } from '../testing/client.ts';

let t: TestHub;
let db: postgres.Sql;
beforeAll(async () => {
  t = await startTestHub();
  db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('resume', () => {
  it('a reader that disconnects and reconnects with its cursor misses nothing and sees nothing twice', async () => {
    // p-gua-ek-1a is reached by Ekskolan's mentor (child in 7A), Björkskolan's mentor and,
    // there, its teacher (the school allows teacher–guardian messages).
    const reader = 'p-gua-ek-1a';
    const writers = ['p-mentor-ek', 'p-mentor-bj', 'p-teacher-bj'];
    const conversations: string[] = [];
    const writerClients = [];
    for (const w of writers) {
      const c = await t.connect(w);
      writerClients.push(c);
      const { conversation } = await c.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [reader], clientKey: `resume-${w}` });
      conversations.push(conversation.id);
    }
    const perWriter = 60;
    let writing = true;
    const writes = writerClients.map(async (c, i) => {
      for (let n = 0; n < perWriter; n++) {
        await c.ok('message.send', { conversationId: conversations[i], body: `${writers[i]} #${n}`, clientKey: `rw-${i}-${n}` });
        await sleep(30 + Math.floor(Math.random() * 30)); // under the per-connection rate limit
      }
    });
    const allWritten = Promise.all(writes).finally(() => (writing = false));

    // The reader: connect, read a little, drop abruptly, come back with the last cursor.
    const received: Frame[] = [];
    let cursor: string | undefined;
    let sessions = 0;
    while (writing || sessions < 3) {
      const c = await t.connect(reader, cursor === undefined ? {} : { cursor });
      sessions++;
      await sleep(20 + Math.floor(Math.random() * 80));
      c.terminate();
      await c.closed;
      for (const f of c.frames) {
        if (f.type !== 'event') continue;
        if (f.event === 'message.created' || f.event === 'conversation.created') received.push(f);
      }
      cursor = c.lastCursor() ?? cursor;
    }
    await allWritten;
    // One last resume to collect what came after the last drop.
    const last = await t.connect(reader, { cursor });
    await last.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
    await sleep(100);
    received.push(...last.events().filter((f) => f.event === 'message.created' || f.event === 'conversation.created'));

    const cursors = received.map((f) => Number(f.cursor));
    // In order and never twice: strictly increasing over all sessions.
    for (let i = 1; i < cursors.length; i++) expect(cursors[i]!).toBeGreaterThan(cursors[i - 1]!);
    const got = received.filter((f) => f.event === 'message.created').map((f) => (f.data as { message: { id: string } }).message.id).sort();
    const committed = (await db<{ id: string }[]>`select id from messages where conversation_id = any(${conversations}) order by id`).map((r) => r.id);
    expect(committed.length).toBe(writers.length * perWriter);
    expect(got).toEqual(committed);
    expect(sessions).toBeGreaterThan(3);
  }, 60_000);

  it('a cursor from elsewhere gets sync.reset, not a replay', async () => {
    const c = await t.connect('p-stu-ek-1', { cursor: 'not-a-cursor' });
    const welcome = c.frames.find((f) => f.type === 'welcome')!;
    expect(welcome.resumed).toBe(false);
    await c.waitFor((f) => f.type === 'event' && f.event === 'sync.reset');
  });

  it('a client without a cursor gets the current cursor and only new events', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-2'], clientKey: 'fresh-1' });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'före', clientKey: 'fresh-m1' });
    const student = await t.connect('p-stu-ek-2');
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'efter', clientKey: 'fresh-m2' });
    const ev = await student.waitFor((f) => f.type === 'event' && f.event === 'message.created');
    expect((ev.data as { message: { body: string } }).message.body).toBe('efter');
    expect(student.events('message.created')).toHaveLength(1);
  });
});
