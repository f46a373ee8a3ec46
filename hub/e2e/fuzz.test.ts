// Fuzzing with fast-check: generated frames (both codecs) against a live hub, and generated
// directory bundles against the import API. The hub never crashes, answers every frame with
// exactly one documented frame, and never half-writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import postgres from 'postgres';
import { Packr } from 'msgpackr';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import type { TestClient, Frame } from '../testing/client.ts';
import { ERROR_CODES } from '../protocol/codes.ts';
import { requestSchemas } from '../protocol/frames.ts';
import { SESSION_LIMITS } from '../session.ts';
import { ABUSE_LIMITS } from '../limits.ts';
import { demoBundle } from '../demo/district.ts';
import { TestClient as Client } from '../testing/client.ts';
import { PROTOTYPE_NAMES } from '../testing/prototype-names.ts';
import { TEST_ADMIN, TEST_SECRET } from '../testing/harness.ts';
import { signUnsubscribe, unsubscribeKey } from '../notify/unsubscribe-token.ts';
import type { NoticeKind } from '../notify/channel.ts';
import webPush from 'web-push';
import { browserSubscription } from '../notify/testing/push-service.ts';

// Each run draws 6 × 1,000 distinct frames from a new seed and sends them round-robin. 24,000
// frames send each about four times (a retry of the same frame must answer alike), in about a
// fifth of the time 100,000 took: the test suite's longest file. A soak: FUZZ_FRAMES=200000
// FUZZ_SECONDS=600 npx vitest run hub/e2e/fuzz.test.ts.
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 24_000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

let t: TestHub;
let db: postgres.Sql;
const saved = { session: { ...SESSION_LIMITS }, writes: ABUSE_LIMITS.writesPerPerson, http: ABUSE_LIMITS.httpPerAddress };
beforeAll(async () => {
  // The fuzzer is one client sending as fast as it can: lift the per-connection flood limits
  // (they have tests of their own) so that every frame reaches the decoder and the handlers.
  Object.assign(SESSION_LIMITS, { rate: 1e9, burst: 1e9 });
  ABUSE_LIMITS.writesPerPerson = { rate: 1e9, burst: 1e9 };
  ABUSE_LIMITS.httpPerAddress = { rate: 1e9, burst: 1e9 };
  // Web Push on (default allow-list), so that push.subscribe's endpoints reach the SSRF guard.
  const vapid = webPush.generateVAPIDKeys();
  t = await startTestHub({ env: { HUB_VAPID_PUBLIC_KEY: vapid.publicKey, HUB_VAPID_PRIVATE_KEY: vapid.privateKey, HUB_VAPID_SUBJECT: 'mailto:ops@example.org' } });
  db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  Object.assign(SESSION_LIMITS, saved.session);
  ABUSE_LIMITS.writesPerPerson = saved.writes;
  ABUSE_LIMITS.httpPerAddress = saved.http;
  await db?.end();
  await t?.stop();
});

const TYPES = Object.keys(requestSchemas);
const ids = fc.constantFrom('s-ekskolan', 'g-ek-7a', 'g-ek-ma7', 'p-stu-ek-1', 'p-gua-ek-1a', 'd-exempel', 'conv_nope', 'post_nope', 'x', '', '__proto__', 'constructor');
const weird = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.string({ minLength: 8_001, maxLength: 9_000 }).map((x) => x.padEnd(25_000, 'x')), // over the field limits
  ids,
);
/** Wrong values that cost little to generate. */
const light = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.array(ids, { maxLength: 2 }));
/**
 * push.subscribe's fields: endpoints an attacker would aim the hub at (none resolvable: no DNS
 * is asked), keys right and wrong. `light` values: generating frames is part of the run's time.
 */
const endpoints = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:6379/', 'https://169.254.169.254/latest/meta-data', 'https://10.0.0.1/x', 'https://[::1]/x', 'https://[::ffff:127.0.0.1]/x',
    'https://evil.example/push', 'file:///etc/passwd', 'gopher://localhost:25/', 'https://user:pw@fcm.googleapis.com/x', 'https://fcm.googleapis.com:6379/x',
  ),
  light,
);
const goodKeys = browserSubscription('x').keys;
const keys = fc.oneof(fc.constant(goodKeys), fc.record({ p256dh: fc.oneof(fc.constant(goodKeys.p256dh), light), auth: fc.oneof(fc.constant(goodKeys.auth), light) }), light);

/** A request that is nearly right: a real type, plausible fields, some of them wrong. */
const nearlyValid = fc.record({
  type: fc.constantFrom(...TYPES),
  id: fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.constant(undefined)),
  schoolId: fc.option(ids), groupId: fc.option(ids), conversationId: fc.option(ids), districtId: fc.option(ids),
  title: fc.option(weird), body: fc.option(weird), clientKey: fc.option(fc.string({ maxLength: 120 })),
  participantIds: fc.option(fc.array(ids, { maxLength: 60 })), schoolIds: fc.option(fc.array(ids, { maxLength: 3 })),
  audience: fc.option(fc.record({ targets: fc.array(fc.oneof(fc.record({ kind: fc.constantFrom('group', 'person', 'school', 'x'), groupId: ids, personId: ids, memberIds: fc.array(ids) }), weird), { maxLength: 3 }), recipients: fc.oneof(weird, fc.record({ students: fc.boolean(), guardians: fc.boolean(), staff: fc.boolean() })) })),
  recipients: fc.option(weird), limit: fc.option(fc.oneof(fc.integer(), weird)), seq: fc.option(fc.oneof(fc.integer(), weird)),
  before: fc.option(weird), beforeSeq: fc.option(weird), itemIds: fc.option(fc.array(ids)), context: fc.option(weird), query: fc.option(weird),
  endpoint: fc.option(endpoints), keys: fc.option(keys), label: fc.option(light),
  // reaction.set and message.replyPrivately (issue 13): what they answer or react to. `light`
  // rather than `weird`: these fields add frames, not cost (the oversized strings are elsewhere).
  target: fc.option(fc.oneof(fc.record({ kind: fc.constantFrom('message', 'post', 'mailing', 'x'), id: fc.oneof(ids, fc.constantFrom('msg_nope', 'post_nope')) }), light)),
  to: fc.option(fc.oneof(fc.record({ kind: fc.constantFrom('message', 'post', 'x'), id: fc.oneof(ids, fc.constantFrom('msg_nope', 'post_nope')) }), light)),
  emoji: fc.option(fc.oneof(fc.constantFrom('like', 'heart', 'smile', 'clap', 'celebrate', 'question', '👍', 'LIKE'), light)),
  on: fc.option(fc.oneof(fc.boolean(), light)),
  publishAt: fc.option(fc.oneof(weird, fc.date({ noInvalidDate: true }).map((d) => d.toISOString()))), scheduledId: fc.option(ids),
  // post.stats.get, post.unread.get, post.remind (issue 13): `light` for the same reason.
  itemId: fc.option(fc.oneof(ids, fc.constantFrom('post_nope', 'mail_nope'))), part: fc.option(fc.oneof(fc.constantFrom('students', 'guardians', 'staff'), light)), after: fc.option(light),
  attachmentIds: fc.option(fc.oneof(fc.array(fc.oneof(ids, fc.constant('att_AAAAAAAAAAAAAAAAAAAAAA')), { maxLength: 3 }), light)),
  preferences: fc.option(fc.oneof(weird, fc.record({
    email: fc.oneof(fc.constantFrom('immediate', 'hourly', 'daily', 'off'), weird),
    kinds: fc.oneof(weird, fc.dictionary(fc.constantFrom('message', 'post', 'mailing', 'item', 'development', '__proto__', 'x'), fc.oneof(weird, fc.record({ push: fc.oneof(fc.boolean(), weird), email: fc.boolean() })))),
    quietHours: fc.oneof(fc.constant(null), weird, fc.record({ start: fc.oneof(fc.constantFrom('22:00', '24:00', '7:00'), weird), end: fc.constantFrom('06:30', '22:00'), timezone: fc.oneof(fc.constantFrom('Europe/Stockholm', 'utc', 'Mars/Olympus', '+01:00'), weird) })),
    language: fc.oneof(fc.constantFrom('sv', 'en', 'de'), weird),
  }, { requiredKeys: [] }))),
  // Acknowledge and RSVP (issue 13): post.create's ask, post.answer's and post.answers.get's fields; `light` too.
  ask: fc.option(fc.oneof(fc.record({ kind: fc.constantFrom('ack', 'choice', 'x'), options: fc.array(fc.string({ maxLength: 120 }), { maxLength: 7 }), deadline: fc.constantFrom('2099-01-01T00:00:00Z', '2001-01-01T00:00:00Z', 'x', 5) }, { requiredKeys: ['kind'] }), light)),
  postId: fc.option(ids), childId: fc.option(ids), answer: fc.option(fc.oneof(fc.constant('ack'), fc.integer({ min: -2, max: 7 }), light)),
}, { requiredKeys: ['type'] });
const polluting = fc.constantFrom(
  '{"type":"feed.get","id":"p1","__proto__":{"polluted":true}}',
  '{"type":"post.create","id":"p2","audience":{"__proto__":{"admin":true},"targets":[]}}',
  '{"type":"ping","id":"p3","constructor":{"prototype":{"polluted":true}}}',
);
const deep = fc.integer({ min: 100, max: 5_000 }).map((n) => '{"type":"feed.get","id":"d","x":' + '['.repeat(n) + ']'.repeat(n) + '}');

type Shot = { bytes: Uint8Array | string };
const shot = (json: boolean): fc.Arbitrary<Shot> => fc.oneof(
  { weight: 6, arbitrary: nearlyValid.map((f) => ({ bytes: json ? JSON.stringify(f) : packr.pack(f) })) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 4 }).map((v) => ({ bytes: json ? JSON.stringify(v ?? null) : packr.pack(v) })) },
  { weight: 1, arbitrary: nearlyValid.chain((f) => {
    const full = json ? Buffer.from(JSON.stringify(f)) : packr.pack(f);
    return fc.integer({ min: 0, max: Math.max(0, full.length - 1) }).map((n) => ({ bytes: json ? full.subarray(0, n).toString('latin1') : full.subarray(0, n) }));
  }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ bytes: json ? Buffer.from(b).toString('latin1') : b })) },
  { weight: 1, arbitrary: polluting.map((s) => ({ bytes: json ? s : packr.pack(JSON.parse(s)) })) },
  { weight: 1, arbitrary: deep.map((s) => ({ bytes: s })) },
);

const DOCUMENTED = new Set(['ok', 'error', 'pong', 'event']);

async function invariants(): Promise<void> {
  // Nothing half-written: every message has its seq without gaps, every conversation its
  // members, every post and message its event.
  const gaps = await db`select conversation_id from messages group by conversation_id having max(seq) <> count(*)`;
  expect(gaps).toEqual([]);
  const lonely = await db`select c.id from conversations c left join conversation_members m on m.conversation_id = c.id group by c.id having count(m.person_id) < 2`;
  expect(lonely).toEqual([]);
  const [{ posts, postEvents }] = await db<{ posts: number; postEvents: number }[]>`select (select count(*)::int from posts) as posts, (select count(*)::int from events where name = 'post.created') as "postEvents"` as unknown as [{ posts: number; postEvents: number }];
  expect(postEvents).toBe(posts);
  // Every post and mailing has its three read counters (made in its own transaction).
  const uncounted = await db`select id from (select id from posts union all select id from mailings) i where (select count(*) from feed_read_counts c where c.item_id = i.id) <> 3`;
  expect(uncounted).toEqual([]);
  // No endpoint the guard refuses was stored (every fuzzed endpoint is one).
  expect(await db`select endpoint from push_subscriptions`).toEqual([]);
  // A deleted message keeps no reactions.
  expect(await db`select 1 from reactions r join messages m on m.id = r.message_id where m.deleted_at is not null`).toEqual([]);
  // Notification preferences are stored whole and valid, or not at all.
  const badPrefs = await db`select person_id from notification_preferences
    where quiet_start !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' or quiet_end !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' or quiet_start = quiet_end
       or not (push_off <@ array['message', 'post', 'mailing', 'item', 'development']) or not (email_off <@ array['message', 'post', 'mailing', 'item', 'development'])`;
  expect(badPrefs).toEqual([]);
}

describe('fuzzing the wire protocol', () => {
  it(`answers ${FRAMES.toLocaleString('en')} generated frames, each with one documented frame, and stays up`, async () => {
    const started = Date.now();
    const clients: { c: TestClient; json: boolean; sent: number; answers: number }[] = [];
    for (const [i, who] of ['p-mentor-ek', 'p-teacher-ek', 'p-leader-ek', 'p-hoo', 'p-gua-ek-1a', 'p-stu-ek-1'].entries()) {
      const json = i % 2 === 1;
      const c = await t.connect(who, { codec: json ? 'json' : 'msgpack' });
      const k = { c, json, sent: 0, answers: 0 };
      // Count answers as they come (the client keeps every frame; counting them again would be quadratic).
      c.ws.on('message', () => k.answers++);
      clients.push(k);
    }
    let total = 0;
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    console.log(`[fuzz] seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
    const g0 = Date.now();
    const samples = clients.map((k, i) => fc.sample(shot(k.json), { numRuns: 1_000, seed: seed + i }));
    console.log(`[fuzz] generated ${samples.flat().length} distinct frames in ${Date.now() - g0} ms`);
    while (total < FRAMES && (Date.now() - started) / 1000 < SECONDS) {
      // A window per connection, so the hub is never more than a few thousand frames behind.
      await Promise.all(clients.map(async (k, i) => {
        const pool = samples[i]!;
        for (let n = 0; n < 250; n++) {
          const s = pool[(k.sent + n) % pool.length]!;
          k.c.sendRaw(typeof s.bytes === 'string' ? s.bytes : Buffer.from(s.bytes), !k.json);
        }
        k.sent += 250;
        total += 250;
        const w0 = Date.now();
        await expect.poll(() => k.answers, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(k.sent - 20);
        if (Date.now() - w0 > 2000) console.log(`[fuzz] slow window on client ${i}: ${Date.now() - w0} ms, answers ${k.answers}/${k.sent}`);
      }));
    }
    for (const k of clients) {
      await expect.poll(() => k.c.frames.filter((f) => f.type !== 'event').length, { timeout: 30_000 }).toBe(k.sent + 1); // + welcome
      expect(k.answers).toBeGreaterThanOrEqual(k.sent);
      for (const f of k.c.frames.slice(1) as Frame[]) {
        expect(DOCUMENTED.has(f.type), JSON.stringify(f).slice(0, 200)).toBe(true);
        if (f.type === 'error') expect(ERROR_CODES).toContain(f.code);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`[fuzz] ${total} frames in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), every one answered`);
    expect(total).toBeGreaterThanOrEqual(Math.min(FRAMES, 20_000));
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    await invariants();
  }, (SECONDS + 120) * 1000);
});

describe('names on the prototype chain in every field that selects something (issue 15 item 1)', () => {
  // Each request with one selecting field replaced by each name: the request type, target and
  // context kinds, item kinds, audiences, development kinds, recipients' keys.
  const SELECTING: ((n: string) => Record<string, unknown>)[] = [
    (n) => ({ type: n }),
    (n) => ({ type: 'post.create', schoolId: 's-ekskolan', title: 't', body: 'b', clientKey: `pc-${n}`, audience: { targets: [{ kind: n, groupId: 'g-ek-7a', personId: n }], recipients: { staff: true } } }),
    (n) => ({ type: 'post.create', schoolId: 's-ekskolan', title: 't', body: 'b', clientKey: `pr-${n}`, audience: { targets: [{ kind: 'school' }], recipients: { [n]: true } } }),
    (n) => ({ type: 'conversation.start', participantIds: [], context: { kind: n, id: n }, clientKey: `cs-${n}` }),
    (n) => ({ type: 'conversation.start', groupId: 'g-ek-7a', audience: n, clientKey: `cg-${n}` }),
    (n) => ({ type: 'item.create', kind: n, groupId: 'g-ek-ma7', title: 't', clientKey: `ic-${n}` }),
    (n) => ({ type: 'items.get', kind: n }),
    (n) => ({ type: 'student.card.get', studentId: 'p-stu-ek-1', kinds: [n] }),
    (n) => ({ type: 'group.overview.get', groupId: 'g-ek-7a', kinds: [n] }),
    (n) => ({ type: 'development.get', kinds: [n] }),
    (n) => ({ type: 'form.fill', formId: n, answers: [{ fieldId: n, value: 'x' }] }),
    (n) => ({ type: 'message.send', conversationId: n, body: n, clientKey: n }),
    (n) => ({ type: 'feed.read', itemIds: [n] }),
    (n) => ({ type: 'history.get', conversationId: n }),
    (n) => ({ type: 'typing', conversationId: n }),
    (n) => ({ type: 'push.subscribe', endpoint: n, keys: { p256dh: n, auth: n }, label: n }),
    (n) => ({ type: 'push.unsubscribe', endpoint: n }),
    (n) => ({ type: 'reaction.set', target: { kind: n, id: n }, emoji: 'like', on: true }),
    (n) => ({ type: 'reaction.set', target: { kind: 'post', id: 'post_nope' }, emoji: n, on: true }),
    (n) => ({ type: 'message.replyPrivately', to: { kind: n, id: n }, body: 'hej', clientKey: `rp-${n}` }),
    (n) => ({ type: 'scheduled.cancel', scheduledId: n }),
    (n) => ({ type: 'scheduled.update', scheduledId: n, title: n }),
    (n) => ({ type: 'post.stats.get', itemId: n }),
    (n) => ({ type: 'post.unread.get', itemId: n, part: n, after: n }),
    (n) => ({ type: 'post.remind', itemId: n }),
    (n) => ({ type: 'notifications.set', preferences: { email: n, kinds: { [n]: { push: true, email: true } }, quietHours: { start: '22:00', end: '06:00', timezone: n }, language: n } }),
    (n) => ({ type: 'post.create', schoolId: 's-ekskolan', title: 't', body: 'b', clientKey: `pa-${n}`, audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } }, ask: { kind: n, options: [n, 'x'] } }),
    (n) => ({ type: 'post.answer', postId: n, childId: n, answer: n }),
    (n) => ({ type: 'post.answers.get', postId: n }),
  ];

  for (const codec of ['json', 'msgpack'] as const) {
    it(`every request answers with one documented frame over ${codec}, and the node stays up`, async () => {
      const c = await t.connect('p-mentor-ek', { codec });
      let sent = 0;
      for (const name of PROTOTYPE_NAMES) {
        for (const make of SELECTING) {
          const { type, ...fields } = make(name);
          const a = await c.request(String(type), fields);
          sent++;
          expect(DOCUMENTED.has(a.type), JSON.stringify(a)).toBe(true);
          if (a.type === 'error') expect(ERROR_CODES).toContain(a.code);
        }
      }
      // The same names as raw frames, with __proto__ as a real own key (JSON.parse makes one).
      for (const name of PROTOTYPE_NAMES) c.sendRaw(codec === 'json' ? `{"type":${JSON.stringify(name)},"id":"raw","__proto__":{"type":"ping"}}` : Buffer.from(packr.pack({ type: name, id: 'raw' })));
      await expect.poll(() => c.frames.filter((f) => f.id === 'raw').length).toBe(PROTOTYPE_NAMES.length);
      expect(c.frames.filter((f) => f.id === 'raw').every((f) => f.type === 'error' && f.code === 'invalid')).toBe(true);
      expect((await c.ping()).type).toBe('pong');
      expect(sent).toBe(PROTOTYPE_NAMES.length * SELECTING.length);
    });
  }

  it('as a subprotocol, a route parameter, a query key or value, an enum in an admin body, a bundle kind', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' };
    for (const name of PROTOTYPE_NAMES) {
      await expect(Client.open(t.wsUrl, { protocol: name })).rejects.toMatchObject({ status: 400 });
      const e = encodeURIComponent(name);
      const answers = await Promise.all([
        fetch(`${t.url}/api/v1/export/${e}`, { headers: admin }),
        fetch(`${t.url}/api/v1/legal-hold`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: name, id: name, reason: name }) }),
        fetch(`${t.url}/api/v1/legal-hold?kind=${e}&${e}=${e}`, { headers: admin }),
        fetch(`${t.url}/api/v1/guardian-blocks?${e}=${e}&guardianId=${e}`, { headers: admin }),
        fetch(`${t.url}/api/v1/guardian-blocks`, { method: 'POST', headers: admin, body: `{"guardianId":${JSON.stringify(name)},"childId":"p-stu-ek-1","__proto__":{"reason":"x"}}` }),
        fetch(`${t.url}/api/v1/attachments/${e}`, { headers: { authorization: `Bearer ${await t.token('p-mentor-ek')}` } }),
        fetch(`${t.url}/demo/token?as=${e}`),
        fetch(`${t.url}/mail/unsubscribe?token=${e}&${e}=${e}`),
        fetch(`${t.url}/mail/unsubscribe?token=${e}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `List-Unsubscribe=One-Click&${e}=${e}` }),
        fetch(`${t.url}/${e}`),
      ]);
      for (const r of answers) expect(r.status, `${r.url} ${name}`).toBeLessThan(500);
      // An unsubscribe link validly signed for a kind or person of that name changes nothing.
      const key = unsubscribeKey(undefined, TEST_SECRET)!;
      for (const token of [
        await signUnsubscribe(key, { personId: 'p-gua-ek-1a', kind: name as NoticeKind, language: 'sv' }),
        await signUnsubscribe(key, { personId: name, kind: 'post', language: 'sv' }),
      ]) {
        const r = await fetch(`${t.url}/mail/unsubscribe?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
        expect(r.status, name).toBe(400);
      }
      expect(await db`select 1 from notification_preferences where person_id = ${name} or ${name} = any(email_off)`).toHaveLength(0);
    }
    // A bundle whose group types and duty roles are these names: accepted or refused, never a crash,
    // and no group or duty gets a kind from Object.prototype.
    const bundle = structuredClone(demoBundle()) as unknown as { groups: { groupType: string }[]; duties: { dutyRole: string }[] };
    bundle.groups.forEach((g, i) => (g.groupType = PROTOTYPE_NAMES[i % PROTOTYPE_NAMES.length]!));
    bundle.duties.forEach((d, i) => (d.dutyRole = PROTOTYPE_NAMES[i % PROTOTYPE_NAMES.length]!));
    const res = await t.importBundle(bundle);
    expect([200, 400]).toContain(res.status);
    expect(t.hub.core.directory().groups.size).toBe(0);
    expect((await t.importBundle(demoBundle())).status).toBe(200);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('fuzzing the directory import', () => {
  async function snapshot(): Promise<string> {
    const rows = await db`select kind, id, data, ended_at from directory_records order by kind, id`;
    return JSON.stringify(rows);
  }

  it('a bundle with a generated fault is refused whole, with the path to the fault', async () => {
    const base = demoBundle();
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    const leafPaths = paths.filter((p) => p.length >= 3);
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...leafPaths), fc.oneof(fc.constant(undefined), fc.integer(), fc.constant(null), fc.constant({}), fc.constant('p-nobody'), fc.string({ minLength: 300, maxLength: 400 }), fc.constant('2024-13-45')),
      async (path, value) => {
        const before = await snapshot();
        const bundle = structuredClone(base) as unknown as Record<string, unknown>;
        let node = bundle as Record<string | number, unknown>;
        for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        if (value === undefined) delete node[last];
        else node[last] = value;
        const res = await t.importBundle(bundle);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) {
          expect(res.body).toMatchObject({ error: { code: 'invalid', path: expect.any(Array) } });
          expect(await snapshot()).toBe(before);
        } else {
          // The fault was harmless (an optional field, an unknown value): put the district back.
          expect((await t.importBundle(base)).status).toBe(200);
        }
      },
    ), { numRuns: 150, seed: 42 });
  }, 180_000);
});
