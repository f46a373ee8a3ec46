// Hostile input at the edge (issue 15 items 1, 5, 10, 12, 13): names of Object.prototype as
// request types, strings PostgreSQL cannot store, oversized frames, msgpack extensions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Packr, addExtension } from 'msgpackr';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { TestClient, type Frame } from '../testing/client.ts';
import { PROTOTYPE_NAMES } from '../testing/prototype-names.ts';
import { LIMITS } from '../protocol/limits.ts';
import { ABUSE_LIMITS } from '../limits.ts';
import { SESSION_LIMITS } from '../session.ts';
import { DEFAULT_PREFERENCES } from '../../storage/notification-preferences.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

/**
 * msgpackr writes a lone surrogate as U+FFFD; a client that writes it as three bytes
 * (ED A0 80, the "CESU" form) sends what the hub must refuse: this packs it that way.
 */
function packLone(frame: Record<string, unknown>): Buffer {
  // JSON.stringify escapes exactly the lone surrogates (\udxxx); pairs stay as they are.
  const marked = JSON.parse(JSON.stringify(frame).replace(/\\ud[89a-f][0-9a-f]{2}/gi, '\uFFFD')) as Record<string, unknown>;
  const bytes = Buffer.from(new Packr({ useRecords: false }).pack(marked));
  return Buffer.from(bytes.toString('hex').replaceAll('efbfbd', 'eda080'), 'hex');
}

/** A request whose strings may hold lone surrogates, over either codec; resolves with its answer. */
let seq = 0;
async function ask(c: TestClient, type: string, fields: Record<string, unknown>): Promise<Frame> {
  if (c.codec === 'json') return c.request(type, fields);
  const id = `lone${++seq}`;
  const before = c.frames.length;
  c.sendRaw(packLone({ type, id, ...fields }), true);
  // A refused frame is not decoded, so its answer carries no id: the next error or our ok.
  return c.waitFor((f) => c.frames.indexOf(f) >= before && (f.id === id || (f.type === 'error' && f.id === null)));
}

const alive = async (c: TestClient) => expect((await c.ping()).type).toBe('pong');

describe('a request type that names a property of Object.prototype', () => {
  for (const codec of ['json', 'msgpack'] as const) {
    it(`is answered invalid over ${codec}, and the node stays up`, async () => {
      const c = await t.connect('p-stu-ek-1', { codec });
      for (const name of PROTOTYPE_NAMES) {
        const a = await c.request(name);
        expect(a, name).toMatchObject({ type: 'error', code: 'invalid', path: ['type'] });
      }
      await alive(c);
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    });
  }
});

describe('strings PostgreSQL cannot store are refused at the edge with invalid', () => {
  const bad = { nul: 'a\u0000b', surrogate: 'a\ud800b', lowSurrogate: '\udc00x' };
  // One mentor sends every request with a text field three times per codec, as fast as it can:
  // more than a connection's frame rate and a person's write budget, which have tests of their own.
  const saved = { writes: ABUSE_LIMITS.writesPerPerson, rate: SESSION_LIMITS.rate, burst: SESSION_LIMITS.burst };
  beforeAll(() => {
    ABUSE_LIMITS.writesPerPerson = { rate: 1e6, burst: 1e6 };
    Object.assign(SESSION_LIMITS, { rate: 1e6, burst: 1e6 });
  });
  afterAll(() => {
    ABUSE_LIMITS.writesPerPerson = saved.writes;
    Object.assign(SESSION_LIMITS, { rate: saved.rate, burst: saved.burst });
  });
  for (const codec of ['json', 'msgpack'] as const) {
    it(`names the field, over ${codec}, in several requests`, async () => {
      const mentor = await t.connect('p-mentor-ek', { codec });
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-1'], clientKey: `edge-${codec}` });
      for (const [what, s] of Object.entries(bad)) {
        const cases: [string, Record<string, unknown>, (string | number)[]][] = [
          ['message.send', { conversationId: conversation.id, body: s, clientKey: `k-${what}` }, ['body']],
          ['message.send', { conversationId: conversation.id, body: 'hej', clientKey: s }, ['clientKey']],
          ['message.send', { conversationId: s, body: 'hej', clientKey: `k2-${what}` }, ['conversationId']],
          ['post.create', { schoolId: 's-ekskolan', title: s, body: 'x', audience: { targets: [{ kind: 'school' }], recipients: { staff: true } }, clientKey: `p-${what}` }, ['title']],
          ['item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Plan', description: s, clientKey: `i-${what}` }, ['description']],
          ['messages.search', { query: s }, ['query']],
          ['conversation.start', { participantIds: ['p-stu-ek-2', s], clientKey: `c-${what}` }, ['participantIds', 1]],
          ['push.subscribe', { endpoint: `https://fcm.googleapis.com/fcm/send/${s}`, keys: { p256dh: 'x', auth: 'y' } }, ['endpoint']],
          ['push.subscribe', { endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: { p256dh: 'x', auth: 'y' }, label: s }, ['label']],
          ['push.unsubscribe', { endpoint: s }, ['endpoint']],
          ['reaction.set', { target: { kind: 'post', id: 'post_x' }, emoji: s, on: true }, ['emoji']],
          ['reaction.set', { target: { kind: 'message', id: s }, emoji: 'like', on: true }, ['target', 'id']],
          ['message.replyPrivately', { to: { kind: 'post', id: s }, body: 'hej', clientKey: `rp-${what}` }, ['to', 'id']],
          ['notifications.set', { preferences: { ...DEFAULT_PREFERENCES, quietHours: { start: '22:00', end: '06:00', timezone: s } } }, ['preferences', 'quietHours', 'timezone']],
        ];
        for (const [type, fields, path] of cases) {
          const a = await ask(mentor, type, fields);
          expect(a, `${type} ${what}`).toMatchObject({ type: 'error', code: 'invalid', path });
          expect(String(a.message)).toMatch(/PostgreSQL cannot store/);
        }
      }
      await alive(mentor);
    });

    it(`a create with a lone surrogate is refused the same way when retried, over ${codec}`, async () => {
      const c = await t.connect('p-mentor-ek', { codec });
      const { conversation } = await c.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-1'], clientKey: `edge-r-${codec}` });
      const send = () => ask(c, 'message.send', { conversationId: conversation.id, body: 'hej \ud83d', clientKey: `retry-${codec}` });
      const first = await send();
      const again = await send();
      expect(first).toMatchObject({ type: 'error', code: 'invalid', path: ['body'] });
      expect(again).toMatchObject({ type: 'error', code: 'invalid', path: ['body'] });
      // A well-formed pair is fine and an idempotent retry of it answers ok both times.
      const ok = () => c.request('message.send', { conversationId: conversation.id, body: 'hej \ud83d\ude00', clientKey: `retry-ok-${codec}` });
      const a = await ok();
      const b = await ok();
      expect(a.type).toBe('ok');
      expect(b).toMatchObject({ type: 'ok', result: (a as Frame & { result: unknown }).result });
    });
  }

  it('in the admin HTTP API: a guardian block reason, a path id, a bundle id', async () => {
    const headers = { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' };
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, { method: 'POST', headers, body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'court\u0000order' }) });
    expect(block.status).toBe(400);
    expect(await block.json()).toMatchObject({ error: { code: 'invalid', path: ['reason'] } });
    const exp = await fetch(`${t.url}/api/v1/export/p-stu-ek-1%00`, { headers });
    expect(exp.status).toBe(400);
    const bundle = JSON.parse(JSON.stringify((await import('../demo/district.ts')).demoBundle())) as { persons: { givenName: string }[] };
    bundle.persons[0]!.givenName = 'Ann\ud800a';
    const imp = await t.importBundle(bundle);
    expect(imp.status).toBe(400);
    expect(imp.body).toMatchObject({ error: { code: 'invalid', path: ['persons', 0, 'givenName'] } });
  });
});

describe('frames over the hard limit', () => {
  for (const codec of ['json', 'msgpack'] as const) {
    it(`close the connection with 1009 (${codec})`, async () => {
      const c = await t.connect('p-stu-ek-1', { codec });
      c.sendRaw(codec === 'json' ? JSON.stringify({ type: 'ping', id: '1', pad: 'x'.repeat(LIMITS.hardFrameBytes) }) : Buffer.alloc(LIMITS.hardFrameBytes + 10));
      expect((await c.closed).code).toBe(1009);
    });
  }

  it('up to uWS\'s own limit are closed with 1009 too; beyond it uWS cuts the connection (1006, documented)', async () => {
    const near = await t.connect('p-stu-ek-1');
    near.sendRaw(Buffer.alloc(LIMITS.uwsFrameBytes));
    expect((await near.closed).code).toBe(1009);
    const over = await t.connect('p-stu-ek-1');
    over.sendRaw(Buffer.alloc(LIMITS.uwsFrameBytes + 1));
    expect((await over.closed).code).toBe(1006);
    const still = await t.connect('p-stu-ek-1');
    await alive(still);
  });
});

describe('msgpack extensions and records', () => {
  // Each of these decodes to something other than plain maps, arrays, strings, numbers,
  // booleans, nil and binary with a default msgpackr; the hub refuses them before decoding.
  const rich = new Packr({ useRecords: false, moreTypes: true, mapsAsObjects: false, structuredClone: false });
  const records = new Packr({ useRecords: true });
  const ext: [string, Buffer | Uint8Array][] = [
    ['Set', rich.pack({ type: 'ping', id: '1', x: new Set([1]) })],
    ['Map', rich.pack(new Map<string, unknown>([['type', 'ping'], ['id', '1'], ['x', new Map([[1, 2]])]]))],
    ['RegExp', rich.pack({ type: 'ping', id: '1', x: /a+/ })],
    ['Error', rich.pack({ type: 'ping', id: '1', x: new Error('boom') })],
    ['Uint8Array as typed array', rich.pack({ type: 'ping', id: '1', x: new Float64Array([1, 2]) })],
    ['Date', rich.pack({ type: 'ping', id: '1', x: new Date(0) })],
    ['BigInt', rich.pack({ type: 'ping', id: '1', x: 2n ** 70n })],
    ['a record', records.pack({ type: 'ping', id: '1' })],
  ];
  for (const [name, bytes] of ext) {
    it(`refuses ${name} with invalid`, async () => {
      const c = await t.connect('p-stu-ek-1', { codec: 'msgpack' });
      c.sendRaw(Buffer.from(bytes), true);
      const a = await c.waitFor((f) => f.type === 'error' || f.type === 'pong');
      expect(a).toMatchObject({ type: 'error', code: 'invalid' });
      await alive(c);
    });
  }
  it('refuses a custom extension type', async () => {
    class Point { constructor(readonly x: number) {} }
    addExtension({ Class: Point, type: 42, write: (p: Point) => p.x, read: (x: number) => new Point(x) });
    const c = await t.connect('p-stu-ek-1', { codec: 'msgpack' });
    c.sendRaw(Buffer.from(new Packr({ useRecords: false }).pack({ type: 'ping', id: '1', x: new Point(1) })), true);
    expect(await c.waitFor((f) => f.type === 'error' || f.type === 'pong')).toMatchObject({ type: 'error', code: 'invalid' });
  });
});
