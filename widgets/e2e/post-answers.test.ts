// Acknowledge and RSVP in a real browser against a real hub (issue 13 item 4): the mentor asks
// Klass 7A's guardians "Ja / Nej / Kanske" through the composer; a guardian of two children
// answers once per child, by mouse and by keyboard, in Swedish; another guardian answers in
// English; the mentor's tally and list follow live. Each family sees only its own answer and
// nothing of the protected child. An acknowledgement with a deadline closes after it.
//
// The demo district with one change: p-gua-ek-2a (Sara) is also a guardian of p-stu-ek-3, so
// she answers for two children of the class.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoBundle } from '../../hub/demo/district.ts';
import type { TestClient } from '../../hub/testing/client.ts';
import { eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { itEndsClean } from './support/axe.ts';

const MENTOR = 'p-mentor-ek';
const SARA = 'p-gua-ek-2a'; // guardian of p-stu-ek-2 and (here) p-stu-ek-3
const ENGLISH = 'p-gua-ek-1b'; // guardian of p-stu-ek-1

function bundle() {
  const b = demoBundle();
  const alice = b.persons.find((p) => p.id === 'p-stu-ek-3')!;
  alice.responsibles = [...(alice.responsibles ?? []), { person: { id: SARA }, relationType: 'Vårdnadshavare' }];
  return b;
}

describe.skipIf(!hasChromium)('acknowledge and RSVP in the feed, live in three browsers', () => {
  const stage = useStage(() => ({ bundle: bundle() }));
  let mentor: Page;
  let sara: Page;
  let english: Page;
  let mentorWs: TestClient;
  const problems: string[] = [];
  const name = (id: string) => stage.t.hub.core.directory().person(id)!.name;
  const feed = (p: Page) => p.locator('schoolhub-feed');

  /** Shows what arrived live in a feed. */
  const showArrivals = async (p: Page) => {
    const show = feed(p).getByRole('button', { name: /^Show \d+ new posts?$|^Visa (1 nytt|\d+ nya) inlägg$/ });
    await eventually(() => show.count()).toBe(1);
    await show.click();
  };

  beforeAll(async () => {
    const page = (as: string, lang: string) => portalPage(stage.t, { lang, body: `<schoolhub-feed token-url="/token?as=${as}"></schoolhub-feed>` });
    stage.portal.page('/mentor', page(MENTOR, 'sv'));
    stage.portal.page('/sara', page(SARA, 'sv'));
    stage.portal.page('/english', page(ENGLISH, 'en'));
    const open = (path: string) => openPage(stage.browser, `${stage.portal.url}${path}`, problems);
    [mentor, sara, english] = await Promise.all([open('/mentor'), open('/sara'), open('/english')]);
    await feed(sara).getByText('Inget i flödet ännu.').waitFor({ timeout: 20_000 });
    await feed(english).getByText('Nothing in the feed yet.').waitFor({ timeout: 20_000 });
    mentorWs = await stage.t.connect(MENTOR);
  });

  it('the mentor asks for Ja / Nej / Kanske through the composer; the tally starts with nobody answered', async () => {
    await feed(mentor).getByRole('button', { name: 'Nytt inlägg' }).first().click();
    const composer = mentor.locator('schoolhub-feed-composer');
    await composer.getByRole('checkbox', { name: 'Klass 7A', exact: true }).check();
    await composer.getByRole('checkbox', { name: 'vårdnadshavare' }).check();
    await composer.getByLabel('Rubrik').fill('Föräldramöte tisdag');
    await composer.getByLabel('Text').fill('Kommer ni på föräldramötet tisdag 18.00?');
    await composer.getByRole('radio', { name: 'Val mellan svar' }).check();
    // The usual three answers are offered; the author may change them.
    await expect.poll(() => composer.getByLabel('Svarsalternativ 1').inputValue()).toBe('Ja');
    expect(await composer.getByLabel('Svarsalternativ 3').inputValue()).toBe('Kanske');
    await composer.getByRole('button', { name: 'Publicera' }).click();
    await composer.getByText('Inlägget är publicerat.').waitFor();
    const answers = feed(mentor).locator('schoolhub-post-answer');
    // 7A's guardians: 11 links, Sara answering twice.
    await eventually(() => answers.locator('[part=tally]').innerText()).toMatch(/Ja: 0 · Nej: 0 · Kanske: 0 · Inte svarat: 12/);
  });

  it('a guardian of two children answers once per child, by mouse and by keyboard; the mentor sees it live', async () => {
    await showArrivals(sara);
    const block = feed(sara).locator('schoolhub-post-answer');
    const liam = block.getByRole('group', { name: `Svar för ${name('p-stu-ek-2')}` });
    const alice = block.getByRole('group', { name: `Svar för ${name('p-stu-ek-3')}` });
    await eventually(() => liam.count()).toBe(1);
    await liam.getByRole('radio', { name: 'Ja' }).check();
    await eventually(() => block.getByRole('status').filter({ hasText: 'Ditt svar är sparat.' }).count()).toBe(1);
    // Keyboard: into Alice's group, Space chooses the first answer, the arrow key the next.
    await alice.getByRole('radio', { name: 'Ja' }).focus();
    await sara.keyboard.press('Space');
    await sara.keyboard.press('ArrowRight');
    await eventually(() => alice.getByRole('radio', { name: 'Nej' }).isChecked()).toBe(true);
    const tally = feed(mentor).locator('schoolhub-post-answer [part=tally]');
    await eventually(() => tally.innerText()).toMatch(/Ja: 1 · Nej: 1 · Kanske: 0 · Inte svarat: 10/);
    // Who answered what: Sara for each child.
    const answers = feed(mentor).locator('schoolhub-post-answer');
    await answers.getByText('Vem har svarat vad').click();
    const row = (child: string) => answers.getByRole('row').filter({ hasText: name(child) }).filter({ hasText: name(SARA) });
    await eventually(() => row('p-stu-ek-2').innerText()).toContain('Ja');
    await eventually(() => row('p-stu-ek-3').innerText()).toContain('Nej');
    // Staff see the protected child's guardian among those who have not answered.
    expect(await answers.getByRole('table').innerText()).toContain(name('p-stu-ek-6'));
  });

  it('another guardian answers in English and sees only their own answer; nothing of another family or the protected child', async () => {
    await showArrivals(english);
    const block = feed(english).locator('schoolhub-post-answer');
    const group = block.getByRole('group', { name: `Answer for ${name('p-stu-ek-1')}` });
    await group.getByText('Kanske').click();
    await eventually(() => block.getByRole('status').filter({ hasText: 'Your answer is saved.' }).count()).toBe(1);
    await eventually(() => feed(mentor).locator('schoolhub-post-answer [part=tally]').innerText()).toMatch(/Kanske: 1 · Inte svarat: 9/);
    // The post's text and the answer block's own (inside its shadow root).
    const text = `${await feed(english).locator('article').first().innerText()}\n${await block.locator('section').innerText()}`;
    expect(text).toContain(name('p-stu-ek-1'));
    for (const other of [SARA, 'p-stu-ek-2', 'p-stu-ek-3', 'p-stu-ek-6', 'p-gua-ek-6a']) expect(text).not.toContain(name(other));
    expect(await block.getByRole('table').count()).toBe(0);
    // Sara's other device (this page, reloaded) shows her answers as stored.
    await sara.reload();
    const liam = feed(sara).getByRole('group', { name: `Svar för ${name('p-stu-ek-2')}` });
    await eventually(() => liam.getByRole('radio', { name: 'Ja' }).isChecked()).toBe(true);
  });

  it('an acknowledgement shows its deadline, is given with one button, and closes when the deadline has passed', async () => {
    const deadline = new Date(Date.now() + 4_000).toISOString();
    await mentorWs.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Tillståndsblankett utflykt', body: 'Bekräfta att ni har läst.', clientKey: 'ack-1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a', memberIds: ['p-stu-ek-1'] }], recipients: { guardians: true } }, ask: { kind: 'ack', deadline },
    });
    await showArrivals(english);
    const article = feed(english).getByRole('article', { name: /Tillståndsblankett utflykt/ });
    await eventually(() => article.getByText(/^Answer by /).count()).toBe(1);
    await article.getByRole('button', { name: `I have read this (for ${name('p-stu-ek-1')})` }).click();
    await eventually(() => article.getByText('Acknowledged').count()).toBe(1);
    // When the deadline passes the open page closes the controls, said in words; so does a reload.
    await eventually(() => article.getByText('The deadline for answers has passed.').count()).toBe(1);
    await english.reload();
    const again = feed(english).getByRole('article', { name: /Tillståndsblankett utflykt/ });
    await eventually(() => again.getByText('The deadline for answers has passed.').count()).toBe(1);
    await eventually(() => again.getByText('Acknowledged').count()).toBe(1);
    // The mentor's page: the acknowledgement, who gave it, who has not (left open for the closing axe check).
    const tally = feed(mentor).locator('schoolhub-post-answer').first();
    await eventually(() => tally.locator('[part=tally]').innerText()).toMatch(/Bekräftat: 1 · Inte svarat: 1/);
    await tally.getByText('Vem har svarat vad').click();
    await eventually(() => tally.getByRole('row').filter({ hasText: name(ENGLISH) }).innerText()).toContain('Bekräftat');
    expect(await tally.getByRole('row').filter({ hasText: name('p-gua-ek-1a') }).innerText()).toContain('Inte svarat');
  });

  itEndsClean(() => [mentor, sara, english], problems);
});
