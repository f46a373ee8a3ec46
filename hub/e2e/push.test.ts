// Web Push devices over real WebSockets and PostgreSQL (docs/PROTOCOL.md "Notifications":
// push.subscribe, push.unsubscribe): a person's own devices, the SSRF guard's refusals, one
// endpoint one person, the per-person limit, the export, and a message through the hub's own
// channel to a push service stand-in that decrypts it as the subscribing browser would.
//
// Demo district: p-gua-ek-1a (Maria) and p-gua-ek-1b (Johan) are p-stu-ek-1's guardians;
// p-stu-ek-6 (Hugo) has a protected identity. The hub runs with the test-only loopback setting
// (NODE_ENV=test), so the stand-in on 127.0.0.1 is a push service it may POST to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import webPush from 'web-push';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import { demoBundle } from '../demo/district.ts';
import { runRetention, type RetentionReport } from '../privacy/retention.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { WebPushChannel } from '../notify/push-channel.ts';
import { browserSubscription, decryptAes128gcm, startPushService, verifyVapid, type PushService } from '../notify/testing/push-service.ts';
import { MAX_PUSH_DEVICES, deletePushSubscription, pushSubscriptionsOf } from '../../storage/push-subscriptions.ts';

const vapid = webPush.generateVAPIDKeys();
const ENV = {
  NODE_ENV: 'test', HUB_PUSH_ALLOW_LOOPBACK: '1', HUB_PUSH_ALLOWED_HOSTS: '127.0.0.1,localhost,10.0.0.1,169.254.169.254',
  HUB_VAPID_PUBLIC_KEY: vapid.publicKey, HUB_VAPID_PRIVATE_KEY: vapid.privateKey, HUB_VAPID_SUBJECT: 'mailto:drift@exempelstad.example',
  HUB_NOTIFY_LINK: 'https://portal.example/schoolhub/{kind}/{id}',
};

let n = 0;
describe('push.subscribe and push.unsubscribe', () => {
  let t: TestHub;
  let db: postgres.Sql;
  let service: PushService;
  useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)), { env: ENV });
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service.close();
  });

  const endpoint = () => `${service.origin}/push/${++n}`;
  // The hub's own pool: storage functions expect its camelCase rows.
  const devicesOf = async (person: string) => (await pushSubscriptionsOf(t.hub.core.sql, [person])).get(person)!;
  const rows = async () => (await db<{ personId: string; endpoint: string }[]>`select person_id, endpoint from push_subscriptions order by endpoint`);

  it("stores the connection's person's device, renews it on a second subscribe, and forgets it on unsubscribe (twice is fine)", async () => {
    const maria = await t.connect('p-gua-ek-1a');
    const sub = browserSubscription(endpoint());
    const { deviceId } = await maria.ok<{ deviceId: string }>('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys, label: '  Marias telefon ' });
    expect(deviceId).toMatch(/^dev_/);
    expect(await devicesOf('p-gua-ek-1a')).toEqual([expect.objectContaining({ id: deviceId, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, label: 'Marias telefon' })]);
    // Again from another tab: the same device, not a second one; the label stays when none is given.
    expect(await maria.ok('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys })).toEqual({ deviceId });
    expect((await devicesOf('p-gua-ek-1a')).map((d) => d.label)).toEqual(['Marias telefon']);
    expect(await maria.ok('push.unsubscribe', { endpoint: sub.endpoint })).toEqual({});
    expect(await maria.ok('push.unsubscribe', { endpoint: sub.endpoint })).toEqual({});
    expect(await devicesOf('p-gua-ek-1a')).toEqual([]);
  });

  it("a message to the stored device through the hub's channel: VAPID verified, decrypted; 410 deletes the device", async () => {
    const maria = await t.connect('p-gua-ek-1a');
    const sub = browserSubscription(endpoint());
    const { deviceId } = await maria.ok<{ deviceId: string }>('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys });
    const channel = WebPushChannel.fromConfig(t.hub.config.push, { timeoutMs: 2_000 })!;
    try {
      const [device] = await devicesOf('p-gua-ek-1a');
      const target = { subscriptionId: device!.id, endpoint: device!.endpoint, keys: { p256dh: device!.p256dh, auth: device!.auth } };
      const notice = {
        id: 'out_1', eventId: '1', kind: 'post' as const, urgent: false, at: new Date().toISOString(),
        target: { kind: 'post' as const, id: 'post_9' }, title: 'Nytt inlägg från Ekskolan', body: 'Välkomna på föräldramöte!',
      };
      expect(await channel.send(target, notice)).toEqual({ status: 'sent' });
      const got = service.received.at(-1)!;
      expect((await verifyVapid(got.headers.authorization, vapid.publicKey, service.origin)).sub).toBe('mailto:drift@exempelstad.example');
      expect(JSON.parse(decryptAes128gcm(got.body, sub))).toEqual({
        title: 'Nytt inlägg från Ekskolan', body: 'Välkomna på föräldramöte!', url: 'https://portal.example/schoolhub/post/post_9', tag: 'post:post_9', urgent: false,
      });
      service.answer(new URL(sub.endpoint).pathname, { status: 410 });
      const outcome = await channel.send(target, notice);
      expect(outcome.status).toBe('gone');
      // The caller (the outbox) deletes it: afterwards the device is gone for every node.
      expect(await deletePushSubscription(t.hub.core.sql, deviceId)).toBe(true);
      expect(await devicesOf('p-gua-ek-1a')).toEqual([]);
    } finally {
      channel.close();
    }
  });

  it('refuses endpoints the hub must not POST to, with `refused` and nothing stored', async () => {
    const johan = await t.connect('p-gua-ek-1b');
    const keys = browserSubscription('x').keys;
    const before = await rows();
    const cases: [string, RegExp][] = [
      ['http://10.0.0.1/push/1', /must be https/], // plain http off loopback
      ['https://10.0.0.1/push/1', /does not resolve to public addresses/], // an allowed host that is a private address
      ['https://169.254.169.254/latest/meta-data', /does not resolve to public addresses/], // cloud metadata
      ['https://evil.example/push/1', /not an allowed push service/],
      ['https://fcm.googleapis.com/fcm/send/x', /not an allowed push service/], // not on this hub's list
      ['https://user:secret@localhost/push/1', /user name or password/],
      ['https://10.0.0.1:8443/push/1', /https port/],
      ['gopher://127.0.0.1:6379/_FLUSHALL', /must be https/],
      ['file:///etc/passwd', /must be https/],
    ];
    for (const [e, reason] of cases) {
      expect(await johan.request('push.subscribe', { endpoint: e, keys }), e).toMatchObject({ type: 'error', code: 'refused', message: expect.stringMatching(reason), path: ['endpoint'] });
    }
    expect(await rows()).toEqual(before);
  });

  it('refuses bad shapes with `invalid` (or `too_large`): not a URL, keys that are no P-256 point or 16-byte secret', async () => {
    const johan = await t.connect('p-gua-ek-1b');
    const sub = browserSubscription(endpoint());
    const point = Buffer.from(sub.keys.p256dh, 'base64url');
    const offCurve = Buffer.from(point);
    offCurve[64] = offCurve[64]! ^ 1;
    const compressed = Buffer.concat([Buffer.from([2]), point.subarray(1, 33)]).toString('base64url');
    const bad: [Record<string, unknown>, string, (string | number)[]][] = [
      [{ endpoint: 'not a url', keys: sub.keys }, 'invalid', ['endpoint']],
      [{ endpoint: `${sub.endpoint}/${'a'.repeat(1100)}`, keys: sub.keys }, 'too_large', ['endpoint']],
      [{ endpoint: sub.endpoint, keys: { ...sub.keys, p256dh: offCurve.toString('base64url') } }, 'invalid', ['keys', 'p256dh']],
      [{ endpoint: sub.endpoint, keys: { ...sub.keys, p256dh: compressed } }, 'invalid', ['keys', 'p256dh']],
      [{ endpoint: sub.endpoint, keys: { ...sub.keys, p256dh: `${sub.keys.p256dh}=` } }, 'invalid', ['keys', 'p256dh']],
      [{ endpoint: sub.endpoint, keys: { ...sub.keys, auth: Buffer.alloc(15).toString('base64url') } }, 'invalid', ['keys', 'auth']],
      [{ endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh } }, 'invalid', ['keys', 'auth']],
      [{ endpoint: sub.endpoint }, 'invalid', ['keys']],
      [{ endpoint: sub.endpoint, keys: sub.keys, label: 'x'.repeat(101) }, 'too_large', ['label']],
    ];
    for (const [fields, code, path] of bad) expect(await johan.request('push.subscribe', fields), JSON.stringify(fields).slice(0, 80)).toMatchObject({ type: 'error', code, path });
    expect(await devicesOf('p-gua-ek-1b')).toEqual([]);
  });

  it("another person can neither take over nor delete an endpoint by knowing it; the same browser (same keys) moves to who signed in", async () => {
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b');
    const sub = browserSubscription(endpoint());
    const { deviceId } = await maria.ok<{ deviceId: string }>('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys, label: 'Familjens surfplatta' });
    const stranger = browserSubscription(sub.endpoint);
    expect(await johan.request('push.subscribe', { endpoint: sub.endpoint, keys: stranger.keys })).toMatchObject({ type: 'error', code: 'refused', message: 'this endpoint belongs to another device' });
    expect(await johan.ok('push.unsubscribe', { endpoint: sub.endpoint })).toEqual({}); // the same answer as for an unknown endpoint
    expect((await devicesOf('p-gua-ek-1a')).map((d) => [d.id, d.auth])).toEqual([[deviceId, sub.keys.auth]]);
    // The family tablet, now signed in as Johan: its browser holds the same subscription.
    expect(await johan.ok('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys })).toEqual({ deviceId });
    expect(await devicesOf('p-gua-ek-1a')).toEqual([]);
    // Maria's label does not follow the device to Johan.
    expect(await devicesOf('p-gua-ek-1b')).toEqual([expect.objectContaining({ id: deviceId, label: null })]);
    expect(await maria.ok('push.unsubscribe', { endpoint: sub.endpoint })).toEqual({});
    expect((await devicesOf('p-gua-ek-1b')).map((d) => d.id)).toEqual([deviceId]);
    await johan.ok('push.unsubscribe', { endpoint: sub.endpoint });
  });

  it(`at most ${MAX_PUSH_DEVICES} devices a person: a new one replaces the one renewed longest ago`, async () => {
    const student = await t.connect('p-stu-ek-2');
    const subs = Array.from({ length: MAX_PUSH_DEVICES + 1 }, () => browserSubscription(endpoint()));
    for (const s of subs) await student.ok('push.subscribe', { endpoint: s.endpoint, keys: s.keys });
    const kept = (await devicesOf('p-stu-ek-2')).map((d) => d.endpoint);
    expect(kept).toHaveLength(MAX_PUSH_DEVICES);
    expect(kept).not.toContain(subs[0]!.endpoint);
    expect(kept).toContain(subs[MAX_PUSH_DEVICES]!.endpoint);
  });

  it("a protected person's device is theirs alone: in their export, in nobody else's", async () => {
    const hugo = await t.connect('p-stu-ek-6');
    const sub = browserSubscription(endpoint());
    await hugo.ok('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys, label: 'Hugos dator' });
    const exported = async (person: string) => (await fetch(`${t.url}/api/v1/export/${person}`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } })).json() as Promise<{ data: { pushDevices: { endpoint: string; label: string | null }[] } }>;
    const own = await exported('p-stu-ek-6');
    expect(own.data.pushDevices).toEqual([expect.objectContaining({ endpoint: sub.endpoint, label: 'Hugos dator' })]);
    expect(JSON.stringify(own)).not.toContain(sub.keys.auth); // the browser's secret is not copied out
    for (const other of ['p-gua-ek-1a', 'p-mentor-ek']) expect(JSON.stringify(await exported(other)), other).not.toContain(sub.endpoint);
  });
});

describe('retention of push devices', () => {
  let t: TestHub;
  let db: postgres.Sql;
  const bundle = demoBundle();
  // d-exempel keeps 30 days; d-annan sets no period.
  bundle.extensions.settings.push({ organisation: { id: 'd-exempel' }, retentionDays: 30 });
  useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)), { env: { ...ENV, HUB_RETENTION_INTERVAL_MS: '0' }, bundle });

  it('removes devices not renewed within the period and those of people gone from the directory; spares holds and districts without a period', async () => {
    const device = async (person: string) => {
      const sub = browserSubscription(`http://127.0.0.1:9/push/${person}`);
      await (await t.connect(person)).ok('push.subscribe', { endpoint: sub.endpoint, keys: sub.keys });
      return sub.endpoint;
    };
    const stale = [await device('p-gua-ek-1a'), await device('p-stu-ek-3'), await device('p-gua-an-1')];
    const fresh = await device('p-gua-ek-1b');
    await db`update push_subscriptions set renewed_at = now() - interval '40 days' where endpoint = any(${stale})`;
    await db`insert into push_subscriptions (id, person_id, endpoint, p256dh, auth) values ('dev_gone', 'p-left-long-ago', 'http://127.0.0.1:9/push/gone', 'x', 'y')`;
    const hold = await fetch(`${t.url}/api/v1/legal-hold`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'person', id: 'p-stu-ek-3', reason: 'Tvist 2026/1' }),
    });
    expect(hold.status).toBe(200);
    const report = (await runRetention(t.hub.core)) as RetentionReport;
    expect(report.failed).toEqual([]);
    expect(report.deleted.pushSubscriptions).toBe(2);
    const left = (await db<{ personId: string }[]>`select person_id as "personId" from push_subscriptions order by person_id`).map((r) => r.personId);
    // Maria's stale device and the departed person's are gone; the held student's, the other
    // district's (no period) and Johan's renewed one stay.
    expect(left).toEqual(['p-gua-an-1', 'p-gua-ek-1b', 'p-stu-ek-3']);
    expect(fresh).toContain('p-gua-ek-1b');
  });
});
