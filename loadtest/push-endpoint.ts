// The bench's local push service: a child process that answers every POST with 201 and counts
// them, so that the bench measures only the sender's side of a push (encryption, VAPID, HTTP).
// Started by loadtest/scenarios/push-sends.ts and loadtest/scenarios/notify.ts; tells its port
// over IPC. The notify phase also has it make the subscriptions' browser key pairs ('keys') and
// check what arrives ('expect'): every path /push/<index in base 36> once, and one push in
// `verifyEvery` verified as a push service and the browser would (the VAPID token's signature,
// then the aes128gcm body decrypted with that subscription's keys), so that a run which sent
// nothing, or garbage, cannot pass.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { browserSubscription, decryptAes128gcm, verifyVapid, type BrowserSubscription } from '../hub/notify/testing/push-service.ts';

export type ToEndpoint =
  | { type: 'keys'; count: number; vapidPublicKey: string; verifyEvery: number }
  | { type: 'expect'; count: number }
  | { type: 'count' }
  | { type: 'stop' };

export interface EndpointReport {
  received: number;
  bytes: number;
  /** Of the expected paths, how many arrived at least once; and pushes to a path already seen. */
  distinct: number;
  duplicates: number;
  /** Requests to paths outside the expected ones. */
  unknown: number;
  /** Date.now() of the first and last push since 'expect'. */
  firstAt: number;
  lastAt: number;
  verified: number;
  verifyFailed: number;
  /** The first few reasons a verification failed. */
  failures: string[];
  /** The payloads' tags seen in verified pushes (one mailing: one tag). */
  tags: string[];
  /** This process's CPU (user + system) so far, µs. */
  cpuUs: number;
}

export type FromEndpoint =
  | { type: 'ready'; port: number }
  | { type: 'keys'; keys: { p256dh: string; auth: string }[] }
  | ({ type: 'count' } & EndpointReport);

let received = 0;
let bytes = 0;
let seen = new Uint8Array(0);
let distinct = 0;
let duplicates = 0;
let unknown = 0;
let firstAt = 0;
let lastAt = 0;
let verified = 0;
let verifyFailed = 0;
let failures: string[] = [];
let tags = new Set<string>();
let subs: BrowserSubscription[] = [];
let vapidPublicKey = '';
let verifyEvery = 0;
let origin = '';

async function verify(index: number, headers: http.IncomingHttpHeaders, body: Buffer): Promise<void> {
  try {
    if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${headers['content-encoding']}`);
    if (!headers.ttl) throw new Error('no TTL header');
    await verifyVapid(headers.authorization, vapidPublicKey, origin);
    const payload = JSON.parse(decryptAes128gcm(body, subs[index % subs.length]!)) as { title?: unknown; body?: unknown; tag?: unknown };
    if (typeof payload.title !== 'string' || !payload.title || typeof payload.body !== 'string' || typeof payload.tag !== 'string') throw new Error(`not a notice: ${JSON.stringify(payload)}`);
    tags.add(payload.tag);
    verified++;
  } catch (e) {
    verifyFailed++;
    if (failures.length < 5) failures.push(`push ${index}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    if (subs.length > 0) chunks.push(c);
  });
  req.on('end', () => {
    received++;
    res.writeHead(201).end();
    if (seen.length === 0) return;
    const now = Date.now();
    firstAt ||= now;
    lastAt = now;
    const m = /^\/push\/([0-9a-z]+)$/.exec(req.url ?? '');
    const index = m ? parseInt(m[1]!, 36) : -1;
    if (index < 0 || index >= seen.length) {
      unknown++;
      return;
    }
    if (seen[index]) duplicates++;
    else {
      seen[index] = 1;
      distinct++;
    }
    if (subs.length > 0 && index % verifyEvery === 0) void verify(index, req.headers, Buffer.concat(chunks));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  send({ type: 'ready', port });
});

function send(m: FromEndpoint): void {
  process.send?.(m);
}

process.on('message', (m: ToEndpoint) => {
  if (m.type === 'keys') {
    subs = Array.from({ length: m.count }, (_, i) => browserSubscription(`${origin}/push/${i.toString(36)}`));
    vapidPublicKey = m.vapidPublicKey;
    verifyEvery = Math.max(1, m.verifyEvery);
    send({ type: 'keys', keys: subs.map((s) => s.keys) });
  }
  if (m.type === 'expect') {
    seen = new Uint8Array(m.count);
    received = bytes = distinct = duplicates = unknown = firstAt = lastAt = verified = verifyFailed = 0;
    failures = [];
    tags = new Set();
  }
  if (m.type === 'count') {
    const cpu = process.cpuUsage();
    send({ type: 'count', received, bytes, distinct, duplicates, unknown, firstAt, lastAt, verified, verifyFailed, failures, tags: [...tags], cpuUs: cpu.user + cpu.system });
  }
  if (m.type === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
