// Scheduled posts in the composer: a teacher ticks "Publicera senare", picks a time and
// schedules; the post waits in "Schemalagda" on every device of the teacher (and nowhere
// else), can be moved or cancelled there, and appears live in the student's feed at its time.
// The hub refuses times less than a minute ahead, so the test schedules a few minutes ahead
// and then moves the stored time into the past, as the clock would.
import { beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { Page } from 'playwright-core';
import { eventually, hasChromium } from './support/browser.ts';
import { feedPage } from './support/portal.ts';
import { openPortalPages, useStage } from './support/stage.ts';
import { itEndsClean } from './support/axe.ts';

const TEACHER = 'p-teacher-ek'; // Lars Berglund, teaches Matematik 7 (g-ek-ma7)
const STUDENT = 'p-stu-ek-1'; // Elsa Andersson, in Matematik 7

/** A datetime-local value `minutes` from now, in the browser's (= this process's) time zone. */
function localIn(minutes: number): string {
  const d = new Date(Date.now() + minutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

describe.skipIf(!hasChromium)('scheduled posts: compose for later, change, cancel, publish at the time', () => {
  const stage = useStage({ env: { HUB_DEMO: '1', HUB_SCHEDULE_INTERVAL_MS: '200' } });
  let p: Record<'desk' | 'phone' | 'student', Page>;
  const problems: string[] = [];

  beforeAll(async () => {
    p = await openPortalPages(stage, { desk: feedPage(stage.t, TEACHER), phone: feedPage(stage.t, TEACHER, 'en'), student: feedPage(stage.t, STUDENT, 'en') }, problems);
  });

  async function schedule(title: string, inMinutes: number): Promise<void> {
    const composer = p.desk.locator('schoolhub-feed-composer');
    if ((await composer.count()) === 0) await p.desk.getByRole('button', { name: 'Nytt inlägg' }).click();
    await composer.getByRole('checkbox', { name: 'Matematik 7' }).check();
    await composer.getByRole('checkbox', { name: 'elever' }).check();
    await composer.getByLabel('Rubrik').fill(title);
    await composer.getByLabel('Text').fill('Kapitel 5.');
    await composer.getByRole('checkbox', { name: 'Publicera senare' }).check();
    await composer.getByLabel('Datum och tid').fill(localIn(inMinutes));
    await composer.getByRole('button', { name: 'Schemalägg' }).click();
    await eventually(() => composer.locator('p.done').innerText()).toMatch(/^Schemalagt till .+\.$/);
  }

  it('a scheduled post waits in "Schemalagda" on every device of its author, and nowhere else', async () => {
    await eventually(() => p.student.locator('schoolhub-feed').getByText('Nothing in the feed yet.').count()).toBe(1);
    await schedule('Läxa till måndag', 10);
    const list = p.desk.locator('schoolhub-scheduled');
    await eventually(() => list.getByRole('heading', { name: 'Schemalagda' }).count()).toBe(1);
    await eventually(() => list.locator('li strong').allInnerTexts()).toEqual(['Läxa till måndag']);
    // Nothing in the author's feed yet: it is not a post until its time.
    expect(await p.desk.locator('schoolhub-feed article').count()).toBe(0);
    // The teacher's other device (in English) has it too, live.
    await p.phone.getByRole('button', { name: 'New post' }).click();
    await eventually(() => p.phone.locator('schoolhub-scheduled li strong').allInnerTexts()).toEqual(['Läxa till måndag']);
    expect(await p.phone.locator('schoolhub-scheduled').getByRole('heading', { name: 'Scheduled' }).count()).toBe(1);
    // The student sees nothing of it.
    await new Promise((r) => setTimeout(r, 300));
    expect(await p.student.locator('schoolhub-feed article').count()).toBe(0);
    expect(await p.student.getByRole('button', { name: /new post/ }).count()).toBe(0);
  });

  it('the time can be changed, and a cancel on one device empties the list on the other', async () => {
    const list = p.desk.locator('schoolhub-scheduled');
    await list.getByRole('button', { name: 'Ändra tid' }).click();
    await list.getByLabel('Ny tid för ”Läxa till måndag”').fill(localIn(90));
    await list.getByRole('button', { name: 'Spara' }).click();
    await eventually(() => p.desk.locator('schoolhub-scheduled [aria-live="polite"]').innerText()).toMatch(/^Schemalagt till /);
    await p.phone.locator('schoolhub-scheduled').getByRole('button', { name: 'Cancel the publication of “Läxa till måndag”' }).click();
    await eventually(() => list.locator('li').count()).toBe(0);
    await eventually(() => p.phone.locator('schoolhub-scheduled li').count()).toBe(0);
  });

  it('at its time the post is published once and arrives live in the student’s feed', async () => {
    await schedule('Prov nästa vecka', 5);
    const db = postgres(stage.t.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await db`update scheduled_items set publish_at = now() - interval '1 second' where state = 'pending'`;
    } finally {
      await db.end();
    }
    const show = p.student.getByRole('button', { name: 'Show 1 new post' });
    await eventually(() => show.count()).toBe(1);
    await show.click();
    await eventually(() => p.student.locator('schoolhub-feed article h3').allInnerTexts()).toEqual(['New Prov nästa vecka']);
    // It left the author's list, and is in the author's feed.
    await eventually(() => p.desk.locator('schoolhub-scheduled li').count()).toBe(0);
  });

  itEndsClean(() => Object.values(p), problems);
});
