// The HTTP side: health, readiness, metrics and the directory import API.
import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws.ts';
import type { HubCore } from './core.ts';
import { bundleSchema } from './directory/schema.ts';
import type { z } from 'zod';
import { unstorableString } from './protocol/strings.ts';
import { ABUSE_LIMITS, KeyedBuckets } from './limits.ts';
import { ImportReferenceError, importBundle, type ImportResult } from './directory-import.ts';
import { isBadData, storageFailure } from '../storage/errors.ts';

export const HTTP_LIMITS = {
  /** A district's directory: 100k persons and their groups fit comfortably. */
  importBytes: 256 * 1024 * 1024,
  /** A body that does not arrive in this time is refused (slow clients hold memory). */
  bodyMs: 120_000,
};

export interface HttpOptions {
  adminToken: string;
  /** Called after an import committed: reload the directory and refresh rights. */
  afterImport: () => Promise<void>;
  /** Readiness checks beyond the broker: the database answers. */
  databaseReady: () => Promise<boolean>;
}

/** uWS forbids touching a response after the client went away: every async path checks this. */
export interface Aborted {
  v: boolean;
  onAbort?: () => void;
}

export function json(res: HttpResponse, status: string, body: unknown, aborted: Aborted): void {
  if (aborted.v) return;
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body));
  });
}

/**
 * The last answer of an HTTP route whose async part threw what it did not expect: logged, and
 * answered 500 with a JSON error, never left to end the process (issue 15 item 1).
 */
export function internalError(core: Pick<HubCore, 'log' | 'metrics'>, res: HttpResponse, aborted: Aborted, route: string, e: unknown): void {
  core.log(`${route} failed unexpectedly`, e);
  core.metrics.http.inc({ route, status: '500' });
  try {
    json(res, '500 Internal Server Error', { error: { code: 'internal', message: 'the hub failed to answer this request; it has been logged' } }, aborted);
  } catch {
    // The response was already written or closed: nothing more to say.
  }
}

export function bearerMatches(header: string, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why an HTTP body failed its schema: the first issue's message and the path to the field,
 * as the admin APIs answer `invalid`. (WebSocket frames have their own, in protocol/frames.ts.)
 */
export function bodyIssue(error: z.ZodError): { message: string; path: (string | number)[] } {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid body', path: [] };
  return { message: issue.message, path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) };
}

/** Reads a whole body, copying each chunk (uWS reuses the buffer), within a size and time limit. */
export function readBody(res: HttpResponse, limit: number, aborted: Aborted): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(Object.assign(new Error('body too slow'), { status: '408 Request Timeout' }));
    }, HTTP_LIMITS.bodyMs);
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        done = true;
        clearTimeout(timer);
        reject(Object.assign(new Error(`body over ${limit} bytes`), { status: '413 Payload Too Large' }));
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) {
        done = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      }
    });
    // Bound first, then stored: see docs/ARCHITECTURE.md, "Garbage collection pauses".
    const onAbort = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    aborted.onAbort = onAbort;
  });
}

/**
 * The HTTP API's limit per address, one set of buckets per node. True when the request may go
 * on; otherwise it has been answered 429. Call it first, in the synchronous part of a handler.
 */
export function httpLimiter(core: Pick<HubCore, 'clientAddress' | 'metrics'>): HubCore['withinHttpLimit'] {
  const buckets = new KeyedBuckets(() => ABUSE_LIMITS.httpPerAddress);
  return (res, req, route) => {
    const ip = core.clientAddress(res, req);
    if (buckets.take(ip)) return true;
    core.metrics.limited.inc({ limit: 'http_per_address' });
    core.metrics.http.inc({ route, status: '429' });
    res.writeStatus('429 Too Many Requests').writeHeader('retry-after', '1').writeHeader('content-type', 'application/json')
      .end(JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests from this address; retry later' } }));
    return false;
  };
}

export function registerHttp(app: TemplatedApp, core: HubCore, opts: HttpOptions): void {
  const withinHttpLimit = core.withinHttpLimit;
  app.get('/healthz', (res) => {
    core.metrics.http.inc({ route: '/healthz', status: '200' });
    res.writeStatus('200 OK').writeHeader('content-type', 'text/plain').end('ok\n');
  });

  app.get('/readyz', (res) => {
    const aborted = { v: false };
    res.onAborted(() => (aborted.v = true));
    void (async () => {
      const db = await opts.databaseReady();
      const broker = core.broker.healthy();
      const ok = db && broker && !core.draining;
      core.metrics.http.inc({ route: '/readyz', status: ok ? '200' : '503' });
      json(res, ok ? '200 OK' : '503 Service Unavailable', { database: db, broker, draining: core.draining }, aborted);
    })().catch((e: unknown) => internalError(core, res, aborted, '/readyz', e));
  });

  app.get('/metrics', (res, req) => {
    // Metrics are for the inside (Prometheus scrapes each node directly): a request that came
    // through a proxy is from outside, whatever the proxy's own rules say.
    if (req.getHeader('x-forwarded-for') !== '' || req.getHeader('forwarded') !== '') {
      core.metrics.http.inc({ route: '/metrics', status: '404' });
      res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found\n');
      return;
    }
    res.writeStatus('200 OK').writeHeader('content-type', 'text/plain; version=0.0.4').end(core.metrics.render());
  });

  app.post('/api/v1/directory/import', (res, req) => {
    if (!withinHttpLimit(res, req, '/api/v1/directory/import')) return;
    const auth = req.getHeader('authorization');
    const origin = req.getHeader('origin');
    const aborted: Aborted = { v: false };
    res.onAborted(() => {
      aborted.v = true;
      aborted.onAbort?.();
    });
    const fail = (status: string, code: string, message: string, path?: (string | number)[]) => {
      core.metrics.http.inc({ route: '/api/v1/directory/import', status: status.slice(0, 3) });
      json(res, status, { error: path ? { code, message, path } : { code, message } }, aborted);
    };
    if (!bearerMatches(auth, opts.adminToken)) return fail('401 Unauthorized', 'unauthenticated', 'send Authorization: Bearer <HUB_ADMIN_TOKEN>');
    if (origin !== '' && !core.originAllowed(origin)) return fail('403 Forbidden', 'forbidden', 'origin not allowed');
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(res, HTTP_LIMITS.importBytes, aborted);
      } catch (e) {
        const status = (e as { status?: string }).status ?? '400 Bad Request';
        return fail(status, status.startsWith('413') ? 'too_large' : 'invalid', (e as Error).message);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(body.toString('utf8'));
      } catch {
        return fail('400 Bad Request', 'invalid', 'the body is not JSON', []);
      }
      const unstorable = unstorableString(raw);
      if (unstorable) return fail('400 Bad Request', 'invalid', unstorable.message, unstorable.path);
      const parsed = bundleSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = bodyIssue(parsed.error);
        return fail('400 Bad Request', 'invalid', issue.message, issue.path);
      }
      let result: ImportResult;
      try {
        result = await importBundle(core.sql, parsed.data);
      } catch (e) {
        if (e instanceof ImportReferenceError) return fail('400 Bad Request', 'invalid', e.message, e.path);
        if (isBadData(e)) return fail('400 Bad Request', 'invalid', storageFailure(e).message);
        core.log('directory import failed', e);
        core.metrics.imports.inc({ result: 'error' });
        return fail('503 Service Unavailable', 'unavailable', 'the import could not be stored; nothing was written');
      }
      core.metrics.imports.inc({ result: 'ok' });
      try {
        await opts.afterImport();
      } catch (e) {
        core.log('directory reload failed', e);
      }
      core.metrics.http.inc({ route: '/api/v1/directory/import', status: '200' });
      json(res, '200 OK', result, aborted);
    })().catch((e: unknown) => internalError(core, res, aborted, '/api/v1/directory/import', e));
  });
}
