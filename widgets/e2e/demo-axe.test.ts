// axe-core on the demo portal (issue 12, item 10): no violation of any impact, best practices
// included (one h1, landmark names said once), in every role at phone width in Swedish, and
// for some roles in English and at 320 and 1280 px; with the phone menu open and with a
// conversation open too.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../../hub/testing/harness.ts';
import { eventually, hasChromium } from './support/browser.ts';
import { allViolations, type Violation } from './support/axe.ts';
import { DEMO_PEOPLE, openDemo, useDemoHub } from './support/demo.ts';

type Lang = 'sv' | 'en';
const CASES: [string, Lang, number][] = [
  ...DEMO_PEOPLE.map((as): [string, Lang, number] => [as, 'sv', 390]),
  ['p-mentor-ek', 'en', 390], ['p-pre-teacher', 'en', 390],
  ['p-gua-ek-2a', 'sv', 1280], ['p-reader-sol', 'sv', 1280], ['p-teacher-ek', 'en', 1280],
  ['p-gua-child-1', 'sv', 320], ['p-stu-ek-2', 'en', 320],
];

/** The page once its widgets have their first answers (no "Laddar…" left). */
async function settled(page: Page): Promise<void> {
  await eventually(() => page.locator('schoolhub-inbox .list, schoolhub-inbox .muted').count(), 15_000).toBeGreaterThan(0);
  await eventually(() => page.locator('schoolhub-feed article, schoolhub-feed .muted').count(), 15_000).toBeGreaterThan(0);
}

describe.skipIf(!hasChromium)('axe-core on the demo portal', () => {
  let t: TestHub;
  let browser: Browser;
  useDemoHub('axe', (hub, b) => ((t = hub), (browser = b)), { seed: true });

  it('finds nothing in any role, language or size', { timeout: 360_000 }, async () => {
    const found: Record<string, Violation[]> = {};
    for (const [as, lang, width] of CASES) {
      const page = await openDemo(browser, t, { as, lang, width });
      await settled(page);
      const v = await allViolations(page);
      if (v.length) found[`${as} ${lang} ${width}`] = v;
      await page.context().close();
    }
    expect(found).toEqual({});
  });

  it('finds nothing with the phone menu open, nor with a conversation open', async () => {
    const phone = await openDemo(browser, t, { as: 'p-mentor-ek', width: 390 });
    await settled(phone);
    await phone.getByRole('button', { name: 'Meny' }).click();
    expect(await allViolations(phone)).toEqual([]);
    await phone.locator('schoolhub-inbox .item').first().click();
    await eventually(() => phone.locator('schoolhub-chat .msg').count()).toBeGreaterThan(0);
    expect(await allViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
