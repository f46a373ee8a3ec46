// Two hub nodes behind a real nginx running the shipped deploy/nginx.conf. Every client reaches
// nginx, so every hub sees nginx's address on its socket; clients differ only by their source
// address on lo (127.0.0.2, 127.0.0.3). One abusive address must not lock out another, in any
// per-address limit, and /metrics is not served to the outside.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import { TestClient } from '../testing/client.ts';
import { nginxBinary, startNginx, type Nginx } from '../testing/nginx.ts';
import { ABUSE_LIMITS } from '../limits.ts';

const ABUSER = '127.0.0.2';
const VICTIM = '127.0.0.3';
// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface Answer {
  status: number;
  body: string;
}

/** An HTTP request from a chosen source address (fetch cannot choose one). */
function http(url: string, opts: { from: string; method?: string; headers?: Record<string, string>; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const nginx = nginxBinary();
// In CI a missing nginx is a failure (.ci/run installs it); elsewhere the skip says why.
const skip = !nginx && !process.env.CI;
const why = 'nginx is not installed (apt-get install nginx; .ci/run does)';
if (skip) console.warn(`[proxy.test] skipped: ${why}`);

describe.skipIf(skip)(`behind the shipped nginx (deploy/nginx.conf), two nodes${skip ? ` — skipped: ${why}` : ''}`, () => {
  let a: TestHub;
  let b: TestHub;
  let proxy: Nginx;
  const saved = { ...ABUSE_LIMITS };

  beforeAll(async () => {
    // Only nginx (127.0.0.1) is trusted: the other loopback addresses are clients.
    const env = { HUB_TRUSTED_PROXIES: '127.0.0.1' };
    [a, b] = await Promise.all([startTestHub({ env }), startTestHub({ env })]);
    proxy = await startNginx([a.hub.port, b.hub.port]);
  });
  afterAll(async () => {
    Object.assign(ABUSE_LIMITS, saved);
    await proxy?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('anonymous requests from one address do not make another address\'s upload fail with 429', async () => {
    ABUSE_LIMITS.httpPerAddress = { rate: 0.1, burst: 5 };
    try {
      // The abuser also claims the victim's address: nginx appends the real one, read from the right.
      const flood = [];
      for (let i = 0; i < 30; i++) {
        flood.push((await http(`${proxy.url}/api/v1/attachments`, { from: ABUSER, method: 'POST', headers: { 'x-forwarded-for': VICTIM } })).status);
      }
      expect(flood.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20); // at most 5 per node pass
      const upload = await http(`${proxy.url}/api/v1/attachments?filename=a.png`, {
        from: VICTIM, method: 'POST', body: PNG,
        headers: { authorization: `Bearer ${await a.token('p-pre-teacher')}`, 'content-type': 'image/png', 'content-length': String(PNG.length) },
      });
      expect(upload.status, upload.body).toBe(201);
      // And the abuser is still refused on both nodes.
      const again = await Promise.all([1, 2, 3, 4].map(() => http(`${proxy.url}/api/v1/directory/import`, { from: ABUSER, method: 'POST' })));
      expect(again.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    } finally {
      ABUSE_LIMITS.httpPerAddress = saved.httpPerAddress;
    }
  });

  it('a storm of upgrades from one address does not lock another address out', async () => {
    ABUSE_LIMITS.upgradesPerAddress = { rate: 0.1, burst: 4 };
    const opened: TestClient[] = [];
    try {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => TestClient.open(`${proxy.url.replace('http', 'ws')}/ws`, { localAddress: ABUSER })));
      for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
      const refused = results.filter((r) => r.status === 'rejected' && (r.reason as { status?: number }).status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(12); // at most 4 per node pass
      const victim = await TestClient.open(`${proxy.url.replace('http', 'ws')}/ws`, { localAddress: VICTIM });
      opened.push(victim);
      victim.send({ type: 'hello', token: await a.token('p-gua-ek-4a') });
      expect((await victim.waitFor((f) => f.type === 'welcome' || f.type === 'error')).type).toBe('welcome');
    } finally {
      for (const c of opened) c.ws.terminate();
      ABUSE_LIMITS.upgradesPerAddress = saved.upgradesPerAddress;
    }
  });

  it('connections held by one address do not count against another', async () => {
    const opened: TestClient[] = [];
    const ws = `${proxy.url.replace('http', 'ws')}/ws`;
    ABUSE_LIMITS.connectionsPerAddress = 2;
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => TestClient.open(ws, { localAddress: ABUSER })));
      for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
      expect(opened.length).toBeLessThanOrEqual(4); // two per node
      expect(results.some((r) => r.status === 'rejected' && (r.reason as { status?: number }).status === 429)).toBe(true);
      opened.push(await TestClient.open(ws, { localAddress: VICTIM }));
    } finally {
      for (const c of opened) c.ws.terminate();
      ABUSE_LIMITS.connectionsPerAddress = saved.connectionsPerAddress;
    }
  });

  it('serves /metrics on the inside only: nginx refuses it, a node refuses forwarded requests', async () => {
    expect((await http(`${proxy.url}/metrics`, { from: VICTIM })).status).toBe(403);
    expect((await http(`${proxy.url}/metrics?x=1`, { from: VICTIM })).status).toBe(403);
    expect((await http(`${proxy.url}//metrics`, { from: VICTIM })).status).not.toBe(200);
    // Scraped directly, as Prometheus does on the internal network.
    const direct = await http(`${a.url}/metrics`, { from: '127.0.0.1' });
    expect(direct.status).toBe(200);
    expect(direct.body).toContain('schoolhub_');
    expect((await http(`${a.url}/metrics`, { from: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(404);
  });
});
