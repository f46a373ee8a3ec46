// The hot paths the bench exercises, checked for correctness by counting: an event is
// encoded once per codec however many connections receive it; the in-process broker gets
// one publish per audience topic and event; a mailing to every school of a district is one
// stored row, one event and one publish per audience topic, whatever the number of recipients.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../hub/testing/harness.ts';
import type { TestClient } from '../hub/testing/client.ts';
import { CODECS } from '../hub/protocol/codec.ts';
import { CountingBroker, isControlTopic } from './lib/counting-broker.ts';
import { guardiansOf, syntheticDistrict, type DistrictSize } from './district.ts';
import { readersOf } from './lib/load-context.ts';
import type { DistrictPlan } from './district.ts';

const SMALL: DistrictSize = { schools: 2, classesPerSchool: 2, studentsPerClass: 4, subjectsPerClass: 1, guardiansPerStudent: 2 };
const LARGER: DistrictSize = { schools: 2, classesPerSchool: 5, studentsPerClass: 12, subjectsPerClass: 2, guardiansPerStudent: 2 };

interface Started {
  t: TestHub;
  broker: CountingBroker;
  plan: DistrictPlan;
}

async function start(size: DistrictSize): Promise<Started> {
  const broker = new CountingBroker({ record: true });
  const { bundle, plan } = syntheticDistrict(size);
  const t = await startTestHub({ bundle, hub: { broker } });
  return { t, broker, plan };
}

const isEvent = (name: string) => (f: { type: string; event?: unknown }) => f.type === 'event' && f.event === name;

async function schoolPost(leader: TestClient, schoolId: string, key: string): Promise<string> {
  const { post } = await leader.ok<{ post: { id: string } }>('post.create', {
    schoolId, title: 'Info', body: 'Hej alla!', clientKey: key,
    audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: true, staff: false } },
  });
  return post.id;
}

describe('fan-out hot path', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start(SMALL);
  });
  afterAll(async () => {
    await s?.t.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('encodes an event once per codec, however many connections of each codec receive it', async () => {
    const school = s.plan.schools[0]!;
    const readers = readersOf(s.plan, 0);
    const clients = await Promise.all(readers.map((p, i) => s.t.connect(p, { codec: i % 2 === 0 ? 'msgpack' : 'json' })));
    const leader = await s.t.connect(school.leader);
    const msgpack = vi.spyOn(CODECS.msgpack, 'encode');
    const json = vi.spyOn(CODECS.json, 'encode');
    await schoolPost(leader, school.id, 'enc-1');
    const got = await Promise.all(clients.map((c) => c.waitFor(isEvent('post.created'))));
    const cursor = got[0]!.cursor;
    expect(got.every((f) => f.cursor === cursor)).toBe(true);
    // Replies ("ok") are encoded per connection; the event frame exactly once per codec.
    const encodesOf = (spy: typeof msgpack) => spy.mock.calls.filter(([frame]) => (frame as { type?: string; cursor?: string }).type === 'event' && (frame as { cursor?: string }).cursor === cursor).length;
    expect(readers.length).toBeGreaterThanOrEqual(8);
    expect(encodesOf(msgpack)).toBe(1);
    expect(encodesOf(json)).toBe(1);
    // And every reader got it exactly once.
    await new Promise((r) => setTimeout(r, 100));
    for (const c of clients) expect(c.events('post.created').filter((f) => f.cursor === cursor)).toHaveLength(1);
  });

  it('publishes one broker message per audience topic and event, never one per recipient', async () => {
    const school = s.plan.schools[1]!;
    const clients = await Promise.all(readersOf(s.plan, 1).map((p) => s.t.connect(p)));
    const leader = await s.t.connect(school.leader);
    const from = s.broker.records!.length;
    await schoolPost(leader, school.id, 'topics-1');
    await Promise.all(clients.map((c) => c.waitFor(isEvent('post.created'))));
    const all = s.broker.records!.slice(from);
    const records = all.filter((r) => r.name === 'post.created');
    const topics = records.map((r) => r.topic);
    expect(new Set(records.map((r) => r.eventId)).size).toBe(1);
    expect(new Set(topics).size).toBe(topics.length);
    expect(topics.sort()).toEqual([`lead:${school.id}`, `p:${school.leader}`, `sg:${school.id}`, `ss:${school.id}`].sort());
    // Besides the audience: at most one control message for the event (its tick).
    expect(all.filter((r) => isControlTopic(r.topic) && r.eventId === records[0]!.eventId).length).toBeLessThanOrEqual(1);
  });

  it('publishes a message once per participant topic', async () => {
    const school = s.plan.schools[0]!;
    const cls = school.classes[0]!;
    const student = cls.students[0]!;
    const [guardian] = guardiansOf(s.plan, student);
    const g = await s.t.connect(guardian!);
    const m = await s.t.connect(cls.mentor);
    const { conversation } = await g.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [cls.mentor], clientKey: 'c-1' });
    const from = s.broker.records!.length;
    await g.ok('message.send', { conversationId: conversation.id, body: 'Hej!', clientKey: 'm-1' });
    await m.waitFor(isEvent('message.created'));
    const records = s.broker.records!.slice(from).filter((r) => r.name === 'message.created');
    expect(records.map((r) => r.topic).sort()).toEqual([`p:${cls.mentor}`, `p:${guardian}`].sort());
  });
});

describe('a mailing to every school', () => {
  let small: Started;
  let larger: Started;
  beforeAll(async () => {
    small = await start(SMALL);
    larger = await start(LARGER);
  });
  afterAll(async () => {
    await small?.t.stop();
    await larger?.t.stop();
  });

  async function mail(s: Started): Promise<{ publishes: number; rows: number; events: number; recipients: number }> {
    const plan = s.plan;
    const readers = readersOf(plan, 0);
    const clients = await Promise.all(readers.map((p) => s.t.connect(p)));
    const hoo = await s.t.connect(plan.hoo);
    const from = s.broker.records!.length;
    const postgres = (await import('postgres')).default;
    const sql = postgres(s.t.databaseUrl, { max: 1, onnotice: () => {} });
    const count = async () => (await sql<{ m: number; e: number }[]>`select (select count(*) from mailings)::int as m, (select count(*) from events)::int as e`)[0]!;
    const before = await count();
    await hoo.ok('mailing.create', {
      districtId: plan.districtId, schoolIds: plan.schools.map((x) => x.id), title: 'Till alla', body: 'Hej alla skolor!',
      recipients: { students: true, guardians: true, staff: true }, clientKey: 'mail-1',
    });
    await Promise.all(clients.map((c) => c.waitFor(isEvent('mailing.created'))));
    const after = await count();
    await sql.end();
    const all = s.broker.records!.slice(from);
    const records = all.filter((r) => r.name === 'mailing.created');
    expect(new Set(records.map((r) => r.topic)).size).toBe(records.length);
    expect(all.filter((r) => isControlTopic(r.topic) && r.eventId === records[0]!.eventId).length).toBeLessThanOrEqual(1);
    return { publishes: records.length, rows: after.m - before.m, events: after.e - before.e, recipients: plan.persons - 1 };
  }

  it('is one row, one event and one publish per audience topic, for a small and a larger district alike', async () => {
    const a = await mail(small);
    const b = await mail(larger);
    expect(b.recipients).toBeGreaterThan(a.recipients * 3);
    for (const r of [a, b]) {
      expect(r.rows).toBe(1);
      expect(r.events).toBe(1);
      // The author, and staff, students and guardians of each of the two schools.
      expect(r.publishes).toBe(1 + 3 * 2);
    }
  });
});
