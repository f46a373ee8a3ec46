// The directory import API: validated, all or nothing, idempotent, ends what is no longer named.
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { readFileSync } from 'node:fs';
import { startTestHub, TEST_ADMIN, TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { demoBundle } from '../demo/district.ts';
import { startHub } from '../node.ts';
import { loadConfig } from '../config.ts';
import { TestClient } from '../testing/client.ts';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, connection) => {
  t = hub;
  db = connection;
});

const count = async () => (await db<{ n: number }[]>`select count(*)::int as n from directory_records where ended_at is null`)[0]!.n;

describe('POST /api/v1/directory/import', () => {
  it('is idempotent: the same bundle again changes nothing', async () => {
    const again = await t.importBundle(demoBundle());
    expect(again).toEqual({ status: 200, body: { changed: 0, ended: 0, unchanged: expect.any(Number) } });
  });

  it('refuses a bad record with the path to it and writes nothing', async () => {
    const before = await count();
    const bundle = demoBundle();
    (bundle.persons[3] as { givenName: unknown }).givenName = 42;
    const bad = await t.importBundle(bundle);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid', path: ['persons', 3, 'givenName'] } });
    expect(await count()).toBe(before);
  });

  it('refuses a dangling reference with its path and writes nothing, even when other records changed', async () => {
    const before = await count();
    const bundle = demoBundle();
    bundle.persons[0]!.givenName = 'Ändrad';
    bundle.groups[0]!.groupMemberships!.push({ person: { id: 'p-ghost' } });
    const bad = await t.importBundle(bundle);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid', path: ['groups', 0, 'groupMemberships', expect.any(Number), 'person', 'id'] } });
    expect(await count()).toBe(before);
    const [p] = await db<{ name: string }[]>`select data->>'givenName' as name from directory_records where kind = 'person' and id = ${bundle.persons[0]!.id}`;
    expect(p!.name).not.toBe('Ändrad');
  });

  it('refuses without the admin token, and a body that is not JSON', async () => {
    const res = await fetch(`${t.url}/api/v1/directory/import`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    const notJson = await fetch(`${t.url}/api/v1/directory/import`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}` }, body: '{"persons": [' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid' } });
  });

  it('ends what a covering bundle no longer names, keeps history, and rights follow at once', async () => {
    const mentor = await t.connect('p-mentor-bj');
    const guardian = await t.connect('p-gua-bj-4a');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-bj-4a'], clientKey: 'end-1' });
    const bundle = demoBundle();
    // p-stu-bj-4 leaves class 4B: the class mentor no longer mentors the child.
    const cls = bundle.groups.find((g) => g.id === 'g-bj-4b')!;
    cls.groupMemberships = cls.groupMemberships!.filter((m) => m.person.id !== 'p-stu-bj-4');
    // …and the activity of Svenska 4 is dropped from the bundle: it is ended.
    bundle.activities = bundle.activities.filter((a) => a.id !== 'a-bj-sv4');
    const res = await t.importBundle(bundle);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: 1, ended: 1 });
    const [ended] = await db<{ ended_at: Date | null }[]>`select ended_at from directory_records where kind = 'activity' and id = 'a-bj-sv4'`;
    expect(ended!.ended_at).not.toBeNull();
    const [history] = await db<{ n: number }[]>`select count(*)::int as n from directory_history where kind = 'group' and id = 'g-bj-4b'`;
    expect(history!.n).toBe(1);
    // The mentor may no longer write to the guardian (their child left the class).
    const refused = await mentor.request('message.send', { conversationId: conversation.id, body: 'Hej', clientKey: 'end-m1' });
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(guardian.events('message.created')).toHaveLength(0);
    // The district comes back: the same ids return, rights with them.
    const back = await t.importBundle(demoBundle());
    expect(back.body).toMatchObject({ changed: 2 });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Hej igen', clientKey: 'end-m2' });
  });

  it('imports the documented sample bundle', async () => {
    const sample = JSON.parse(readFileSync(new URL('../../docs/directory-sample.json', import.meta.url), 'utf8'));
    expect((await t.importBundle(sample)).status).toBe(200);
  });
});

describe('a person imported on another node', () => {
  it('can connect here at once, though the broadcast of the import never arrived', async () => {
    // Two nodes on one database, each with its own in-process broker: node B never hears
    // of node A's import, as when Redis drops the message or is still routing the channel.
    const a = await startTestHub({ bundle: null });
    const b = await startHub({
      config: loadConfig({ DATABASE_URL: a.databaseUrl, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, PORT: '0', HOST: '127.0.0.1', HUB_DEMO: '0' }),
      log: () => {},
    });
    try {
      expect((await a.importBundle(demoBundle())).status).toBe(200);
      const c = await TestClient.open(`${b.url.replace(/^http/, 'ws')}/ws`);
      const welcome = await c.hello(await a.token('p-stu-ek-6'));
      expect(welcome).toMatchObject({ user: { id: 'p-stu-ek-6' } });
      c.terminate();
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});

describe('health and metrics', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ database: true, broker: true, draining: false });
    const c = await t.connect('p-stu-ek-1');
    await c.ping();
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/^schoolhub_connections\{state="open"\} [1-9]/m);
    expect(text).toMatch(/^schoolhub_frames_in_total [1-9]/m);
    expect(text).toContain('# TYPE schoolhub_fanout_seconds histogram');
    expect(text).toMatch(/^schoolhub_directory_imports_total\{result="ok"\} [1-9]/m);
  });

  it('times every request by its type, and every write, whatever the answer', async () => {
    const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
    const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
    const sends = 'schoolhub_request_seconds_count{type="message.send"}';
    const writes = 'schoolhub_write_seconds_count';
    const mentor = await t.connect('p-mentor-bj');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-bj-4a'], clientKey: 'metrics-1' });
    const before = await metrics();
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Hej', clientKey: 'metrics-2' });
    // Refused before it writes: timed as a request, not as a write.
    expect(await mentor.request('message.send', { conversationId: 'c-none', body: 'Hej', clientKey: 'metrics-3' })).toMatchObject({ type: 'error', code: 'not_found' });
    const after = await metrics();
    expect(value(after, sends) - value(before, sends)).toBe(2);
    expect(value(after, writes) - value(before, writes)).toBe(1);
    // A histogram's buckets count up to its total, and its labels sit beside `le`.
    expect(value(after, 'schoolhub_request_seconds_bucket{type="message.send",le="+Inf"}')).toBe(value(after, sends));
    expect(value(after, 'schoolhub_write_seconds_bucket{le="+Inf"}')).toBe(value(after, writes));
    expect(value(after, 'schoolhub_write_seconds_sum')).toBeGreaterThan(0);
  });
});
