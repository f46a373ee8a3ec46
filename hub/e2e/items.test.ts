// Plans and assignments over real connections (docs/DOMAIN.md §5): who creates and changes them,
// who sees them in which state, and that publishing, hiding and closing reach exactly the
// people whose view changes, live and on resume.
//
// Demo district: p-teacher-ek teaches g-ek-ma7 (p-stu-ek-1..4); p-mentor-ek mentors
// g-ek-7a (p-stu-ek-1..6) and teaches g-ek-sv7; p-admin-ek is school admin, p-leader-ek school
// leader, p-reader-ek reader at Ekskolan.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHub } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

interface Item {
  id: string;
  kind: string;
  state: string;
  title: string;
  groupId: string;
  startsOn: string | null;
  dueOn: string | null;
}

const isEvent = (name: string, itemId: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && ((f.data as { item?: { id: string }; itemId?: string }).item?.id ?? (f.data as { itemId?: string }).itemId) === itemId;

/** After a ping round trip every frame published before it has arrived: then none of `name` for the item came. */
async function receivedNone(c: TestClient, name: string, itemId: string): Promise<void> {
  await c.ping();
  expect(c.frames.filter(isEvent(name, itemId))).toHaveLength(0);
}

async function listed(c: TestClient, itemId: string): Promise<boolean> {
  const { items } = await c.ok<{ items: Item[] }>('items.get', { limit: 100 });
  return items.some((i) => i.id === itemId);
}

let keyNo = 0;
const ck = () => `item-${++keyNo}`;

describe('creating (§5 teacher: in groups they own)', () => {
  it('a teacher creates a draft in a group they teach; only the group’s teachers see it', async () => {
    const [teacher, teacherPhone, student, guardian, admin] = await connectEach(t, 'p-teacher-ek', ['p-teacher-ek', { codec: 'json' }], 'p-stu-ek-1', 'p-gua-ek-1a', 'p-admin-ek');
    const { item } = await teacher.ok<{ item: Item }>('item.create', {
      kind: 'assignment', groupId: 'g-ek-ma7', title: 'Bråk, sidorna 12–14', description: 'Gör uppgift 1–8.',
      subject: 'Matematik', startsOn: '2025-03-03', dueOn: '2025-03-07', clientKey: ck(),
    });
    expect(item).toMatchObject({ kind: 'assignment', state: 'draft', groupId: 'g-ek-ma7', startsOn: '2025-03-03', dueOn: '2025-03-07' });
    const ev = await teacherPhone.waitFor(isEvent('item.created', item.id));
    expect((ev.data as { item: Item }).item.title).toBe('Bråk, sidorna 12–14');
    for (const c of [student, guardian, admin]) {
      await receivedNone(c, 'item.created', item.id);
      expect(await listed(c, item.id)).toBe(false);
      expect(await c.request('item.get', { itemId: item.id })).toMatchObject({ type: 'error', code: 'not_found' });
    }
    expect(await listed(teacher, item.id)).toBe(true);
  });

  it('refuses groups the teacher does not own, unknown groups, preschool groups and non-teachers', async () => {
    const teacher = await t.connect('p-teacher-ek');
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-ek-sv7', title: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['groupId'] });
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-nowhere', title: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['groupId'] });
    const pre = await t.connect('p-pre-teacher');
    expect(await pre.request('item.create', { kind: 'plan', groupId: 'g-sol-blabar', title: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['groupId'] });
    for (const who of ['p-stu-ek-1', 'p-gua-ek-1a', 'p-admin-ek', 'p-leader-ek', 'p-reader-ek']) {
      const c = await t.connect(who);
      expect(await c.request('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'x', clientKey: ck() }))
        .toMatchObject({ type: 'error', code: 'forbidden' });
    }
    // A mentor creates them in the mentor group they own.
    const mentor = await t.connect('p-mentor-ek');
    await mentor.ok('item.create', { kind: 'plan', groupId: 'g-ek-7a', title: 'Temadag', clientKey: ck() });
  });

  it('validates the fields and is idempotent by clientKey', async () => {
    const teacher = await t.connect('p-teacher-ek');
    expect(await teacher.request('item.create', { kind: 'task', groupId: 'g-ek-ma7', title: 'x', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['kind'] });
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'x', dueOn: '2025-02-30', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['dueOn'] });
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'x', startsOn: '2025-03-10', dueOn: '2025-03-01', clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['dueOn'] });
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'x'.repeat(201), clientKey: ck() }))
      .toMatchObject({ type: 'error', code: 'too_large', path: ['title'] });
    const key = ck();
    const a = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Geometri', clientKey: key });
    const b = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Geometri', clientKey: key });
    expect(b.item.id).toBe(a.item.id);
    expect(await teacher.request('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Något annat', clientKey: key }))
      .toMatchObject({ type: 'error', code: 'conflict', path: ['clientKey'] });
    expect(teacher.events('item.created').filter((e) => (e.data as { item: Item }).item.id === a.item.id)).toHaveLength(1);
  });
});

describe('seeing and the live view (§5 student, guardian, school admin, reader)', () => {
  it('publishing reaches the students of the group, their guardians and the school admin, and nobody else', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const { item } = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Statistik v. 10–12', clientKey: ck() });
    const seers = await Promise.all(['p-stu-ek-1', 'p-stu-ek-4', 'p-gua-ek-1a', 'p-gua-ek-1b', 'p-admin-ek'].map((p) => t.connect(p)));
    const others = await Promise.all(['p-stu-ek-5', 'p-gua-ek-5a', 'p-reader-ek', 'p-leader-ek', 'p-mentor-ek', 'p-teacher-bj', 'p-stu-bj-2'].map((p) => t.connect(p)));
    const published = await teacher.ok<{ item: Item }>('item.publish', { itemId: item.id });
    expect(published.item.state).toBe('published');
    for (const c of seers) {
      const ev = await c.waitFor(isEvent('item.published', item.id));
      expect((ev.data as { item: Item }).item).toMatchObject({ id: item.id, title: 'Statistik v. 10–12', state: 'published' });
      expect(await listed(c, item.id)).toBe(true);
      expect(await c.ok<{ item: Item }>('item.get', { itemId: item.id })).toMatchObject({ item: { id: item.id } });
    }
    for (const c of others) {
      await receivedNone(c, 'item.published', item.id);
      expect(await listed(c, item.id)).toBe(false);
      expect(await c.request('item.get', { itemId: item.id })).toMatchObject({ type: 'error', code: 'not_found' });
    }
    // Publishing again is a harmless retry: no second event.
    await teacher.ok('item.publish', { itemId: item.id });
    await seers[0]!.ping();
    expect(seers[0]!.frames.filter(isEvent('item.published', item.id))).toHaveLength(1);
  });

  it("a hidden plan disappears live from the student's and the guardian's view, and comes back when shown again", async () => {
    const [teacher, student, guardian, admin, outsider] = await connectEach(t, 'p-teacher-ek', 'p-stu-ek-2', 'p-gua-ek-2a', 'p-admin-ek', 'p-gua-ek-5a');
    const { item } = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Algebra', publish: true, clientKey: ck() });
    for (const c of [student, guardian, admin]) await c.waitFor(isEvent('item.published', item.id));
    expect(await listed(student, item.id)).toBe(true);

    await teacher.ok('item.hide', { itemId: item.id });
    for (const c of [student, guardian, admin]) {
      const ev = await c.waitFor(isEvent('item.hidden', item.id));
      // They learn what to drop, not more.
      expect(ev.data).toEqual({ itemId: item.id, kind: 'plan', groupId: 'g-ek-ma7', state: 'hidden', updatedAt: expect.any(String) });
      expect(await listed(c, item.id)).toBe(false);
      expect(await c.request('item.get', { itemId: item.id })).toMatchObject({ type: 'error', code: 'not_found' });
    }
    await receivedNone(outsider, 'item.hidden', item.id);
    expect(await teacher.ok<{ item: Item }>('item.get', { itemId: item.id })).toMatchObject({ item: { state: 'hidden' } });

    await teacher.ok('item.publish', { itemId: item.id });
    for (const c of [student, guardian]) {
      await c.waitFor((f) => isEvent('item.published', item.id)(f) && f.cursor !== student.frames.find(isEvent('item.published', item.id))?.cursor);
      expect(await listed(c, item.id)).toBe(true);
    }
  });

  it('closing ends it for students and guardians for good: a closed item is not published again', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const student = await t.connect('p-stu-ek-3');
    const { item } = await teacher.ok<{ item: Item }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Prov', publish: true, clientKey: ck() });
    await student.waitFor(isEvent('item.published', item.id));
    await teacher.ok('item.close', { itemId: item.id });
    await student.waitFor(isEvent('item.closed', item.id));
    expect(await listed(student, item.id)).toBe(false);
    expect(await teacher.request('item.publish', { itemId: item.id })).toMatchObject({ type: 'error', code: 'conflict', path: ['itemId'] });
    expect(await teacher.request('item.hide', { itemId: item.id })).toMatchObject({ type: 'error', code: 'conflict' });
    expect(await teacher.request('item.update', { itemId: item.id, title: 'Nytt' })).toMatchObject({ type: 'error', code: 'conflict' });
    await teacher.ok('item.close', { itemId: item.id }); // a retry
    // A draft cannot be hidden or closed: it was never shown.
    const draft = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Utkast', clientKey: ck() });
    expect(await teacher.request('item.hide', { itemId: draft.item.id })).toMatchObject({ type: 'error', code: 'conflict' });
    expect(await teacher.request('item.close', { itemId: draft.item.id })).toMatchObject({ type: 'error', code: 'conflict' });
  });

  it('only the teachers of the group change an item; those who see it get forbidden, others not_found', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const student = await t.connect('p-stu-ek-1');
    const { item } = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Procent', publish: true, clientKey: ck() });
    await student.waitFor(isEvent('item.published', item.id));
    for (const who of ['p-stu-ek-1', 'p-gua-ek-1a', 'p-admin-ek']) {
      const c = await t.connect(who);
      for (const op of ['item.update', 'item.hide', 'item.close']) {
        expect(await c.request(op, { itemId: item.id, title: 'x' })).toMatchObject({ type: 'error', code: 'forbidden' });
      }
    }
    for (const who of ['p-stu-ek-5', 'p-mentor-ek', 'p-reader-ek']) {
      const c = await t.connect(who);
      expect(await c.request('item.hide', { itemId: item.id })).toMatchObject({ type: 'error', code: 'not_found', path: ['itemId'] });
    }
    const { item: updated } = await teacher.ok<{ item: Item }>('item.update', { itemId: item.id, title: 'Procent och bråk', dueOn: '2025-04-01' });
    expect(updated).toMatchObject({ title: 'Procent och bråk', dueOn: '2025-04-01', state: 'published' });
    const ev = await student.waitFor(isEvent('item.updated', item.id));
    expect((ev.data as { item: Item }).item.title).toBe('Procent och bråk');
    const cleared = await teacher.ok<{ item: Item }>('item.update', { itemId: item.id, dueOn: null });
    expect(cleared.item.dueOn).toBeNull();
  });

  it('items.get pages, and filters by group and kind', async () => {
    const teacher = await t.connect('p-teacher-ek');
    for (let i = 0; i < 5; i++) await teacher.ok('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: `Läxa ${i}`, publish: true, clientKey: ck() });
    const student = await t.connect('p-stu-ek-4');
    const seen: string[] = [];
    let before: string | null | undefined;
    do {
      const page: { items: Item[]; next: string | null } = await student.ok('items.get', { limit: 2, kind: 'assignment', groupId: 'g-ek-ma7', ...(before ? { before } : {}) });
      for (const i of page.items) expect(i).toMatchObject({ kind: 'assignment', groupId: 'g-ek-ma7', state: 'published' });
      seen.push(...page.items.map((i) => i.id));
      before = page.next;
    } while (before);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    const plans = await student.ok<{ items: Item[] }>('items.get', { kind: 'plan', limit: 100 });
    expect(plans.items.every((i) => i.kind === 'plan')).toBe(true);
  });

  it('a student who was away gets the hide on resume although they may no longer read the item', async () => {
    const teacher = await t.connect('p-teacher-ek');
    const student = await t.connect('p-stu-ek-1');
    const { item } = await teacher.ok<{ item: Item }>('item.create', { kind: 'plan', groupId: 'g-ek-ma7', title: 'Resume', publish: true, clientKey: ck() });
    await student.waitFor(isEvent('item.published', item.id));
    const cursor = student.lastCursor()!;
    student.close();
    await student.closed;
    await teacher.ok('item.hide', { itemId: item.id });
    const back = await t.connect('p-stu-ek-1', { cursor });
    await back.waitFor((f) => f.type === 'event' && f.event === 'sync.done');
    expect(back.frames.filter(isEvent('item.hidden', item.id))).toHaveLength(1);
  });
});
