// hub/static.ts over HTTP: the bundle (CORS for cross-origin module scripts, ETag, gzip), the
// demo portal with its CSP, and the demo-only token endpoint (demo persons only, demo mode only).
import { gunzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../hub/testing/harness.ts';
import { TestClient } from '../../hub/testing/client.ts';
import { BUNDLE, ensureBundle } from './support/bundle.ts';

/** A raw GET (fetch would hide content-encoding by decompressing). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('static routes in demo mode', () => {
  let t: TestHub;
  beforeAll(async () => {
    await ensureBundle();
    t = await startTestHub({ env: { HUB_DEMO: '1' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the bundle for cross-origin module scripts, with an ETag and gzip', async () => {
    const plain = await get(`${t.url}/widgets/schoolhub.js`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    expect(plain.headers['cache-control']).toContain('max-age=');
    expect(plain.body.equals(readFileSync(BUNDLE))).toBe(true);
    const etag = String(plain.headers.etag);
    const gz = await get(`${t.url}/widgets/schoolhub.js`, { 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(gz.body.length).toBeLessThan(60 * 1024);
    const again = await get(`${t.url}/widgets/schoolhub.js`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves every chunk next to the bundle (CORS, immutable), what loads at once stays under budget', async () => {
    const dir = path.dirname(BUNDLE);
    const names = readdirSync(dir).filter((n) => n.endsWith('.js') && n !== 'schoolhub.js');
    // The on-demand widgets (widgets/lazy.ts) are chunks of their own.
    expect(names.length).toBeGreaterThanOrEqual(3);
    const bundle = readFileSync(BUNDLE, 'utf8');
    for (const name of ['development', 'documentation', 'notifications']) {
      expect(names.some((n) => n.startsWith(`${name}-`)), name).toBe(true);
      expect(bundle).toMatch(new RegExp(`import\\(\\s*[\`'"]\\./${name}-[\\w-]+\\.js[\`'"]`));
    }
    for (const name of names) {
      const res = await get(`${t.url}/widgets/${name}`, { 'accept-encoding': 'gzip' });
      expect(res.status, name).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(gunzipSync(res.body).equals(readFileSync(path.join(dir, name))), name).toBe(true);
    }
    // What the script tag loads at once: schoolhub.js and the chunks it imports statically.
    let atOnce = (await get(`${t.url}/widgets/schoolhub.js`, { 'accept-encoding': 'gzip' })).body.length;
    for (const m of bundle.matchAll(/(?:^|;)import\s*\{[^}]*\}\s*from\s*["'`]\.\/([\w-]+\.js)["'`]/g)) {
      atOnce += (await get(`${t.url}/widgets/${m[1]}`, { 'accept-encoding': 'gzip' })).body.length;
    }
    expect(atOnce).toBeLessThan(60 * 1024);
    // The entry keeps its short revalidated cache, not the chunks' immutable one.
    expect((await get(`${t.url}/widgets/schoolhub.js`)).headers['cache-control']).toBe('public, max-age=300, must-revalidate');
  });

  it('serves only the built files of dist/widgets, nothing outside it', async () => {
    for (const p of ['/widgets/nothing-here.js', '/widgets/..%2Fpackage.json', '/widgets/..%2F..%2Fpackage.json', '/widgets/%2e%2e', '/widgets/index.ts', '/widgets/.vite']) {
      expect((await get(`${t.url}${p}`)).status, p).toBe(404);
    }
    // Raw paths with dot segments (a browser would normalise them; a crafted client need not).
    for (const p of ['/widgets/../package.json', '/widgets/../../hub/config.ts', '/widgets/./../package.json']) {
      const res = await get(`${t.url}${p}`);
      expect(res.status, p).toBe(404);
      expect(res.body.toString(), p).not.toContain('"name"');
    }
  });

  it('serves the demo portal under a strict CSP, its script from a file', async () => {
    const redirect = await get(`${t.url}/demo`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/demo/');
    const page = await get(`${t.url}/demo/`);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = page.body.toString();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await get(`${t.url}/demo/demo.js`)).status).toBe(200);
    expect((await get(`${t.url}/demo/demo.css`)).status).toBe(200);
  });

  it('mints demo tokens for the demo district only; the hub accepts them', async () => {
    const res = await fetch(`${t.url}/demo/token?as=p-gua-ek-2a`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token } = (await res.json()) as { token: string };
    const c = await TestClient.open(t.wsUrl);
    const welcome = await c.hello(token);
    expect((welcome.user as { id: string }).id).toBe('p-gua-ek-2a');
    c.close();
    expect((await fetch(`${t.url}/demo/token?as=p-nobody`)).status).toBe(404);
    expect((await fetch(`${t.url}/demo/token`)).status).toBe(404);
  });
});

describe('static routes outside demo mode', () => {
  let t: TestHub;
  beforeAll(async () => {
    await ensureBundle();
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the bundle but no demo portal and no demo tokens', async () => {
    expect((await fetch(`${t.url}/widgets/schoolhub.js`)).status).toBe(200);
    for (const path of ['/demo/', '/demo/demo.js', '/demo/token?as=p-mentor-ek']) {
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    }
  });
});
