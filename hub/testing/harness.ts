// Starts a real hub for a test: its own database on the test PostgreSQL server, the demo
// district imported through the real API, tokens minted as a portal would.
import { loadConfig } from '../config.ts';
import { startHub, type Hub, type HubOptions } from '../node.ts';
import { mintToken } from '../auth/mint.ts';
import { demoBundle } from '../demo/district.ts';
import type { Bundle } from '../directory/schema.ts';
import { TestClient, type ClientOptions } from './client.ts';
import { freshDatabase } from '../../storage/test-database.ts';

export { freshDatabase };

export const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const TEST_ADMIN = 'test-admin-token';

export interface TestHub {
  hub: Hub;
  url: string;
  wsUrl: string;
  databaseUrl: string;
  token(sub: string, opts?: { ttlSeconds?: number; issuer?: string; audience?: string; secret?: string }): Promise<string>;
  /** Opens a connection and says hello as `sub`; resolves after welcome. */
  connect(sub: string, opts?: ClientOptions & { cursor?: string }): Promise<TestClient>;
  importBundle(bundle: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startTestHub(opts: { env?: Record<string, string>; bundle?: Bundle | null; hub?: Omit<HubOptions, 'config'> } = {}): Promise<TestHub> {
  const db = await freshDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, PORT: '0', HOST: '127.0.0.1', HUB_DEMO: '0',
    ...opts.env,
  });
  const hub = await startHub({ config, log: () => {}, ...opts.hub });
  const url = hub.url;
  const importBundle = async (bundle: unknown) => {
    const res = await fetch(`${url}/api/v1/directory/import`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(bundle),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  if (opts.bundle !== null) {
    const r = await importBundle(opts.bundle ?? demoBundle());
    if (r.status !== 200) throw new Error(`test import failed: ${JSON.stringify(r.body)}`);
  }
  const clients: TestClient[] = [];
  const token: TestHub['token'] = (sub, o = {}) =>
    mintToken(o.secret ?? TEST_SECRET, sub, { issuer: o.issuer ?? config.issuer, audience: o.audience ?? config.audience, ttlSeconds: o.ttlSeconds ?? 600 });
  return {
    hub, url, databaseUrl: db.url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, token, importBundle,
    async connect(sub, o = {}) {
      const c = await TestClient.open(`${url.replace(/^http/, 'ws')}/ws`, o);
      clients.push(c);
      await c.hello(await token(sub), o.cursor);
      return c;
    },
    async stop() {
      for (const c of clients) c.terminate();
      await hub.stop();
      await db.drop();
    },
  };
}
