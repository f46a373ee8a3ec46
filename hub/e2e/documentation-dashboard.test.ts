// The reader's documentation dashboard (docs/DOMAIN.md §4, docs/PROTOCOL.md `documentation.dashboard`)
// over real connections: a school's preschool documentation newest first and paged, filtered by
// child group, with the curriculum goals worked on counted over the same filter; only for the
// reader of the school; the protected child is named to the reader (staff) and the read is audited.
//
// Demo district with a second child group at Förskolan Solrosen (hub/testing/preschool.ts):
// Lingon (g-sol-lingon), where Saga (p-child-3) is placed and marked protected; p-pre-teacher
// works in both groups. p-reader-sol is the reader of Solrosen, p-reader-ek of Ekskolan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { SAGA, twoChildGroupsBundle } from '../testing/preschool.ts';

const READER = 'p-reader-sol';
const TEACHER = 'p-pre-teacher';

interface Documentation {
  id: string;
  groupId: string;
  title: string;
  goals: string[];
  children: { id: string; name: string }[];
}
interface Dashboard {
  school: { id: string; name: string };
  schools: { id: string; name: string }[];
  groups: { id: string; name: string }[];
  total: number;
  goals: { goal: string; count: number }[];
  documentation: Documentation[];
  next: string | null;
}

let t: TestHub;
let teacher: TestClient;
let keyNo = 0;
const ck = () => `dash-${++keyNo}`;

async function write(fields: { groupId: string; childIds?: string[]; title: string; goals?: string[] }): Promise<Documentation> {
  return (await teacher.ok<{ documentation: Documentation }>('documentation.create', { body: `${fields.title}.`, ...fields, clientKey: ck() })).documentation;
}

const ids = (d: Dashboard) => d.documentation.map((x) => x.id);
const docs: Record<string, Documentation> = {};

beforeAll(async () => {
  t = await startTestHub({ bundle: twoChildGroupsBundle() });
  teacher = await t.connect(TEACHER);
  // Written in this order, so newest first is the reverse.
  docs.tower = await write({ groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Astrid bygger', goals: ['Matematik: former och mönster', 'Skapande'] });
  docs.forest = await write({ groupId: 'g-sol-blabar', title: 'Skogsdag', goals: ['Natur och miljö', 'Matematik: former och mönster'] });
  docs.saga = await write({ groupId: 'g-sol-lingon', childIds: [SAGA], title: 'Saga målar', goals: ['Skapande', 'Skapande', 'Matematik: former och mönster'] });
  docs.plain = await write({ groupId: 'g-sol-lingon', title: 'Vila' });
});
afterAll(async () => {
  await t?.stop();
});

describe('documentation.dashboard: what the reader of a preschool sees', () => {
  it("shows the school's documentation newest first, its child groups and the goals worked on", async () => {
    const reader = await t.connect(READER);
    const d = await reader.ok<Dashboard>('documentation.dashboard', {});
    expect(d.school).toEqual({ id: 's-solrosen', name: 'Förskolan Solrosen' });
    expect(d.schools).toEqual([{ id: 's-solrosen', name: 'Förskolan Solrosen' }]);
    expect(d.groups).toEqual([{ id: 'g-sol-blabar', name: 'Blåbär' }, { id: 'g-sol-lingon', name: 'Lingon' }]);
    expect(ids(d)).toEqual([docs.plain!.id, docs.saga!.id, docs.forest!.id, docs.tower!.id]);
    expect(d.next).toBeNull();
    // A goal counts documentation (a goal written twice in one counts it once), most first, then by name.
    expect(d.total).toBe(4);
    expect(d.goals).toEqual([
      { goal: 'Matematik: former och mönster', count: 3 },
      { goal: 'Skapande', count: 2 },
      { goal: 'Natur och miljö', count: 1 },
    ]);
    // Staff see every child a documentation is about, the protected child too (as documentation.get shows them).
    const forest = d.documentation.find((x) => x.id === docs.forest!.id)!;
    expect(forest.children.map((c) => c.id)).toEqual(['p-child-1', 'p-child-2']);
    const saga = d.documentation.find((x) => x.id === docs.saga!.id)!;
    expect(saga.children).toEqual([{ id: SAGA, name: 'Saga Hansson' }]);
    const one = await reader.ok<{ documentation: Documentation }>('documentation.get', { documentationId: docs.saga!.id });
    expect(saga).toEqual(one.documentation);
    // Naming the school gives the same.
    expect(await reader.ok<Dashboard>('documentation.dashboard', { schoolId: 's-solrosen' })).toEqual(d);
  });

  it('filters by child group: the documentation and the goal summary alike', async () => {
    const reader = await t.connect(READER);
    const lingon = await reader.ok<Dashboard>('documentation.dashboard', { schoolId: 's-solrosen', groupId: 'g-sol-lingon' });
    expect(ids(lingon)).toEqual([docs.plain!.id, docs.saga!.id]);
    expect(lingon.total).toBe(2);
    expect(lingon.goals).toEqual([{ goal: 'Matematik: former och mönster', count: 1 }, { goal: 'Skapande', count: 1 }]);
    expect(lingon.groups.map((g) => g.id)).toEqual(['g-sol-blabar', 'g-sol-lingon']);
    const blabar = await reader.ok<Dashboard>('documentation.dashboard', { groupId: 'g-sol-blabar' });
    expect(ids(blabar)).toEqual([docs.forest!.id, docs.tower!.id]);
    expect(blabar.total).toBe(2);
    expect(blabar.goals).toEqual([
      { goal: 'Matematik: former och mönster', count: 2 },
      { goal: 'Natur och miljö', count: 1 },
      { goal: 'Skapande', count: 1 },
    ]);
  });

  it('pages with next as before, the summary on every page', async () => {
    const reader = await t.connect(READER);
    const first = await reader.ok<Dashboard>('documentation.dashboard', { limit: 3 });
    expect(ids(first)).toEqual([docs.plain!.id, docs.saga!.id, docs.forest!.id]);
    expect(first.next).toEqual(expect.any(String));
    const second = await reader.ok<Dashboard>('documentation.dashboard', { limit: 3, before: first.next });
    expect(ids(second)).toEqual([docs.tower!.id]);
    expect(second.next).toBeNull();
    expect({ total: second.total, goals: second.goals }).toEqual({ total: first.total, goals: first.goals });
    expect(await reader.request('documentation.dashboard', { before: 'not a cursor' })).toMatchObject({ type: 'error', code: 'invalid', path: ['before'] });
    expect(await reader.request('documentation.dashboard', { limit: 0 })).toMatchObject({ type: 'error', code: 'invalid', path: ['limit'] });
  });

  it('new documentation reaches the reader live and is on the dashboard', async () => {
    const reader = await t.connect(READER);
    const doc = await write({ groupId: 'g-sol-blabar', childIds: ['p-child-2'], title: 'Ebbe läser', goals: ['Språk och kommunikation'] });
    const ev = await reader.waitFor((f: Frame) => f.type === 'event' && f.event === 'documentation.created' && JSON.stringify(f.data).includes(doc.id));
    expect((ev.data as { documentation: Documentation }).documentation.children.map((c) => c.id)).toEqual(['p-child-2']);
    const d = await reader.ok<Dashboard>('documentation.dashboard', { limit: 1 });
    expect(ids(d)).toEqual([doc.id]);
    expect(d.total).toBe(5);
    expect(d.goals).toContainEqual({ goal: 'Språk och kommunikation', count: 1 });
  });

  it("writes the reader's read of the protected child's documentation to the audit log, and nothing about the others", async () => {
    const reader = await t.connect(READER);
    await reader.ok('documentation.dashboard', { groupId: 'g-sol-lingon' });
    const audit = async (personId: string) => {
      const res = await fetch(`${t.url}/api/v1/audit?personId=${personId}&limit=1000`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
      return ((await res.json()) as { entries: { actorId: string; operation: string; recordIds: string[] }[] }).entries;
    };
    const entries = (await audit(SAGA)).filter((e) => e.actorId === READER && e.operation === 'documentation.dashboard');
    // One entry per request: the documentation about Saga, and Lingon's about the whole group (Saga in it).
    const about = [docs.plain!.id, docs.saga!.id].sort();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.recordIds.every((id) => about.includes(id)))).toBe(true);
    expect(entries.some((e) => [...e.recordIds].sort().join() === about.join())).toBe(true);
    expect(await audit('p-child-1')).toEqual([]);
  });
});

describe('documentation.dashboard: everyone else', () => {
  it('another school’s reader, the teachers, families and unknown ids are refused; nothing leaks', async () => {
    const err = async (as: string, fields: Record<string, unknown>) => {
      const c = await t.connect(as);
      const answer = await c.request('documentation.dashboard', fields);
      c.close();
      return answer.type === 'error' ? { code: answer.code, path: answer.path } : answer;
    };
    const notFound = (path: string) => ({ code: 'not_found', path: [path] });
    // The reader of Ekskolan: Solrosen is no school of theirs.
    expect(await err('p-reader-ek', { schoolId: 's-solrosen' })).toEqual(notFound('schoolId'));
    expect(await err('p-reader-ek', { schoolId: 's-ekskolan', groupId: 'g-sol-blabar' })).toEqual(notFound('groupId'));
    // The preschool's own teacher reads their groups' documentation elsewhere: forbidden here (staff of the school).
    expect(await err(TEACHER, { schoolId: 's-solrosen' })).toEqual({ code: 'forbidden', path: ['schoolId'] });
    expect(await err(TEACHER, {})).toEqual({ code: 'forbidden', path: ['schoolId'] });
    // Other staff, a guardian of a child there, a student, the head of operations: not_found.
    for (const who of ['p-teacher-ek', 'p-admin-ek', 'p-leader-ek', 'p-gua-child-1', 'p-stu-ek-1', 'p-hoo']) {
      expect(await err(who, { schoolId: 's-solrosen' }), who).toEqual(notFound('schoolId'));
      expect(await err(who, {}), who).toMatchObject({ code: 'forbidden' });
    }
    // Ids that do not exist, and a group of another school under one's own.
    expect(await err(READER, { schoolId: 's-nope' })).toEqual(notFound('schoolId'));
    expect(await err(READER, { groupId: 'g-nope' })).toEqual(notFound('groupId'));
    expect(await err(READER, { groupId: 'g-ek-7a' })).toEqual(notFound('groupId'));
    expect(await err(READER, { schoolId: 's-annan' })).toEqual(notFound('schoolId'));
  });

  it("the reader of a school without child groups sees their school's (none) and nothing of the preschool", async () => {
    const reader = await t.connect('p-reader-ek');
    const d = await reader.ok<Dashboard>('documentation.dashboard', {});
    expect(d).toEqual({
      school: { id: 's-ekskolan', name: 'Ekskolan' }, schools: [{ id: 's-ekskolan', name: 'Ekskolan' }], groups: [], total: 0, goals: [], documentation: [], next: null,
    });
  });
});
