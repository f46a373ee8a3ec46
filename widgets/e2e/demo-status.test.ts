// The page's connection is shared by every widget on it, so when it is lost the page says
// "Återansluter…" once, not once per widget (issue 12, item 9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../hub/testing/harness.ts';
import { ensureBundle } from './support/bundle.ts';
import { artifact, eventually, hasChromium, launch } from './support/browser.ts';
import { connectionStatus, openDemo } from './support/demo.ts';

/** The status lines a person can see: every widget's [part=status] with text, across shadow roots. */
const visibleStatusLines = (p: Page) =>
  p.locator('[part="status"]').evaluateAll((els) =>
    els.filter((e) => (e as HTMLElement).innerText.trim() !== '' && (e as HTMLElement).checkVisibility()).map((e) => (e as HTMLElement).innerText.trim()),
  );

describe.skipIf(!hasChromium)('the demo portal loses its connection', () => {
  let t: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    await ensureBundle();
    t = await startTestHub({ env: { HUB_DEMO: '1' } });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows one reconnecting line for the whole page', async () => {
    // The mentor's page has the most widgets: inbox, chat, feed, development (and the badge).
    const page = await openDemo(browser, t, { as: 'p-mentor-ek' });
    expect(await page.locator('schoolhub-inbox, schoolhub-chat, schoolhub-feed, schoolhub-development').count()).toBe(4);
    expect(await visibleStatusLines(page)).toEqual([]);
    // The hub goes away (a deploy, a crash): the page keeps trying.
    await t.hub.stop();
    await eventually(() => connectionStatus(page)).toBe('reconnecting');
    await eventually(() => visibleStatusLines(page)).toEqual(['Återansluter…']);
    await page.screenshot({ path: artifact('demo-reconnecting.png') });
    // And it stays one: later renders of the other widgets do not add theirs.
    await page.waitForTimeout(500);
    expect(await visibleStatusLines(page)).toEqual(['Återansluter…']);
  });
});
