// Faults while writers keep sending: Redis stops and returns, a node is killed (SIGKILL),
// PostgreSQL restarts, every database connection of a node is cut. At the end every reader holds exactly the committed messages, in order.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freshDatabase, TEST_ADMIN, TEST_SECRET } from '../testing/harness.ts';
import { freePort, startNodeProcess, startPrivateRedis, type NodeProcess, type PrivateRedis } from '../testing/processes.ts';
import { TestClient, type Frame } from '../testing/client.ts';
import { mintToken } from '../auth/mint.ts';
import { demoBundle } from '../demo/district.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../storage/embedded.ts';
import { startHub, type Hub } from '../node.ts';
import { loadConfig } from '../config.ts';
import { WRITE_DEADLINE_MS } from '../publisher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let hasRedisServer = true;
try {
  (await import('node:child_process')).execFileSync('redis-server', ['--version']);
} catch {
  hasRedisServer = false;
  console.warn('[fault tests] SKIPPED (Redis part): no redis-server binary to start a private Redis (apt-get install redis-server; .ci/run does)');
}

/**
 * A reader that behaves like the widgets' client: on any close it reconnects (to the next
 * node when one is gone) with the last cursor, and drops an event whose cursor it has seen.
 */
class Reader {
  readonly events: Frame[] = [];
  cursor: string | undefined;
  connections = 0;
  private stopped = false;
  private current: TestClient | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly sub: string, private readonly urls: () => string[]) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let i = 0;
    while (!this.stopped) {
      const urls = this.urls();
      const url = urls[i % urls.length]!;
      try {
        const c = await TestClient.open(url);
        this.current = c;
        this.connections++;
        c.ws.on('message', () => this.take(c));
        await c.hello(await mintToken(TEST_SECRET, this.sub), this.cursor);
        this.take(c);
        await c.closed;
        this.take(c);
      } catch {
        i++;
        await sleep(50 + Math.random() * 100);
      }
    }
  }

  private taken = new WeakMap<TestClient, number>();
  private take(c: TestClient): void {
    const from = this.taken.get(c) ?? 0;
    for (const f of c.frames.slice(from)) {
      if (typeof f.cursor !== 'string') continue;
      if (f.type === 'event' && f.event === 'message.created') {
        if (this.cursor !== undefined && Number(f.cursor) <= Number(this.cursor)) throw new Error(`duplicate or out of order: ${f.cursor} after ${this.cursor}`);
        this.events.push(f);
      }
      this.cursor = f.cursor;
    }
    this.taken.set(c, c.frames.length);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.terminate();
    await this.loop;
  }

  messageIds(): string[] {
    return this.events.map((f) => (f.data as { message: { id: string } }).message.id);
  }
}

async function importBundle(url: string, bundle: unknown): Promise<void> {
  const res = await fetch(`${url}/api/v1/directory/import`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle),
  });
  if (res.status !== 200) throw new Error(`import failed: ${res.status}`);
}

describe.skipIf(!hasRedisServer)('Redis down, then a node killed, while writers send', () => {
  let redis: PrivateRedis;
  let nodes: NodeProcess[] = [];
  let drop: () => Promise<void>;
  let db: postgres.Sql;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = postgres(fresh.url, { max: 2, onnotice: () => {} });
    env = { DATABASE_URL: fresh.url, REDIS_URL: redis.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, HUB_DRAIN_MS: '500' };
    nodes = await Promise.all([startNodeProcess(env), startNodeProcess(env), startNodeProcess(env)]);
    await importBundle(nodes[0]!.url, demoBundle());
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) n.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await redis?.stop();
    await db?.end();
    await drop?.();
  });

  it('every reader ends with exactly the committed messages, in order', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const alive = new Set([a, b, c]);
    // Readers on B and C (they move when their node dies); writers on A.
    const readerUrls = (first: NodeProcess) => () => [first, ...[b, c, a].filter((n) => n !== first)].filter((n) => alive.has(n)).map((n) => n.wsUrl);
    const readers = [new Reader('p-gua-ek-1a', readerUrls(b)), new Reader('p-stu-ek-3', readerUrls(c)), new Reader('p-gua-ek-3b', readerUrls(b))];
    for (const r of readers) r.start();
    const mentor = await TestClient.open(a.wsUrl);
    await mentor.hello(await mintToken(TEST_SECRET, 'p-mentor-ek'));
    const convs: string[] = [];
    for (const [i, parts] of [['p-gua-ek-1a'], ['p-stu-ek-3'], ['p-gua-ek-3a', 'p-gua-ek-3b']].entries()) {
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: parts, subject: `s${i}`, clientKey: `f${i}` });
      convs.push(conversation.id);
    }
    let writing = true;
    let acked = 0;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const answer = await mentor.request('message.send', { conversationId: convs[n % 3], body: `nr ${n}`, clientKey: `w${n}` });
        if (answer.type === 'ok') acked++;
        await sleep(60);
      }
    })();

    await sleep(1_000);
    // Redis goes away for 3 s: the hub keeps serving, /readyz says 503, writes still commit.
    await redis.stop();
    await sleep(700);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
    const duringOutage = acked;
    await sleep(2_300);
    expect(acked).toBeGreaterThan(duringOutage); // writes went on
    await redis.start();
    // ioredis reconnects with backoff (at most 2 s between tries).
    await expect.poll(async () => (await fetch(`${a.url}/readyz`)).status, { timeout: 10_000, interval: 250 }).toBe(200);
    // A node dies without warning: its readers reconnect elsewhere with their cursor.
    b.kill('SIGKILL');
    alive.delete(b);
    await b.exited;
    await sleep(1_500);
    writing = false;
    await writer;
    await sleep(1_000);
    for (const r of readers) await r.stop();

    const committed = await db<{ id: string; conversation_id: string }[]>`select id, conversation_id from messages order by conversation_id, seq`;
    expect(committed.length).toBe(acked);
    const participants: Record<string, number[]> = { 'p-gua-ek-1a': [0], 'p-stu-ek-3': [1], 'p-gua-ek-3b': [2] };
    for (const r of readers) {
      const mine = new Set(participants[(r as unknown as { sub: string }).sub]!.map((i) => convs[i]));
      const expected = committed.filter((m) => mine.has(m.conversation_id)).map((m) => m.id).sort();
      expect([...r.messageIds()].sort()).toEqual(expected);
      expect(r.connections).toBeGreaterThan(0);
    }
    // The readers of node B did move.
    expect(readers[0]!.connections).toBeGreaterThan(1);
  }, 90_000);
});

describe('PostgreSQL restarts while a client writes', () => {
  let pg: EmbeddedDatabase;
  let dir: string;
  let hub: Hub;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-pgrestart-'));
    port = await freePort();
    pg = await startEmbeddedPostgres(dir, () => {}, { port });
    hub = await startHub({
      config: loadConfig({ DATABASE_URL: pg.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, PORT: '0', HUB_DEMO: '0' }),
      log: () => {},
    });
    await importBundle(hub.url, demoBundle());
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes answer unavailable while it is down, nothing unacked is stored twice, and the hub recovers by itself', async () => {
    const mentor = await TestClient.open(`${hub.url.replace('http', 'ws')}/ws`);
    await mentor.hello(await mintToken(TEST_SECRET, 'p-mentor-ek'));
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-2'], clientKey: 'pg1' });
    const answers: Record<string, string> = {};
    const send = async (n: number) => {
      const a = await mentor.request('message.send', { conversationId: conversation.id, body: `nr ${n}`, clientKey: `pg-${n}` });
      answers[`pg-${n}`] = a.type === 'ok' ? 'ok' : String(a.code);
    };
    for (let n = 0; n < 5; n++) await send(n);
    await pg.stop();
    for (let n = 5; n < 10; n++) await send(n);
    expect(Object.values(answers).slice(5)).toEqual(Array(5).fill('unavailable'));
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(503);
    pg = await startEmbeddedPostgres(dir, () => {}, { port });
    // The pool reconnects by itself; retries with the same clientKeys store each message once.
    await expect.poll(async () => (await mentor.request('message.send', { conversationId: conversation.id, body: 'nr 5', clientKey: 'pg-5' })).type, { timeout: 20_000, interval: 500 }).toBe('ok');
    for (let n = 6; n < 10; n++) await send(n);
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
    const { messages } = await mentor.ok<{ messages: { body: string; seq: number }[] }>('history.get', { conversationId: conversation.id });
    expect(messages.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, n) => `nr ${n}`));
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, n) => n + 1));
    mentor.terminate();
  }, 90_000);
});

describe('every database connection of a node cut three times during a write burst', () => {
  let node: NodeProcess;
  let fresh: { url: string; drop: () => Promise<void> };
  let admin: postgres.Sql;

  beforeAll(async () => {
    fresh = await freshDatabase();
    admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    node = await startNodeProcess({ DATABASE_URL: fresh.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN });
    await importBundle(node.url, demoBundle());
  }, 90_000);

  afterAll(async () => {
    if (node && node.proc.exitCode !== null) console.error(`[cut test] the node exited:\n${node.output.join('').slice(-3000)}`);
    node?.kill('SIGKILL');
    await node?.exited;
    await admin?.end();
    await fresh?.drop();
  });

  it('the node stays up, answers unavailable meanwhile, and every acked write is stored', async () => {
    const database = new URL(fresh.url).pathname.slice(1);
    const mentor = await TestClient.open(node.wsUrl);
    await mentor.hello(await mintToken(TEST_SECRET, 'p-mentor-ek'));
    const people = ['p-gua-ek-1a', 'p-stu-ek-3', 'p-gua-ek-3a', 'p-gua-ek-3b', 'p-stu-ek-2'];
    const writers: { client: TestClient; conversationId: string; sub: string }[] = [];
    for (const sub of people) {
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [sub], clientKey: `cut-${sub}` });
      const client = await TestClient.open(node.wsUrl);
      await client.hello(await mintToken(TEST_SECRET, sub));
      writers.push({ client, conversationId: conversation.id, sub });
    }
    // Each person keeps 4 writes in flight at about 15 a second: with five people the
    // publisher's group commit has batches in flight whenever a cut comes.
    const answers = new Map<string, { body: string; author: string; code: string }>();
    const latencies: number[] = [];
    let writing = true;
    let inFlight = 0;
    const loops = writers.flatMap((w) => Array.from({ length: 4 }, (_, lane) => (async () => {
      for (let n = 0; writing; n++) {
        const clientKey = `${w.sub}-${lane}-${n}`;
        const body = `burst ${clientKey}`;
        // The hub answers every write within WRITE_DEADLINE_MS (hub/publisher.ts); waiting
        // longer here only tells a late answer (asserted below) from none at all.
        const id = `${clientKey}-q`;
        const sent = Date.now();
        inFlight++;
        w.client.send({ type: 'message.send', id, conversationId: w.conversationId, body, clientKey });
        const a = await w.client.waitFor((f) => (f.type === 'ok' || f.type === 'error') && f.id === id, 60_000).finally(() => inFlight--);
        latencies.push(Date.now() - sent);
        answers.set(clientKey, { body, author: w.sub, code: a.type === 'ok' ? 'ok' : String(a.code) });
        await sleep(250);
      }
    })()));
    const cuts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await sleep(800);
      // A write takes milliseconds: cut while some are on their way, not by luck of timing.
      const until = Date.now() + 2_000;
      while (inFlight < 3 && Date.now() < until) await sleep(1);
      const [row] = await admin<{ n: number }[]>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
      cuts.push(row!.n);
    }
    await sleep(800);
    writing = false;
    await Promise.all(loops);

    expect(node.proc.exitCode).toBeNull();
    expect(cuts.every((n) => n > 0)).toBe(true);
    const slowest = Math.max(...latencies);
    console.log(`[cut test] cuts ${cuts.join('/')} backends; ${answers.size} answers, slowest ${slowest} ms, ${latencies.filter((ms) => ms > 2_000).length} over 2 s`);
    // Nothing is held past the publisher's deadline (plus the time to get the answer out).
    expect(slowest).toBeLessThan(WRITE_DEADLINE_MS + 3_000);
    const codes = [...answers.values()].map((a) => a.code);
    expect(codes.filter((c) => c !== 'ok' && c !== 'unavailable')).toEqual([]);
    expect(codes.filter((c) => c === 'unavailable').length).toBeGreaterThan(0);
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThan(20);

    // Every acknowledged write is in PostgreSQL, once.
    const check = postgres(fresh.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await check<{ client_key: string; body: string }[]>`select client_key, body from messages where client_key like 'p-%'`;
      const stored = new Map(rows.map((r) => [r.client_key, r.body]));
      expect(rows.length).toBe(stored.size);
      const acked = [...answers.entries()].filter(([, a]) => a.code === 'ok');
      expect(acked.filter(([key, a]) => stored.get(key) !== a.body).map(([key]) => key)).toEqual([]);
      // The rest, retried with the same clientKey, are stored once each.
      for (const w of writers) {
        for (const [clientKey, a] of answers) {
          if (a.code === 'ok' || a.author !== w.sub) continue;
          expect((await w.client.request('message.send', { conversationId: w.conversationId, body: a.body, clientKey })).type).toBe('ok');
        }
      }
      const [count] = await check<{ n: number }[]>`select count(*)::int as n from messages where client_key like 'p-%'`;
      expect(count!.n).toBe(answers.size);
    } finally {
      await check.end();
    }
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    expect(node.proc.exitCode).toBeNull();
    for (const w of writers) w.client.terminate();
    mentor.terminate();
  }, 150_000);
});

describe('SIGTERM', () => {
  it('stops taking connections, closes the open ones with 1001 spread over the drain period, and exits', async () => {
    const fresh = await freshDatabase();
    const node = await startNodeProcess({ DATABASE_URL: fresh.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, HUB_DRAIN_MS: '1500' });
    try {
      await importBundle(node.url, demoBundle());
      const clients = await Promise.all(['p-stu-ek-1', 'p-stu-ek-2', 'p-stu-ek-3', 'p-stu-ek-4', 'p-stu-ek-5'].map(async (sub) => {
        const c = await TestClient.open(node.wsUrl);
        await c.hello(await mintToken(TEST_SECRET, sub));
        return c;
      }));
      const closedAt: number[] = [];
      const closes = clients.map((c) => c.closed.then((x) => (closedAt.push(Date.now()), x.code)));
      node.kill('SIGTERM');
      await sleep(200);
      await expect(TestClient.open(node.wsUrl)).rejects.toThrow();
      expect(await Promise.all(closes)).toEqual([1001, 1001, 1001, 1001, 1001]);
      expect(Math.max(...closedAt) - Math.min(...closedAt)).toBeGreaterThan(600);
      expect(await node.exited).toBe(0);
    } finally {
      node.kill('SIGKILL');
      await fresh.drop();
    }
  }, 60_000);
});
