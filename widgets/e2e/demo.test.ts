// The demo portal at /demo/ (demo mode): it runs under its strict CSP without a complaint,
// the switcher changes who the visitor acts as, and axe-core is content with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../hub/testing/harness.ts';
import { ensureBundle } from './support/bundle.ts';
import { artifact, complaints, eventually, hasChromium, launch } from './support/browser.ts';
import { seriousViolations } from './support/axe.ts';

const whoAmI = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Record<symbol, { client?: { user?: { id: string } } }>)[Symbol.for('schoolhub.page')]?.client?.user?.id);

describe.skipIf(!hasChromium)('the demo portal', () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await ensureBundle();
    t = await startTestHub({ env: { HUB_DEMO: '1' } });
    // A post for the guardian's feed, so the page has something in it.
    const mentor = await t.connect('p-mentor-ek');
    await mentor.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Friluftsdag', body: 'Vi går till Ekhagen. Ta med oömma kläder.',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } }, clientKey: 'demo-p',
    });
    browser = await launch();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    problems.push(...complaints(page));
    // Any CSP violation is reported by the browser as a console error, which `complaints` keeps.
    await page.goto(`${t.url}/demo/?as=p-mentor-ek`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('runs under its Content-Security-Policy and connects as the chosen person', async () => {
    await eventually(() => whoAmI(page)).toBe('p-mentor-ek');
    await eventually(() => page.locator('schoolhub-feed article').count()).toBe(1);
    expect(await page.locator('schoolhub-inbox h2').innerText()).toBe('Meddelanden');
    expect(problems).toEqual([]);
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
    problems.length = 0; // the refusal itself is logged as an error
  });

  it('the switcher acts as another person (and language)', async () => {
    await page.getByLabel('Agera som').selectOption('p-gua-ek-2a');
    await page.getByLabel('Språk').selectOption('en');
    await Promise.all([page.waitForURL(/as=p-gua-ek-2a/), page.getByRole('button', { name: 'Byt' }).click()]);
    await eventually(() => whoAmI(page)).toBe('p-gua-ek-2a');
    await eventually(() => page.locator('schoolhub-inbox h2').innerText()).toBe('Messages');
    await eventually(() => page.locator('schoolhub-feed article').count()).toBe(1);
    await page.screenshot({ path: artifact('demo-portal.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('axe-core finds no serious or critical violation', async () => {
    expect(await seriousViolations(page)).toEqual([]);
  });
});
