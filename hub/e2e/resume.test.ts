// Resume without loss: writers commit concurrently while a reader keeps dropping its
// connection and coming back with its cursor. At the end the reader holds exactly the
// committed messages, each once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { type TestHub } from '../testing/harness.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { SESSION_LIMITS } from '../session.ts';
import { ABUSE_LIMITS } from '../limits.ts';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, connection) => {
  t = hub;
  db = connection;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ws client's TCP socket, to stop and start reading. */
const tcp = (c: TestClient) => (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

/** Titles of the posts in log order, by event id (posts written in parallel commit in any order). */
const committedTitles = async (prefix: string) =>
  (await db<{ title: string }[]>`select data->'post'->>'title' as title from events where name = 'post.created' and data->'post'->>'title' like ${prefix + '%'} order by id`).map((r) => r.title);

const postTo7ma = (teacher: TestClient, key: string, body: string) => teacher.ok('post.create', {
  schoolId: 's-ekskolan', title: key, body, clientKey: key,
  audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
});

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
    // The reader's first cursor, before anyone writes: a hello without a cursor is told only of
    // what comes after it, so a message committed before the reader's first hello would not be
    // owed to it (and, with commits of a few milliseconds, the first one could be).
    const first = await t.connect(reader);
    let cursor = first.lastCursor();
    first.terminate();
    await first.closed;
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

  it('a cursor ahead of the newest event (a restored database) gets sync.reset, and the client goes on from the new cursor', async () => {
    const newest = (await db<{ newest: string }[]>`select coalesce(max(id), 0)::text as newest from events`)[0]!.newest;
    const c = await t.connect('p-stu-ek-4', { cursor: String(Number(newest) + 1000) });
    const welcome = c.frames.find((f) => f.type === 'welcome')!;
    expect(welcome.resumed).toBe(false);
    const reset = await c.waitFor((f) => f.type === 'event' && f.event === 'sync.reset');
    expect(reset.cursor).toBe(welcome.cursor);
    expect(Number(welcome.cursor)).toBeLessThanOrEqual(Number(newest));
    expect(c.events('sync.done')).toHaveLength(0);
  });

  it('a cursor committed on another node but not yet delivered here is still resumed', async () => {
    // Written straight into the log, as another node would: this node learns of it only at its next poll.
    const id = (await db<{ id: string }[]>`insert into events (name, keys, data) values ('test.elsewhere', '{}', '{}') returning id::text as id`)[0]!.id;
    expect(t.hub.core.delivery.lastDeliveredId).toBeLessThan(Number(id));
    const c = await t.connect('p-stu-ek-4', { cursor: id });
    expect(c.frames.find((f) => f.type === 'welcome')!.resumed).toBe(true);
    const done = await c.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
    expect(done.cursor).toBe(id);
    expect(c.events('sync.reset')).toHaveLength(0);
  });

  it('from far back, a person of many keys is told to reload (sync.reset) and one of few keys is replayed', async () => {
    // The fixture's people hold at most 16 read keys: the bounds are lowered for this test, so
    // that the mentor (16) counts as many and the guardian (9) as few.
    const replays = t.hub.core.replays;
    const saved = { manyKeys: replays.manyKeys, span: replays.hashedSpan };
    replays.manyKeys = 12;
    replays.hashedSpan = 500;
    try {
      const mentor = await t.connect('p-mentor-ek');
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-1b'], clientKey: 'far-back-1' });
      await mentor.waitFor((f) => f.type === 'event' && f.event === 'conversation.created');
      const cursor = mentor.lastCursor()!;
      // The log moves on past the span, as a busy district's would, without the rows.
      await db`select setval('events_id_seq', ${Number(cursor) + 1_000})`;
      await mentor.ok('message.send', { conversationId: conversation.id, body: 'långt senare', clientKey: 'far-back-m1' });
      const sent = await mentor.waitFor((f) => f.type === 'event' && f.event === 'message.created');
      expect(Number(sent.cursor)).toBeGreaterThan(Number(cursor) + 1_000);

      const staff = await t.connect('p-mentor-ek', { cursor });
      expect(staff.frames.find((f) => f.type === 'welcome')!.resumed).toBe(false);
      const reset = await staff.waitFor((f) => f.type === 'event' && f.event === 'sync.reset');
      expect(Number(reset.cursor)).toBeGreaterThanOrEqual(Number(sent.cursor));
      expect(staff.events('message.created')).toHaveLength(0);

      const guardian = await t.connect('p-gua-ek-1b', { cursor });
      expect(guardian.frames.find((f) => f.type === 'welcome')!.resumed).toBe(true);
      await guardian.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
      expect(guardian.events('message.created').map((f) => (f.data as { message: { body: string } }).message.body)).toEqual(['långt senare']);
      expect(guardian.events('sync.reset')).toHaveLength(0);
    } finally {
      replays.manyKeys = saved.manyKeys;
      replays.hashedSpan = saved.span;
    }
  });

  describe('a replay larger than the send buffer', () => {
    const saved = { ...SESSION_LIMITS };
    const savedWrites = ABUSE_LIMITS.writesPerPerson;
    let teacher: TestClient;
    let cursor: string;
    const posts = 1_050; // of 20,000 characters: 21 MB of replay, over uWS's 8 MiB maxBackpressure
    beforeAll(async () => {
      ABUSE_LIMITS.writesPerPerson = { rate: 100_000, burst: 100_000 };
      SESSION_LIMITS.rate = 100_000;
      SESSION_LIMITS.burst = 100_000;
      teacher = await t.connect('p-teacher-ek');
      cursor = (await t.connect('p-stu-ek-1')).lastCursor()!;
      const body = 'x'.repeat(20_000);
      for (let n = 0; n < posts; n += 50) {
        await Promise.all(Array.from({ length: Math.min(50, posts - n) }, (_, i) => postTo7ma(teacher, `big-${n + i}`, body)));
      }
    }, 120_000);
    afterAll(() => {
      Object.assign(SESSION_LIMITS, saved);
      ABUSE_LIMITS.writesPerPerson = savedWrites;
    });

    it('reaches a slow reader whole, in order, then sync.done, then what was written meanwhile, once', async () => {
      const reader = await t.connect('p-stu-ek-1', { cursor });
      // Welcomed: a request is answered while the replay is still going out.
      const answer = reader.request('feed.get', { limit: 1 });
      // Reads 10 ms in every 60: far slower than the hub writes.
      const socket = tcp(reader);
      socket.pause();
      let reading = true;
      const pacer = (async () => {
        while (reading) {
          await sleep(50);
          socket.resume();
          await sleep(10);
          if (reading) socket.pause();
        }
        socket.resume();
      })();
      // Written while the replay is under way: each must come once, after what was replayed.
      await sleep(200);
      for (let i = 0; i < 20; i++) await postTo7ma(teacher, `during-${i}`, 'live');
      try {
        await reader.waitFor((f) => f.type === 'event' && f.event === 'sync.done', 90_000);
        await expect.poll(() => reader.events('post.created').length, { timeout: 10_000 }).toBe(posts + 20);
      } finally {
        reading = false;
        await pacer;
      }
      const frames = reader.frames.filter((f) => f.type === 'event');
      const titles = frames.filter((f) => f.event === 'post.created').map((f) => (f.data as { post: { title: string } }).post.title);
      expect(titles).toEqual([...(await committedTitles('big-')), ...Array.from({ length: 20 }, (_, i) => `during-${i}`)]);
      const cursors = frames.filter((f) => f.event === 'post.created').map((f) => Number(f.cursor));
      for (let i = 1; i < cursors.length; i++) expect(cursors[i]!).toBeGreaterThan(cursors[i - 1]!);
      // sync.done once, after every replayed event; nothing after it is older than it.
      const done = frames.findIndex((f) => f.event === 'sync.done');
      expect(frames.filter((f) => f.event === 'sync.done')).toHaveLength(1);
      expect(done).toBeGreaterThanOrEqual(posts);
      expect(frames.slice(done + 1).every((f) => Number(f.cursor) > Number(frames[done]!.cursor))).toBe(true);
      expect((await answer).type).toBe('ok');
      // Paced, not closed as a slow reader.
      await reader.ping();
      expect(t.hub.core.metrics.closes.get({ code: '4009' })).toBe(0);
    }, 120_000);

    it('a reader that never reads is still closed, and resumes from where it got to', async () => {
      SESSION_LIMITS.replayStallMs = 1_000;
      const reader = await t.connect('p-stu-ek-3', { cursor });
      tcp(reader).pause();
      // Not the sweep's 500 ms: the replay waits on a drain that never comes, up to replayStallMs.
      await sleep(3_000);
      tcp(reader).resume();
      expect([4009, 1006]).toContain((await reader.closed).code);
      const again = await t.connect('p-stu-ek-3', { cursor: reader.lastCursor() ?? cursor });
      await again.waitFor((f) => f.type === 'event' && f.event === 'sync.done', 60_000);
      const titles = [...reader.events('post.created'), ...again.events('post.created')].map((f) => (f.data as { post: { title: string } }).post.title);
      expect(titles.filter((x) => x.startsWith('big-'))).toEqual(await committedTitles('big-'));
    }, 120_000);
  });
});
