// Abuse limits: per person and per address, each with its documented answer and a metric.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { TestClient } from '../testing/client.ts';
import { ABUSE_LIMITS } from '../limits.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

/** Runs `fn` with one of ABUSE_LIMITS set to `value`, and puts the old value back after. */
async function withAbuseLimit<K extends keyof typeof ABUSE_LIMITS>(name: K, value: (typeof ABUSE_LIMITS)[K], fn: () => Promise<void>): Promise<void> {
  const saved = ABUSE_LIMITS[name];
  ABUSE_LIMITS[name] = value;
  try {
    await fn();
  } finally {
    ABUSE_LIMITS[name] = saved;
  }
}

const limited = async () => (await (await fetch(`${t.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('schoolhub_limited_total{'));

describe('abuse limits', () => {
  it('one person may hold only so many connections; the next hello is closed with 4008', async () => {
    await withAbuseLimit('connectionsPerPerson', 3, async () => {
      const open = [await t.connect('p-gua-ek-4a'), await t.connect('p-gua-ek-4a'), await t.connect('p-gua-ek-4a')];
      const extra = await TestClient.open(t.wsUrl);
      extra.send({ type: 'hello', token: await t.token('p-gua-ek-4a') });
      expect(await extra.closed).toMatchObject({ code: 4008, reason: 'too many connections for this person' });
      // Someone else is not affected, and a closed tab frees a place.
      expect((await t.connect('p-gua-ek-4b')).frames[0]!.type).toBe('welcome');
      open[0]!.close();
      await open[0]!.closed;
      expect((await t.connect('p-gua-ek-4a')).frames[0]!.type).toBe('welcome');
      expect(await limited()).toContainEqual(expect.stringContaining('limit="connections_per_person"'));
    });
  });

  it('too many connections from one address are refused at the upgrade with 429', async () => {
    const before = t.hub.sessions.all.size;
    await withAbuseLimit('connectionsPerAddress', before + 2, async () => {
      await TestClient.open(t.wsUrl);
      await TestClient.open(t.wsUrl);
      await expect(TestClient.open(t.wsUrl)).rejects.toMatchObject({ status: 429 });
    });
  });

  it('writes are limited per person over all devices: rate_limited, and reads still work', async () => {
    await withAbuseLimit('writesPerPerson', { rate: 1, burst: 5 }, async () => {
      const phone = await t.connect('p-mentor-bj');
      const laptop = await t.connect('p-mentor-bj');
      const { conversation } = await phone.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-bj-2'], clientKey: 'lim' });
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? phone : laptop).request('message.send', { conversationId: conversation.id, body: `${i}`, clientKey: `lim${i}` })));
      const codes = answers.map((a) => (a.type === 'ok' ? 'ok' : a.code));
      expect(codes.filter((c) => c === 'ok')).toHaveLength(4); // 5 in the burst, one spent on start
      expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(4);
      expect((await laptop.request('inbox.get')).type).toBe('ok');
    });
  });

  it('only writes take from the write budget: searches, dashboards and typing do not', async () => {
    await withAbuseLimit('writesPerPerson', { rate: 0.001, burst: 3 }, async () => {
      const mentor = await t.connect('p-mentor-ek');
      const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-stu-ek-1'], clientKey: 'budget' });
      // The per-connection frame limit is not what is tested here: a fresh connection per 30.
      for (let round = 0; round < 4; round++) {
        const c = await t.connect('p-mentor-ek');
        const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => c.request('messages.search', { query: `ord${i}` })));
        expect(answers.map((a) => a.type)).toEqual(Array(25).fill('ok'));
        c.close();
      }
      const more = await t.connect('p-mentor-ek');
      for (const [type, fields] of [
        ['students.search', { query: 'Al' }],
        ['typing', { conversationId: conversation.id, typing: true }],
        ['typing', { conversationId: conversation.id, typing: false }],
        ['contacts.get', {}],
        ['audience.get', {}],
      ] as const) expect((await more.request(type, fields)).type, type).toBe('ok');
      // 100 searches later the person can still send: two writes left of the three.
      expect((await more.request('message.send', { conversationId: conversation.id, body: 'still here', clientKey: 'b1' })).type).toBe('ok');
      expect((await more.request('message.send', { conversationId: conversation.id, body: 'and here', clientKey: 'b2' })).type).toBe('ok');
      expect(await more.request('message.send', { conversationId: conversation.id, body: 'over', clientKey: 'b3' })).toMatchObject({ type: 'error', code: 'rate_limited' });
    });
  });

  it('the HTTP API is limited per address with 429', async () => {
    await withAbuseLimit('httpPerAddress', { rate: 1, burst: 3 }, async () => {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${t.url}/api/v1/directory/import`, { method: 'POST', body: '{}' })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });
});
