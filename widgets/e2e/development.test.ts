// <schoolhub-development> against a real hub: a guardian's and a student's development
// overview. A teacher publishes feedback and an assessment, a mentor closes a conference with a
// filled-in form; the guardian sees them arrive live (marked new, announced politely), never a
// draft, never another child's, never a form before the conference is closed, and user text
// only ever as text. In English on the student's page; axe-core finds nothing serious.
//
// The staff views (a second describe, its own hub): the mentor of Klass 7A searches a student
// by keyboard, opens the student card and sees feedback the teacher publishes afterwards
// arrive live; the group overview of the mentor's groups, with a picker; a card the portal
// names; a teacher sees the group's draft on the card, tagged, until it is published; the
// school's reader searches and opens a card but gets no group overview; a guardian still sees
// only their child's overview.
//
// Demo district: p-teacher-ek teaches Matematik 7 (g-ek-ma7: p-stu-ek-1..4); p-mentor-ek mentors
// 7A (p-stu-ek-1..6). Elsa Andersson (p-stu-ek-1) has the guardians p-gua-ek-1b (Johan, one
// child) and p-gua-ek-1a (Maria, also guardian of Olle Berg at Björkskolan); Liam Johansson
// (p-stu-ek-2) has p-gua-ek-2a (Sara).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestClient } from '../../hub/testing/client.ts';
import { artifact, eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { itEndsClean } from './support/axe.ts';

const TEACHER = 'p-teacher-ek';
const MENTOR = 'p-mentor-ek';
const ELSA = 'p-stu-ek-1';
const LIAM = 'p-stu-ek-2';
const JOHAN = 'p-gua-ek-1b'; // Elsa's guardian, one child
const MARIA = 'p-gua-ek-1a'; // Elsa's and Olle's guardian
const SARA = 'p-gua-ek-2a'; // Liam's guardian

let keyNo = 0;
const ck = () => `wdev-${++keyNo}`;

describe.skipIf(!hasChromium)('development: a guardian and a student follow the development overview live', () => {
  const stage = useStage();
  let teacher: TestClient;
  let mentor: TestClient;
  let johan: Page;
  let student: Page;
  let sara: Page;
  let maria: Page;
  let mariaElsa: Page;
  let itemId: string;
  const problems: string[] = [];

  const widget = (p: Page) => p.locator('schoolhub-development');
  const titles = (p: Page) => widget(p).locator('article h3').allInnerTexts();
  const text = (p: Page) => widget(p).locator('section').innerText();
  const live = (p: Page) => widget(p).locator('[aria-live="polite"]').innerText();

  beforeAll(async () => {
    const page = (as: string, attrs = '', lang = 'sv') =>
      portalPage(stage.t, { lang, body: `<schoolhub-development token-url="/token?as=${as}" context-href="/skola/{kind}/{id}" ${attrs}></schoolhub-development>` });
    stage.portal.page('/johan', page(JOHAN));
    stage.portal.page('/student', page(ELSA, '', 'en'));
    stage.portal.page('/sara', page(SARA));
    stage.portal.page('/maria', page(MARIA));
    stage.portal.page('/maria-elsa', page(MARIA, `student-id="${ELSA}"`));
    const open = (path: string) => openPage(stage.browser, `${stage.portal.url}${path}`, problems);
    [johan, student, sara, maria, mariaElsa] = await Promise.all([open('/johan'), open('/student'), open('/sara'), open('/maria'), open('/maria-elsa')]);
    teacher = await stage.t.connect(TEACHER);
    mentor = await stage.t.connect(MENTOR);
    const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Bråkuppgifter', publish: true, clientKey: ck() });
    itemId = item.id;
  });

  it('opens the overview of the guardian’s only child, and of the student themself (in English)', async () => {
    await eventually(() => widget(johan).locator('h2').innerText()).toBe('Utveckling: Elsa Andersson');
    await eventually(() => text(johan)).toContain('Inget att visa ännu.');
    await eventually(() => widget(student).locator('h2').innerText()).toBe('Development: Elsa Andersson');
    await eventually(() => text(student)).toContain('Nothing to show yet.');
    await eventually(() => widget(sara).locator('h2').innerText()).toBe('Utveckling: Liam Johansson');
    // A guardian of two children: `student-id` names one.
    await eventually(() => widget(mariaElsa).locator('h2').innerText()).toBe('Utveckling: Elsa Andersson');
    // Without it the hub opens the first child by name and lists both: the widget offers a picker.
    await eventually(() => widget(maria).locator('h2').innerText()).toBe('Utveckling: Elsa Andersson');
    expect(await widget(maria).locator('select option').allInnerTexts()).toEqual(['Elsa Andersson', 'Olle Berg']);
    // The portal's own picker sets the attribute: the widget follows it.
    await maria.evaluate(() => document.querySelector('schoolhub-development')?.setAttribute('student-id', 'p-stu-bj-1'));
    await eventually(() => widget(maria).locator('h2').innerText()).toBe('Utveckling: Olle Berg');
    await eventually(() => text(maria)).toContain('Inget att visa ännu.');
  });

  it('published feedback arrives live; a draft and another child’s feedback never show', async () => {
    const { feedback: draft } = await teacher.ok<{ feedback: { id: string } }>('feedback.create', {
      itemId, studentId: ELSA, body: 'Utkast: bra start.', clientKey: ck(),
    });
    await teacher.ok('feedback.create', { itemId, studentId: LIAM, body: 'Till Liam: snyggt uträknat.', publish: true, clientKey: ck() });
    // Liam's guardian gets Liam's feedback.
    await eventually(() => titles(sara)).toEqual(['Uppgift: Bråkuppgifter']);
    await eventually(() => text(sara)).toContain('Till Liam: snyggt uträknat.');

    // Events come in order: once this assessment is on Johan's page, whatever came before it has too.
    await teacher.ok('assessment.create', { groupId: 'g-ek-ma7', studentId: ELSA, level: 'C', text: 'Säker på <em>bråk</em>.', publish: true, clientKey: ck() });
    await eventually(() => titles(johan)).toEqual(['Matematik 7']);
    expect(await text(johan)).not.toContain('Utkast');
    expect(await text(johan)).not.toContain('Till Liam');
    const assessment = widget(johan).locator('article').first();
    expect(await assessment.locator('.kind').innerText()).toBe('Ny Bedömning');
    expect(await assessment.locator('.level').innerText()).toBe('Nivå: C');
    expect(await assessment.locator('.body').innerText()).toBe('Säker på <em>bråk</em>.');
    expect(await assessment.locator('em').count()).toBe(0);

    // The draft is edited, then published: it arrives with its final text.
    await teacher.ok('feedback.update', { feedbackId: draft.id, body: 'Bra start, <b>fortsätt</b> med uppgift 5.' });
    await teacher.ok('feedback.publish', { feedbackId: draft.id });
    await eventually(() => titles(johan)).toEqual(expect.arrayContaining(['Uppgift: Bråkuppgifter', 'Matematik 7']));
    await eventually(() => live(johan)).toBe('Nytt: Återkoppling: Uppgift: Bråkuppgifter');
    const fb = widget(johan).locator('article', { hasText: 'Bråkuppgifter' });
    expect(await fb.locator('.body').innerText()).toBe('Bra start, <b>fortsätt</b> med uppgift 5.');
    expect(await fb.locator('.body b').count()).toBe(0);
    expect(await fb.locator('.muted').first().innerText()).toContain('Matematik 7 · Från Lars Berglund');
    expect(await fb.getAttribute('part')).toBe('item new');
    // The portal's page of the assignment, from its pattern.
    const link = fb.getByRole('link', { name: 'Öppna uppgiften' });
    expect(await link.getAttribute('href')).toBe(`${stage.portal.url}/skola/assignment/${itemId}`);
    expect(await text(johan)).not.toContain('Utkast');

    // The student sees theirs, in English; Liam's guardian never sees Elsa's.
    await eventually(() => titles(student)).toEqual(expect.arrayContaining(['Assignment: Bråkuppgifter', 'Matematik 7']));
    await eventually(() => live(student)).toMatch(/^New: /);
    expect(await titles(sara)).toEqual(['Uppgift: Bråkuppgifter']);
    expect(await text(sara)).not.toContain('fortsätt');
    expect(await text(sara)).not.toContain('Säker på');
    await eventually(() => titles(mariaElsa)).toHaveLength(2);
  });

  it('a conference form shows once the mentor closes the conference, with every side’s answers', async () => {
    const { conference } = await mentor.ok<{ conference: { id: string } }>('conference.create', { studentId: ELSA, startsAt: '2025-05-06T14:00:00+02:00', clientKey: ck() });
    const { form } = await mentor.ok<{ form: { id: string } }>('form.add', { conferenceId: conference.id, templateId: 'iup', clientKey: ck() });
    const elsa = await stage.t.connect(ELSA);
    const guardian = await stage.t.connect(MARIA);
    await elsa.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'student-strengths', value: 'Jag är bra på att läsa.' }] });
    await guardian.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'guardian-view', value: 'Hon trivs <i>bra</i>.' }] });
    await mentor.ok('form.fill', { formId: form.id, answers: [{ fieldId: 'mentor-goals', value: 'Läsa en bok i månaden.' }] });
    // Open forms are for filling in, elsewhere: not in the overview.
    await teacher.ok('assessment.create', { groupId: 'g-ek-ma7', studentId: ELSA, text: 'Muntligt: tydlig.', publish: true, clientKey: ck() });
    await eventually(() => titles(johan)).toHaveLength(3);
    expect(await text(johan)).not.toContain('Individuell utvecklingsplan');

    await mentor.ok('conference.close', { conferenceId: conference.id });
    const iup = widget(johan).locator('article', { hasText: 'Individuell utvecklingsplan (IUP)' });
    await eventually(() => iup.count()).toBe(1);
    await eventually(() => live(johan)).toBe('Nytt: Samtalsformulär: Individuell utvecklingsplan (IUP)');
    expect(await iup.locator('h4').allInnerTexts()).toEqual(['Elevens del', 'Vårdnadshavarnas del', 'Mentorns del']);
    const body = await iup.innerText();
    expect(body).toContain('Utvecklingssamtal med Eva Nyström');
    expect(body).toContain('Det här är jag bra på\nJag är bra på att läsa.');
    expect(body).toContain('Hon trivs <i>bra</i>.');
    expect(body).toContain('Svar av Maria Andersson');
    expect(body).toContain('Mål framåt\nLäsa en bok i månaden.');
    expect(body).toContain('Det här vill jag bli bättre på\nInte besvarad');
    expect(await iup.locator('i').count()).toBe(0);
    // Another family gets nothing of it.
    expect(await text(sara)).not.toContain('Individuell utvecklingsplan');
    await johan.screenshot({ path: artifact('development-guardian.png'), fullPage: true });
  });

  it('after a reload the overview comes from the hub: the same records, newest first, none marked new', async () => {
    const before = await titles(johan);
    await johan.reload();
    await eventually(() => titles(johan)).toEqual(before);
    expect(await widget(johan).locator('article.fresh').count()).toBe(0);
    expect(await text(johan)).not.toContain('Utkast');
  });

  itEndsClean(() => [johan, student, maria], problems);
});

describe.skipIf(!hasChromium)('development: staff search a student, open the student card and the group overview, live', () => {
  const READER = 'p-reader-ek';
  const stage = useStage();
  let teacher: TestClient;
  let mentor: Page;
  let mentorLiam: Page;
  let teacherElsa: Page;
  let reader: Page;
  let guardian: Page;
  let itemId: string;
  let draftId: string;
  const problems: string[] = [];

  const widget = (p: Page) => p.locator('schoolhub-development');
  const card = (p: Page) => widget(p).locator('section[part="container"]');
  const overview = (p: Page) => widget(p).locator('section[part="overview"]');
  const titlesIn = (l: ReturnType<Page['locator']>) => l.locator('article h3').allInnerTexts();
  const live = (p: Page) => widget(p).locator('[aria-live="polite"]').innerText();
  const focused = (p: Page) =>
    p.evaluate(() => {
      const el = document.querySelector('schoolhub-development')?.shadowRoot?.activeElement;
      return el ? `${el.tagName.toLowerCase()}:${el.textContent?.trim()}` : null;
    });

  beforeAll(async () => {
    const page = (as: string, attrs = '', lang = 'sv') =>
      portalPage(stage.t, { lang, body: `<schoolhub-development token-url="/token?as=${as}" context-href="/skola/{kind}/{id}" ${attrs}></schoolhub-development>` });
    stage.portal.page('/mentor', page(MENTOR));
    stage.portal.page('/mentor-liam', page(MENTOR, `student-id="${LIAM}"`, 'en'));
    stage.portal.page('/teacher-elsa', page(TEACHER, `student-id="${ELSA}"`));
    stage.portal.page('/reader', page(READER));
    stage.portal.page('/guardian', page(JOHAN));
    teacher = await stage.t.connect(TEACHER);
    const { item } = await teacher.ok<{ item: { id: string } }>('item.create', { kind: 'assignment', groupId: 'g-ek-ma7', title: 'Bråkuppgifter', publish: true, clientKey: ck() });
    itemId = item.id;
    // There before anyone opens a page: Liam's feedback, loaded with the views.
    await teacher.ok('feedback.create', { itemId, studentId: LIAM, body: 'Till Liam: snyggt uträknat.', publish: true, clientKey: ck() });
    const open = (path: string) => openPage(stage.browser, `${stage.portal.url}${path}`, problems);
    [mentor, mentorLiam, teacherElsa, reader, guardian] = await Promise.all([open('/mentor'), open('/mentor-liam'), open('/teacher-elsa'), open('/reader'), open('/guardian')]);
  });

  it('the mentor searches a student of their group by keyboard and opens the student card', async () => {
    await eventually(() => card(mentor).locator('h2').innerText()).toBe('Elevkort');
    // Only students whose card the mentor may open: Olle is at another school.
    await widget(mentor).getByLabel('Sök elev').fill('olle');
    await eventually(() => card(mentor).innerText()).toContain('Inga elever hittades.');
    await widget(mentor).getByLabel('Sök elev').fill('');
    await widget(mentor).getByLabel('Sök elev').focus();
    await mentor.keyboard.type('els');
    await mentor.keyboard.press('Enter');
    await eventually(() => widget(mentor).getByRole('list', { name: 'Elever' }).locator('button').allInnerTexts()).toEqual(['Elsa Andersson']);
    await eventually(() => live(mentor)).toBe('1 elev hittades');
    expect(await widget(mentor).getByRole('list', { name: 'Elever' }).innerText()).toContain('Klass 7A, Matematik 7, Svenska 7');
    await mentor.keyboard.press('Tab'); // the search button
    await mentor.keyboard.press('Tab'); // the first student
    expect(await focused(mentor)).toBe('button:Elsa Andersson');
    await mentor.keyboard.press('Enter');
    await eventually(() => card(mentor).locator('h2').innerText()).toBe('Elevkort: Elsa Andersson');
    // The card takes the results' place: the keyboard is at its heading.
    await eventually(() => focused(mentor)).toBe('h2:Elevkort: Elsa Andersson');
    await eventually(() => card(mentor).innerText()).toContain('Inget att visa ännu.');
    expect(await card(mentor).innerText()).toContain('Grupper: Klass 7A, Matematik 7, Svenska 7');
  });

  it('feedback the teacher publishes afterwards arrives live on the card; a draft and another student’s never', async () => {
    const { feedback: draft } = await teacher.ok<{ feedback: { id: string } }>('feedback.create', { itemId, studentId: ELSA, body: 'Utkast till Elsa.', clientKey: ck() });
    draftId = draft.id;
    await teacher.ok('feedback.create', { itemId, studentId: LIAM, body: 'Till Liam igen.', publish: true, clientKey: ck() });
    await teacher.ok('feedback.create', { itemId, studentId: ELSA, body: 'Bra start, <b>fortsätt</b> med uppgift 5.', publish: true, clientKey: ck() });
    await eventually(() => titlesIn(card(mentor))).toEqual(['Uppgift: Bråkuppgifter']);
    await eventually(() => live(mentor)).toBe('Nytt: Återkoppling: Uppgift: Bråkuppgifter');
    const fb = card(mentor).locator('article').first();
    expect(await fb.getAttribute('part')).toBe('item new');
    expect(await fb.locator('.kind').innerText()).toBe('Ny Återkoppling');
    expect(await fb.locator('.body').innerText()).toBe('Bra start, <b>fortsätt</b> med uppgift 5.');
    expect(await fb.locator('.body b').count()).toBe(0);
    expect(await fb.getByRole('link', { name: 'Öppna uppgiften' }).getAttribute('href')).toBe(`${stage.portal.url}/skola/assignment/${itemId}`);
    // The mentor sees published assessments on the card too.
    await teacher.ok('assessment.create', { groupId: 'g-ek-ma7', studentId: ELSA, level: 'C', text: 'Säker på bråk.', publish: true, clientKey: ck() });
    await eventually(() => titlesIn(card(mentor))).toEqual(['Matematik 7', 'Uppgift: Bråkuppgifter']);
    const text = await card(mentor).innerText();
    expect(text).not.toContain('Utkast');
    expect(text).not.toContain('Liam');
  });

  it('the group overview shows for the mentor, live, with a picker of the groups they own', async () => {
    await eventually(() => overview(mentor).locator('h2').innerText()).toBe('Gruppöversikt: Klass 7A');
    expect(await overview(mentor).getByLabel('Grupp').locator('option').allInnerTexts()).toEqual(['Klass 7A', 'Svenska 7']);
    // Records of many students: each heading names its student.
    await eventually(() => titlesIn(overview(mentor))).toEqual([
      'Elsa Andersson – Matematik 7',
      'Elsa Andersson – Uppgift: Bråkuppgifter',
      'Liam Johansson – Uppgift: Bråkuppgifter',
      'Liam Johansson – Uppgift: Bråkuppgifter',
    ]);
    expect(await overview(mentor).innerText()).not.toContain('Utkast');
    // The other group the mentor owns: the overview of its students.
    await overview(mentor).getByLabel('Grupp').selectOption({ label: 'Svenska 7' });
    await eventually(() => overview(mentor).locator('h2').innerText()).toBe('Gruppöversikt: Svenska 7');
    await eventually(() => titlesIn(overview(mentor))).toHaveLength(4);
    await overview(mentor).getByLabel('Grupp').selectOption({ label: 'Klass 7A' });
    await eventually(() => overview(mentor).locator('h2').innerText()).toBe('Gruppöversikt: Klass 7A');
    await eventually(() => titlesIn(overview(mentor))).toHaveLength(4);
    // A new assessment of a student of the group arrives in the overview (and on Elsa's card), announced with the student's name.
    await teacher.ok('assessment.create', { groupId: 'g-ek-ma7', studentId: LIAM, level: 'B', text: 'Tydliga uträkningar.', publish: true, clientKey: ck() });
    await eventually(() => titlesIn(overview(mentor))).toContain('Liam Johansson – Matematik 7');
    await eventually(() => live(mentor)).toBe('Nytt: Bedömning: Liam Johansson – Matematik 7');
    expect(await titlesIn(card(mentor))).toEqual(['Matematik 7', 'Uppgift: Bråkuppgifter']);
    await mentor.screenshot({ path: artifact('development-staff.png'), fullPage: true });
  });

  it('a card the portal names opens directly, without a search (in English)', async () => {
    await eventually(() => card(mentorLiam).locator('h2').innerText()).toBe('Student card: Liam Johansson');
    expect(await widget(mentorLiam).locator('input[type="search"]').count()).toBe(0);
    await eventually(() => titlesIn(card(mentorLiam))).toEqual(['Matematik 7', 'Assignment: Bråkuppgifter', 'Assignment: Bråkuppgifter']);
    expect(await card(mentorLiam).innerText()).not.toContain('Elsa');
  });

  it('a teacher of the group sees the group’s draft on the card, tagged, until it is published', async () => {
    const draft = card(teacherElsa).locator('article', { hasText: 'Utkast till Elsa.' });
    await eventually(() => draft.count()).toBe(1);
    expect(await draft.locator('.kind').innerText()).toBe('Utkast Återkoppling');
    expect(await draft.getAttribute('part')).toBe('item draft');
    // The teacher owns Matematik 7 only: its overview, no picker.
    await eventually(() => overview(teacherElsa).locator('h2').innerText()).toBe('Gruppöversikt: Matematik 7');
    expect(await overview(teacherElsa).locator('select').count()).toBe(0);
    await teacher.ok('feedback.publish', { feedbackId: draftId });
    await eventually(() => draft.locator('.kind').innerText()).toBe('Återkoppling');
    // Published now, on the mentor's card too: new to the mentor.
    await eventually(() => titlesIn(card(mentor))).toHaveLength(3);
    expect(await card(mentor).innerText()).toContain('Utkast till Elsa.');
  });

  it('the school’s reader searches and opens a card; no group overview', async () => {
    await eventually(() => card(reader).locator('h2').innerText()).toBe('Elevkort');
    await widget(reader).getByLabel('Sök elev').fill('liam');
    await widget(reader).getByRole('button', { name: 'Liam Johansson' }).click();
    await eventually(() => card(reader).locator('h2').innerText()).toBe('Elevkort: Liam Johansson');
    await eventually(() => titlesIn(card(reader))).toHaveLength(3);
    expect(await overview(reader).count()).toBe(0);
    expect(await widget(reader).locator('input[type="search"]').count()).toBe(0);
    // Closing the card goes back to the search as it was, the keyboard on the student it came from.
    await widget(reader).getByRole('button', { name: 'Stäng elevkortet' }).click();
    await eventually(() => card(reader).locator('h2').innerText()).toBe('Elevkort');
    await eventually(() => focused(reader)).toBe('button:Liam Johansson');
    expect(await widget(reader).getByLabel('Sök elev').inputValue()).toBe('liam');
  });

  it('a guardian still sees only their child’s development overview', async () => {
    await eventually(() => widget(guardian).locator('h2').innerText()).toBe('Utveckling: Elsa Andersson');
    await eventually(() => titlesIn(widget(guardian))).toHaveLength(3);
    expect(await widget(guardian).locator('input[type="search"]').count()).toBe(0);
    expect(await overview(guardian).count()).toBe(0);
    const text = await widget(guardian).locator('section').innerText();
    expect(text).not.toContain('Liam');
    expect(text).not.toContain('Elevkort');
  });

  itEndsClean(() => [mentor, teacherElsa, reader], problems, 'axe-core finds no serious or critical violation in the staff views');
});
