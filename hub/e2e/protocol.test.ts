// The wire protocol's edges: subprotocols, origins, hello, tokens, invalid frames, limits.
import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { TestClient } from '../testing/client.ts';
import { SESSION_LIMITS } from '../session.ts';
import { ABUSE_LIMITS } from '../limits.ts';

let t: TestHub;
useTestHub((hub) => (t = hub), { env: { HUB_ALLOWED_ORIGINS: 'https://portal.example' } });

async function open(opts: { codec?: 'msgpack' | 'json'; origin?: string } = {}): Promise<TestClient> {
  return TestClient.open(t.wsUrl, opts);
}

describe('upgrade', () => {
  it('refuses an origin outside HUB_ALLOWED_ORIGINS and accepts a listed one', async () => {
    await expect(open({ origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = await open({ origin: 'https://portal.example' });
    expect((await ok.hello(await t.token('p-stu-ek-1'))).type).toBe('welcome');
  });

  it('refuses a connection without a schoolhub subprotocol', async () => {
    await expect(TestClient.open(t.wsUrl, { protocol: 'chat' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('hello', () => {
  it('welcomes with the user, roles and a cursor, in both codecs', async () => {
    for (const codec of ['msgpack', 'json'] as const) {
      const c = await open({ codec });
      const w = await c.hello(await t.token('p-mentor-ek'));
      expect(w).toMatchObject({ type: 'welcome', resumed: false, user: { id: 'p-mentor-ek' } });
      expect(typeof w.cursor).toBe('string');
      const roles = (w.user as { roles: { role: string }[] }).roles.map((r) => r.role);
      expect(roles).toEqual(expect.arrayContaining(['teacher', 'mentor']));
      c.close();
    }
  });

  it('closes with 4001 when no hello comes in time', async () => {
    const saved = SESSION_LIMITS.helloMs;
    SESSION_LIMITS.helloMs = 300;
    try {
      const c = await open();
      expect((await c.closed).code).toBe(4001);
    } finally {
      SESSION_LIMITS.helloMs = saved;
    }
  });

  it('closes with 4002 when the first frame is not a hello', async () => {
    const c = await open();
    c.send({ type: 'ping', id: '1' });
    expect((await c.closed).code).toBe(4002);
    const garbage = await open();
    garbage.sendRaw(Buffer.from([0xc1, 0xff, 0x00]));
    expect((await garbage.closed).code).toBe(4002);
  });

  const badTokens: [string, () => Promise<string>][] = [
    ['signed with another secret', () => t.token('p-stu-ek-1', { secret: 'another-secret-that-is-long-enough-000000' })],
    ['wrong audience', () => t.token('p-stu-ek-1', { audience: 'someone-else' })],
    ['wrong issuer', () => t.token('p-stu-ek-1', { issuer: 'evil' })],
    ['expired', () => t.token('p-stu-ek-1', { ttlSeconds: -60 })],
    ['a sub that is not in the directory', () => t.token('p-nobody')],
    ['alg none', async () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'p-stu-ek-1', iss: 'schoolhub-dev', aud: 'schoolhub', exp: now + 600 })}.`;
    }],
    ['no exp', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('p-stu-ek-1').setIssuer('schoolhub-dev').setAudience('schoolhub').sign(new TextEncoder().encode(TEST_SECRET))],
  ];
  for (const [name, make] of badTokens) {
    it(`closes with 4003 for a token: ${name}`, async () => {
      const c = await open();
      c.send({ type: 'hello', token: await make() });
      expect((await c.closed).code).toBe(4003);
    });
  }
});

describe('tokens over time', () => {
  it('closes with 4003 when the token expires, unless refreshed with auth', async () => {
    const short = await open();
    await short.hello(await t.token('p-stu-ek-2', { ttlSeconds: 1 }));
    const refreshed = await open();
    await refreshed.hello(await t.token('p-stu-ek-2', { ttlSeconds: 1 }));
    const ok = await refreshed.request('auth', { token: await t.token('p-stu-ek-2', { ttlSeconds: 600 }) });
    expect(ok).toMatchObject({ type: 'ok' });
    const closed = await short.closed;
    expect(closed).toMatchObject({ code: 4003, reason: 'token expired' });
    // The refreshed one is still there.
    expect((await refreshed.ping()).type).toBe('pong');
  });

  it('closes with 4003 when auth brings a token for another person', async () => {
    const c = await t.connect('p-stu-ek-3');
    c.send({ type: 'auth', id: 'a', token: await t.token('p-stu-ek-4') });
    expect((await c.closed).code).toBe(4003);
  });
});

describe('frames', () => {
  it('answers invalid with the path to the field', async () => {
    const c = await t.connect('p-mentor-ek');
    expect(await c.request('message.send', { conversationId: 'x', body: '', clientKey: 'k' })).toMatchObject({ type: 'error', code: 'invalid', path: ['body'] });
    expect(await c.request('post.create', {
      schoolId: 's-ekskolan', title: 't', body: 'b', clientKey: 'k',
      audience: { targets: [{ kind: 'group' }], recipients: { students: true } },
    })).toMatchObject({ type: 'error', code: 'invalid', path: ['audience', 'targets', 0, 'groupId'] });
    expect(await c.request('feed.get', { limit: 'many' })).toMatchObject({ type: 'error', code: 'invalid', path: ['limit'] });
    expect(await c.request('no.such.thing')).toMatchObject({ type: 'error', code: 'invalid', path: ['type'] });
  });

  it('answers too_large for an oversized field and for a frame over 64 KiB, and stays open', async () => {
    const c = await t.connect('p-mentor-ek');
    expect(await c.request('message.send', { conversationId: 'x', body: 'x'.repeat(9000), clientKey: 'k' })).toMatchObject({ type: 'error', code: 'too_large', path: ['body'] });
    c.send({ type: 'ping', id: 'big', pad: 'x'.repeat(70 * 1024) });
    const err = await c.waitFor((f) => f.type === 'error' && f.code === 'too_large' && f.id === null);
    expect(err.message).toMatch(/65536/);
    expect((await c.ping()).type).toBe('pong');
  });

  it('answers invalid for bytes that are not a frame, in the JSON codec too', async () => {
    const c = await t.connect('p-mentor-ek', { codec: 'json' });
    c.sendRaw('{"type": "ping", "id":', false);
    expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'invalid', id: null });
    c.sendRaw('[1,2,3]', false);
    expect(await c.waitFor((f) => f.type === 'error' && f.message === 'a frame is a map')).toMatchObject({ code: 'invalid' });
  });

  it('rate-limits a flood: rate_limited first, then close 4008', async () => {
    const c = await t.connect('p-stu-ek-1');
    for (let i = 0; i < SESSION_LIMITS.burst + SESSION_LIMITS.floodClose + 5; i++) c.send({ type: 'ping', id: String(i) });
    await c.waitFor((f) => f.type === 'error' && f.code === 'rate_limited');
    expect((await c.closed).code).toBe(4008);
  });
});

describe('backpressure', () => {
  it('closes a reader that does not drain with 4009, and it resumes with its cursor', async () => {
    const saved = { ...SESSION_LIMITS };
    const savedWrites = ABUSE_LIMITS.writesPerPerson;
    ABUSE_LIMITS.writesPerPerson = { rate: 100_000, burst: 100_000 };
    SESSION_LIMITS.slowReaderBytes = 64 * 1024;
    SESSION_LIMITS.rate = 100_000;
    SESSION_LIMITS.burst = 100_000;
    try {
      const mentor = await t.connect('p-mentor-ek');
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-5'], clientKey: 'bp' });
      const slow = await t.connect('p-stu-ek-5');
      const cursor = slow.lastCursor()!;
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const body = 'x'.repeat(7900);
      // Keep writing until the hub gives up on the reader: how much the kernel's socket
      // buffers absorb first differs from machine to machine.
      const closes = () => t.hub.core.metrics.closes.get({ code: '4009' });
      const before = closes();
      let sent = 0;
      while (closes() === before && sent < 4500) { // under maxReplay, so the resume replays all
        const batch = [];
        for (let i = 0; i < 50; i++) batch.push(mentor.request('message.send', { conversationId: conversation.id, body, clientKey: `bp${sent++}` }));
        await Promise.all(batch);
      }
      expect(closes()).toBe(before + 1);
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      // The close frame waits behind everything queued; a reader that slow may get the TCP
      // connection cut before it reads that far (1006). Either way it comes back with its cursor.
      expect([4009, 1006]).toContain((await slow.closed).code);
      const again = await t.connect('p-stu-ek-5', { cursor });
      await again.waitFor((f) => f.type === 'event' && f.event === 'sync.done', 30_000);
      const seqs = again.events('message.created').map((e) => (e.data as { message: { seq: number } }).message.seq);
      expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    } finally {
      Object.assign(SESSION_LIMITS, saved);
      ABUSE_LIMITS.writesPerPerson = savedWrites;
    }
  }, 120_000);
});
