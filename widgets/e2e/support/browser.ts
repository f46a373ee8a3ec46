// Headless Debian Chromium through playwright-core (never a downloaded browser). When it is
// not installed the browser suites are skipped, and say so.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium; CHROMIUM_PATH points elsewhere (never at a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[widgets e2e] SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium); the browser tests did not run`);

export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts');

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/**
 * Collects what the page complains about (console errors, page errors, CSP violations) into
 * `out` as they happen: the array fills later, so callers must hand theirs in, not copy it.
 */
export function complaints(page: Page, out: string[] = []): string[] {
  page.on('console', (m) => {
    if (m.type() === 'error') out.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => out.push(`pageerror: ${e.message}`));
  return out;
}

/**
 * Opens `url` in a fresh browser context (its own storage, as another person's device) and
 * collects the page's complaints into `problems`. `before` runs on the page before it loads
 * (to listen for requests, dialogs, sockets).
 */
export async function openPage(browser: Browser, url: string, problems: string[], opts: { context?: BrowserContextOptions; before?: (page: Page) => unknown } = {}): Promise<Page> {
  const page = await (await browser.newContext(opts.context)).newPage();
  complaints(page, problems);
  await opts.before?.(page);
  await page.goto(url);
  return page;
}

/** Dismisses every dialog (alert, confirm, prompt) the page opens, telling `seen` its message. */
export function dismissDialogs(page: Page, seen: (message: string) => void): void {
  page.on('dialog', (d) => {
    seen(d.message());
    void d.dismiss();
  });
}

/** expect.poll with a timeout fit for a real browser talking to a real hub. */
export function eventually<T>(fn: () => Promise<T> | T, timeout = 10_000) {
  return expect.poll(fn, { timeout, interval: 50 });
}

/** What sticks out to the right of the viewport: the page's own width, then any element, shadow roots included. */
export const overflow = (p: Page): Promise<string[]> =>
  p.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > vw) out.push(`page: scrollWidth ${document.documentElement.scrollWidth} > ${vw}`);
    const walk = (root: Document | ShadowRoot, where: string): void => {
      for (const el of root.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > vw + 0.5) out.push(`${where} ${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}: right ${Math.round(r.right)} > ${vw}`);
        if (el.shadowRoot) walk(el.shadowRoot, `${where} ${el.tagName.toLowerCase()} ›`);
      }
    };
    walk(document, '');
    return out.slice(0, 10);
  });
