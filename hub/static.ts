// Static routes: the widget bundle for any portal, and in demo mode the demo portal with a
// demo-only token endpoint. The bundle is a cross-origin module script for portals, so it
// carries CORS and CORP headers; the demo page carries a strict CSP that the bundle meets.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws.ts';
import type { HubConfig } from './config.ts';
import type { HubCore } from './core.ts';
import { mintToken } from './auth/mint.ts';
import { demoBundle } from './demo/district.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WIDGETS_DIR = path.join(ROOT, 'dist', 'widgets');
export const BUNDLE_PATH = path.join(WIDGETS_DIR, 'schoolhub.js');
/**
 * The names the build gives the entry's chunks (widgets/vite.config.ts: `[name]-[hash].js`).
 * Only such a name is looked up, and only inside dist/widgets: no path can leave it.
 */
const CHUNK_NAME = /^[A-Za-z0-9_-]+\.js$/;
const DEMO_DIR = path.join(ROOT, 'widgets', 'demo');
/** The Web Push service worker that portals import (hub/notify/service-worker.js). */
export const PUSH_WORKER_PATH = path.join(ROOT, 'hub', 'notify', 'service-worker.js');

/** Demo tokens live long enough for a visit; the widgets refresh them before they expire. */
const DEMO_TOKEN_SECONDS = 15 * 60;

const DEMO_FILES: Record<string, string> = {
  '/demo/': 'index.html',
  '/demo/demo.js': 'demo.js',
  '/demo/demo.css': 'demo.css',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Cached {
  mtimeMs: number;
  raw: Buffer;
  gz: Buffer;
  etag: string;
}

/** Reads a file once per change (the bundle can be rebuilt while the hub runs). */
function cachedFile(file: string): () => Cached | undefined {
  let cached: Cached | undefined;
  return () => {
    if (!existsSync(file)) return undefined;
    const mtimeMs = statSync(file).mtimeMs;
    if (cached?.mtimeMs !== mtimeMs) {
      const raw = readFileSync(file);
      cached = { mtimeMs, raw, gz: gzipSync(raw, { level: 9 }), etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"` };
    }
    return cached;
  };
}

interface Request {
  ifNoneMatch: string;
  gzip: boolean;
}

function send(res: HttpResponse, req: Request, file: Cached, headers: Record<string, string>): void {
  res.cork(() => {
    if (req.ifNoneMatch === file.etag) {
      res.writeStatus('304 Not Modified').writeHeader('etag', file.etag);
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.endWithoutBody();
      return;
    }
    res.writeStatus('200 OK').writeHeader('etag', file.etag).writeHeader('vary', 'accept-encoding').writeHeader('x-content-type-options', 'nosniff');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    if (req.gzip) res.writeHeader('content-encoding', 'gzip').end(file.gz);
    else res.end(file.raw);
  });
}

/**
 * The demo page's policy: scripts and styles only from the hub, sockets and fetches only to the
 * hub, no inline script, and Trusted Types (Lit brings its own policy) so no string becomes HTML.
 */
export function demoCsp(host: string): string {
  const safeHost = host.replace(/[^A-Za-z0-9.:[\]-]/g, '');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // Documentation images need the user's token, so the widgets fetch them (connect-src) and
    // show them as blob: URLs of this page; nothing on the page uses data: images.
    "img-src 'self' blob:",
    `connect-src 'self' ws://${safeHost} wss://${safeHost}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}

/**
 * Persons a demo token may be minted for: the demo district's, and with `core` only those still
 * in the live directory. Never anyone else: the token is signed with the hub's real secret, so
 * a token for an imported person would be that person's real token, handed to anyone.
 */
function demoPersons(core: Pick<HubCore, 'directory'> | undefined): (id: string) => boolean {
  const ids = new Set(demoBundle().persons.map((p) => p.id));
  if (core) return (id) => ids.has(id) && core.directory().person(id) !== undefined;
  return (id) => ids.has(id);
}

/**
 * A script other origins load: the widget bundle (a cross-origin module script, which needs
 * CORS) and the push worker (imported by the portal's worker). ETag and gzip as every file.
 */
function serveScript(app: TemplatedApp, route: string, file: (req: HttpRequest) => Cached | undefined, missing: string, headers: Record<string, string>): void {
  app.get(route, (res, req) => {
    const r: Request = { ifNoneMatch: req.getHeader('if-none-match'), gzip: /\bgzip\b/.test(req.getHeader('accept-encoding')) };
    const f = file(req);
    if (!f) {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end(missing);
      return;
    }
    send(res, r, f, {
      'content-type': TYPES['.js']!,
      ...headers,
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    });
  });
}

/**
 * Registers the routes. `core` is optional: with it the demo token endpoint also checks that
 * the demo person is still in the live directory.
 */
export function registerStatic(app: TemplatedApp, config: HubConfig, core?: Pick<HubCore, 'directory'>): void {
  serveScript(app, '/widgets/schoolhub.js', cachedFile(BUNDLE_PATH), 'widget bundle not built: run npm run build:widgets\n', {
    // Unversioned URL: browsers keep it briefly and then revalidate by ETag.
    'cache-control': 'public, max-age=300, must-revalidate',
  });
  // The chunks schoolhub.js imports (at once or on demand, widgets/lazy.ts), fetched relative to
  // it, so from the portal's origin too: same CORS as the entry. Their names carry a hash of
  // their content, so a browser may keep them for good.
  const chunks = new Map<string, () => Cached | undefined>();
  serveScript(app, '/widgets/:chunk', (req) => {
    const name = req.getParameter(0) ?? '';
    if (!CHUNK_NAME.test(name)) return undefined;
    let file = chunks.get(name);
    if (!file) {
      // Remember only names that exist, so the map holds at most the files of dist/widgets.
      if (!existsSync(path.join(WIDGETS_DIR, name))) return undefined;
      file = cachedFile(path.join(WIDGETS_DIR, name));
      chunks.set(name, file);
    }
    return file();
  }, 'not found\n', { 'cache-control': 'public, max-age=31536000, immutable' });
  // The Web Push service worker, imported by the one line the portal hosts on its origin
  // (docs/NOTIFICATIONS.md). Revalidated on every check (no-cache + ETag): browsers compare
  // imported scripts when they look for a new worker, so a new hub version reaches them.
  serveScript(app, '/push/sw.js', cachedFile(PUSH_WORKER_PATH), 'not found\n', { 'cache-control': 'no-cache' });

  // Browsers ask every origin for /favicon.ico; an empty answer keeps a 404 out of their consoles.
  app.get('/favicon.ico', (res) => {
    res.writeStatus('204 No Content').writeHeader('cache-control', 'public, max-age=86400').end();
  });

  if (!config.demo) return;

  app.get('/demo', (res) => {
    res.writeStatus('301 Moved Permanently').writeHeader('location', '/demo/').end();
  });
  for (const [route, name] of Object.entries(DEMO_FILES)) {
    const file = cachedFile(path.join(DEMO_DIR, name));
    const type = TYPES[path.extname(name)]!;
    app.get(route, (res, req) => {
      const r: Request = { ifNoneMatch: req.getHeader('if-none-match'), gzip: /\bgzip\b/.test(req.getHeader('accept-encoding')) };
      const host = req.getHeader('host');
      const f = file();
      if (!f) {
        res.writeStatus('404 Not Found').end('not found\n');
        return;
      }
      const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache', 'referrer-policy': 'no-referrer' };
      if (name.endsWith('.html')) headers['content-security-policy'] = demoCsp(host);
      send(res, r, f, headers);
    });
  }

  const known = demoPersons(core);
  app.get('/demo/token', (res, req) => {
    // The request is only valid in this synchronous call: copy first, then go async.
    const as = req.getQuery('as') ?? '';
    const aborted = { v: false };
    res.onAborted(() => (aborted.v = true));
    const answer = (status: string, body: string, type = 'application/json') => {
      if (aborted.v) return;
      res.cork(() => res.writeStatus(status).writeHeader('content-type', type).writeHeader('cache-control', 'no-store').end(body));
    };
    if (!config.jwtSecret || !known(as)) return answer('404 Not Found', 'no such demo person\n', 'text/plain');
    mintToken(config.jwtSecret, as, { issuer: config.issuer, audience: config.audience, ttlSeconds: DEMO_TOKEN_SECONDS }).then(
      (token) => answer('200 OK', JSON.stringify({ token })),
      () => answer('500 Internal Server Error', 'could not mint a token\n', 'text/plain'),
    );
  });
}
