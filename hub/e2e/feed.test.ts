// Posts and mailings over real connections: who receives them live, who reads them in the
// feed, and that a refused create stores nothing.
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { type TestHub } from '../testing/harness.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import type { TestClient } from '../testing/client.ts';
import { DEMO, demoBundle } from '../demo/district.ts';
import { postLetters } from '../testing/feed.ts';
import { GROUP_COMMIT } from '../publisher.ts';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, connection) => {
  t = hub;
  db = connection;
});

const students = (ids: readonly string[]) => [...ids];
const guardiansOf = (ids: readonly string[]) => ids.flatMap((s) => (DEMO.guardiansOf as unknown as Record<string, string[]>)[s] ?? []);
const count = async (rows: Promise<{ n: number }[]>) => (await rows)[0]?.n ?? 0;

/** Connects everyone, runs `act`, then reports who got an event named `name` with the given item id. */
async function whoReceives(people: string[], name: string, act: () => Promise<string>): Promise<Set<string>> {
  const clients = new Map<string, TestClient>();
  for (const p of [...new Set(people)]) clients.set(p, await t.connect(p));
  const id = await act();
  // The event is published before the ok is sent; give other sockets a moment to read theirs.
  await new Promise((r) => setTimeout(r, 150));
  const got = new Set<string>();
  for (const [p, c] of clients) {
    if (c.events(name).some((e) => JSON.stringify(e.data).includes(id))) got.add(p);
    c.close();
  }
  return got;
}

const everyoneEk = [
  ...DEMO.studentsEk, ...guardiansOf(DEMO.studentsEk), 'p-mentor-ek', 'p-teacher-ek', 'p-leader-ek', 'p-admin-ek', 'p-reader-ek',
  'p-stu-bj-2', 'p-gua-bj-2a', 'p-teacher-bj', 'p-hoo',
];

describe('posts', () => {
  it("a student's post.create is forbidden and nothing is stored", async () => {
    const student = await t.connect('p-stu-ek-1');
    const before = await count(db`select count(*)::int as n from posts`);
    const answer = await student.request('post.create', {
      schoolId: 's-ekskolan', title: 'Fest', body: 'hos mig', clientKey: 'st1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true } },
    });
    expect(answer).toMatchObject({ type: 'error', code: 'forbidden' });
    const after = await count(db`select count(*)::int as n from posts`);
    const events = await count(db`select count(*)::int as n from events where name = 'post.created'`);
    expect(after).toBe(before);
    expect(events).toBe(before);
  });

  it("a teacher's post to a group reaches its students and their guardians live, and nobody else", async () => {
    const teacher = await t.connect('p-teacher-ek');
    const got = await whoReceives(everyoneEk, 'post.created', async () => {
      const { post } = await teacher.ok<{ post: { id: string } }>('post.create', {
        schoolId: 's-ekskolan', title: 'Prov i matte', body: 'På torsdag.', clientKey: 'tp1',
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true, guardians: true } },
      });
      return post.id;
    });
    const ma7 = ['p-stu-ek-1', 'p-stu-ek-2', 'p-stu-ek-3', 'p-stu-ek-4'];
    // Leaders, admins and readers of the school read every post there (docs/DOMAIN.md §1); the
    // author's own devices get it too.
    expect(got).toEqual(new Set([...students(ma7), ...guardiansOf(ma7), 'p-leader-ek', 'p-admin-ek', 'p-reader-ek', 'p-teacher-ek']));
  });

  it('a post to part of a group reaches exactly those students and their guardians', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const chosen = ['p-stu-ek-2', 'p-stu-ek-5'];
    const got = await whoReceives(everyoneEk, 'post.created', async () => {
      const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
        schoolId: 's-ekskolan', title: 'Glömda kläder', body: 'Hämta i receptionen.', clientKey: 'part1',
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a', memberIds: chosen }], recipients: { students: true, guardians: true } },
      });
      return post.id;
    });
    expect(got).toEqual(new Set([...chosen, ...guardiansOf(chosen), 'p-leader-ek', 'p-admin-ek', 'p-reader-ek', 'p-mentor-ek']));
    // The feed of a student who was not chosen does not show it; a chosen one's does.
    const other = await t.connect('p-stu-ek-3');
    const { items } = await other.ok<{ items: { title: string }[] }>('feed.get');
    expect(items.map((i) => i.title)).not.toContain('Glömda kläder');
    const chosenGuardian = await t.connect('p-gua-ek-5b');
    const theirs = await chosenGuardian.ok<{ items: { title: string; audience: unknown }[] }>('feed.get');
    expect(theirs.items.map((i) => i.title)).toContain('Glömda kläder');
    // Who else was chosen is not shown to a family.
    expect(JSON.stringify(theirs.items[0]!.audience)).not.toContain('p-stu-ek-2');
  });

  it('a school admin cannot target staff; a school leader can', async () => {
    const admin = await t.connect('p-admin-ek');
    const staffTarget = await admin.request('post.create', {
      schoolId: 's-ekskolan', title: 'Personalmöte', body: 'kl 15', clientKey: 'a1',
      audience: { targets: [{ kind: 'school' }], recipients: { staff: true } },
    });
    expect(staffTarget).toMatchObject({ type: 'error', code: 'forbidden', path: ['audience', 'recipients', 'staff'] });
    const personTarget = await admin.request('post.create', {
      schoolId: 's-ekskolan', title: 'Till dig', body: 'hej', clientKey: 'a2',
      audience: { targets: [{ kind: 'person', personId: 'p-teacher-ek' }], recipients: {} },
    });
    expect(personTarget).toMatchObject({ type: 'error', code: 'forbidden', path: ['audience', 'targets', 0, 'personId'] });
    const schoolWide = await admin.request('post.create', {
      schoolId: 's-ekskolan', title: 'Lov', body: 'Sportlov vecka 9', clientKey: 'a3',
      audience: { targets: [{ kind: 'school' }], recipients: { students: true, guardians: true } },
    });
    expect(schoolWide.type).toBe('ok');
    const leader = await t.connect('p-leader-ek');
    const got = await whoReceives(everyoneEk, 'post.created', async () => {
      const { post } = await leader.ok<{ post: { id: string } }>('post.create', {
        schoolId: 's-ekskolan', title: 'APT', body: 'Arbetsplatsträff', clientKey: 'l1',
        audience: { targets: [{ kind: 'school' }], recipients: { staff: true } },
      });
      return post.id;
    });
    expect(got).toEqual(new Set(['p-mentor-ek', 'p-teacher-ek', 'p-admin-ek', 'p-reader-ek', 'p-leader-ek']));
  });

  it('a retried post.create with the same clientKey returns the stored post and publishes once', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const fields = {
      schoolId: 's-ekskolan', title: 'Läxa', body: 'Sidan 12', clientKey: 'same-key',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    };
    const [a, b] = await Promise.all([teacher.ok<{ post: { id: string } }>('post.create', fields), teacher.ok<{ post: { id: string } }>('post.create', fields)]);
    expect(a.post.id).toBe(b.post.id);
    const n = await count(db`select count(*)::int as n from posts where client_key = 'same-key'`);
    expect(n).toBe(1);
    // Later, alone: the same answer, still one row, one event, and its three read counters.
    const c = await teacher.ok<{ post: { id: string } }>('post.create', fields);
    expect(c.post.id).toBe(a.post.id);
    expect(await count(db`select count(*)::int as n from events where name = 'post.created' and data->'post'->>'id' = ${a.post.id}`)).toBe(1);
    expect(await count(db`select count(*)::int as n from feed_read_counts where item_id = ${a.post.id}`)).toBe(3);
    // The same key for other words is a conflict, and writes nothing.
    expect(await teacher.request('post.create', { ...fields, body: 'Sidan 13' })).toMatchObject({ type: 'error', code: 'conflict', path: ['clientKey'] });
    expect(await count(db`select count(*)::int as n from posts where client_key = 'same-key'`)).toBe(1);
  });

  it('a retry sharing a group commit with new posts neither fails them nor sends the batch to be retried alone', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const post = (clientKey: string) => ({
      schoolId: 's-ekskolan', title: `Läxa ${clientKey}`, body: 'Sidan 14', clientKey,
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    });
    const first = await teacher.ok<{ post: { id: string } }>('post.create', post('batch-0'));
    const stats = t.hub.core.publisher.stats;
    const alone = stats.retriedAlone;
    // One batch at a time: the first write commits alone, the four sent with it queue meanwhile and share the next commit.
    const concurrency = GROUP_COMMIT.concurrency;
    GROUP_COMMIT.concurrency = 1;
    const batches = stats.batches;
    const answers = await Promise.all([post('batch-0'), post('batch-1'), post('batch-2'), post('batch-0'), post('batch-3')].map((f) => teacher.ok<{ post: { id: string } }>('post.create', f)))
      .finally(() => (GROUP_COMMIT.concurrency = concurrency));
    expect(stats.batches - batches).toBeLessThan(5);
    expect(answers[0]!.post.id).toBe(first.post.id);
    expect(answers[3]!.post.id).toBe(first.post.id);
    expect(new Set(answers.map((a) => a.post.id)).size).toBe(4);
    expect(stats.retriedAlone).toBe(alone);
    expect(await count(db`select count(*)::int as n from posts where client_key like 'batch-%'`)).toBe(4);
    expect(await count(db`select count(*)::int as n from feed_read_counts where item_id in (select id from posts where client_key like 'batch-%')`)).toBe(12);
  });

  it('what readers get live is the stored post: event, answer and feed agree; a retry sends no second event', async () => {
    type Item = { id: string; title: string; createdAt: string; [k: string]: unknown };
    const teacher = await t.connect('p-teacher-ek');
    const reader = await t.connect('p-stu-ek-2', { codec: 'json' });
    // Sent at once, so that they share group commits; the same clientKey three times among them.
    const post = (i: number) => ({
      schoolId: 's-ekskolan', title: `Live ${i}`, body: 'Sidan 20', clientKey: `live-post-${i}`,
      ask: i === 2 ? { kind: 'choice', options: ['Ja', 'Nej'], deadline: '2099-01-01T12:00:00Z' } : undefined,
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7', ...(i === 3 ? { memberIds: ['p-stu-ek-2'] } : {}) }], recipients: { students: true, guardians: i % 2 === 0 } },
    });
    const requests = [0, 1, 2, 3, 4, 5, 0, 0, 3].map(post);
    const answers = await Promise.all(requests.map((r) => teacher.ok<{ post: Item }>('post.create', r)));
    expect(answers[6]!.post).toEqual(answers[0]!.post);
    expect(answers[8]!.post).toEqual(answers[3]!.post);
    const { items } = await reader.ok<{ items: (Item & { kind: string; read: boolean; reactions?: unknown; answers?: unknown })[] }>('feed.get', { limit: 30 });
    const stored = items.filter((i) => i.title.startsWith('Live '));
    expect(stored.map((i) => i.title).sort()).toEqual(['Live 0', 'Live 1', 'Live 2', 'Live 3', 'Live 4', 'Live 5']);
    for (const { kind: _k, read: _r, reactions: _x, answers: _a, ...item } of stored) {
      expect(item.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const live = await reader.waitFor((f) => f.type === 'event' && f.event === 'post.created' && (f.data as { post: Item }).post.id === item.id);
      expect((live.data as { post: Item }).post).toEqual(item);
      expect(answers.find((a) => a.post.id === item.id)?.post).toEqual(item);
    }
    await reader.ping();
    expect(reader.frames.filter((f) => f.type === 'event' && f.event === 'post.created')).toHaveLength(6);
    expect(await count(db`select count(*)::int as n from events where name = 'post.created' and data->'post'->>'title' like 'Live %'`)).toBe(6);
    expect(await count(db`select count(*)::int as n from feed_read_counts where item_id in (select id from posts where client_key like 'live-post-%')`)).toBe(18);
  });

  it('a student removed from a group loses its posts at once', async () => {
    const student = await t.connect('p-stu-ek-4');
    const teacher = await t.connect('p-teacher-ek');
    await teacher.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Bara för matte', body: '...', clientKey: 'rm1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    });
    expect((await student.ok<{ items: { title: string }[] }>('feed.get')).items.map((i) => i.title)).toContain('Bara för matte');
    const bundle = demoBundle();
    const group = bundle.groups.find((g) => g.id === 'g-ek-ma7')!;
    group.groupMemberships = group.groupMemberships!.filter((m) => m.person.id !== 'p-stu-ek-4');
    expect((await t.importBundle(bundle)).status).toBe(200);
    expect((await student.ok<{ items: { title: string }[] }>('feed.get')).items.map((i) => i.title)).not.toContain('Bara för matte');
    // …and no longer receives new ones live.
    await teacher.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Nytt i matte', body: '...', clientKey: 'rm2',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(student.events('post.created').map((e) => JSON.stringify(e.data))).not.toContainEqual(expect.stringContaining('Nytt i matte'));
    expect((await t.importBundle(demoBundle())).status).toBe(200); // put the district back
  });

  it('feed pages newest first, and read state is per reader across devices', async () => {
    const teacher = await t.connect('p-teacher-bj');
    await postLetters(teacher, 5, 'Veckobrev', 'vb');
    const phone = await t.connect('p-gua-bj-3a');
    const laptop = await t.connect('p-gua-bj-3a', { codec: 'json' });
    const page1 = await phone.ok<{ items: { id: string; title: string; read: boolean }[]; next: string }>('feed.get', { limit: 3 });
    expect(page1.items.map((i) => i.title)).toEqual(['Veckobrev 4', 'Veckobrev 3', 'Veckobrev 2']);
    const page2 = await phone.ok<{ items: { title: string }[]; next: string | null }>('feed.get', { limit: 3, before: page1.next });
    expect(page2.items.map((i) => i.title)).toEqual(['Veckobrev 1', 'Veckobrev 0']);
    expect(page1.items.every((i) => !i.read)).toBe(true);
    await phone.ok('feed.read', { itemIds: [page1.items[0]!.id] });
    const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'feed.read');
    expect(ev.data).toEqual({ personId: 'p-gua-bj-3a', itemIds: [page1.items[0]!.id] });
    const again = await laptop.ok<{ items: { id: string; read: boolean }[] }>('feed.get', { limit: 3 });
    expect(again.items.map((i) => i.read)).toEqual([true, false, false]);
    // Another guardian's read state is their own.
    const other = await t.connect('p-gua-bj-3b');
    expect((await other.ok<{ items: { read: boolean }[] }>('feed.get', { limit: 1 })).items[0]!.read).toBe(false);
  });
});

describe('mailings', () => {
  it("a head of operations' mailing reaches the guardians of the chosen schools and no other school", async () => {
    const hoo = await t.connect('p-hoo');
    const people = [...everyoneEk, 'p-gua-bj-3a', 'p-stu-bj-3', 'p-mentor-bj', 'p-gua-child-1', 'p-pre-teacher', 'p-gua-an-1', 'p-leader-an'];
    const got = await whoReceives(people, 'mailing.created', async () => {
      const { mailing } = await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
        districtId: 'd-exempel', schoolIds: ['s-bjorkskolan'], title: 'Skolval', body: 'Dags för skolval.', clientKey: 'm1',
        recipients: { guardians: true },
      });
      return mailing.id;
    });
    // Guardians of Björkskolan's students (p-gua-ek-1a has a child there), and its staff.
    expect(got).toEqual(new Set(['p-gua-bj-2a', 'p-gua-bj-3a', 'p-gua-ek-1a', 'p-teacher-bj', 'p-mentor-bj', 'p-hoo']));
  });

  it('a retried mailing.create returns the stored mailing, stored and published once; other words under its key are a conflict', async () => {
    const hoo = await t.connect('p-hoo');
    const fields = { districtId: 'd-exempel', schoolIds: ['s-ekskolan'], title: 'Skolval', body: 'Sista dag fredag.', clientKey: 'mr1', recipients: { guardians: true } };
    const [a, b] = await Promise.all([hoo.ok<{ mailing: { id: string } }>('mailing.create', fields), hoo.ok<{ mailing: { id: string } }>('mailing.create', fields)]);
    const c = await hoo.ok<{ mailing: { id: string } }>('mailing.create', fields);
    expect(new Set([a.mailing.id, b.mailing.id, c.mailing.id]).size).toBe(1);
    expect(await count(db`select count(*)::int as n from mailings where client_key = 'mr1'`)).toBe(1);
    expect(await count(db`select count(*)::int as n from events where name = 'mailing.created' and data->'mailing'->>'id' = ${a.mailing.id}`)).toBe(1);
    expect(await count(db`select count(*)::int as n from feed_read_counts where item_id = ${a.mailing.id}`)).toBe(3);
    expect(await hoo.request('mailing.create', { ...fields, title: 'Annat' })).toMatchObject({ type: 'error', code: 'conflict', path: ['clientKey'] });
  });

  it('what guardians get live is the stored mailing: event, answer and feed agree; a retry sends no second event', async () => {
    type Item = { id: string; title: string; createdAt: string; [k: string]: unknown };
    const hoo = await t.connect('p-hoo');
    const guardian = await t.connect('p-gua-bj-2a', { codec: 'json' });
    const mailing = (i: number) => ({ districtId: 'd-exempel', schoolIds: ['s-bjorkskolan', 's-bjorkskolan'], title: `Live ${i}`, body: 'Läs mer.', clientKey: `live-mail-${i}`, recipients: { guardians: true, staff: i === 1 } });
    const answers = await Promise.all([0, 1, 2, 0, 0].map(mailing).map((r) => hoo.ok<{ mailing: Item }>('mailing.create', r)));
    expect(answers[3]!.mailing).toEqual(answers[0]!.mailing);
    expect(answers[4]!.mailing).toEqual(answers[0]!.mailing);
    const { items } = await guardian.ok<{ items: (Item & { kind: string; read: boolean })[] }>('feed.get', { limit: 30 });
    const stored = items.filter((i) => i.kind === 'mailing' && i.title.startsWith('Live '));
    expect(stored.map((i) => i.title).sort()).toEqual(['Live 0', 'Live 1', 'Live 2']);
    for (const { kind: _k, read: _r, ...item } of stored) {
      const live = await guardian.waitFor((f) => f.type === 'event' && f.event === 'mailing.created' && (f.data as { mailing: Item }).mailing.id === item.id);
      expect((live.data as { mailing: Item }).mailing).toEqual(item);
      expect(answers.find((a) => a.mailing.id === item.id)?.mailing).toEqual(item);
    }
    await guardian.ping();
    expect(guardian.frames.filter((f) => f.type === 'event' && f.event === 'mailing.created')).toHaveLength(3);
  });

  it('only a head of operations may send, and only to schools of their district', async () => {
    const leader = await t.connect('p-leader-ek');
    expect(await leader.request('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan'], title: 'x', body: 'y', clientKey: 'n1', recipients: { guardians: true },
    })).toMatchObject({ type: 'error', code: 'forbidden' });
    const hoo = await t.connect('p-hoo');
    expect(await hoo.request('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan', 's-annan'], title: 'x', body: 'y', clientKey: 'n2', recipients: { guardians: true },
    })).toMatchObject({ type: 'error', code: 'not_found', path: ['schoolIds', 1] });
    const n = await count(db`select count(*)::int as n from mailings where client_key in ('n1', 'n2')`);
    expect(n).toBe(0);
  });

  it('a mailing to every school is one row and one publish per audience topic', async () => {
    const hoo = await t.connect('p-hoo');
    const published = t.hub.core.metrics.published;
    const before = published.get({ codec: 'msgpack' }) + published.get({ codec: 'json' });
    await hoo.ok('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan', 's-bjorkskolan', 's-solrosen'], title: 'Alla', body: 'Till alla', clientKey: 'all1',
      recipients: { students: true, guardians: true, staff: true },
    });
    const n = await count(db`select count(*)::int as n from mailings where client_key = 'all1'`);
    expect(n).toBe(1);
    const keys = (await db<{ keys: string[] }[]>`select keys from mailings where client_key = 'all1'`)[0]?.keys ?? [];
    // author + 3 schools × (staff, students, guardians)
    expect(keys.length).toBe(10);
    const after = published.get({ codec: 'msgpack' }) + published.get({ codec: 'json' });
    expect(after - before).toBeLessThanOrEqual(10); // at most one local publish per topic that has listeners here
  });
});
