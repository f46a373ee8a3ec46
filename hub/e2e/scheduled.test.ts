// Scheduled posts and mailings (docs/PROTOCOL.md "Scheduled posts and mailings"), over real
// connections and PostgreSQL: nothing reaches anyone but the author before the time; at the
// time each is published once, by whichever node looks first, with the rules and the
// directory as they are then; the author edits or cancels before then.
//
// The hub refuses a time less than a minute ahead, so the tests schedule a few minutes ahead
// and then move the stored time into the past, which is what the clock does for real; then
// they wait for the hub's own look (HUB_SCHEDULE_INTERVAL_MS, 100 ms here).
//
// Demo district: p-mentor-ek mentors g-ek-7a (p-stu-ek-1..6; p-stu-ek-6, Hugo, has a protected
// identity; his guardian is p-gua-ek-6a); p-gua-ek-1a/1b are p-stu-ek-1's guardians.
// p-teacher-bj teaches g-bj-sv4 at another school.
import { describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { loadConfig } from '../config.ts';
import { startHub } from '../node.ts';
import { TEST_ADMIN, TEST_SECRET, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { demoBundle } from '../demo/district.ts';

interface Scheduled { id: string; kind: string; state: string; publishAt: string; publishedId: string | null; failure: string | null; item: { title: string; body: string } }

let keyNo = 0;
const ck = () => `sch-${++keyNo}`;
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const toGuardians7A = (memberIds?: string[]) => ({
  targets: [{ kind: 'group', groupId: 'g-ek-7a', ...(memberIds ? { memberIds } : {}) }], recipients: { guardians: true },
});
const postCreated = (title: string) => (f: Frame) =>
  f.type === 'event' && f.event === 'post.created' && (f.data as { post: { title: string } }).post.title === title;
const scheduledChanged = (id: string, state: string) => (f: Frame) =>
  f.type === 'event' && f.event === 'scheduled.changed' && (f.data as { scheduled: Scheduled }).scheduled.id === id
  && (f.data as { scheduled: Scheduled }).scheduled.state === state;


describe('scheduled posts and mailings', () => {
  let t: TestHub;
  let db: postgres.Sql;
  useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)), { env: { HUB_SCHEDULE_INTERVAL_MS: '100' } });

  /** The clock reaches the item's time. */
  const due = (id: string) => db`update scheduled_items set publish_at = now() - interval '1 second' where id = ${id}`;
  const feedTitles = async (c: TestClient) => (await c.ok<{ items: { title: string }[] }>('feed.get', { limit: 50 })).items.map((i) => i.title);

  it('is seen by nobody but its author until its time, then published once to exactly its audience', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const mentorLaptop = await t.connect('p-mentor-ek', { codec: 'json' });
    const maria = await t.connect('p-gua-ek-1a');
    const jenny = await t.connect('p-gua-ek-6a'); // the protected student's guardian, in the audience
    const elsewhere = await t.connect('p-gua-bj-3a'); // a guardian of another school
    const title = `Utflykt ${ck()}`;
    const { scheduled } = await mentor.ok<{ scheduled: Scheduled }>('post.create', {
      schoolId: 's-ekskolan', title, body: 'Vi åker till skogen på fredag.', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck(),
    });
    expect(scheduled).toMatchObject({ kind: 'post', state: 'pending', publishedId: null, item: { title } });
    // The author's other device hears it; nobody else hears or finds anything.
    await mentorLaptop.waitFor(scheduledChanged(scheduled.id, 'pending'));
    for (const c of [maria, jenny, elsewhere]) {
      expect(await c.receivedSoFar((f) => f.type === 'event' && JSON.stringify(f.data).includes(title))).toHaveLength(0);
      expect(await feedTitles(c)).not.toContain(title);
      expect(await c.ok('scheduled.get')).toEqual({ items: [] });
    }
    expect((await mentor.ok<{ items: Scheduled[] }>('scheduled.get')).items.map((s) => s.id)).toContain(scheduled.id);

    await due(scheduled.id);
    for (const c of [maria, jenny]) await c.waitFor(postCreated(title));
    const done = await mentorLaptop.waitFor(scheduledChanged(scheduled.id, 'published'));
    const publishedId = (done.data as { scheduled: Scheduled }).scheduled.publishedId;
    expect(publishedId).toMatch(/^post_/);
    expect(await feedTitles(maria)).toContain(title);
    expect(await elsewhere.receivedSoFar(postCreated(title))).toHaveLength(0);
    expect(await feedTitles(elsewhere)).not.toContain(title);
    // Once: more looks publish nothing more.
    await t.hub.scheduled.publishDue();
    await maria.ping();
    expect(maria.frames.filter(postCreated(title))).toHaveLength(1);
    expect(await db`select id from posts where title = ${title}`).toHaveLength(1);
  });

  it('publishes by the directory as it is at the time: a guardian blocked meanwhile gets nothing, and no member is named', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const johan = await t.connect('p-gua-ek-1b');
    const jenny = await t.connect('p-gua-ek-6a');
    const title = `Bara för två familjer ${ck()}`;
    // A part-of-group post to Elsa's and Hugo's (protected) families.
    const { scheduled } = await mentor.ok<{ scheduled: Scheduled }>('post.create', {
      schoolId: 's-ekskolan', title, body: '…', audience: toGuardians7A(['p-stu-ek-1', 'p-stu-ek-6']), publishAt: inMinutes(10), clientKey: ck(),
    });
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: 'p-gua-ek-1a', childId: 'p-stu-ek-1', reason: 'test' }),
    });
    expect(block.status).toBeLessThan(300);
    try {
      await due(scheduled.id);
      const got = await jenny.waitFor(postCreated(title));
      await johan.waitFor(postCreated(title));
      // The view names no chosen member, so no family learns who else was addressed.
      expect(JSON.stringify(got.data)).not.toContain('p-stu-ek-6');
      expect(JSON.stringify(got.data)).not.toContain('p-stu-ek-1');
      expect(await maria.receivedSoFar(postCreated(title))).toHaveLength(0);
      expect(await feedTitles(maria)).not.toContain(title);
    } finally {
      await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=p-gua-ek-1a&childId=p-stu-ek-1`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    }
  });

  it('is edited and cancelled by its author only, and only before its time', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const other = await t.connect('p-teacher-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const { scheduled } = await mentor.ok<{ scheduled: Scheduled }>('post.create', {
      schoolId: 's-ekskolan', title: `Före ${ck()}`, body: 'Text', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck(),
    });
    const later = inMinutes(30);
    const { scheduled: edited } = await mentor.ok<{ scheduled: Scheduled }>('scheduled.update', { scheduledId: scheduled.id, title: `Efter ${ck()}`, publishAt: later });
    expect(edited).toMatchObject({ state: 'pending', item: { title: expect.stringMatching(/^Efter/), body: 'Text' } });
    expect(Date.parse(edited.publishAt)).toBe(Date.parse(later));
    // Someone else's, or none at all: the same answer.
    for (const [c, id] of [[other, scheduled.id], [maria, scheduled.id], [mentor, 'sched_none']] as const) {
      expect(await c.request('scheduled.update', { scheduledId: id, title: 'x' })).toMatchObject({ type: 'error', code: 'not_found' });
      expect(await c.request('scheduled.cancel', { scheduledId: id })).toMatchObject({ type: 'error', code: 'not_found' });
    }
    const { scheduled: cancelled } = await mentor.ok<{ scheduled: Scheduled }>('scheduled.cancel', { scheduledId: scheduled.id });
    expect(cancelled.state).toBe('cancelled');
    expect(await mentor.ok('scheduled.cancel', { scheduledId: scheduled.id })).toEqual({ scheduled: cancelled }); // again: the same
    expect(await mentor.request('scheduled.update', { scheduledId: scheduled.id, title: 'x' })).toMatchObject({ type: 'error', code: 'conflict' });
    // Its time passes: nothing is published.
    await due(scheduled.id);
    await t.hub.scheduled.publishDue();
    expect(await db`select id from posts where title = ${edited.item.title}`).toHaveLength(0);

    // Once published, neither edit nor cancel.
    const { scheduled: next } = await mentor.ok<{ scheduled: Scheduled }>('post.create', {
      schoolId: 's-ekskolan', title: `Publicerad ${ck()}`, body: 'Text', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck(),
    });
    await due(next.id);
    await t.hub.scheduled.publishDue();
    expect(await mentor.request('scheduled.cancel', { scheduledId: next.id })).toMatchObject({ type: 'error', code: 'conflict' });
    expect(await mentor.request('scheduled.update', { scheduledId: next.id, body: 'Ny' })).toMatchObject({ type: 'error', code: 'conflict' });
  });

  it('checks the create as post.create would, and refuses times too near, past or too far', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const base = { schoolId: 's-ekskolan', title: 'T', body: 'B', audience: toGuardians7A() };
    for (const publishAt of [inMinutes(-5), inMinutes(0.25), inMinutes(60 * 24 * 400)]) {
      expect(await mentor.request('post.create', { ...base, publishAt, clientKey: ck() })).toMatchObject({ type: 'error', code: 'invalid', path: ['publishAt'] });
    }
    expect(await mentor.request('post.create', { ...base, publishAt: 'tomorrow', clientKey: ck() })).toMatchObject({ type: 'error', code: 'invalid', path: ['publishAt'] });
    // A guardian may not post, now or later; nothing is stored.
    expect(await maria.request('post.create', { ...base, publishAt: inMinutes(5), clientKey: ck() })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await db`select id from scheduled_items where author_id = 'p-gua-ek-1a'`).toHaveLength(0);
    // The same clientKey again is the same item; for other words it is a conflict.
    const key = ck();
    const at = inMinutes(5);
    const a = await mentor.ok<{ scheduled: Scheduled }>('post.create', { ...base, publishAt: at, clientKey: key });
    expect(await mentor.ok('post.create', { ...base, publishAt: at, clientKey: key })).toEqual(a);
    expect(await mentor.request('post.create', { ...base, title: 'Annat', publishAt: at, clientKey: key })).toMatchObject({ type: 'error', code: 'conflict' });
  });

  it('asks the rules again at its time: an author who lost the right publishes nothing, and hears why', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const maria = await t.connect('p-gua-ek-1a');
    const title = `Efter bytet ${ck()}`;
    const { scheduled } = await mentor.ok<{ scheduled: Scheduled }>('post.create', {
      schoolId: 's-ekskolan', title, body: '…', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck(),
    });
    // The mentor hands Klass 7A over before the time.
    const bundle = demoBundle();
    delete bundle.duties!.find((d) => d.id === 'du-mentor-ek')!.assignmentRole;
    expect((await t.importBundle(bundle)).status).toBe(200);
    try {
      await due(scheduled.id);
      const failed = await mentor.waitFor(scheduledChanged(scheduled.id, 'failed'));
      expect((failed.data as { scheduled: Scheduled }).scheduled.failure).toMatch(/^forbidden: /);
      expect(await maria.receivedSoFar(postCreated(title))).toHaveLength(0);
      expect(await db`select id from posts where title = ${title}`).toHaveLength(0);
    } finally {
      expect((await t.importBundle(demoBundle())).status).toBe(200);
    }
  });

  it("is in its author's export, and in nobody else's", async () => {
    const mentor = await t.connect('p-mentor-ek');
    const title = `Exporteras ${ck()}`;
    await mentor.ok('post.create', { schoolId: 's-ekskolan', title, body: '…', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck() });
    const exportOf = async (personId: string) => {
      const res = await fetch(`${t.url}/api/v1/export/${personId}`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { data: Record<string, unknown> };
    };
    const mine = await exportOf('p-mentor-ek');
    expect((mine.data.scheduled as Scheduled[]).map((s) => s.item.title)).toContain(title);
    expect(JSON.stringify((await exportOf('p-gua-ek-1a')).data)).not.toContain(title);
  });

  it("a mailing too: the head of operations schedules, the district's guardians get it at its time", async () => {
    const head = await t.connect('p-hoo');
    const maria = await t.connect('p-gua-ek-1a');
    const title = `Skollov ${ck()}`;
    const { scheduled } = await head.ok<{ scheduled: Scheduled }>('mailing.create', {
      districtId: 'd-exempel', schoolIds: ['s-ekskolan'], title, body: 'Sportlov v. 9.', recipients: { guardians: true }, publishAt: inMinutes(5), clientKey: ck(),
    });
    expect(scheduled).toMatchObject({ kind: 'mailing', state: 'pending' });
    expect(await maria.receivedSoFar((f) => JSON.stringify(f).includes(title))).toHaveLength(0);
    await due(scheduled.id);
    await maria.waitFor((f) => f.type === 'event' && f.event === 'mailing.created' && JSON.stringify(f.data).includes(title));
  });

  it('is published once when the node that took it is gone, and once when nodes look at the same moment', async () => {
    // A second node on the same database takes the requests, then stops.
    const config = loadConfig({ DATABASE_URL: t.databaseUrl, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, PORT: '0', HOST: '127.0.0.1', HUB_DEMO: '0', HUB_SCHEDULE_INTERVAL_MS: '0' });
    const other = await startHub({ config, log: () => {} });
    const titles: string[] = [];
    const ids: string[] = [];
    try {
      const token = await t.token('p-mentor-ek');
      const { TestClient } = await import('../testing/client.ts');
      const c = await TestClient.open(`${other.url.replace(/^http/, 'ws')}/ws`);
      await c.hello(token);
      for (let i = 0; i < 12; i++) {
        const title = `Nod ${i} ${ck()}`;
        titles.push(title);
        const { scheduled } = await c.ok<{ scheduled: Scheduled }>('post.create', {
          schoolId: 's-ekskolan', title, body: '…', audience: toGuardians7A(), publishAt: inMinutes(5), clientKey: ck(),
        });
        ids.push(scheduled.id);
      }
      c.terminate();
    } finally {
      await other.stop();
    }
    const maria = await t.connect('p-gua-ek-1a');
    await db`update scheduled_items set publish_at = now() - interval '1 second' where id = any(${ids}::text[])`;
    // This node's timer and two extra looks race for the same rows.
    await Promise.all([t.hub.scheduled.publishDue(), t.hub.scheduled.publishDue()]);
    for (const title of titles) await maria.waitFor(postCreated(title));
    await maria.ping();
    for (const title of titles) expect(maria.frames.filter(postCreated(title))).toHaveLength(1);
    const rows = await db<{ title: string }[]>`select title from posts where title = any(${titles}::text[])`;
    expect(rows.map((r) => r.title).sort()).toEqual([...titles].sort());
    expect(await db`select state from scheduled_items where id = any(${ids}::text[]) and state <> 'published'`).toHaveLength(0);
  });
});
