// What the multi-process tests do with their hub processes: connect people to a chosen node,
// import a bundle through one node's admin API, and kill them all at the end.
import { afterAll, beforeAll, expect } from 'vitest';
import { demoBundle } from '../demo/district.ts';
import { mintToken } from '../auth/mint.ts';
import { TestClient } from './client.ts';
import { freshDatabase, TEST_ADMIN, TEST_SECRET } from './harness.ts';
import { redisReachable, type NodeProcess } from './processes.ts';

/** The Redis the multi-node tests use (REDIS_URL, else the local one) and whether it answers; when it does not, warns that `suite` is skipped. */
export async function testRedis(suite: string, hint = ''): Promise<{ url: string; ok: boolean }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const ok = await redisReachable(url);
  if (!ok) console.warn(`[${suite}] SKIPPED: no Redis answers at ${url}${hint}`);
  return { url, ok };
}

/** A fresh database, and the environment of hub nodes sharing it and the Redis at `redisUrl` (test secret and admin token); `more` adds variables. */
export async function nodeEnvironment(redisUrl: string, more: Record<string, string> = {}): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const db = await freshDatabase();
  return { env: { DATABASE_URL: db.url, REDIS_URL: redisUrl, ...more, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN }, drop: db.drop };
}

/** Connections to hub processes, kept so that the test can terminate them all at the end. */
export function nodeClients(): { connect(node: NodeProcess, sub: string): Promise<TestClient>; terminateAll(): void } {
  const clients: TestClient[] = [];
  return {
    async connect(node, sub) {
      const c = await TestClient.open(node.wsUrl);
      clients.push(c);
      await c.hello(await mintToken(TEST_SECRET, sub));
      return c;
    },
    terminateAll() {
      for (const c of clients) c.terminate();
    },
  };
}

/** Imports `bundle` through `node`'s directory API with the test admin token; resolves to the HTTP status. */
export async function importInto(node: NodeProcess, bundle: unknown): Promise<number> {
  const res = await fetch(`${node.url}/api/v1/directory/import`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle),
  });
  return res.status;
}

/** SIGKILLs every node and waits until all have exited. */
export async function killNodes(nodes: NodeProcess[]): Promise<void> {
  for (const n of nodes) n.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
}

/**
 * Hub processes for the tests of the enclosing describe block: before them a fresh database,
 * the nodes `start` makes from its environment (Redis at `redisUrl`, `more` added), and the demo
 * district imported through the first; after them every connection closed, the nodes killed and
 * the database dropped. `use` gets the nodes; connect through the returned clients.
 */
export function useNodes(
  opts: { redisUrl: string; more?: Record<string, string>; start: (env: Record<string, string>) => Promise<NodeProcess[]> },
  use: (nodes: NodeProcess[]) => void,
): ReturnType<typeof nodeClients> {
  const clients = nodeClients();
  let nodes: NodeProcess[] = [];
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const made = await nodeEnvironment(opts.redisUrl, opts.more);
    drop = made.drop;
    nodes = await opts.start(made.env);
    use(nodes);
    expect(await importInto(nodes[0]!, demoBundle())).toBe(200);
  }, 90_000);
  afterAll(async () => {
    clients.terminateAll();
    await killNodes(nodes);
    await drop?.();
  });
  return clients;
}
