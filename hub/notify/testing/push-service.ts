// A push service stand-in for tests, and a browser's side of a subscription: what Chrome or
// Firefox would do, written here with node:crypto so that the test, not the hub, is the
// verifier. It
//   - checks the VAPID token (RFC 8292): `vapid t=…, k=…`, k the hub's public key, the JWT's
//     ES256 signature against that key (jose), `aud` the service's origin, `exp` within 24 h;
//   - decrypts the aes128gcm body (RFC 8188 framing, RFC 8291 key derivation) with the
//     subscription's private key and auth secret;
//   - answers what the test tells it to (201 by default; 404, 410, 429 with Retry-After, 5xx,
//     or no answer at all).
import { createECDH, createDecipheriv, createHmac, randomBytes, type ECDH } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';

/** A subscription as a browser makes it: a P-256 key pair and a 16-byte auth secret. */
export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  ecdh: ECDH;
  auth: Buffer;
}

export function browserSubscription(endpoint: string): BrowserSubscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') }, ecdh, auth };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 §3.4 and RFC 8188 §2: the plaintext of one aes128gcm message to `sub`. */
export function decryptAes128gcm(body: Buffer, sub: BrowserSubscription): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid must be the sender's 65-byte public key, got ${idlen} bytes`);
  if (records.length > rs) throw new Error('more than one record: a push message is one');
  const uaPublic = sub.ecdh.getPublicKey();
  const ecdhSecret = sub.ecdh.computeSecret(asPublic);
  const prkKey = hmac(sub.auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('the last record does not end with the 0x02 delimiter');
  return padded.subarray(0, end).toString('utf8');
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Checks `Authorization: vapid t=JWT, k=KEY` as a push service does; the JWT's claims. */
export async function verifyVapid(authorization: string | undefined, publicKey: string, origin: string): Promise<VapidClaims> {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [, token, k] = m as unknown as [string, string, string];
  if (k !== publicKey) throw new Error('k is not the application server key the subscription was made with');
  const point = Buffer.from(k, 'base64url');
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, 'ES256');
  const { payload, protectedHeader } = await jwtVerify(token, key, { audience: origin, algorithms: ['ES256'] });
  if (protectedHeader.alg !== 'ES256') throw new Error('VAPID tokens are ES256');
  const exp = payload.exp ?? 0;
  if (exp > Date.now() / 1000 + 24 * 3600) throw new Error('exp more than 24 h ahead (RFC 8292 §2)');
  if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub)) throw new Error('sub must be mailto: or https:');
  return { aud: origin, exp, sub: payload.sub };
}

export interface Delivered {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The socket's local address: which address the hub connected to. */
  localAddress: string;
}

/** What the stand-in answers one request: a status and headers, or `hang` (never answers). */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

export interface PushService {
  origin: string;
  port: number;
  /** Every request, in order. */
  received: Delivered[];
  /** The answers to the next requests to a path, in order; after them 201. */
  answer(path: string, ...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startPushService(host = '127.0.0.1'): Promise<PushService> {
  const received: Delivered[] = [];
  const queued = new Map<string, Reply[]>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks), localAddress: req.socket.localAddress ?? '' });
      const reply = queued.get(path)?.shift() ?? { status: 201 };
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    received,
    answer(path, ...replies) {
      queued.set(path, [...(queued.get(path) ?? []), ...replies]);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
