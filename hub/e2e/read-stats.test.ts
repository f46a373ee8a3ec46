// Read statistics of posts and mailings over real connections and PostgreSQL (docs/DOMAIN.md
// "Read statistics"; docs/PROTOCOL.md post.stats.get, post.unread.get, post.remind): who sees
// the figures and the "not read" list (the author, the school's leaders; a mailing's head of
// operations) and who does not; live updates; directory changes (a blocked guardian leaves the
// audience); a protected student in the list; the reminder, once a day.
//
// Demo district: p-mentor-ek mentors g-ek-7a (Klass 7A: p-stu-ek-1..6, 11 guardians);
// p-leader-ek leads Ekskolan; p-stu-ek-6 (Hugo Larsson) has a protected identity, p-gua-ek-6a
// is his guardian; p-gua-ek-1a is a guardian of p-stu-ek-1 (7A) and of p-stu-bj-1 (Björkskolan).
import { describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { DEMO } from '../demo/district.ts';

interface Part { part: string; audience: number; read: number }
interface Stats { itemId: string; kind: string; parts: Part[]; reminder: { sentAt: string | null; nextAt: string | null } }
interface Unread { people: { id: string; name: string }[]; next: string | null }

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, connection) => {
  t = hub;
  db = connection;
});

let keyNo = 0;
const ck = () => `rs-${++keyNo}`;
const guardians7a = DEMO.studentsEk.flatMap((s) => (DEMO.guardiansOf as unknown as Record<string, string[]>)[s] ?? []);
const figures = (s: Stats) => Object.fromEntries(s.parts.map((p) => [p.part, `${p.read}/${p.audience}`]));
const about = (itemId: string, name?: string) => (f: Frame) => f.type === 'event' && (name === undefined || f.event === name) && JSON.stringify(f.data).includes(itemId);
async function receivedNone(c: TestClient, pred: (f: Frame) => boolean): Promise<void> {
  await c.ping();
  await new Promise((r) => setTimeout(r, 100));
  expect(c.frames.filter(pred)).toHaveLength(0);
}

async function classPost(mentor: TestClient): Promise<string> {
  const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
    schoolId: 's-ekskolan', title: 'Utflykt', body: 'På fredag åker vi till skogen.', clientKey: ck(),
    audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } },
  });
  return post.id;
}

async function unreadAll(c: TestClient, itemId: string, part: string, limit = 4): Promise<Unread['people']> {
  const out: Unread['people'] = [];
  let after: string | undefined;
  for (;;) {
    const page = await c.ok<Unread>('post.unread.get', { itemId, part, limit, ...(after ? { after } : {}) });
    out.push(...page.people);
    if (!page.next) return out;
    after = page.next;
  }
}

describe('read statistics of a post', () => {
  it('the author and the school leader see "read by n of m" per part, live; nobody else sees anything', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const leader = await t.connect('p-leader-ek');
    const itemId = await classPost(mentor);
    const first = await mentor.ok<Stats>('post.stats.get', { itemId });
    expect(first).toMatchObject({ itemId, kind: 'post', reminder: { sentAt: null, nextAt: null } });
    expect(figures(first)).toEqual({ students: '0/6', guardians: `0/${guardians7a.length}` });
    expect(await leader.ok<Stats>('post.stats.get', { itemId })).toEqual(first);

    // Everyone else: the same answer as for an unknown id (a guardian and a student of the class,
    // the school's admin and reader, who read every post there, a teacher, another school's leader).
    const unknown = await mentor.request('post.stats.get', { itemId: 'post_nope' });
    expect(unknown).toMatchObject({ type: 'error', code: 'not_found', path: ['itemId'] });
    const others = await Promise.all(['p-gua-ek-2a', 'p-stu-ek-2', 'p-admin-ek', 'p-reader-ek', 'p-teacher-ek', 'p-leader-bj', 'p-hoo'].map((p) => t.connect(p)));
    for (const c of others) {
      for (const [type, extra] of [['post.stats.get', {}], ['post.unread.get', { part: 'guardians' }], ['post.remind', {}]] as const) {
        const answer = await c.request(type, { itemId, ...extra });
        expect({ ...answer, id: unknown.id }).toEqual(unknown);
      }
    }

    // A guardian reads: the author and the leader hear the new figures; the other guardians,
    // the students and the admin hear nothing of who read.
    const reader = others[0]!;
    await reader.ok('feed.read', { itemIds: [itemId] });
    for (const c of [mentor, leader]) {
      const live = await c.waitFor((f) => about(itemId, 'post.stats')(f) && figures(f.data as Stats).guardians === `1/${guardians7a.length}`);
      expect(figures(live.data as Stats)).toEqual({ students: '0/6', guardians: `1/${guardians7a.length}` });
    }
    for (const c of others.slice(1)) await receivedNone(c, about(itemId, 'post.stats'));
    await receivedNone(others[1]!, about(itemId, 'feed.read'));
    // A read twice, or on another device, counts once.
    await reader.ok('feed.read', { itemIds: [itemId] });
    await reader.ok('feed.readAll');
    expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId }))).toEqual({ students: '0/6', guardians: `1/${guardians7a.length}` });
    // The figure is a counter, at the directory every node has loaded, into which the marks are
    // folded within a second or so: a statistics read recounts nothing while the directory
    // stays the same.
    const counters = async () => (await db<{ part: string; at: string; readers: number; latest: string }[]>`
      select part, directory_import::text as at, readers, (select max(id)::text from directory_imports) as latest from feed_read_counts where item_id = ${itemId} order by part`)
      .map((c) => [c.part, c.readers, c.at === c.latest]);
    await expect.poll(counters, { timeout: 5_000 }).toEqual([['guardians', 1, true], ['staff', 0, true], ['students', 0, true]]);
    expect(await db`select 1 from feed_read_deltas where item_id = ${itemId}`).toHaveLength(0);
  });

  it('counts every read when reads, statistics reads and their recounts race', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const itemId = await classPost(mentor);
    // Stale from the start (no statistics read yet): the first reads race the first recount.
    const readers = await Promise.all(guardians7a.map((g) => t.connect(g)));
    await Promise.all([
      ...readers.map((c) => c.ok('feed.read', { itemIds: [itemId] })),
      ...Array.from({ length: 6 }, () => mentor.ok('post.stats.get', { itemId })),
    ]);
    expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId }))).toEqual({ students: '0/6', guardians: `${guardians7a.length}/${guardians7a.length}` });
    // And a recount from scratch says the same.
    await db`update feed_read_counts set directory_import = -1, readers = 0 where item_id = ${itemId}`;
    expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId }))).toEqual({ students: '0/6', guardians: `${guardians7a.length}/${guardians7a.length}` });
  });

  it('lists who has not read it, by name and in pages, a protected student included for staff; audited', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const itemId = await classPost(mentor);
    for (const p of ['p-stu-ek-1', 'p-gua-ek-3a', 'p-gua-ek-3b']) await (await t.connect(p)).ok('feed.read', { itemIds: [itemId] });
    const students = await unreadAll(mentor, itemId, 'students', 2);
    expect(students.map((p) => p.id).sort()).toEqual(DEMO.studentsEk.filter((s) => s !== 'p-stu-ek-1').sort());
    expect(students).toContainEqual({ id: 'p-stu-ek-6', name: 'Hugo Larsson' });
    const names = students.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'sv')));
    const guardians = await unreadAll(mentor, itemId, 'guardians', 3);
    expect(guardians.map((p) => p.id).sort()).toEqual(guardians7a.filter((g) => g !== 'p-gua-ek-3a' && g !== 'p-gua-ek-3b').sort());
    expect(new Set(guardians.map((p) => p.id)).size).toBe(guardians.length); // no page repeats one
    // A part the post does not address is empty; a cursor not from the hub is refused.
    expect(await mentor.ok<Unread>('post.unread.get', { itemId, part: 'staff' })).toMatchObject({ people: [], next: null });
    expect(await mentor.request('post.unread.get', { itemId, part: 'students', after: 'nope' })).toMatchObject({ type: 'error', code: 'invalid', path: ['after'] });
    // The mentor's read of Hugo's name is in the audit log.
    await new Promise((r) => setTimeout(r, 300));
    const audited = await db`select 1 from audit_log where actor_id = 'p-mentor-ek' and operation = 'post.unread.get' and subject_id = 'p-stu-ek-6'`;
    expect(audited.length).toBeGreaterThan(0);
  });

  it('follows the directory: a guardian blocked for the child leaves the audience and their read stops counting', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const itemId = await classPost(mentor);
    const maria = await t.connect('p-gua-ek-1a');
    await maria.ok('feed.read', { itemIds: [itemId] });
    await (await t.connect('p-gua-ek-2a')).ok('feed.read', { itemIds: [itemId] });
    expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId })).guardians).toBe(`2/${guardians7a.length}`);
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }),
    });
    expect(block.status).toBeLessThan(300);
    try {
      expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId })).guardians).toBe(`1/${guardians7a.length - 1}`);
      // A guardian who reads while blocked is no reader of it, and is not listed as unread either.
      expect((await maria.ok<{ itemIds: string[] }>('feed.read', { itemIds: [itemId] })).itemIds).toEqual([]);
      expect((await unreadAll(mentor, itemId, 'guardians')).map((p) => p.id)).not.toContain('p-gua-ek-1a');
      // The counter keeps counting at the new directory.
      await (await t.connect('p-gua-ek-4a')).ok('feed.read', { itemIds: [itemId] });
      expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId })).guardians).toBe(`2/${guardians7a.length - 1}`);
    } finally {
      await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    }
    // Back in the audience, with the read they made before.
    expect(figures(await mentor.ok<Stats>('post.stats.get', { itemId })).guardians).toBe(`3/${guardians7a.length}`);
  });

  it('a reminder reaches those who have not read it, once a day; not those who read, the blocked, or other classes', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const leader = await t.connect('p-leader-ek');
    const itemId = await classPost(mentor);
    const readerG = await t.connect('p-gua-ek-2a');
    await readerG.ok('feed.read', { itemIds: [itemId] });
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1' }),
    });
    expect(block.status).toBeLessThan(300);
    try {
      const notRead = await Promise.all(['p-gua-ek-2b', 'p-gua-ek-6a', 'p-stu-ek-6', 'p-stu-ek-3'].map((p) => t.connect(p)));
      const notReminded = await Promise.all(['p-gua-ek-1a', 'p-gua-bj-2a', 'p-stu-bj-2', 'p-admin-ek', 'p-teacher-ek'].map((p) => t.connect(p)));
      const sent = await mentor.ok<{ sentAt: string; recipients: number }>('post.remind', { itemId });
      // 6 students and 10 guardians (one blocked) minus the one who read.
      expect(sent.recipients).toBe(6 + guardians7a.length - 1 - 1);
      for (const c of notRead) {
        const got = await c.waitFor(about(itemId, 'post.reminder'));
        expect(got.data).toEqual({ itemId, kind: 'post', title: 'Utflykt', authorId: 'p-mentor-ek', authorName: 'Eva Nyström', schoolId: 's-ekskolan', sentAt: sent.sentAt });
      }
      for (const c of [readerG, ...notReminded]) await receivedNone(c, about(itemId, 'post.reminder'));
      // Once a day per item, whoever asks: the leader too is told when the next may go.
      const again = await leader.request('post.remind', { itemId });
      expect(again).toMatchObject({ type: 'error', code: 'rate_limited', path: ['itemId'] });
      expect(String(again.message)).toContain(sent.sentAt);
      expect((await mentor.ok<Stats>('post.stats.get', { itemId })).reminder).toEqual({ sentAt: sent.sentAt, nextAt: new Date(Date.parse(sent.sentAt) + 86_400_000).toISOString() });
      // A day later it may go again.
      await db`update feed_reminders set sent_at = sent_at - interval '24 hours' where item_id = ${itemId}`;
      expect((await leader.ok<{ recipients: number }>('post.remind', { itemId })).recipients).toBe(sent.recipients);
    } finally {
      await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    }
  });
});

describe('read statistics of a mailing', () => {
  it('its head of operations sees them; the schools\' leaders and readers do not; staff who read uncounted', async () => {
    const hoo = await t.connect('p-hoo');
    const { mailing } = await hoo.ok<{ mailing: { id: string } }>('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan'], title: 'Lov', body: 'Sportlov vecka 9.', recipients: { guardians: true }, clientKey: ck(),
    });
    const itemId = mailing.id;
    const stats = await hoo.ok<Stats>('post.stats.get', { itemId });
    expect(stats.kind).toBe('mailing');
    expect(stats.parts.map((p) => p.part)).toEqual(['guardians']);
    const audience = stats.parts[0]!.audience;
    expect(audience).toBeGreaterThanOrEqual(guardians7a.length);
    await (await t.connect('p-gua-ek-5a')).ok('feed.read', { itemIds: [itemId] });
    await (await t.connect('p-teacher-ek')).ok('feed.read', { itemIds: [itemId] }); // staff read it, are not its audience
    const live = await hoo.waitFor((f) => about(itemId, 'post.stats')(f) && (f.data as Stats).parts[0]!.read === 1);
    expect(figures(live.data as Stats)).toEqual({ guardians: `1/${audience}` });
    const unknown = await hoo.request('post.stats.get', { itemId: 'mail_nope' });
    for (const p of ['p-leader-ek', 'p-reader-ek', 'p-gua-ek-5b']) {
      const c = await t.connect(p);
      expect({ ...(await c.request('post.stats.get', { itemId })), id: unknown.id }).toEqual(unknown);
      await receivedNone(c, about(itemId, 'post.stats'));
    }
  });
});
