// The demo portal at /demo/ (demo mode), with the demo content `npm start` seeds: it runs
// under its strict CSP without a complaint, the switcher changes who the visitor acts as, the
// guardian sees the child's feedback and assessment under Utveckling, the preschool child's
// guardian sees the documentation with its image (a blob: URL, which the CSP allows), the
// seeding is idempotent, and axe-core is content with it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TEST_SECRET } from '../../hub/testing/harness.ts';
import { seedDemoContent } from '../../hub/demo/content.ts';
import { artifact, complaints, eventually, hasChromium, openPage } from './support/browser.ts';
import { seriousViolations } from './support/axe.ts';
import { useStage } from './support/stage.ts';

const whoAmI = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Record<symbol, { client?: { user?: { id: string } } }>)[Symbol.for('schoolhub.page')]?.client?.user?.id);

/** What the page itself reported as `securitypolicyviolation` (see the init script below). */
const violations = (p: Page) => p.evaluate(() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? []);

/** Acts as another person through the switcher, in Swedish, and waits for the new page's connection. */
async function actAs(p: Page, person: string): Promise<void> {
  // The switcher speaks the page's current language (the previous test may have chosen English).
  await p.getByLabel(/^(Agera som|Act as)$/).selectOption(person);
  await p.getByLabel(/^(Språk|Language)$/).selectOption('sv');
  await Promise.all([p.waitForURL(new RegExp(`as=${person}`)), p.getByRole('button', { name: /^(Byt|Switch)$/ }).click()]);
  await eventually(() => whoAmI(p)).toBe(person);
}

describe.skipIf(!hasChromium)('the demo portal', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } }, { dataDir: 'schoolhub-demo-' });
  let page: Page;
  const problems: string[] = [];
  let seedProblems: string[] = [];
  const seed = () => seedDemoContent(stage.t.url, TEST_SECRET, { issuer: stage.t.hub.config.issuer, audience: stage.t.hub.config.audience });
  /** The page as it should be after each step: no error logged, no CSP violation; a screenshot kept if named, axe-core asked if `axe`. */
  const settled = async (opts: { screenshot?: string; axe?: boolean } = {}) => {
    if (opts.screenshot) await page.screenshot({ path: artifact(opts.screenshot), fullPage: true });
    if (opts.axe) expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
  };

  beforeAll(async () => {
    // The demo content, seeded as `npm start` seeds it (through the wire protocol and the attachments API).
    seedProblems = await seed();
    // A post for the guardian's feed, so the page has something in it.
    const mentor = await stage.t.connect('p-mentor-ek');
    await mentor.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Friluftsdag', body: 'Vi går till Ekhagen. Ta med oömma kläder.',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } }, clientKey: 'demo-p',
    });
    // Any CSP violation is reported by the browser as a console error, which `complaints` keeps;
    // the page also records the violation events themselves (an init script is not subject to the CSP).
    page = await openPage(stage.browser, `${stage.t.url}/demo/?as=p-mentor-ek`, problems, {
      context: { viewport: { width: 1280, height: 1000 } },
      before: (p) => p.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const g = globalThis as unknown as { cspViolations?: string[] };
          (g.cspViolations ??= []).push(`${e.effectiveDirective} ${e.blockedURI}`);
        });
      }),
    });
  });

  it('runs under its Content-Security-Policy and connects as the chosen person', async () => {
    expect(seedProblems).toEqual([]);
    await eventually(() => whoAmI(page)).toBe('p-mentor-ek');
    await eventually(() => page.locator('schoolhub-feed article', { hasText: 'Friluftsdag' }).count()).toBe(1);
    expect(await page.locator('schoolhub-inbox h2').innerText()).toBe('Meddelanden');
    // Sections are for the people they concern: the mentor gets Utveckling (the staff views:
    // student search, student card, group overview), not the preschool's Dokumentation.
    expect(await page.locator('#documentation, schoolhub-documentation').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Utveckling' }).count()).toBe(1);
    await eventually(() => page.locator('schoolhub-development').getByRole('searchbox').count()).toBe(1);
    expect(problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    // The policy is really there: the page refuses an inline script.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      try {
        s.textContent = 'globalThis.inlineRan = true';
        document.head.append(s);
      } catch {
        return 'refused by Trusted Types';
      }
      return (globalThis as { inlineRan?: boolean }).inlineRan ? 'ran' : 'refused by CSP';
    });
    expect(ran).not.toBe('ran');
    // The refusal is reported as a violation: the listener really hears them.
    expect((await violations(page)).length).toBeGreaterThan(0);
    problems.length = 0; // the refusal itself is logged as an error
  });

  it('the switcher acts as another person (and language)', async () => {
    await page.getByLabel('Agera som').selectOption('p-gua-ek-2a');
    await page.getByLabel('Språk').selectOption('en');
    await Promise.all([page.waitForURL(/as=p-gua-ek-2a/), page.getByRole('button', { name: 'Byt' }).click()]);
    await eventually(() => whoAmI(page)).toBe('p-gua-ek-2a');
    await eventually(() => page.locator('schoolhub-inbox h2').innerText()).toBe('Messages');
    await eventually(() => page.locator('schoolhub-feed article', { hasText: 'Friluftsdag' }).count()).toBe(1);
    await settled({ screenshot: 'demo-portal.png' });
  });

  it('acting as the guardian, Utveckling shows the child’s published feedback and assessment', async () => {
    await actAs(page, 'p-gua-ek-2a');
    const dev = page.locator('schoolhub-development');
    await eventually(() => dev.locator('h2').innerText()).toBe('Utveckling: Liam Johansson');
    await eventually(() => dev.locator('article h3').allInnerTexts()).toEqual(['Matematik 7', 'Uppgift: Läxa: bråk, s. 34–35']);
    const feedback = dev.locator('article', { hasText: 'Återkoppling' });
    expect(await feedback.locator('.body').innerText()).toMatch(/^Bra jobbat, Liam!/);
    expect(await feedback.innerText()).toContain('Från Lars Berglund');
    // The portal's own page of the assignment, from the section's context-href.
    expect(await feedback.getByRole('link', { name: 'Öppna uppgiften' }).getAttribute('href')).toMatch(/\/demo\/#assignment-/);
    expect(await dev.locator('article', { hasText: 'Bedömning' }).locator('.level').innerText()).toBe('Nivå: C');
    expect(await page.getByRole('link', { name: 'Utveckling' }).count()).toBe(1);
    // Liam is no preschool child: no documentation section for his guardian.
    expect(await page.locator('#documentation, schoolhub-documentation').count()).toBe(0);
    await settled({ screenshot: 'demo-development.png', axe: true });
  });

  it('acting as the preschool child’s guardian, Dokumentation shows the documentation with its image', async () => {
    await actAs(page, 'p-gua-child-1');
    const doc = page.locator('schoolhub-documentation');
    await eventually(() => doc.locator('h2').innerText()).toBe('Dokumentation: Astrid Olsson');
    await eventually(() => doc.locator('article h3').allInnerTexts()).toEqual(['Astrid bygger ett torn']);
    expect(await doc.locator('article').innerText()).toContain('Blåbär · Från Åsa Engström');
    // The image was fetched with the guardian's token, shown as a blob: URL (img-src blob:) and decoded.
    const image = doc.getByRole('img', { name: 'Bild till ”Astrid bygger ett torn”' });
    await eventually(() =>
      image.evaluate((img) => {
        const i = img as HTMLImageElement;
        return { blob: i.currentSrc.startsWith('blob:'), loaded: i.complete && i.naturalWidth > 0 };
      }),
    ).toEqual({ blob: true, loaded: true });
    expect(await page.locator('#development, schoolhub-development').count()).toBe(0);
    await settled({ screenshot: 'demo-documentation.png' });
  });

  it('acting as the preschool’s reader, Dokumentation is the dashboard with the seeded documentation', async () => {
    await actAs(page, 'p-reader-sol');
    const doc = page.locator('schoolhub-documentation');
    await eventually(() => doc.locator('h2').first().innerText()).toBe('Dokumentationsöversikt: Förskolan Solrosen');
    await eventually(() => doc.locator('article h3').allInnerTexts()).toEqual(['Astrid bygger ett torn']);
    expect(await page.locator('#development, schoolhub-development').count()).toBe(0);
    await settled();
  });

  it('axe-core finds no serious or critical violation', async () => {
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('seeding again, as after a restart, adds nothing (not even an upload)', async () => {
    expect(await seed()).toEqual([]);
    const teacher = await stage.t.connect('p-pre-teacher');
    const { documentation } = await teacher.ok<{ documentation: unknown[] }>('group.documentation.get', { groupId: 'g-sol-blabar' });
    expect(documentation).toHaveLength(1);
    // The one seeded image and the thumbnail the hub made of it on upload.
    expect(readdirSync(path.join(stage.dataDir, 'attachments')).filter((f) => f.startsWith('att_'))).toHaveLength(2);
    const liam = await stage.t.connect('p-stu-ek-2');
    const { entries } = await liam.ok<{ entries: { kind: string }[] }>('development.get', {});
    expect(entries.map((e) => e.kind)).toEqual(['assessment', 'feedback']);
  });
});
