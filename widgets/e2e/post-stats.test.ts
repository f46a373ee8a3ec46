// Read statistics in the feed (docs/PROTOCOL.md, read statistics): under the mentor's own post
// "Läst av 0 av 11 vårdnadshavare" per part; a guardian reads it in their feed and the mentor's
// figure moves live, as does the school leader's (in English); the list of those who have not
// read it names them (a protected student too: the mentor is staff), and "Påminn" reminds them
// once a day. The guardian sees no statistics at all.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, hasChromium } from './support/browser.ts';
import { feedPage } from './support/portal.ts';
import { openPortalPages, useStage } from './support/stage.ts';
import { itEndsClean } from './support/axe.ts';

const MENTOR = 'p-mentor-ek'; // Eva Nyström, mentor of Klass 7A (6 students, 11 guardians)
const LEADER = 'p-leader-ek'; // Karl Lindqvist, Rektor at Ekskolan
const GUARDIAN = 'p-gua-ek-2a'; // a guardian of p-stu-ek-2 in 7A
const HUGO = 'p-stu-ek-6'; // a student of 7A with a protected identity, who does not read it

describe.skipIf(!hasChromium)('read statistics under the author’s posts', () => {
  const stage = useStage();
  let p: Record<'mentor' | 'leader' | 'guardian' | 'hugo', Page>;
  const problems: string[] = [];

  beforeAll(async () => {
    const author = await stage.t.connect(MENTOR);
    await author.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Utflykt', body: 'På fredag åker vi till skogen.', clientKey: 'ps-1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } },
    });
    p = await openPortalPages(stage, {
      mentor: feedPage(stage.t, MENTOR), leader: feedPage(stage.t, LEADER, 'en'), guardian: feedPage(stage.t, GUARDIAN), hugo: feedPage(stage.t, HUGO, 'en'),
    }, problems);
  });

  const figures = (p: Page) => p.locator('schoolhub-post-stats .parts li > span').allInnerTexts();

  it('the author and the leader see the figures per part; the guardian sees none', async () => {
    await eventually(() => figures(p.mentor)).toEqual(['Läst av 0 av 6 elever', 'Läst av 0 av 11 vårdnadshavare']);
    await eventually(() => figures(p.leader)).toEqual(['Read by 0 of 6 students', 'Read by 0 of 11 guardians']);
    await eventually(() => p.guardian.locator('schoolhub-feed article h3').allInnerTexts()).toEqual(['Ny Utflykt']);
    expect(await p.guardian.locator('schoolhub-post-stats').count()).toBe(0);
    expect(await p.guardian.getByText(/Läst av/).count()).toBe(0);
  });

  it('a guardian reads it: the author and the leader see it live', async () => {
    await p.guardian.locator('schoolhub-feed').getByRole('button', { name: 'Markera som läst' }).click();
    await eventually(() => figures(p.mentor)).toEqual(['Läst av 0 av 6 elever', 'Läst av 1 av 11 vårdnadshavare']);
    await eventually(() => figures(p.leader)).toEqual(['Read by 0 of 6 students', 'Read by 1 of 11 guardians']);
  });

  it('lists who has not read it, a protected student included, with the keyboard', async () => {
    const stats = p.mentor.locator('schoolhub-post-stats');
    const show = stats.getByRole('button', { name: 'Visa elever som inte läst' });
    await show.focus();
    await p.mentor.keyboard.press('Enter');
    // The same button now hides the list, and says it is open.
    await eventually(() => stats.getByRole('button', { name: 'Dölj listan' }).getAttribute('aria-expanded')).toBe('true');
    const students = stats.getByRole('list', { name: 'Elever som inte läst' });
    await eventually(() => students.locator('li').count()).toBe(6);
    expect(await students.locator('li').allInnerTexts()).toContain('Hugo Larsson');
    await stats.getByRole('button', { name: 'Visa vårdnadshavare som inte läst' }).click();
    const guardians = stats.getByRole('list', { name: 'Vårdnadshavare som inte läst' });
    await eventually(() => guardians.locator('li').count()).toBe(10);
    expect(await guardians.locator('li').allInnerTexts()).toContain('Jenny Larsson');
  });

  it('"Påminn" reminds those who have not read it, and then waits a day', async () => {
    const stats = p.mentor.locator('schoolhub-post-stats');
    await stats.getByRole('button', { name: 'Påminn dem som inte läst ”Utflykt”' }).click();
    await eventually(() => stats.locator('[aria-live="polite"]').innerText()).toBe('16 påminnelser skickades.');
    const remind = stats.getByRole('button', { name: 'Påminn dem som inte läst ”Utflykt”' });
    await eventually(() => remind.isDisabled()).toBe(true);
    expect(await stats.getByText(/^Påmint .+\. Nästa påminnelse kan skickas .+\.$/).count()).toBe(1);
    // Hugo, who has not read it, is told and sees the item tagged; the guardian who read it is not.
    await eventually(() => p.hugo.locator('schoolhub-feed [aria-live="polite"]').innerText()).toBe('Reminder from Eva Nyström: “Utflykt” is not read.');
    await eventually(() => p.hugo.locator('schoolhub-feed article h3').allInnerTexts()).toEqual(['New Reminder Utflykt']);
    expect(await p.guardian.getByText(/Påminnelse/).count()).toBe(0);
    // The leader's page, told by the hub, says the same in English after a reload.
    await p.leader.reload();
    await eventually(() => p.leader.locator('schoolhub-post-stats').getByText(/^Reminded .+\. The next reminder can be sent .+\.$/).count()).toBe(1);
  });

  itEndsClean(() => Object.values(p), problems);
});
