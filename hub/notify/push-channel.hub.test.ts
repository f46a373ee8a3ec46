// The Web Push channel against a push service stand-in over real HTTP (hub/notify/testing/
// push-service.ts): the stand-in verifies the VAPID token's ES256 signature against the hub's
// public key and decrypts the aes128gcm body with the private key of a subscription made here
// as a browser makes one; then the test asserts what arrived. Loopback endpoints pass only
// because this channel is given the test setting (HUB_PUSH_ALLOW_LOOPBACK's policy).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webPush from 'web-push';
import type { Notice } from './channel.ts';
import { WebPushChannel, noticeUrl, outcomeOf, pushPayload, retryAfterMs, type PushPayload } from './push-channel.ts';
import { checkEndpoint, type EndpointPolicy, type Resolve } from './endpoint-guard.ts';
import { browserSubscription, decryptAes128gcm, startPushService, verifyVapid, type BrowserSubscription, type PushService } from './testing/push-service.ts';

const vapid = { ...webPush.generateVAPIDKeys(), subject: 'mailto:ops@school.example' };
const loopback: EndpointPolicy = { allowedHosts: ['127.0.0.1', '127.0.0.2', 'localhost'], allowLoopback: true };
const LINK = 'https://portal.example/schoolhub/{kind}/{id}';

function notice(over: Partial<Notice> = {}): Notice {
  return {
    id: 'out_1', eventId: '42', kind: 'message', urgent: false, at: '2026-12-04T10:00:00.000Z',
    target: { kind: 'conversation', id: 'conv_7' }, title: 'Ny chatt från Eva Lind', body: 'Hej! Kan vi ses på torsdag?', ...over,
  };
}

const target = (sub: BrowserSubscription, id = 'dev_1') => ({ subscriptionId: id, endpoint: sub.endpoint, keys: sub.keys });

/** What the stand-in got for `sub`: the VAPID claims (verified) and the payload (decrypted). */
async function opened(service: PushService, sub: BrowserSubscription, index = -1) {
  const mine = service.received.filter((r) => sub.endpoint.endsWith(r.path));
  const r = mine.at(index)!;
  const claims = await verifyVapid(r.headers.authorization, vapid.publicKey, service.origin);
  return { claims, payload: JSON.parse(decryptAes128gcm(r.body, sub)) as PushPayload, headers: r.headers, request: r };
}

describe('Web Push channel', () => {
  let service: PushService;
  let channel: WebPushChannel;
  beforeAll(async () => {
    service = await startPushService();
    channel = new WebPushChannel({ vapid, policy: loopback, link: LINK, timeoutMs: 1_000 });
  });
  afterAll(async () => {
    channel.close();
    await service.close();
  });

  it('sends: the stand-in verifies the VAPID ES256 token and decrypts exactly the notice, nothing more', async () => {
    const sub = browserSubscription(`${service.origin}/push/a`);
    expect(await channel.send(target(sub), notice())).toEqual({ status: 'sent' });
    const { claims, payload, headers } = await opened(service, sub);
    expect(claims).toMatchObject({ aud: service.origin, sub: 'mailto:ops@school.example' });
    expect(payload).toEqual({
      title: 'Ny chatt från Eva Lind', body: 'Hej! Kan vi ses på torsdag?',
      url: 'https://portal.example/schoolhub/conversation/conv_7', tag: 'conversation:conv_7', urgent: false,
    });
    expect(headers).toMatchObject({ 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream', ttl: '86400', urgency: 'normal' });
    // Nothing of the notice but what the device shows: no outbox id, event, person or time.
    const plain = decryptAes128gcm(service.received.at(-1)!.body, sub);
    for (const absent of ['out_1', '"42"', 'eventId', '2026-12-04']) expect(plain).not.toContain(absent);
  });

  it('an urgent notice is sent with Urgency: high and says so to the service worker', async () => {
    const sub = browserSubscription(`${service.origin}/push/urgent`);
    await channel.send(target(sub), notice({ urgent: true, kind: 'post', target: { kind: 'post', id: 'post_1' }, title: 'Skolan stängd', body: 'Vattenläcka.' }));
    const { payload, headers } = await opened(service, sub);
    expect(headers.urgency).toBe('high');
    expect(payload).toMatchObject({ urgent: true, tag: 'post:post_1', url: 'https://portal.example/schoolhub/post/post_1' });
  });

  it('one VAPID token per push-service origin, reused; the encryption is new for every message', async () => {
    const other = await startPushService('127.0.0.2');
    try {
      const [a, b] = [browserSubscription(`${service.origin}/push/r1`), browserSubscription(`${service.origin}/push/r2`)];
      const c = browserSubscription(`${other.origin}/push/r3`);
      for (const s of [a, b, a]) expect((await channel.send(target(s), notice())).status).toBe('sent');
      expect((await channel.send(target(c), notice())).status).toBe('sent');
      const auth = (s: BrowserSubscription, svc: PushService, i = -1) => svc.received.filter((r) => s.endpoint.endsWith(r.path)).at(i)!;
      expect(auth(a, service, 0).headers.authorization).toBe(auth(b, service).headers.authorization);
      const onOther = await opened(other, c);
      expect(onOther.claims.aud).toBe(other.origin);
      expect(auth(c, other).headers.authorization).not.toBe(auth(a, service).headers.authorization);
      // The same text to the same device twice: two different ciphertexts (own salt and key).
      expect(auth(a, service, 0).body.equals(auth(a, service, 1).body)).toBe(false);
      expect((await opened(service, a, 0)).payload).toEqual((await opened(service, a, 1)).payload);
    } finally {
      await other.close();
    }
  });

  it('404 and 410 mean the subscription is gone', async () => {
    const sub = browserSubscription(`${service.origin}/push/gone`);
    service.answer('/push/gone', { status: 404 }, { status: 410 });
    expect((await channel.send(target(sub), notice())).status).toBe('gone');
    expect((await channel.send(target(sub), notice())).status).toBe('gone');
  });

  it('429 with Retry-After in seconds or as a date: retry after that long, and the retry is delivered', async () => {
    const sub = browserSubscription(`${service.origin}/push/busy`);
    const date = new Date(Date.now() + 90_000).toUTCString();
    service.answer('/push/busy', { status: 429, headers: { 'retry-after': '120' } }, { status: 429, headers: { 'retry-after': date } });
    expect(await channel.send(target(sub), notice())).toEqual({ status: 'retry', afterMs: 120_000, reason: 'push service answered 429' });
    const second = await channel.send(target(sub), notice());
    expect(second.status).toBe('retry');
    expect((second as { afterMs: number }).afterMs).toBeGreaterThan(80_000);
    expect((second as { afterMs: number }).afterMs).toBeLessThanOrEqual(90_000);
    // The caller retries later: this time the service takes it, and it decrypts.
    expect(await channel.send(target(sub), notice({ body: 'Andra försöket' }))).toEqual({ status: 'sent' });
    expect((await opened(service, sub)).payload.body).toBe('Andra försöket');
  });

  it('5xx is retried (with Retry-After when given), other 4xx fail', async () => {
    const sub = browserSubscription(`${service.origin}/push/flaky`);
    service.answer('/push/flaky', { status: 503, headers: { 'retry-after': '5' } }, { status: 500 }, { status: 400 }, { status: 413 }, { status: 403 });
    expect(await channel.send(target(sub), notice())).toEqual({ status: 'retry', afterMs: 5_000, reason: 'push service answered 503' });
    expect(await channel.send(target(sub), notice())).toEqual({ status: 'retry', reason: 'push service answered 500' });
    for (const code of [400, 413, 403]) expect(await channel.send(target(sub), notice())).toEqual({ status: 'failed', reason: `push service answered ${code}` });
    expect(await channel.send(target(sub), notice())).toEqual({ status: 'sent' });
  });

  it('a push service that does not answer in time, or refuses the connection: retry', async () => {
    const sub = browserSubscription(`${service.origin}/push/slow`);
    service.answer('/push/slow', 'hang');
    const started = Date.now();
    const slow = await channel.send(target(sub), notice());
    expect(slow.status).toBe('retry');
    expect((slow as { reason: string }).reason).toMatch(/did not answer within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const closed = await startPushService();
    const deadEndpoint = browserSubscription(`${closed.origin}/push/x`);
    await closed.close();
    expect((await channel.send(target(deadEndpoint), notice())).status).toBe('retry');
  });

  it('a long body is cut so the payload fits what every push service accepts', async () => {
    const sub = browserSubscription(`${service.origin}/push/long`);
    expect((await channel.send(target(sub), notice({ body: 'å'.repeat(5_000) }))).status).toBe('sent');
    const { payload, request } = await opened(service, sub);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(3_000);
    expect(payload.body.endsWith('…')).toBe(true);
    expect(request.body.length).toBeLessThan(4_096);
  });

  describe('the guard at connect time', () => {
    const remote: EndpointPolicy = { allowedHosts: ['push.example'], allowLoopback: false };

    it('DNS rebinding: a name that was public when the device subscribed and points inside at send time is not connected to', async () => {
      let answer = '93.184.215.14';
      const resolve: Resolve = async () => [{ address: answer, family: 4 }];
      const sub = browserSubscription('https://push.example/push/rebind');
      await expect(checkEndpoint(sub.endpoint, remote, resolve)).resolves.toBeDefined(); // push.subscribe's check
      answer = '127.0.0.1';
      const before = service.received.length;
      const rebinding = new WebPushChannel({ vapid, policy: remote, link: LINK, resolve, timeoutMs: 1_000 });
      expect(await rebinding.send(target(sub), notice())).toEqual({ status: 'failed', reason: 'endpoint refused: the push service does not resolve to public addresses' });
      answer = '10.0.0.8';
      const fresh = new WebPushChannel({ vapid, policy: remote, link: LINK, resolve, timeoutMs: 1_000 });
      expect((await fresh.send(target(sub), notice())).status).toBe('failed');
      expect(service.received.length).toBe(before);
      rebinding.close();
      fresh.close();
    });

    it('a push service whose name does not resolve now is retried, not given up', async () => {
      const dnsDown = new WebPushChannel({ vapid, policy: remote, link: LINK, resolve: async () => Promise.reject(new Error('EAI_AGAIN')) });
      expect(await dnsDown.send(target(browserSubscription('https://push.example/push/x')), notice())).toEqual({ status: 'retry', reason: 'the push service could not be resolved' });
      dnsDown.close();
    });

    it('an endpoint the policy refuses is never sent to, even when stored', async () => {
      const strict = new WebPushChannel({ vapid, policy: { allowedHosts: ['fcm.googleapis.com'], allowLoopback: false }, link: LINK });
      const sub = browserSubscription(`${service.origin}/push/stored`);
      const before = service.received.length;
      expect(await strict.send(target(sub), notice())).toEqual({ status: 'failed', reason: 'endpoint refused: a push endpoint must be https' });
      expect(service.received.length).toBe(before);
      strict.close();
    });

    it('the connection goes to the address that was checked, not to a fresh DNS answer', async () => {
      // The system says localhost is 127.0.0.1; the checked answer is 127.0.0.2, where the service is.
      const pinnedService = await startPushService('127.0.0.2');
      const resolve: Resolve = async () => [{ address: '127.0.0.2', family: 4 }];
      const pinned = new WebPushChannel({ vapid, policy: loopback, link: LINK, resolve, timeoutMs: 1_000 });
      try {
        const sub = browserSubscription(`http://localhost:${pinnedService.port}/push/pinned`);
        expect(await pinned.send(target(sub), notice())).toEqual({ status: 'sent' });
        expect(pinnedService.received.at(-1)!.localAddress).toBe('127.0.0.2');
        expect(pinnedService.received.at(-1)!.headers.host).toBe(`localhost:${pinnedService.port}`);
      } finally {
        pinned.close();
        await pinnedService.close();
      }
    });
  });
});

describe('push payloads and answers', () => {
  it('the page a click opens comes from HUB_NOTIFY_LINK, its parts encoded; unset: the portal root', () => {
    expect(noticeUrl('/skola/{kind}/{id}', { kind: 'post', id: 'a/b?c' })).toBe('/skola/post/a%2Fb%3Fc');
    expect(noticeUrl(undefined, { kind: 'post', id: 'p1' })).toBe('/');
    expect(pushPayload(notice(), undefined)).toMatchObject({ url: '/', tag: 'conversation:conv_7' });
  });

  it('Retry-After: seconds, an HTTP date, nonsense, and bounds', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('99999999', now)).toBe(24 * 3600_000);
    expect(outcomeOf(201, {}, now)).toEqual({ status: 'sent' });
    expect(outcomeOf(502, { 'retry-after': '7' }, now)).toEqual({ status: 'retry', afterMs: 7_000, reason: 'push service answered 502' });
  });
});
