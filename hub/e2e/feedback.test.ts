// Feedback (docs/DOMAIN.md §6) and assessments (§7) over real connections: drafts stay with the
// teachers, publishing reaches exactly those who may see it, live and in the student card,
// the development overview and the group overview.
//
// Demo district: p-teacher-ek teaches g-ek-ma7 (p-stu-ek-1..4); p-mentor-ek mentors g-ek-7a
// (p-stu-ek-1..6) and teaches g-ek-sv7; p-admin-ek, p-leader-ek, p-reader-ek at Ekskolan,
// which assesses on F–A.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

interface Feedback {
  id: string;
  itemId: string;
  itemTitle: string;
  studentId: string;
  body: string;
  state: string;
}
interface Assessment {
  id: string;
  subject: string;
  studentId: string;
  level: string | null;
  text: string | null;
  state: string;
}
interface Entry {
  kind: string;
  at: string;
  feedback?: Feedback;
  assessment?: Assessment;
}

let keyNo = 0;
const ck = () => `fb-${++keyNo}`;

const about = (name: string, key: 'feedback' | 'assessment', id: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && (f.data as Record<string, { id: string }>)[key]?.id === id;

/** After a ping round trip everything published before has arrived: then nothing about `id` came. */
async function receivedNothingAbout(c: TestClient, id: string): Promise<void> {
  await c.ping();
  expect(c.frames.filter((f) => f.type === 'event' && JSON.stringify(f.data).includes(id))).toEqual([]);
}

async function publishedPlan(teacher: TestClient, title: string): Promise<string> {
  const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title, publish: true, clientKey: ck() });
  return item.id;
}

describe('feedback (§6)', () => {
  it('a guardian sees published feedback live and never a draft, never another child’s', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const guardian = await t.connect('p-gua-ek-1a');
    const otherGuardian = await t.connect('p-gua-ek-2a');
    const itemId = await publishedPlan(teacher, 'Bråkuppgifter');

    const { feedback: draft } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-1', body: 'Utkast: bra start.', clientKey: ck() });
    expect(draft).toMatchObject({ state: 'draft', studentId: 'p-stu-ek-1', itemTitle: 'Bråkuppgifter' });
    await receivedNothingAbout(guardian, draft.id);
    expect(await guardian.request('feedback.get', { feedbackId: draft.id })).toMatchObject({ type: 'error', code: 'not_found' });
    const before = await guardian.ok<{ entries: Entry[] }>('development.get', { studentId: 'p-stu-ek-1' });
    expect(before.entries.some((e) => e.feedback?.id === draft.id)).toBe(false);

    // Feedback to another child is published: this guardian gets nothing of it.
    const { feedback: others } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Till Liam.', publish: true, clientKey: ck() });
    await otherGuardian.waitFor(about('feedback.published', 'feedback', others.id));
    await receivedNothingAbout(guardian, others.id);
    expect(await guardian.request('feedback.get', { feedbackId: others.id })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await guardian.request('development.get', { studentId: 'p-stu-ek-2' })).toMatchObject({ type: 'error', code: 'not_found' });

    await teacher.ok('feedback.update', { feedbackId: draft.id, body: 'Bra start, fortsätt med uppgift 5.' });
    await receivedNothingAbout(guardian, draft.id);
    const { feedback: published } = await teacher.ok<{ feedback: Feedback }>('feedback.publish', { feedbackId: draft.id });
    expect(published.state).toBe('published');
    const ev = await guardian.waitFor(about('feedback.published', 'feedback', draft.id));
    expect((ev.data as { feedback: Feedback }).feedback).toMatchObject({ body: 'Bra start, fortsätt med uppgift 5.', state: 'published', studentId: 'p-stu-ek-1' });
    expect(guardian.frames.filter((f) => f.type === 'event' && JSON.stringify(f.data).includes('Utkast'))).toEqual([]);
    const after = await guardian.ok<{ entries: Entry[] }>('development.get', { studentId: 'p-stu-ek-1' });
    expect(after.entries.find((e) => e.feedback?.id === draft.id)?.feedback?.body).toBe('Bra start, fortsätt med uppgift 5.');
    // Publishing again is a retry: nothing new is sent.
    await teacher.ok('feedback.publish', { feedbackId: draft.id });
    await guardian.ping();
    expect(guardian.frames.filter(about('feedback.published', 'feedback', draft.id))).toHaveLength(1);
  });

  it('published feedback reaches exactly the student, guardians, mentor, the group’s teacher, reader and admin', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const itemId = await publishedPlan(teacher, 'Statistik');
    const seers = await Promise.all(['p-stu-ek-3', 'p-gua-ek-3a', 'p-gua-ek-3b', 'p-mentor-ek', 'p-reader-ek', 'p-admin-ek'].map((p) => t.connect(p)));
    const others = await Promise.all(['p-stu-ek-4', 'p-gua-ek-4a', 'p-leader-ek', 'p-teacher-bj', 'p-mentor-bj', 'p-hoo'].map((p) => t.connect(p)));
    const { feedback } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-3', body: 'Tydliga diagram!', publish: true, clientKey: ck() });
    await teacher.waitFor(about('feedback.published', 'feedback', feedback.id));
    for (const c of seers) {
      await c.waitFor(about('feedback.published', 'feedback', feedback.id));
      expect(await c.ok<{ feedback: Feedback }>('feedback.get', { feedbackId: feedback.id })).toMatchObject({ feedback: { id: feedback.id } });
    }
    for (const c of others) {
      await receivedNothingAbout(c, feedback.id);
      expect(await c.request('feedback.get', { feedbackId: feedback.id })).toMatchObject({ type: 'error', code: 'not_found' });
    }
  });

  it('only the group’s teachers give feedback, to students of the group, and publish only on a published item', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const { item: draftItem } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Utkast', clientKey: ck() });
    expect(await teacher.request('feedback.create', { itemId: draftItem.id, studentId: 'p-stu-ek-1', body: 'x', publish: true, clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'conflict', path: ['publish'] });
    const { feedback } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId: draftItem.id, studentId: 'p-stu-ek-1', body: 'x', clientKey: ck() });
    expect(await teacher.request('feedback.publish', { feedbackId: feedback.id })).toMatchObject({ type: 'error', code: 'conflict' });
    const itemId = await publishedPlan(teacher, 'Ekvationer');
    expect(await teacher.request('feedback.create', { itemId, studentId: 'p-stu-ek-5', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['studentId'] });
    const student = await t.connect('p-stu-ek-1');
    expect(await student.request('feedback.create', { itemId, studentId: 'p-stu-ek-1', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['itemId'] });
    const mentor = await t.connect('p-mentor-ek');
    expect(await mentor.request('feedback.create', { itemId, studentId: 'p-stu-ek-1', body: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['itemId'] });
    expect(await teacher.request('feedback.create', { itemId, studentId: 'p-stu-ek-1', body: 'x'.repeat(8001), clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'too_large', path: ['body'] });
    // Idempotent by clientKey.
    const key = ck();
    const a = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Samma', clientKey: key });
    const b = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Samma', clientKey: key });
    expect(b.feedback.id).toBe(a.feedback.id);
    expect(await teacher.request('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Annat', clientKey: key }))
      .toMatchObject({ type: 'error', code: 'conflict', path: ['clientKey'] });
    // The student reads the feedback on the item: only their own, only published.
    await teacher.ok('feedback.create', { itemId, studentId: 'p-stu-ek-1', body: 'Till Elsa', publish: true, clientKey: ck() });
    const mine = await student.ok<{ feedback: Feedback[] }>('item.feedback.get', { itemId });
    expect(mine.feedback.map((f) => f.body)).toEqual(['Till Elsa']);
    const all = await teacher.ok<{ feedback: Feedback[] }>('item.feedback.get', { itemId });
    expect(all.feedback.map((f) => f.body).sort()).toEqual(['Samma', 'Till Elsa']);
  });
});

describe('resume', () => {
  it('a guardian and a mentor who were away get published feedback and assessments on resume, and no draft', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const itemId = await publishedPlan(teacher, 'Resume');
    const away = await Promise.all(['p-gua-ek-2b', 'p-mentor-ek'].map((p) => t.connect(p)));
    await Promise.all(away.map((c) => c.ping()));
    const cursors = away.map((c) => c.lastCursor() ?? (c.frames.find((f) => f.type === 'welcome')!.cursor as string));
    for (const c of away) c.close();
    const { feedback } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Medan du var borta', publish: true, clientKey: ck() });
    const { feedback: draft } = await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: 'Utkast', clientKey: ck() });
    const { assessment } = await teacher.ok<{ assessment: Assessment }>('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-2', level: 'A', publish: true, clientKey: ck() });
    for (const [i, who] of ['p-gua-ek-2b', 'p-mentor-ek'].entries()) {
      const back = await t.connect(who, { cursor: cursors[i]! });
      await back.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
      expect(back.frames.filter(about('feedback.published', 'feedback', feedback.id))).toHaveLength(1);
      expect(back.frames.filter(about('assessment.published', 'assessment', assessment.id))).toHaveLength(1);
      expect(back.frames.filter((f) => JSON.stringify(f).includes(draft.id))).toEqual([]);
    }
  });
});

describe('assessments (§7)', () => {
  it('a teacher assesses on the school’s levels or in text; publishing reaches the family live; the card and overview show it', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const guardian = await t.connect('p-gua-ek-4b');
    const student = await t.connect('p-stu-ek-4');
    const { levels } = await teacher.ok<{ levels: string[] }>('group.assessments.get', { groupId: 'g-ek-ma7' });
    expect(levels).toEqual(['F', 'E', 'D', 'C', 'B', 'A']);
    expect(await teacher.request('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-4', level: 'G', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['level'] });
    expect(await teacher.request('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-4', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['level'] });
    expect(await teacher.request('assessment.create', { groupId: 'g-ek-sv7', studentId: 'p-stu-ek-4', level: 'C', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['groupId'] });
    const mentor = await t.connect('p-mentor-ek');
    expect(await mentor.request('assessment.create', { groupId: 'g-ek-7a', studentId: 'p-stu-ek-4', level: 'C', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['groupId'] });

    const { assessment } = await teacher.ok<{ assessment: Assessment }>('assessment.create', {
      groupId: 'g-ek-ma7', studentId: 'p-stu-ek-4', level: 'C', text: 'Säker på bråk, öva på procent.', clientKey: ck(),
    });
    expect(assessment).toMatchObject({ subject: 'Matematik 7', level: 'C', state: 'draft' });
    await receivedNothingAbout(guardian, assessment.id);
    await teacher.ok('assessment.update', { assessmentId: assessment.id, level: 'B' });
    await teacher.ok('assessment.publish', { assessmentId: assessment.id });
    for (const c of [guardian, student, mentor]) {
      const ev = await c.waitFor(about('assessment.published', 'assessment', assessment.id));
      expect((ev.data as { assessment: Assessment }).assessment).toMatchObject({ level: 'B', text: 'Säker på bråk, öva på procent.' });
    }
    // Text only, and clearing the text of a levelled one keeps it valid; clearing both is refused.
    const textOnly = await teacher.ok<{ assessment: Assessment }>('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-4', text: 'Bra arbete.', clientKey: ck() });
    expect(textOnly.assessment.level).toBeNull();
    expect(await teacher.request('assessment.update', { assessmentId: textOnly.assessment.id, text: null }))
      .toMatchObject({ type: 'error', code: 'invalid' });

    // The mentor's student card and the reader's, the student's development overview.
    for (const c of [mentor, await t.connect('p-reader-ek'), await t.connect('p-admin-ek')]) {
      const cardView = await c.ok<{ entries: Entry[] }>('student.card.get', { studentId: 'p-stu-ek-4', kinds: ['assessment'] });
      expect(cardView.entries.map((e) => e.assessment?.id)).toContain(assessment.id);
      expect(cardView.entries.map((e) => e.assessment?.id)).not.toContain(textOnly.assessment.id); // a draft
    }
    const own = await student.ok<{ entries: Entry[] }>('development.get', {});
    expect(own.entries.filter((e) => e.kind === 'assessment').map((e) => e.assessment!.id)).toEqual([assessment.id]);
    const overview = await mentor.ok<{ entries: Entry[] }>('group.overview.get', { groupId: 'g-ek-7a', kinds: ['assessment'] });
    expect(overview.entries.map((e) => e.assessment?.id)).toContain(assessment.id);
    // The school leader has no row: no card.
    const leader = await t.connect('p-leader-ek');
    expect(await leader.request('student.card.get', { studentId: 'p-stu-ek-4' })).toMatchObject({ type: 'error', code: 'forbidden' });
  });
});

describe('the student card pages over every kind, newest first', () => {
  it('pages of 2 give every record once, in order', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const itemId = await publishedPlan(teacher, 'Sidor');
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push((await teacher.ok<{ feedback: Feedback }>('feedback.create', { itemId, studentId: 'p-stu-ek-2', body: `F${i}`, publish: true, clientKey: ck() })).feedback.id);
      made.push((await teacher.ok<{ assessment: Assessment }>('assessment.create', { groupId: 'g-ek-ma7', studentId: 'p-stu-ek-2', level: 'E', publish: true, clientKey: ck() })).assessment.id);
    }
    const mentor = await t.connect('p-mentor-ek');
    const seen: Entry[] = [];
    let before: string | null = null;
    do {
      const page: { entries: Entry[]; next: string | null } = await mentor.ok('student.card.get', { studentId: 'p-stu-ek-2', limit: 2, ...(before ? { before } : {}) });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries);
      before = page.next;
    } while (before);
    const ids = seen.map((e) => e.feedback?.id ?? e.assessment?.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of made) expect(ids).toContain(id);
    const times = seen.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('which group overviews audience.get offers', () => {
  type Groups = { posts: { schools: { groups: { id: string; kind: string; overview: boolean }[] }[] } };
  const overviewOf = async (sub: string) => {
    const c = await t.connect(sub);
    const a = await c.ok<Groups>('audience.get');
    return Object.fromEntries(a.posts.schools.flatMap((s) => s.groups).map((g) => [g.id, g.overview]));
  };

  it('says, for every group listed, whether its overview opens: as group.overview.get answers', async () => {
    for (const sub of ['p-mentor-ek', 'p-teacher-ek', 'p-leader-ek', 'p-admin-ek']) {
      const c = await t.connect(sub);
      const listed = await overviewOf(sub);
      expect(Object.keys(listed).length).toBeGreaterThan(0);
      for (const [groupId, overview] of Object.entries(listed)) {
        const answer = await c.request('group.overview.get', { groupId });
        expect([sub, groupId, answer.type]).toEqual([sub, groupId, overview ? 'ok' : 'error']);
      }
    }
    // The school leader may post to every group but owns none: no overview is offered.
    expect(Object.values(await overviewOf('p-leader-ek')).some(Boolean)).toBe(false);
    expect((await overviewOf('p-mentor-ek'))['g-ek-7a']).toBe(true);
  });

  it('marks the child groups whose documentation the caller writes: their teachers, nobody else', async () => {
    const documents = async (sub: string) => {
      const a = await (await t.connect(sub)).ok<{ posts: { schools: { groups: { id: string; documentation: boolean }[] }[] } }>('audience.get');
      return a.posts.schools.flatMap((s) => s.groups).filter((g) => g.documentation).map((g) => g.id);
    };
    expect(await documents('p-pre-teacher')).toEqual(['g-sol-blabar']);
    expect(await documents('p-leader-ek')).toEqual([]);
    expect(await documents('p-mentor-ek')).toEqual([]);
  });
});
