// The demo portal (/demo/, demo mode) opened as one of its people, in one language, at one
// width; shared by the demo's browser tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, TEST_SECRET, type TestHub } from '../../../hub/testing/harness.ts';
import { seedDemoContent } from '../../../hub/demo/content.ts';
import { ensureBundle } from './bundle.ts';
import { eventually, launch } from './browser.ts';

/**
 * A demo-mode hub of the suite's own (its attachments in a temporary folder), optionally with
 * the demo content seeded as `npm start` seeds it, and a Chromium; stopped after the suite.
 */
export function useDemoHub(name: string, use: (t: TestHub, browser: Browser) => void, opts: { seed?: boolean; env?: Record<string, string> } = {}): void {
  let t: TestHub | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    await ensureBundle();
    dataDir = mkdtempSync(path.join(tmpdir(), `schoolhub-${name}-`));
    t = await startTestHub({ env: { HUB_DEMO: '1', HUB_DATA_DIR: dataDir, ...opts.env } });
    if (opts.seed) expect(await seedDemoContent(t.url, TEST_SECRET, { issuer: t.hub.config.issuer, audience: t.hub.config.audience })).toEqual([]);
    browser = await launch();
    use(t, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
}

/** The people of the demo's switcher (widgets/demo/index.html), in its order. */
export const DEMO_PEOPLE = [
  'p-gua-ek-2a', 'p-mentor-ek', 'p-teacher-ek', 'p-stu-ek-2', 'p-hoo', 'p-pre-teacher', 'p-gua-child-1', 'p-reader-sol',
] as const;

export const whoAmI = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Record<symbol, { client?: { user?: { id: string }; status?: string } }>)[Symbol.for('schoolhub.page')]?.client?.user?.id);

export const connectionStatus = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Record<symbol, { client?: { status?: string } }>)[Symbol.for('schoolhub.page')]?.client?.status);

/** Opens /demo/ as `as` in `lang` at `width` px and waits until the page's connection is online. */
export async function openDemo(browser: Browser, t: TestHub, opts: { as: string; lang?: 'sv' | 'en'; width?: number; height?: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  const page = await context.newPage();
  await page.goto(`${t.url}/demo/?as=${opts.as}&lang=${opts.lang ?? 'sv'}`);
  await eventually(() => whoAmI(page)).toBe(opts.as);
  await eventually(() => connectionStatus(page)).toBe('online');
  return page;
}
