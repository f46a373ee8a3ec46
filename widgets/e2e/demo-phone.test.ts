// The demo portal on a phone and a desktop (issue 12, item 6): at 320, 390 and 1280 px, in
// every role of the switcher, nothing scrolls sideways, neither the page nor anything inside
// the widgets' shadow roots. Screenshots of each are kept in a temp directory (the path is
// logged) to look at. On a phone a tapped conversation opens in view, the menu folds behind
// a button, and every menu link leads to a part of the page.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../../hub/testing/harness.ts';
import { eventually, hasChromium, overflow } from './support/browser.ts';
import { DEMO_PEOPLE, openDemo, useDemoHub } from './support/demo.ts';

const WIDTHS = [320, 390, 1280];

/** Table headers with a word broken over two lines, shadow roots included. */
const brokenHeaders = (p: Page) =>
  p.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (el.tagName !== 'TH') continue;
        // Every text node (Lit puts comment markers around its text).
        const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = texts.nextNode(); node; node = texts.nextNode()) {
          for (const m of (node.textContent ?? '').matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            if (range.getClientRects().length > 1) out.push(m[0]);
          }
        }
      }
    };
    walk(document);
    return out;
  });

/** Whether any widget still says it is loading (its first answers not yet there). */
const stillLoading = (p: Page) =>
  p.evaluate(() => {
    let n = 0;
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          if (/Laddar…|Loading…/.test((el.shadowRoot.firstElementChild as HTMLElement | null)?.innerText ?? '')) n++;
          walk(el.shadowRoot);
        }
      }
    };
    walk(document);
    return n;
  });

describe.skipIf(!hasChromium)('the demo portal on a phone and a desktop', () => {
  let t: TestHub;
  let browser: Browser;
  let shots: string;
  useDemoHub('phone', (hub, b) => ((t = hub), (browser = b)), { seed: true });
  beforeAll(() => {
    shots = mkdtempSync(path.join(tmpdir(), 'schoolhub-screens-'));
    console.log(`[demo-phone] screenshots in ${shots}`);
  });

  it('scrolls sideways in no role at 320, 390 or 1280 px, and breaks no table header mid-word', { timeout: 420_000 }, async () => {
    const found: Record<string, string[]> = {};
    for (const as of DEMO_PEOPLE) {
      for (const width of WIDTHS) {
        const page = await openDemo(browser, t, { as, width, height: width < 800 ? 800 : 900 });
        await eventually(() => stillLoading(page), 15_000).toBe(0);
        const over = await overflow(page);
        const broken = (await brokenHeaders(page)).map((w) => `a table header breaks "${w}"`);
        if (over.length || broken.length) found[`${as}@${width}`] = [...over, ...broken];
        await page.screenshot({ path: path.join(shots, `${as}-${width}.png`), fullPage: true });
        await page.context().close();
      }
    }
    expect(found).toEqual({});
  });

  it('on a phone: the menu folds behind a button, and every link leads somewhere on the page', async () => {
    const page = await openDemo(browser, t, { as: 'p-gua-ek-2a', width: 390, height: 800 });
    const menu = page.getByRole('button', { name: 'Meny' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('navigation', { name: 'Huvudmeny' }).isVisible()).toBe(false);
    await menu.click();
    const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
    expect(await nav.isVisible()).toBe(true);
    for (const href of await nav.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
      expect(href).toMatch(/^#\w/);
      expect(await page.locator(href).count(), href).toBe(1);
    }
    await nav.getByRole('link', { name: 'Schema' }).click();
    expect(await nav.isVisible()).toBe(false);
    await eventually(() => page.getByRole('heading', { name: 'Dagens schema' }).isVisible()).toBe(true);
    // The widgets come before the portal's introduction.
    const tops = await page.evaluate(() => [document.querySelector('.grid')!.getBoundingClientRect().top, document.querySelector('.intro')!.getBoundingClientRect().top]);
    expect(tops[0]).toBeLessThan(tops[1]!);
    await page.context().close();
  });

  it('on a phone, a tapped conversation opens in view', async () => {
    const page = await openDemo(browser, t, { as: 'p-mentor-ek', width: 390, height: 800 });
    const item = page.locator('schoolhub-inbox .item').first();
    await eventually(() => item.count()).toBe(1);
    await item.click();
    await eventually(() => page.locator('schoolhub-chat h2').count()).toBe(1);
    await eventually(() =>
      page.locator('schoolhub-chat h2').evaluate((h) => {
        const r = h.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight;
      }),
    ).toBe(true);
    await page.screenshot({ path: path.join(shots, 'p-mentor-ek-390-open.png') });
    await page.context().close();
  });
});
