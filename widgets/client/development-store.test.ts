// The development store against a scripted client: what gets into a student's overview (never
// a draft, never another student's record, never an open form), events that overtake the
// load, updates (newer wins), a documentation merged across a guardian's two events, a child
// group's documentation, and the hub's answers when it needs to be told which child.
import { describe, expect, it } from 'vitest';
import type { HubClient } from './client.ts';
import { HubError } from './protocol.ts';
import { DevelopmentStore } from './development-store.ts';
import type { Assessment, ConferenceForm, DevelopmentEntry, DevelopmentEvents, Documentation, Feedback } from './development-protocol.ts';
import { FakeClient as BaseFakeClient } from './testing/fake-client.ts';

class FakeClient extends BaseFakeClient<DevelopmentEvents> {}

const tick = () => new Promise((r) => setTimeout(r, 0));
const at = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
const ELSA = { id: 'elsa', name: 'Elsa' };

const feedback = (id: string, n: number, o: Partial<Feedback> = {}): Feedback => ({
  id, itemId: 'i1', itemKind: 'assignment', itemTitle: 'Bråk', groupId: 'g1', groupName: 'Ma 7', schoolId: 's1', studentId: 'elsa', studentName: 'Elsa',
  authorId: 'teacher', authorName: 'Lärare', body: `body ${id}`, state: 'published', createdAt: at(n), updatedAt: at(n), publishedAt: at(n), ...o,
});
const assessment = (id: string, n: number, o: Partial<Assessment> = {}): Assessment => ({
  id, groupId: 'g1', groupName: 'Ma 7', schoolId: 's1', subject: 'Ma 7', studentId: 'elsa', studentName: 'Elsa', authorId: 'teacher', authorName: 'Lärare',
  level: 'C', text: null, state: 'published', createdAt: at(n), updatedAt: at(n), publishedAt: at(n), ...o,
});
const form = (id: string, n: number, state: 'open' | 'closed'): ConferenceForm => ({
  id, conferenceId: 'c1', templateId: 'iup', title: 'IUP', studentId: 'elsa', studentName: 'Elsa', mentorId: 'm', mentorName: 'Mentor',
  state, sides: ['student'], fields: [], createdAt: at(n), updatedAt: at(n),
});
const doc = (id: string, n: number, children: { id: string; name: string }[], o: Partial<Documentation> = {}): Documentation => ({
  id, groupId: 'blabar', groupName: 'Blåbär', schoolId: 's2', authorId: 'pre', authorName: 'Pedagog', title: `doc ${id}`, body: 'b', goals: [],
  wholeGroup: false, children, attachments: [], createdAt: at(n), updatedAt: at(n), ...o,
});
const ids = (s: DevelopmentStore) => s.entries.map((e: DevelopmentEntry) => `${e.kind}:${'feedback' in e ? e.feedback.id : 'assessment' in e ? e.assessment.id : 'form' in e ? e.form.id : e.documentation.id}`);

async function overview(entries: DevelopmentEntry[] = [], next: string | null = null) {
  const c = new FakeClient();
  const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'student' });
  c.answer('development.get', { student: ELSA, entries, next });
  await tick();
  return { c, store };
}

describe('DevelopmentStore: a student’s overview', () => {
  it('takes in published records about the student, live and counted; never a draft, another student’s or an open form', async () => {
    const { c, store } = await overview([{ kind: 'feedback', at: at(1), feedback: feedback('f1', 1) }, { kind: 'form', at: at(2), form: form('o1', 2, 'open') }]);
    expect(ids(store)).toEqual(['feedback:f1']);
    c.emit('feedback.published', { feedback: feedback('f2', 3, { state: 'draft' }) });
    c.emit('feedback.published', { feedback: feedback('f3', 4, { studentId: 'liam' }) });
    c.emit('assessment.published', { assessment: assessment('a1', 5, { studentId: 'liam' }) });
    c.emit('form.released', { form: { ...form('o2', 6, 'closed'), studentId: 'liam' } });
    c.emit('documentation.created', { documentation: doc('d1', 7, [{ id: 'liam', name: 'Liam' }]) });
    expect(ids(store)).toEqual(['feedback:f1']);
    expect(store.arrivals).toBe(0);
    c.emit('assessment.published', { assessment: assessment('a2', 8) });
    c.emit('form.released', { form: form('o1', 2, 'closed') });
    expect(ids(store)).toEqual(['assessment:a2', 'form:o1', 'feedback:f1']);
    expect(store.arrivals).toBe(2);
    expect([...store.fresh]).toEqual(['assessment:a2', 'form:o1']);
  });

  it('keeps the newer version of a record; an update of a draft never gets in', async () => {
    const { c, store } = await overview([{ kind: 'feedback', at: at(1), feedback: feedback('f1', 1) }]);
    c.emit('feedback.updated', { feedback: feedback('f1', 1, { body: 'new', updatedAt: at(9) }) });
    c.emit('feedback.updated', { feedback: feedback('f1', 1, { body: 'old', updatedAt: at(5) }) });
    c.emit('feedback.updated', { feedback: feedback('f2', 2, { state: 'draft' }) });
    expect(store.entries.map((e) => (e.kind === 'feedback' ? e.feedback.body : ''))).toEqual(['new']);
    // An update is not an arrival.
    expect(store.arrivals).toBe(0);
  });

  it('takes in the events that came while loading, once, after the page', async () => {
    const c = new FakeClient();
    const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'student' });
    c.emit('feedback.published', { feedback: feedback('f1', 1) });
    c.emit('feedback.published', { feedback: feedback('f2', 2) });
    c.answer('development.get', { student: ELSA, entries: [{ kind: 'feedback', at: at(1), feedback: feedback('f1', 1) }], next: null });
    await tick();
    expect(ids(store)).toEqual(['feedback:f2', 'feedback:f1']);
    expect(store.arrivals).toBe(1);
  });

  it('shows a documentation about two of a guardian’s children in the one child’s view, naming that child', async () => {
    const { c, store } = await overview();
    c.emit('documentation.created', { documentation: doc('d1', 1, [ELSA]) });
    c.emit('documentation.created', { documentation: doc('d1', 1, [{ id: 'olle', name: 'Olle' }]) });
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]!.kind === 'documentation' && store.entries[0]!.documentation.children.map((x) => x.id)).toEqual(['elsa']);
    expect(store.arrivals).toBe(1);
  });

  it('does not count what the person wrote themselves as news', async () => {
    const { c, store } = await overview();
    c.emit('documentation.created', { documentation: doc('d1', 1, [ELSA], { authorId: 'me' }) });
    expect(ids(store)).toEqual(['documentation:d1']);
    expect(store.arrivals).toBe(0);
  });

  it('pages on with the cursor, without repeats', async () => {
    const { c, store } = await overview([{ kind: 'feedback', at: at(5), feedback: feedback('f5', 5) }], 'cur');
    c.emit('feedback.published', { feedback: feedback('f1', 1) });
    const more = store.more();
    expect(c.requests[0]!.fields).toMatchObject({ before: 'cur', limit: 20 });
    c.answer('development.get', { student: ELSA, entries: [{ kind: 'feedback', at: at(1), feedback: feedback('f1', 1) }, { kind: 'assessment', at: at(0), assessment: assessment('a0', 0) }], next: null });
    await more;
    expect(ids(store)).toEqual(['feedback:f5', 'feedback:f1', 'assessment:a0']);
    expect(store.next).toBe(null);
  });

  it('says when the hub needs to know which child, and when there is nothing for this person', async () => {
    const c = new FakeClient();
    const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'student' });
    c.fail('development.get', new HubError('invalid', 'name which child: studentId', ['studentId']));
    await tick();
    expect(store.state).toBe('choose');
    const other = new DevelopmentStore(c as unknown as HubClient, { kind: 'student', studentId: 'x' });
    expect(c.requests[0]!.fields).toMatchObject({ studentId: 'x' });
    c.fail('development.get', new HubError('not_found', 'no such student', ['studentId']));
    await tick();
    expect([other.state, other.notFound]).toEqual(['error', true]);
  });

  it('offers the students the hub lists, when it lists them', async () => {
    const c = new FakeClient();
    const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'student', kinds: ['documentation'] });
    expect(c.requests[0]!.fields).toMatchObject({ kinds: ['documentation'] });
    c.answer('development.get', { student: ELSA, students: [ELSA, { id: 'olle', name: 'Olle' }], entries: [], next: null });
    await tick();
    expect(store.students.map((s) => s.id)).toEqual(['elsa', 'olle']);
    // Only documentation in this view.
    c.emit('feedback.published', { feedback: feedback('f1', 1) });
    expect(store.entries).toEqual([]);
  });
});

describe('DevelopmentStore: a child group’s documentation', () => {
  it('shows the group’s documentation, live, and nothing of another group', async () => {
    const c = new FakeClient();
    const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'group', groupId: 'blabar' });
    expect(c.requests[0]).toMatchObject({ type: 'group.documentation.get', fields: { groupId: 'blabar' } });
    c.answer('group.documentation.get', { documentation: [doc('d1', 1, [ELSA])], next: null });
    await tick();
    c.emit('documentation.created', { documentation: doc('d2', 2, [ELSA], { groupId: 'other' }) });
    c.emit('documentation.created', { documentation: doc('d3', 3, [{ id: 'olle', name: 'Olle' }]) });
    c.emit('feedback.published', { feedback: feedback('f1', 4) });
    expect(ids(store)).toEqual(['documentation:d3', 'documentation:d1']);
  });

  it('merges the children of a documentation that arrives once per child', async () => {
    const c = new FakeClient();
    const store = new DevelopmentStore(c as unknown as HubClient, { kind: 'group', groupId: 'blabar' });
    c.answer('group.documentation.get', { documentation: [], next: null });
    await tick();
    c.emit('documentation.created', { documentation: doc('d1', 1, [ELSA]) });
    c.emit('documentation.created', { documentation: doc('d1', 1, [{ id: 'olle', name: 'Olle' }]) });
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]!.kind === 'documentation' && store.entries[0]!.documentation.children.map((x) => x.id)).toEqual(['elsa', 'olle']);
    expect(store.arrivals).toBe(1);
  });
});
