// A teacher posts to the students of the group they teach, through the feed's composer and
// its audience picker; the post appears live in a student's feed ("1 new post") without a
// reload, in English on that page, and can be marked read.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { seriousViolations } from './support/axe.ts';
import { publish } from './support/composer.ts';

const TEACHER = 'p-teacher-ek'; // Lars Berglund, teaches Matematik 7 (g-ek-ma7)
const STUDENT = 'p-stu-ek-1'; // Elsa Andersson, in Matematik 7
const OTHER_GUARDIAN = 'p-gua-ek-1a'; // Elsa's guardian: guardians are not chosen below
const HEAD = 'p-hoo'; // Margareta Holm, head of operations of the district

describe.skipIf(!hasChromium)('feed: a teacher posts, a student sees it live', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  let teacher: Page;
  let student: Page;
  let guardian: Page;
  let head: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const page = (as: string, lang = 'sv') => portalPage(stage.t, { lang, body: `<schoolhub-feed token-url="/token?as=${as}"></schoolhub-feed>` });
    stage.portal.page('/teacher', page(TEACHER));
    stage.portal.page('/student', page(STUDENT, 'en'));
    stage.portal.page('/guardian', page(OTHER_GUARDIAN));
    stage.portal.page('/head', page(HEAD));
    const open = (path: string) => openPage(stage.browser, `${stage.portal.url}${path}`, problems);
    [teacher, student, guardian, head] = await Promise.all([open('/teacher'), open('/student'), open('/guardian'), open('/head')]);
  });

  it('the audience picker offers what the hub allows: the teacher’s own group, no whole school, no staff', async () => {
    await eventually(() => student.locator('schoolhub-feed').getByText('Nothing in the feed yet.').count()).toBe(1);
    await teacher.getByRole('button', { name: 'Nytt inlägg' }).click();
    const composer = teacher.locator('schoolhub-feed-composer');
    await eventually(() => composer.locator('input[name="target"]').count()).toBe(1);
    expect(await composer.getByRole('checkbox', { name: 'Matematik 7' }).count()).toBe(1);
    expect(await composer.getByText('hela skolan').count()).toBe(0);
    expect(await composer.getByRole('checkbox', { name: 'personal' }).count()).toBe(0);
    // The student has no composer at all.
    expect(await student.getByRole('button', { name: 'New post' }).count()).toBe(0);
  });

  it('a post to the students of Matematik 7 arrives live in the student’s feed', async () => {
    const composer = teacher.locator('schoolhub-feed-composer');
    await publish(composer, { to: ['Matematik 7', 'elever'], title: 'Prov på fredag', body: 'Kapitel 3 och 4. <b>Ta med</b> miniräknare.' });
    // The author sees it at once.
    await eventually(() => teacher.locator('schoolhub-feed article h3').allInnerTexts()).toEqual(['Prov på fredag']);

    // The student's page was not reloaded: a polite "1 new post", then the post on request.
    const show = student.getByRole('button', { name: 'Show 1 new post' });
    await eventually(() => show.count()).toBe(1);
    await eventually(() => student.locator('schoolhub-feed [aria-live="polite"]').innerText()).toBe('1 new post');
    await show.click();
    const article = student.locator('schoolhub-feed article');
    await eventually(() => article.count()).toBe(1);
    expect(await article.locator('h3').innerText()).toBe('New Prov på fredag');
    // User text is text: the markup in the body is shown, not rendered.
    expect(await article.locator('.body').innerText()).toBe('Kapitel 3 och 4. <b>Ta med</b> miniräknare.');
    expect(await article.locator('.body b').count()).toBe(0);
    expect(await article.locator('.muted').innerText()).toContain('Lars Berglund');
    expect(await article.locator('.muted').innerText()).toContain('Matematik 7 · students');

    await article.getByRole('button', { name: 'Mark as read' }).click();
    await eventually(() => student.locator('schoolhub-feed article.unread').count()).toBe(0);
  });

  it('a guardian who was not addressed does not get it', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(await guardian.locator('schoolhub-feed article').count()).toBe(0);
    expect(await guardian.getByRole('button', { name: /nytt inlägg|nya inlägg/ }).count()).toBe(0);
  });

  it('a mailing from the head of operations reaches the guardians of the chosen school live', async () => {
    await head.getByRole('button', { name: 'Nytt inlägg' }).click();
    const composer = head.locator('schoolhub-feed-composer');
    await eventually(() => composer.getByRole('checkbox', { name: 'Ekskolan' }).count()).toBe(1);
    // The audience picker is the hub's: the district's schools, not another district's.
    expect(await composer.getByRole('checkbox', { name: 'Annanskolan' }).count()).toBe(0);
    await publish(composer, { to: ['Ekskolan', 'vårdnadshavare'], title: 'Nya lovdagar', body: 'Höstlovet flyttas en vecka.' });
    const show = guardian.getByRole('button', { name: 'Visa 1 nytt inlägg' });
    await eventually(() => show.count()).toBe(1);
    await show.click();
    await eventually(() => guardian.locator('schoolhub-feed article h3').allInnerTexts()).toEqual(['Ny Utskick Nya lovdagar']);
    // Students were not chosen.
    expect(await student.getByRole('button', { name: /new post/ }).count()).toBe(0);
  });

  it('axe-core finds no serious or critical violation in the composer', async () => {
    expect(await seriousViolations(teacher)).toEqual([]);
    expect(await seriousViolations(head)).toEqual([]);
  });

  it('the pages raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
