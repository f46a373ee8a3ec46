// The Web Push channel (RFC 8030 delivery, RFC 8291 message encryption, RFC 8292 VAPID): one
// notice to one device. The `web-push` library does the cryptography (the aes128gcm body
// per recipient, the ES256 VAPID token); this module decides what is sent, where it may go
// (hub/notify/endpoint-guard.ts, checked again before every connection and pinned to the
// address checked) and what the push service's answer means:
//   2xx → sent; 404, 410 → gone (the caller deletes the subscription: deletePushSubscription);
//   429, 5xx, a timeout or a network error → retry, after Retry-After when the service says;
//   a push-service name that does not resolve now → retry;
//   any other answer, or an endpoint the guard now refuses → failed.
// The VAPID token is signed once per push-service origin and reused until an hour before it
// expires (RFC 8292 §2 lets a token serve many messages); the encryption cannot be shared:
// each message has its own ephemeral ECDH key and salt (docs/NOTIFICATIONS.md "Web Push").
import http from 'node:http';
import https from 'node:https';
import webPush from 'web-push';
import type { Notice, PushChannel, PushTarget, SendOutcome } from './channel.ts';
import type { PushConfig, VapidKeys } from '../config.ts';
import { EndpointRefused, EndpointUnresolved, checkEndpoint, pinnedLookup, systemResolve, type EndpointPolicy, type Resolve, type ResolvedAddress } from './endpoint-guard.ts';

/** What the service worker (GET /push/sw.js) receives, encrypted. */
export interface PushPayload {
  title: string;
  body: string;
  /** The portal's page of the thing: absolute, or a path on the portal's origin. */
  url: string;
  /** One notification per thing: a newer one replaces the older on the device. */
  tag: string;
  /** Urgent posts stay on screen until the person acts (requireInteraction). */
  urgent: boolean;
}

export interface WebPushOptions {
  vapid: VapidKeys & { subject: string };
  policy: EndpointPolicy;
  /** HUB_NOTIFY_LINK: the page a click opens, with `{id}` and optionally `{kind}`. */
  link: string | undefined;
  resolve?: Resolve;
  /** The whole request (connect, send, answer); then `retry`. */
  timeoutMs?: number;
  /** How long the push service keeps an undelivered message (TTL header), seconds. */
  ttlSeconds?: number;
  now?: () => number;
}

/** A push service keeps a message for a device that is off for a day, then drops it. */
export const PUSH_TTL_SECONDS = 24 * 3600;
export const PUSH_TIMEOUT_MS = 10_000;
/** The plaintext a push service must accept is 3,993 bytes (RFC 8291 §4); the body is cut to stay well inside. */
export const MAX_PAYLOAD_BYTES = 3_000;
/** A Retry-After further out than this is taken as this: the outbox has its own give-up. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;
/** VAPID tokens last 12 h and are renewed an hour before; DNS answers are re-checked after a minute. */
const VAPID_TOKEN_SECONDS = 12 * 3600;
const VAPID_RENEW_SECONDS = 3600;
const ADDRESS_TTL_MS = 60_000;

/** The portal's page of a notice's thing from the HUB_NOTIFY_LINK pattern; unset: the portal's root. */
export function noticeUrl(link: string | undefined, target: Notice['target']): string {
  if (!link) return '/';
  return link.replaceAll('{kind}', encodeURIComponent(target.kind)).replaceAll('{id}', encodeURIComponent(target.id));
}

/** The payload of a notice: its texts (already cut to what the person may see), its page, its tag. */
export function pushPayload(notice: Notice, link: string | undefined): PushPayload {
  const payload: PushPayload = {
    title: notice.title,
    body: notice.body,
    url: noticeUrl(link, notice.target),
    tag: `${notice.target.kind}:${notice.target.id}`,
    urgent: notice.urgent,
  };
  let bytes = Buffer.byteLength(JSON.stringify(payload));
  while (bytes > MAX_PAYLOAD_BYTES && payload.body.length > 0) {
    // Cut by characters (never inside a surrogate pair), then mark the cut.
    const chars = [...payload.body];
    payload.body = `${chars.slice(0, Math.max(0, chars.length - Math.ceil((bytes - MAX_PAYLOAD_BYTES) / 2) - 1)).join('')}…`;
    if (payload.body === '…') payload.body = '';
    bytes = Buffer.byteLength(JSON.stringify(payload));
  }
  return payload;
}

/** Retry-After (RFC 9110 §10.2.3): seconds, or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** What a push service's answer means for this subscription. */
export function outcomeOf(status: number, headers: http.IncomingHttpHeaders, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { status: 'sent' };
  if (status === 404 || status === 410) return { status: 'gone', reason: `push service answered ${status}: the subscription has expired or was unsubscribed` };
  if (status === 429 || status >= 500) {
    const afterMs = retryAfterMs(headers['retry-after'], now);
    return afterMs === undefined ? { status: 'retry', reason: `push service answered ${status}` } : { status: 'retry', afterMs, reason: `push service answered ${status}` };
  }
  return { status: 'failed', reason: `push service answered ${status}` };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
}

export class WebPushChannel implements PushChannel {
  private readonly vapidByOrigin = new Map<string, { authorization: string; renewAt: number }>();
  private readonly addressByHost = new Map<string, { address: ResolvedAddress; until: number }>();
  private readonly resolve: Resolve;
  private readonly now: () => number;
  // Connections to a push service are kept open between messages: one TLS handshake per
  // socket, not per message. Each socket was opened to a checked address.
  private readonly agents = {
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(private readonly options: WebPushOptions) {
    this.resolve = options.resolve ?? systemResolve;
    this.now = options.now ?? Date.now;
  }

  /** The channel for a hub's configuration; null when Web Push is off (no VAPID keys). */
  static fromConfig(push: PushConfig, extra: Partial<WebPushOptions> = {}): WebPushChannel | null {
    if (!push.vapid) return null;
    return new WebPushChannel({ vapid: push.vapid, policy: { allowedHosts: push.allowedHosts, allowLoopback: push.allowLoopback }, link: push.link, ...extra });
  }

  async send(target: PushTarget, notice: Notice): Promise<SendOutcome> {
    let url: URL;
    let address: ResolvedAddress;
    try {
      ({ url, address } = await this.checked(target.endpoint));
    } catch (e) {
      // DNS may answer again later; an endpoint the guard refuses will not change by waiting.
      if (e instanceof EndpointUnresolved) return { status: 'retry', reason: e.message };
      if (e instanceof EndpointRefused) return { status: 'failed', reason: `endpoint refused: ${e.message}` };
      throw e;
    }
    const payload = JSON.stringify(pushPayload(notice, this.options.link));
    let details: webPush.RequestDetails;
    try {
      details = webPush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, payload, {
        // Our own header, signed once per origin: `vapidDetails: null` keeps the library from signing anew.
        vapidDetails: null,
        headers: { Authorization: this.vapidHeader(url.origin) },
        TTL: this.options.ttlSeconds ?? PUSH_TTL_SECONDS,
        urgency: notice.urgent ? 'high' : 'normal',
        contentEncoding: 'aes128gcm',
      } as unknown as webPush.RequestOptions);
    } catch (e) {
      // Keys no message can be encrypted to (push.subscribe refuses them; a row stored otherwise).
      return { status: 'failed', reason: `cannot encrypt to this subscription: ${e instanceof Error ? e.message : String(e)}` };
    }
    try {
      const answer = await this.post(url, address, details.headers as Record<string, string | number>, details.body as Buffer);
      return outcomeOf(answer.status, answer.headers, this.now());
    } catch (e) {
      return { status: 'retry', reason: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Closes the kept-open connections (a stopping node). */
  close(): void {
    this.agents['https:'].destroy();
    this.agents['http:'].destroy();
  }

  /** The guard's checks, with the host's checked address kept for a minute (then resolved and checked again). */
  private async checked(endpoint: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const now = this.now();
    const probe = new URL(endpoint);
    const kept = this.addressByHost.get(probe.host);
    if (kept && kept.until > now) {
      // The URL checks (scheme, allow-list) are cheap and run every time; DNS is what is kept.
      const { url } = await checkEndpoint(endpoint, this.options.policy, async () => [kept.address]);
      return { url, address: kept.address };
    }
    const checked = await checkEndpoint(endpoint, this.options.policy, this.resolve);
    this.addressByHost.set(probe.host, { address: checked.address, until: now + ADDRESS_TTL_MS });
    return checked;
  }

  private vapidHeader(origin: string): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const kept = this.vapidByOrigin.get(origin);
    if (kept && kept.renewAt > nowSeconds) return kept.authorization;
    const { vapid } = this.options;
    const expiration = nowSeconds + VAPID_TOKEN_SECONDS;
    const { Authorization } = webPush.getVapidHeaders(origin, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', expiration);
    this.vapidByOrigin.set(origin, { authorization: Authorization, renewAt: expiration - VAPID_RENEW_SECONDS });
    return Authorization;
  }

  private post(url: URL, address: ResolvedAddress, headers: Record<string, string | number>, body: Buffer): Promise<Answer> {
    const timeoutMs = this.options.timeoutMs ?? PUSH_TIMEOUT_MS;
    const protocol = url.protocol === 'http:' ? http : https;
    return new Promise<Answer>((resolve, reject) => {
      const req = protocol.request(url, {
        method: 'POST',
        headers,
        agent: this.agents[url.protocol === 'http:' ? 'http:' : 'https:'],
        // The connection goes to the address the guard checked, never to a fresh DNS answer.
        lookup: pinnedLookup(address),
        timeout: timeoutMs,
      }, (res) => {
        // The answer's body is not used; it is read to the end so the socket can be reused.
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.on('error', reject);
      });
      const deadline = setTimeout(() => req.destroy(new Error(`push service did not answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`push service did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.on('close', () => clearTimeout(deadline));
      req.end(body);
    });
  }
}
