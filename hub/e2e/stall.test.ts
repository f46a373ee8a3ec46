// Issue 14: one writer's transaction stalls in its COMMIT (a disk that hangs on its flush,
// simulated by a deferred trigger that sleeps 2 s), after it took its event id. Every other
// write commits meanwhile: writers take no lock. Delivery waits for the stalled one (the ids
// after it are not final until it ends), then brings it and what came after, once each, in id
// order, on every node; a reader that resumes across it gets the same. A hub transaction that
// took ids and is then left open is ended by PostgreSQL after IDLE_IN_TRANSACTION_MS, so a hung
// writer holds delivery back for no longer; a hung COMMIT is ended at COMMIT_DEADLINE_MS. And a
// read mark takes no lock that another mark of the same post needs (migration 024): one
// stalled in its COMMIT holds up no other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startNodeProcess, type NodeProcess } from '../testing/processes.ts';
import { importInto, killNodes, nodeClients, nodeEnvironment, testRedis } from '../testing/nodes.ts';
import { TestClient, type Frame } from '../testing/client.ts';
import { mintToken } from '../auth/mint.ts';
import { TEST_SECRET } from '../testing/harness.ts';
import { demoBundle } from '../demo/district.ts';
import { IDLE_IN_TRANSACTION_MS, openPool } from '../../storage/pool.ts';
import { appendEvents } from '../../storage/events.ts';

const { url: REDIS_URL, ok: redisOk } = await testRedis('stall tests');

const STALL_MS = 2_000;
const title = (f: Frame) => (f.data as { post: { title: string } }).post.title;
const postTitles = (c: TestClient) => c.events('post.created').map(title);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!redisOk)('a stalled write transaction, two nodes', () => {
  const clients = nodeClients();
  let nodes: NodeProcess[] = [];
  let db: postgres.Sql;
  let databaseUrl = '';
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const made = await nodeEnvironment(REDIS_URL, { HUB_REDIS_PREFIX: `schoolhub-test-${randomBytes(4).toString('hex')}:` });
    drop = made.drop;
    databaseUrl = made.env.DATABASE_URL!;
    nodes = await Promise.all([startNodeProcess(made.env), startNodeProcess(made.env)]);
    expect(await importInto(nodes[0]!, demoBundle())).toBe(200);
    db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    // Test-only: the commit of a transaction that appends a post titled "stalled" sleeps 2 s,
    // as a commit does whose WAL flush hangs.
    await db.unsafe(`
      create function test_stall() returns trigger language plpgsql as $$
      begin perform pg_sleep(${STALL_MS / 1000}); return null; end $$;
      create constraint trigger test_stall after insert on events deferrable initially deferred
        for each row when (new.data->'post'->>'title' = 'stalled') execute function test_stall();`);
  }, 90_000);

  afterAll(async () => {
    clients.terminateAll();
    await db?.end();
    await killNodes(nodes);
    await drop?.();
  });

  const post = (teacher: TestClient, key: string) => teacher.ok('post.create', {
    schoolId: 's-ekskolan', title: key, body: '...', clientKey: key,
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
  });

  it('others commit meanwhile; delivery waits for it, then brings everything once, in id order, on both nodes and on resume', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const teacherA = await clients.connect(a, 'p-teacher-ek');
    const teacherB = await clients.connect(b, 'p-teacher-ek');
    const onA = await clients.connect(a, 'p-stu-ek-1');
    const onB = await clients.connect(b, 'p-stu-ek-3');
    // Not in the group: gets none of it.
    const outsider = await clients.connect(b, 'p-stu-bj-3');
    const resumer = await clients.connect(a, 'p-stu-ek-3');
    await post(teacherA, 'before');
    for (const r of [onA, onB, resumer]) await r.waitFor((f) => f.event === 'post.created' && title(f) === 'before');
    const cursor = resumer.lastCursor()!;
    resumer.close();
    await resumer.closed;

    // The stalled write: its transaction has written and sits in its COMMIT.
    const started = Date.now();
    const stalled = post(teacherA, 'stalled').then(() => Date.now() - started);
    await expect.poll(async () => (await db`select 1 from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`).length, { interval: 20 }).toBe(1);

    // Ten writes on both nodes commit meanwhile, each in well under the stall.
    const during: { key: string; ms: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const key = `during-${i}`;
      const t0 = Date.now();
      await post(i % 2 ? teacherB : teacherA, key);
      during.push({ key, ms: Date.now() - t0 });
    }
    const stalledOpenFor = Date.now() - started;
    expect(stalledOpenFor).toBeLessThan(STALL_MS);
    for (const d of during) expect(d.ms, d.key).toBeLessThan(500);
    const stored = await db<{ n: number }[]>`select count(*)::int as n from posts where title like 'during-%'`;
    expect(stored[0]!.n).toBe(10);

    // Meanwhile delivery waits: the stalled transaction took its id first, so nothing after it
    // is final until it ends.
    for (const r of [onA, onB]) expect(postTitles(r)).toEqual(['before']);
    expect(await stalled).toBeGreaterThanOrEqual(STALL_MS - 100);
    const expected = ['before', 'stalled', ...during.map((d) => d.key)];
    for (const r of [onA, onB]) {
      await expect.poll(() => postTitles(r), { timeout: 5_000 }).toEqual(expected);
      const cursors = r.events('post.created').map((f) => BigInt(f.cursor as string));
      for (let i = 1; i < cursors.length; i++) expect(cursors[i]!).toBeGreaterThan(cursors[i - 1]!);
    }
    // The log's order is the same: by id.
    const logged = await db<{ title: string }[]>`select data->'post'->>'title' as title from events where name = 'post.created' order by id`;
    expect(logged.map((r) => r.title)).toEqual(expected);
    expect(outsider.events('post.created')).toHaveLength(0);

    // Resumed across the stall on the other node: the same, once, then sync.done.
    const back = await TestClient.open(b.wsUrl);
    try {
      expect((await back.hello(await mintToken(TEST_SECRET, 'p-stu-ek-3'), cursor)).resumed).toBe(true);
      await back.waitFor((f) => f.event === 'sync.done');
      expect(postTitles(back)).toEqual(expected.slice(1));
    } finally {
      back.terminate();
    }
    await sleep(300);
    expect(postTitles(onA)).toEqual(expected);
    expect(postTitles(onB)).toEqual(expected);
  }, 60_000);

  it('a read mark stalled in its COMMIT holds up no other mark of the same post, on either node; each counts once', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const mentor = await clients.connect(a, 'p-mentor-ek');
    const { post: { id: itemId } } = await mentor.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: 'read by all', body: '...', clientKey: 'read-by-all',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    // Test-only: the commit of p-gua-ek-1a's read mark sleeps 2 s.
    await db.unsafe(`
      create constraint trigger test_stall_read after insert on events deferrable initially deferred
        for each row when (new.name = 'feed.read' and new.data->>'personId' = 'p-gua-ek-1a') execute function test_stall();`);
    try {
      const [stalledReader, onA, onB] = await Promise.all([
        clients.connect(a, 'p-gua-ek-1a'), clients.connect(a, 'p-gua-ek-1b'), clients.connect(b, 'p-gua-ek-2a'),
      ]);
      const started = Date.now();
      const stalled = stalledReader.ok('feed.read', { itemIds: [itemId] }).then(() => Date.now() - started);
      await expect.poll(async () => (await db`select 1 from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`).length, { interval: 20 }).toBe(1);
      // The same post read on both nodes, and a post written: none waits for the stalled commit.
      for (const [who, write] of [
        ['a mark on node B', () => onB.ok('feed.read', { itemIds: [itemId] })],
        ['a mark on node A', () => onA.ok('feed.read', { itemIds: [itemId] })],
        ['a post on node A', () => mentor.ok('post.create', {
          schoolId: 's-ekskolan', title: 'meanwhile', body: '...', clientKey: 'meanwhile',
          audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
        })],
      ] as const) {
        const t0 = Date.now();
        await write();
        expect(Date.now() - t0, who).toBeLessThan(500);
      }
      expect(Date.now() - started).toBeLessThan(STALL_MS);
      expect(await stalled).toBeGreaterThanOrEqual(STALL_MS - 100);
      const read = async () => (await mentor.ok<{ parts: { part: string; read: number }[] }>('post.stats.get', { itemId })).parts.find((p) => p.part === 'guardians')?.read;
      expect(await read()).toBe(3);
      // Folded into the counters, still three.
      await expect.poll(async () => (await db`select 1 from feed_read_deltas where item_id = ${itemId}`).length, { timeout: 5_000 }).toBe(0);
      expect(await read()).toBe(3);
    } finally {
      await db.unsafe('drop trigger test_stall_read on events');
    }
  }, 30_000);

  it('a hub transaction left open holds delivery back no longer than IDLE_IN_TRANSACTION_MS: PostgreSQL ends it', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const teacher = await clients.connect(a, 'p-teacher-ek');
    const reader = await clients.connect(b, 'p-stu-ek-1');
    // A hub connection (the hub's pool settings) whose process stops mid-transaction.
    const hung = openPool(databaseUrl, { max: 1 });
    let appended!: () => void;
    const didAppend = new Promise<void>((r) => (appended = r));
    const open = hung.begin(async (tx) => {
      await appendEvents(tx, [{ name: 'post.created', keys: ['gs:g-ek-ma7'], data: { post: { title: 'never' } } }]);
      appended();
      await sleep(IDLE_IN_TRANSACTION_MS + 3_000);
    }).then(() => 'committed', (e: unknown) => e);
    await didAppend;
    const t0 = Date.now();
    await post(teacher, 'after-hung');
    expect(Date.now() - t0).toBeLessThan(500); // the write itself does not wait
    await reader.waitFor((f) => f.event === 'post.created' && title(f) === 'after-hung', IDLE_IN_TRANSACTION_MS + 5_000);
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThan(IDLE_IN_TRANSACTION_MS - 1_500);
    expect(waited).toBeLessThan(IDLE_IN_TRANSACTION_MS + 3_000);
    expect(await open).not.toBe('committed');
    expect(postTitles(reader)).not.toContain('never');
    await hung.end({ timeout: 1 });
  }, 30_000);
});
