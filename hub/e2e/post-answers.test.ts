// Acknowledge and RSVP (issue 13 item 4; docs/DOMAIN.md §1 "Answers to a post") over real
// WebSockets and PostgreSQL: who is asked, who answers for whom, who sees which answers live and
// on resume, who does not; protected identity, a blocked guardian, the deadline, idempotence,
// and the privacy sources (export, retention, legal hold).
//
// Demo district with two changes: p-gua-ek-2a is also a guardian of p-stu-ek-3 (one guardian,
// two children in Klass 7A), and d-exempel keeps 30 days. p-mentor-ek mentors g-ek-7a
// (p-stu-ek-1..6); p-stu-ek-6 (Hugo) has a protected identity, guardian p-gua-ek-6a.
// p-teacher-ek teaches g-ek-ma7 only, so does not read posts to 7A.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startTestHub, TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import type { Frame, TestClient } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';
import { runRetention, type RetentionReport } from '../privacy/retention.ts';

let t: TestHub;
let db: postgres.Sql;
beforeAll(async () => {
  const b = demoBundle();
  const alice = b.persons.find((p) => p.id === 'p-stu-ek-3')!;
  alice.responsibles = [...(alice.responsibles ?? []), { person: { id: 'p-gua-ek-2a' }, relationType: 'Vårdnadshavare' }];
  b.extensions.settings.push({ organisation: { id: 'd-exempel' }, retentionDays: 30 });
  t = await startTestHub({ bundle: b, env: { HUB_RETENTION_INTERVAL_MS: '0' } });
  db = postgres(t.databaseUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

let keyNo = 0;
const ck = () => `ans-${++keyNo}`;
const name = (id: string) => t.hub.core.directory().person(id)!.name;
/** What would point to the protected child: never in a frame of another family. */
const HIDDEN = () => ['p-stu-ek-6', name('p-stu-ek-6'), 'p-gua-ek-6a', name('p-gua-ek-6a')];

interface Own { forId: string; forName: string; answer: 'ack' | number | null; answeredAt: string | null }
interface Line { personId: string | null; personName: string | null; forId: string | null; forName: string | null; as: 'self' | 'guardian'; answer: 'ack' | number | null }
interface AllAnswers { scope: 'all'; tally: { counts: number[]; answered: number; waiting: number }; answers: Line[] }

const GUARDIANS_7A = ['p-gua-ek-1a', 'p-gua-ek-1b', 'p-gua-ek-2a', 'p-gua-ek-2b', 'p-gua-ek-3a', 'p-gua-ek-3b', 'p-gua-ek-4a', 'p-gua-ek-4b', 'p-gua-ek-5a', 'p-gua-ek-5b', 'p-gua-ek-6a'];

async function post(author: TestClient, recipients: Record<string, boolean>, ask: Record<string, unknown>, title = 'Föräldramöte', target: Record<string, unknown> = { kind: 'group', groupId: 'g-ek-7a' }) {
  return (await author.ok<{ post: { id: string; ask: unknown } }>('post.create', {
    schoolId: 's-ekskolan', title, body: 'Tisdag 18.00 i matsalen.', audience: { targets: [target], recipients }, ask, clientKey: ck(),
  })).post;
}

const about = (name: string, postId: string) => (f: Frame) => f.type === 'event' && f.event === name && (f.data as { postId?: string }).postId === postId;

/** Runs `act`, then (after a ping round trip on each) who among `clients` got event `name` about the post. */
async function whoGets(clients: Record<string, TestClient>, name: string, postId: string, act: () => Promise<unknown>): Promise<string[]> {
  const before = new Map(Object.entries(clients).map(([p, c]) => [p, c.frames.filter(about(name, postId)).length]));
  await act();
  await new Promise((r) => setTimeout(r, 150));
  const got: string[] = [];
  for (const [p, c] of Object.entries(clients)) {
    await c.ping();
    if (c.frames.filter(about(name, postId)).length > before.get(p)!) got.push(p);
  }
  return got.sort();
}

describe('an RSVP to the guardians of a class', () => {
  it('each guardian answers for their child; the author side sees who answered what live, each family only its own', async () => {
    const people = ['p-mentor-ek', 'p-leader-ek', 'p-admin-ek', 'p-reader-ek', 'p-teacher-ek', 'p-gua-ek-1a', 'p-gua-ek-1b', 'p-gua-ek-2a', 'p-gua-ek-6a', 'p-stu-ek-1', 'p-stu-ek-6', 'p-gua-bj-2a'];
    const c: Record<string, TestClient> = {};
    for (const p of people) c[p] = await t.connect(p);
    const phone = await t.connect('p-gua-ek-1a', { codec: 'json' }); // 1a's second device
    const mentor = c['p-mentor-ek']!;

    const p = await post(mentor, { guardians: true }, { kind: 'choice', options: ['Ja', 'Nej', 'Kanske'], deadline: '2099-01-01T18:00:00Z' });
    expect(p.ask).toEqual({ kind: 'choice', options: ['Ja', 'Nej', 'Kanske'], deadline: '2099-01-01T18:00:00Z' });
    // The post as it arrives carries the ask; the feed adds the reader's own answers.
    const arrived = await c['p-gua-ek-1a']!.waitFor((f) => f.type === 'event' && f.event === 'post.created' && JSON.stringify(f.data).includes(p.id));
    expect((arrived.data as { post: { ask: unknown } }).post.ask).toEqual(p.ask);
    const feed = await c['p-gua-ek-1a']!.ok<{ items: { id: string; answers?: Own[] }[] }>('feed.get');
    expect(feed.items.find((i) => i.id === p.id)?.answers).toEqual([{ forId: 'p-stu-ek-1', forName: name('p-stu-ek-1'), answer: null, answeredAt: null }]);
    const twoChildren = await c['p-gua-ek-2a']!.ok<{ items: { id: string; answers?: Own[] }[] }>('feed.get');
    expect(twoChildren.items.find((i) => i.id === p.id)?.answers?.map((a) => a.forId).sort()).toEqual(['p-stu-ek-2', 'p-stu-ek-3']);
    // The author is not asked, nor is a leader who reads every post: an empty list.
    const authorFeed = await mentor.ok<{ items: { id: string; answers?: Own[] }[] }>('feed.get');
    expect(authorFeed.items.find((i) => i.id === p.id)?.answers).toEqual([]);

    // 1a says yes: the author, the leader, the admin and the reader hear it with the name; 1a's
    // own devices hear their own answer; nobody else hears anything.
    const answer = () => c['p-gua-ek-1a']!.ok<{ answer: Own }>('post.answer', { postId: p.id, answer: 0 });
    const authorSide = await whoGets(c, 'post.answers.changed', p.id, answer);
    expect(authorSide).toEqual(['p-admin-ek', 'p-leader-ek', 'p-mentor-ek', 'p-reader-ek']);
    const changed = mentor.frames.filter(about('post.answers.changed', p.id)).at(-1)!;
    expect((changed.data as { answer: Line }).answer).toMatchObject({ personId: 'p-gua-ek-1a', personName: name('p-gua-ek-1a'), forId: 'p-stu-ek-1', as: 'guardian', answer: 0 });
    await phone.waitFor(about('post.answered', p.id));
    for (const [who, client] of Object.entries(c)) {
      if (who !== 'p-gua-ek-1a') expect(client.frames.filter(about('post.answered', p.id)), who).toEqual([]);
    }

    // Again the same: stored once, told once. Then a change: told again.
    const events = async () => (await db<{ n: number }[]>`select count(*)::int as n from events where name in ('post.answers.changed', 'post.answered')`)[0]!.n;
    const n = await events();
    expect((await answer()).answer).toMatchObject({ forId: 'p-stu-ek-1', answer: 0 });
    expect(await events()).toBe(n);
    expect(await db`select 1 from post_answers where post_id = ${p.id}`).toHaveLength(1);
    expect(await whoGets(c, 'post.answers.changed', p.id, () => c['p-gua-ek-1a']!.ok('post.answer', { postId: p.id, childId: 'p-stu-ek-1', answer: 2 })))
      .toEqual(['p-admin-ek', 'p-leader-ek', 'p-mentor-ek', 'p-reader-ek']);

    // The protected child's guardian answers: staff see them; no other family learns of them.
    await c['p-gua-ek-6a']!.ok('post.answer', { postId: p.id, answer: 1 });
    // The guardian of two children answers per child: naming the child is then required.
    expect(await c['p-gua-ek-2a']!.request('post.answer', { postId: p.id, answer: 0 })).toMatchObject({ type: 'error', code: 'invalid', path: ['childId'] });
    await c['p-gua-ek-2a']!.ok('post.answer', { postId: p.id, childId: 'p-stu-ek-2', answer: 0 });
    await c['p-gua-ek-2a']!.ok('post.answer', { postId: p.id, childId: 'p-stu-ek-3', answer: 1 });

    const all = await mentor.ok<AllAnswers>('post.answers.get', { postId: p.id });
    expect(all.scope).toBe('all');
    // Every guardian of 7A once per child: 11 guardians, 2a twice.
    expect(all.answers).toHaveLength(GUARDIANS_7A.length + 1);
    expect(all.tally).toEqual({ counts: [1, 2, 1], answered: 4, waiting: GUARDIANS_7A.length + 1 - 4 });
    expect(all.answers.find((l) => l.forId === 'p-stu-ek-6')).toMatchObject({ personId: 'p-gua-ek-6a', forName: name('p-stu-ek-6'), answer: 1 });
    expect(all.answers.filter((l) => l.personId === 'p-gua-ek-2a').map((l) => [l.forId, l.answer]).sort()).toEqual([['p-stu-ek-2', 0], ['p-stu-ek-3', 1]]);
    expect(all.answers.find((l) => l.personId === 'p-gua-ek-1b')).toMatchObject({ forId: 'p-stu-ek-1', answer: null });
    // The leader sees the same; a staff read of the protected child's answer is audited.
    expect((await c['p-leader-ek']!.ok<AllAnswers>('post.answers.get', { postId: p.id })).tally).toEqual(all.tally);
    await expect.poll(async () => (await db`select 1 from audit_log where operation = 'post.answers.get' and subject_id = 'p-stu-ek-6' and actor_id = 'p-mentor-ek'`).length).toBeGreaterThan(0);

    // A family sees only its own answer: not the co-guardian's, not anyone else's.
    const own1b = await c['p-gua-ek-1b']!.ok<{ scope: string; answers: Own[] }>('post.answers.get', { postId: p.id });
    expect(own1b).toMatchObject({ scope: 'own', answers: [{ forId: 'p-stu-ek-1', answer: null }] });
    const own1a = await c['p-gua-ek-1a']!.ok<{ scope: string; answers: Own[]; tally?: unknown }>('post.answers.get', { postId: p.id });
    expect(own1a).toMatchObject({ scope: 'own', answers: [{ forId: 'p-stu-ek-1', answer: 2 }] });
    expect(own1a.tally).toBeUndefined();
    for (const who of ['p-gua-ek-1a', 'p-gua-ek-1b', 'p-gua-ek-2a', 'p-stu-ek-1', 'p-gua-bj-2a']) {
      const text = JSON.stringify(c[who]!.frames);
      for (const h of HIDDEN()) expect(text.includes(h), `${who} sees ${h}`).toBe(false);
    }
    expect(JSON.stringify([...c['p-gua-ek-1a']!.frames, ...phone.frames])).not.toContain('p-gua-ek-2a');

    // Who may not: not addressed (a student, when only guardians are), not a reader of the post
    // (another teacher, another school's guardian: like an id that does not exist), a reader
    // who is not asked (the leader), a child that is not theirs.
    const nope = await c['p-stu-ek-1']!.request('post.answer', { postId: p.id, answer: 0 });
    expect(nope).toMatchObject({ type: 'error', code: 'not_found', path: ['postId'] });
    for (const who of ['p-teacher-ek', 'p-gua-bj-2a']) {
      for (const op of ['post.answer', 'post.answers.get']) {
        const [a, b] = [await c[who]!.request(op, { postId: p.id, answer: 0 }), await c[who]!.request(op, { postId: 'post_nope', answer: 0 })];
        expect({ code: a.code, message: a.message }, `${who} ${op}`).toEqual({ code: 'not_found', message: 'no such post' });
        expect({ code: b.code, message: b.message }).toEqual({ code: a.code, message: a.message });
      }
    }
    expect(await c['p-leader-ek']!.request('post.answer', { postId: p.id, answer: 0 })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await c['p-stu-ek-6']!.request('post.answers.get', { postId: p.id })).toMatchObject({ type: 'error', code: 'not_found' });
    const other = await c['p-gua-ek-1a']!.request('post.answer', { postId: p.id, childId: 'p-stu-ek-2', answer: 0 });
    const missing = await c['p-gua-ek-1a']!.request('post.answer', { postId: p.id, childId: 'p-nope', answer: 0 });
    expect(other).toMatchObject({ type: 'error', code: 'not_found', path: ['childId'] });
    expect(missing.message).toBe(other.message);
    // Nothing of that was stored.
    expect(await db`select 1 from post_answers where post_id = ${p.id}`).toHaveLength(4);
    for (const x of [...Object.values(c), phone]) x.close();
  });

  it('students answer for themselves when the post is to them; the answer of a protected student is told to staff only', async () => {
    const [mentor, elsa, hugo, classmate, guardian] = await Promise.all(['p-mentor-ek', 'p-stu-ek-1', 'p-stu-ek-6', 'p-stu-ek-2', 'p-gua-ek-6a'].map((p) => t.connect(p)));
    const p = await post(mentor!, { students: true }, { kind: 'ack' }, 'Läs ordningsreglerna');
    expect(p.ask).toEqual({ kind: 'ack', deadline: null });
    expect(await elsa!.request('post.answer', { postId: p.id, answer: 0 })).toMatchObject({ type: 'error', code: 'invalid', path: ['answer'] });
    expect((await elsa!.ok<{ answer: Own }>('post.answer', { postId: p.id, answer: 'ack' })).answer).toMatchObject({ forId: 'p-stu-ek-1', answer: 'ack' });
    await hugo!.ok('post.answer', { postId: p.id, childId: 'p-stu-ek-6', answer: 'ack' });
    await mentor!.waitFor((f) => about('post.answers.changed', p.id)(f) && JSON.stringify(f.data).includes('p-stu-ek-6'));
    // Guardians were not addressed: they do not read it, and so cannot answer.
    expect(await guardian!.request('post.answer', { postId: p.id, answer: 'ack' })).toMatchObject({ type: 'error', code: 'not_found' });
    const all = await mentor!.ok<AllAnswers>('post.answers.get', { postId: p.id });
    expect(all.answers.every((l) => l.as === 'self')).toBe(true);
    expect(all.tally).toEqual({ counts: [2], answered: 2, waiting: 4 });
    await classmate!.ping();
    expect(classmate!.frames.filter((f) => about('post.answers.changed', p.id)(f) || about('post.answered', p.id)(f))).toEqual([]);
    for (const h of HIDDEN()) expect(JSON.stringify(classmate!.frames).includes(h)).toBe(false);
    for (const x of [mentor, elsa, hugo, classmate, guardian]) x!.close();
  });

  it('is validated: 2–5 distinct options, a deadline ahead; a retry asks the same or is a conflict', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const ask = async (a: unknown, key = ck()) => mentor.request('post.create', {
      schoolId: 's-ekskolan', title: 'x', body: 'y', audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } }, ask: a, clientKey: key,
    });
    const before = (await db<{ n: number }[]>`select count(*)::int as n from posts`)[0]!.n;
    expect(await ask({ kind: 'choice', options: ['Ja'] })).toMatchObject({ code: 'invalid', path: ['ask', 'options'] });
    // Over a limit: too_large, as for every field (docs/PROTOCOL.md §6).
    expect(await ask({ kind: 'choice', options: ['1', '2', '3', '4', '5', '6'] })).toMatchObject({ code: 'too_large', path: ['ask', 'options'] });
    expect(await ask({ kind: 'choice', options: ['Ja', 'ja'] })).toMatchObject({ code: 'invalid', path: ['ask', 'options'] });
    expect(await ask({ kind: 'choice', options: ['Ja', ''] })).toMatchObject({ code: 'invalid', path: ['ask', 'options', 1] });
    expect(await ask({ kind: 'ack', deadline: '2020-01-01T00:00:00Z' })).toMatchObject({ code: 'invalid', path: ['ask', 'deadline'] });
    expect(await ask({ kind: 'ack', deadline: 'tomorrow' })).toMatchObject({ code: 'invalid', path: ['ask', 'deadline'] });
    expect(await ask({ kind: 'poll' })).toMatchObject({ code: 'invalid', path: ['ask', 'kind'] });
    expect((await db<{ n: number }[]>`select count(*)::int as n from posts`)[0]!.n).toBe(before);
    const first = await ask({ kind: 'ack' }, 'same-key');
    expect(first.type).toBe('ok');
    expect(await ask({ kind: 'ack' }, 'same-key')).toMatchObject({ type: 'ok', result: first.result });
    expect(await ask({ kind: 'choice', options: ['Ja', 'Nej'] }, 'same-key')).toMatchObject({ code: 'conflict' });
    expect(await ask(undefined, 'same-key')).toMatchObject({ code: 'conflict' });
    // A post that asks nothing cannot be answered.
    const plain = (await mentor.ok<{ post: { id: string; ask: unknown } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Info', body: 'y', audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } }, clientKey: ck(),
    })).post;
    expect(plain.ask).toBeNull();
    const g = await t.connect('p-gua-ek-1b');
    expect(await g.request('post.answer', { postId: plain.id, answer: 'ack' })).toMatchObject({ code: 'invalid', path: ['postId'] });
    mentor.close();
    g.close();
  });

  it('a scheduled post keeps its ask when published; its deadline must come after the publication', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const g = await t.connect('p-gua-ek-3a');
    const publishAt = new Date(Date.now() + 3_600_000).toISOString();
    const fields = (deadline: string, clientKey: string) => ({
      schoolId: 's-ekskolan', title: 'Senare: utflykt', body: 'Följer ni med?', publishAt, clientKey,
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } }, ask: { kind: 'choice', options: ['Ja', 'Nej'], deadline },
    });
    expect(await mentor.request('post.create', fields(new Date(Date.now() + 60_000).toISOString(), ck()))).toMatchObject({ code: 'invalid', path: ['ask', 'deadline'] });
    const { scheduled } = await mentor.ok<{ scheduled: { id: string } }>('post.create', fields('2099-01-01T00:00:00Z', ck()));
    await db`update scheduled_items set publish_at = now() - interval '1 second' where id = ${scheduled.id}`;
    await t.hub.scheduled.publishDue();
    const created = await g.waitFor((f) => f.type === 'event' && f.event === 'post.created' && JSON.stringify(f.data).includes('Senare: utflykt'));
    const post = (created.data as { post: { id: string; ask: unknown } }).post;
    expect(post.ask).toEqual({ kind: 'choice', options: ['Ja', 'Nej'], deadline: '2099-01-01T00:00:00Z' });
    expect((await g.ok<{ answer: Own }>('post.answer', { postId: post.id, answer: 1 })).answer).toMatchObject({ forId: 'p-stu-ek-3', answer: 1 });
    mentor.close();
    g.close();
  });

  it('can be changed until the deadline, and is refused after it with conflict', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const g = await t.connect('p-gua-ek-4a');
    const p = await post(mentor, { guardians: true }, { kind: 'choice', options: ['Ja', 'Nej'], deadline: new Date(Date.now() + 60_000).toISOString() });
    await g.ok('post.answer', { postId: p.id, answer: 0 });
    await g.ok('post.answer', { postId: p.id, answer: 1 });
    // The deadline passes (moved back in the database rather than waited for).
    await db`update posts set ask = jsonb_set(ask, '{deadline}', to_jsonb(${new Date(Date.now() - 1000).toISOString()}::text)) where id = ${p.id}`;
    expect(await g.request('post.answer', { postId: p.id, answer: 0 })).toMatchObject({ type: 'error', code: 'conflict', message: 'the deadline for answers has passed' });
    expect((await g.ok<{ answers: Own[] }>('post.answers.get', { postId: p.id })).answers).toMatchObject([{ forId: 'p-stu-ek-4', answer: 1 }]);
    expect((await mentor.ok<AllAnswers>('post.answers.get', { postId: p.id })).tally.counts).toEqual([0, 1]);
    mentor.close();
    g.close();
  });

  it('resumes: the author side gets the answers it missed, a family only its own', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const p = await post(mentor, { guardians: true }, { kind: 'ack' }, 'Tillståndsblankett');
    const [m2, co] = [await t.connect('p-mentor-ek'), await t.connect('p-gua-ek-5b')];
    await Promise.all([m2.ping(), co.ping()]);
    const [mCursor, coCursor] = [m2.lastCursor(), co.lastCursor()];
    m2.close();
    co.close();
    const g = await t.connect('p-gua-ek-5a');
    await g.ok('post.answer', { postId: p.id, answer: 'ack' });
    const back = await t.connect('p-mentor-ek', { cursor: mCursor });
    const replayed = await back.waitFor(about('post.answers.changed', p.id));
    expect((replayed.data as { answer: Line }).answer).toMatchObject({ personId: 'p-gua-ek-5a', forId: 'p-stu-ek-5', answer: 'ack' });
    const coBack = await t.connect('p-gua-ek-5b', { cursor: coCursor });
    await coBack.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
    expect(coBack.frames.filter((f) => about('post.answered', p.id)(f) || about('post.answers.changed', p.id)(f))).toEqual([]);
    const gBack = await t.connect('p-gua-ek-5a', { cursor: coCursor });
    await gBack.waitFor(about('post.answered', p.id));
    for (const x of [mentor, g, back, coBack, gBack]) x.close();
  });

  it('is in the export, kept with its post under legal hold, and expired with it', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const kept = await post(mentor, { guardians: true }, { kind: 'ack' }, 'Hålls');
    const gone = await post(mentor, { guardians: true }, { kind: 'ack' }, 'Gallras');
    const g = await t.connect('p-gua-ek-3b');
    const h = await t.connect('p-gua-ek-4b');
    await g.ok('post.answer', { postId: kept.id, answer: 'ack' });
    await h.ok('post.answer', { postId: gone.id, answer: 'ack' });
    const admin = { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' };
    const exported = await (await fetch(`${t.url}/api/v1/export/p-gua-ek-3b`, { headers: admin })).json() as { data: { postAnswers: unknown[] } };
    expect(exported.data.postAnswers).toEqual([expect.objectContaining({ postId: kept.id, postTitle: 'Hålls', forId: 'p-stu-ek-3', answer: 'ack', ask: { kind: 'ack', deadline: null } })]);
    expect(JSON.stringify(exported.data.postAnswers)).not.toContain(gone.id);
    expect((await fetch(`${t.url}/api/v1/legal-hold`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'person', id: 'p-gua-ek-3b', reason: 'Tvist' }) })).status).toBe(200);
    await db`update posts set created_at = created_at - interval '40 days' where id in (${kept.id}, ${gone.id})`;
    const report = (await runRetention(t.hub.core)) as RetentionReport;
    expect(report.failed).toEqual([]);
    expect((await db<{ id: string }[]>`select id from posts where id in (${kept.id}, ${gone.id})`).map((r) => r.id)).toEqual([kept.id]);
    expect(await db`select 1 from post_answers where post_id = ${kept.id}`).toHaveLength(1);
    expect(await db`select 1 from post_answers where post_id = ${gone.id}`).toHaveLength(0);
    for (const x of [mentor, g, h]) x.close();
  });

  // Last: the block changes the directory for the rest of the file.
  it('a blocked guardian answers nothing for that child and learns nothing of them; the answer given before no longer counts', async () => {
    const [mentor, blocked, co] = [await t.connect('p-mentor-ek'), await t.connect('p-gua-ek-2a'), await t.connect('p-gua-ek-2b')];
    const p = await post(mentor, { guardians: true }, { kind: 'choice', options: ['Ja', 'Nej'] }, 'Utflykt');
    await blocked.ok('post.answer', { postId: p.id, childId: 'p-stu-ek-2', answer: 0 });
    const admin = { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' };
    const r = await fetch(`${t.url}/api/v1/guardian-blocks`, { method: 'POST', headers: admin, body: JSON.stringify({ guardianId: 'p-gua-ek-2a', childId: 'p-stu-ek-2', reason: 'Beslut' }) });
    expect(r.status).toBe(200);
    await expect.poll(() => t.hub.core.directory().childrenOf('p-gua-ek-2a').has('p-stu-ek-2')).toBe(false);
    const after = await t.connect('p-gua-ek-2a');
    // Still a reader of the post through the other child, and asked for that child only.
    const feed = await after.ok<{ items: { id: string; answers?: Own[] }[] }>('feed.get');
    expect(feed.items.find((i) => i.id === p.id)?.answers).toEqual([{ forId: 'p-stu-ek-3', forName: name('p-stu-ek-3'), answer: null, answeredAt: null }]);
    const refused = await after.request('post.answer', { postId: p.id, childId: 'p-stu-ek-2', answer: 1 });
    const unknown = await after.request('post.answer', { postId: p.id, childId: 'p-nope', answer: 1 });
    expect(refused).toMatchObject({ type: 'error', code: 'not_found', path: ['childId'] });
    expect(refused.message).toBe(unknown.message);
    // Without a child named, the one child left is meant.
    expect((await after.ok<{ answer: Own }>('post.answer', { postId: p.id, answer: 1 })).answer.forId).toBe('p-stu-ek-3');
    expect((await after.ok<{ answers: Own[] }>('post.answers.get', { postId: p.id })).answers.map((a) => a.forId)).toEqual(['p-stu-ek-3']);
    expect(JSON.stringify(after.frames)).not.toContain('p-stu-ek-2');
    // The author's list: the blocked link's answer is gone, the co-guardian is still asked.
    const all = await mentor.ok<AllAnswers>('post.answers.get', { postId: p.id });
    expect(all.answers.filter((l) => l.forId === 'p-stu-ek-2').map((l) => [l.personId, l.answer])).toEqual([['p-gua-ek-2b', null]]);
    await co.ok('post.answer', { postId: p.id, answer: 1 });
    expect((await mentor.ok<AllAnswers>('post.answers.get', { postId: p.id })).tally.counts).toEqual([0, 2]);
    for (const x of [mentor, blocked, co, after]) x.close();
  });
});
