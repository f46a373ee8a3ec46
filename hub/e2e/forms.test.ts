// Forms in development conferences (docs/DOMAIN.md §8) over real connections: a mentor adds forms,
// each side sees, fills and receives only its own fields until the mentor closes the meeting,
// and then the filled-in forms reach the student and the guardians live.
//
// Demo district: p-mentor-ek mentors g-ek-7a (p-stu-ek-1..6); p-stu-ek-2's guardians are
// p-gua-ek-2a and p-gua-ek-2b; p-reader-ek is reader at Ekskolan.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHub } from '../testing/lifecycle.ts';
import type { Frame, TestClient } from '../testing/client.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

interface Field {
  id: string;
  side: string;
  answer: { value: string; by: { id: string; name: string } | null } | null;
}
interface Form {
  id: string;
  templateId: string;
  state: string;
  sides: string[];
  fields: Field[];
}

let keyNo = 0;
const ck = () => `form-${++keyNo}`;

const formEvent = (name: string, formId: string) => (f: Frame) =>
  f.type === 'event' && f.event === name && (f.data as { form?: { id: string } }).form?.id === formId;
const sidesOf = (form: Form) => [...new Set(form.fields.map((f) => f.side))].sort();
const answer = (form: Form, fieldId: string) => form.fields.find((f) => f.id === fieldId)?.answer?.value ?? null;

/**
 * After a ping, nothing of `name` about the form has come since frame `since` (everything sent
 * before the ping has arrived by then).
 */
async function noEvent(c: TestClient, name: string, formId: string, since = 0): Promise<void> {
  await c.ping();
  expect(c.frames.slice(since).filter(formEvent(name, formId))).toEqual([]);
}

async function conference(mentor: TestClient, studentId: string): Promise<string> {
  const { conference: c } = await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId, startsAt: '2025-05-06T14:00:00+02:00', clientKey: ck() });
  return c.id;
}

describe('conference forms (§8)', () => {
  it('lists the templates, each field for one side', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const { templates } = await mentor.ok<{ templates: { id: string; fields: { side: string }[] }[] }>('form.templates.get');
    expect(templates.map((x) => x.id)).toEqual(['iup', 'forward-plan', 'wellbeing']);
    for (const x of templates) expect(new Set(x.fields.map((f) => f.side))).toEqual(new Set(['student', 'guardian', 'mentor']));
  });

  it('form fields reach only the side they are meant for until the meeting closes, then everyone', async () => {
    const [mentor, student, guardian, guardianB, classmate] = await connectEach(t, 'p-mentor-ek', 'p-stu-ek-2', 'p-gua-ek-2a', 'p-gua-ek-2b', 'p-stu-ek-3');
    const conferenceId = await conference(mentor, 'p-stu-ek-2');
    const { form } = await mentor.ok<{ form: Form }>('form.add', { conferenceId, templateId: 'iup', clientKey: ck() });
    expect(sidesOf(form)).toEqual(['guardian', 'mentor', 'student']);

    // Each side is told of the form with its own fields only.
    const toStudent = (await student.waitFor(formEvent('form.added', form.id))).data as { form: Form };
    expect(sidesOf(toStudent.form)).toEqual(['student']);
    const toGuardian = (await guardianB.waitFor(formEvent('form.added', form.id))).data as { form: Form };
    expect(sidesOf(toGuardian.form)).toEqual(['guardian']);
    await noEvent(classmate, 'form.added', form.id);

    // The student fills a field: the mentor sees it live, the guardians see nothing of it.
    await student.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'student-strengths', value: 'Jag är bra på att läsa.' }] });
    const mentorSees = (await mentor.waitFor(formEvent('form.filled', form.id))).data as { form: Form };
    expect(answer(mentorSees.form, 'student-strengths')).toBe('Jag är bra på att läsa.');
    await noEvent(guardian, 'form.filled', form.id);
    const guardianView = await guardian.ok<{ form: Form }>('form.get', { formId: form.id });
    expect(sidesOf(guardianView.form)).toEqual(['guardian']);
    expect(JSON.stringify(guardianView)).not.toContain('bra på att läsa');

    // A guardian fills theirs: the other guardian's devices get it, the student does not.
    const studentSeen = student.frames.length;
    await guardian.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'guardian-view', value: 'Hen trivs och läser mycket hemma.' }] });
    const otherGuardian = (await guardianB.waitFor(formEvent('form.filled', form.id))).data as { form: Form };
    expect(answer(otherGuardian.form, 'guardian-view')).toBe('Hen trivs och läser mycket hemma.');
    expect(sidesOf(otherGuardian.form)).toEqual(['guardian']);
    await noEvent(student, 'form.filled', form.id, studentSeen);
    const studentView = await student.ok<{ form: Form }>('form.get', { formId: form.id });
    expect(sidesOf(studentView.form)).toEqual(['student']);
    expect(JSON.stringify(studentView)).not.toContain('läser mycket hemma');

    // The mentor's own fields reach nobody else before the close.
    const [studentBefore, guardianBefore] = [student.frames.length, guardianB.frames.length];
    await mentor.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'mentor-goals', value: 'Läsa en bok i månaden.' }] });
    await noEvent(student, 'form.filled', form.id, studentBefore);
    await noEvent(guardianB, 'form.filled', form.id, guardianBefore);

    // Nobody writes another side's field.
    expect(await student.request('form.fill', { formId: form.id, answers: [{ fieldId: 'guardian-view', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'forbidden', path: ['answers', 0, 'fieldId'] });
    expect(await guardian.request('form.fill', { formId: form.id, answers: [{ fieldId: 'mentor-goals', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await mentor.request('form.fill', { formId: form.id, answers: [{ fieldId: 'student-develop', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await mentor.request('form.fill', { formId: form.id, answers: [{ fieldId: 'no-such-field', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'invalid', path: ['answers', 0, 'fieldId'] });
    expect(await classmate.request('form.fill', { formId: form.id, answers: [{ fieldId: 'student-strengths', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'not_found', path: ['formId'] });
    expect(await classmate.request('form.get', { formId: form.id })).toMatchObject({ type: 'error', code: 'not_found' });

    // The mentor closes the meeting: the filled-in form reaches the student and both guardians, whole.
    await mentor.ok('conference.close', { conferenceId });
    for (const c of [student, guardian, guardianB]) {
      const released = (await c.waitFor(formEvent('form.released', form.id))).data as { form: Form };
      expect(released.form.state).toBe('closed');
      expect(sidesOf(released.form)).toEqual(['guardian', 'mentor', 'student']);
      expect(answer(released.form, 'student-strengths')).toBe('Jag är bra på att läsa.');
      expect(answer(released.form, 'guardian-view')).toBe('Hen trivs och läser mycket hemma.');
      expect(answer(released.form, 'mentor-goals')).toBe('Läsa en bok i månaden.');
    }
    await noEvent(classmate, 'form.released', form.id);
    // Closed forms are final; the development overview keeps them whole.
    expect(await student.request('form.fill', { formId: form.id, answers: [{ fieldId: 'student-strengths', value: 'x' }] }))
      .toMatchObject({ type: 'error', code: 'conflict' });
    expect(await mentor.request('form.add', { conferenceId, templateId: 'wellbeing', clientKey: ck() })).toMatchObject({ type: 'error', code: 'conflict' });
    const overview = await guardian.ok<{ entries: { kind: string; form?: Form }[] }>('development.get', { studentId: 'p-stu-ek-2', kinds: ['form'] });
    const listed = overview.entries.find((e) => e.form?.id === form.id)!.form!;
    expect(answer(listed, 'mentor-goals')).toBe('Läsa en bok i månaden.');
  });

  it('the staff who see every side in the student card (reader, school admin) follow each fill live, whole', async () => {
    const [mentor, student, reader, admin, classmate] = await connectEach(t, 'p-mentor-ek', 'p-stu-ek-4', 'p-reader-ek', 'p-admin-ek', 'p-stu-ek-3');
    const conferenceId = await conference(mentor, 'p-stu-ek-4');
    const { form } = await mentor.ok<{ form: Form }>('form.add', { conferenceId, templateId: 'wellbeing', clientKey: ck() });
    for (const c of [reader, admin]) {
      const added = (await c.waitFor(formEvent('form.added', form.id))).data as { form: Form };
      expect(sidesOf(added.form)).toEqual(sidesOf(form));
    }
    const field = form.fields.find((f) => f.side === 'student')!;
    await student.ok('form.fill', { formId: form.id, answers: [{ fieldId: field.id, value: 'Jag trivs i klassen.' }] });
    for (const c of [reader, admin]) {
      const filled = (await c.waitFor(formEvent('form.filled', form.id))).data as { form: Form };
      expect(answer(filled.form, field.id)).toBe('Jag trivs i klassen.');
      // What arrives live is what the student card shows them.
      const card = await c.ok<{ entries: { form?: Form }[] }>('student.card.get', { studentId: 'p-stu-ek-4' });
      expect(card.entries.find((e) => e.form?.id === form.id)?.form).toEqual(filled.form);
    }
    await mentor.ok('conference.close', { conferenceId });
    for (const c of [reader, admin]) await c.waitFor(formEvent('form.released', form.id));
    await noEvent(classmate, 'form.filled', form.id);
  });

  it('a fill racing the close either lands before it (and is released) or is refused: none slips in after', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const student = await t.connect('p-stu-ek-1');
    const conferenceId = await conference(mentor, 'p-stu-ek-1');
    const { form } = await mentor.ok<{ form: Form }>('form.add', { conferenceId, templateId: 'wellbeing', clientKey: ck() });
    const fills = Array.from({ length: 12 }, (_, i) => student.request('form.fill', { formId: form.id, answers: [{ fieldId: 'student-thrive', value: `svar ${i}` }] }));
    const close = mentor.ok('conference.close', { conferenceId });
    const answers = await Promise.all(fills);
    await close;
    const ok = answers.filter((a) => a.type === 'ok').map((a) => answer((a.result as { form: Form }).form, 'student-thrive'));
    for (const a of answers) if (a.type === 'error') expect(a.code).toBe('conflict');
    const released = (await student.waitFor(formEvent('form.released', form.id))).data as { form: Form };
    const final = await student.ok<{ form: Form }>('form.get', { formId: form.id });
    expect(answer(final.form, 'student-thrive')).toBe(answer(released.form, 'student-thrive'));
    if (ok.length === 0) expect(answer(released.form, 'student-thrive')).toBeNull();
    else expect(ok).toContain(answer(released.form, 'student-thrive'));
  });

  it('only the conference’s mentor adds forms; one per template; the reader and admin see them in the student card', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const student = await t.connect('p-stu-ek-5');
    const conferenceId = await conference(mentor, 'p-stu-ek-5');
    expect(await student.request('form.add', { conferenceId, templateId: 'iup', clientKey: ck() })).toMatchObject({ type: 'error', code: 'forbidden' });
    const outsider = await t.connect('p-mentor-bj');
    expect(await outsider.request('form.add', { conferenceId, templateId: 'iup', clientKey: ck() })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await mentor.request('form.add', { conferenceId, templateId: 'nope', clientKey: ck() })).toMatchObject({ type: 'error', code: 'invalid', path: ['templateId'] });
    const first = await mentor.ok<{ form: Form }>('form.add', { conferenceId, templateId: 'wellbeing', clientKey: ck() });
    const again = await mentor.ok<{ form: Form; existing?: boolean }>('form.add', { conferenceId, templateId: 'wellbeing', clientKey: ck() });
    expect(again).toMatchObject({ form: { id: first.form.id }, existing: true });
    await mentor.ok('form.add', { conferenceId, templateId: 'forward-plan', clientKey: ck() });
    const { forms } = await student.ok<{ forms: Form[] }>('conference.forms.get', { conferenceId });
    expect(forms.map((f) => f.templateId)).toEqual(['wellbeing', 'forward-plan']);
    for (const f of forms) expect(sidesOf(f)).toEqual(['student']);
    await student.ok('form.fill', { formId: first.form.id, answers: [{ fieldId: 'student-thrive', value: 'Bra!' }, { fieldId: 'student-safe', value: 'Ja' }] });
    for (const who of ['p-reader-ek', 'p-admin-ek']) {
      const c = await t.connect(who);
      const card = await c.ok<{ entries: { kind: string; form?: Form }[] }>('student.card.get', { studentId: 'p-stu-ek-5', kinds: ['form'] });
      const wellbeing = card.entries.find((e) => e.form?.id === first.form.id)!.form!;
      expect(sidesOf(wellbeing)).toEqual(['guardian', 'mentor', 'student']);
      expect(answer(wellbeing, 'student-thrive')).toBe('Bra!');
    }
    const leader = await t.connect('p-leader-ek');
    expect(await leader.request('form.get', { formId: first.form.id })).toMatchObject({ type: 'error', code: 'not_found' });
    // An empty value takes an answer back.
    await student.ok('form.fill', { formId: first.form.id, answers: [{ fieldId: 'student-safe', value: '' }] });
    const { form: now } = await student.ok<{ form: Form }>('form.get', { formId: first.form.id });
    expect(answer(now, 'student-safe')).toBeNull();
    expect(answer(now, 'student-thrive')).toBe('Bra!');
  });
});
