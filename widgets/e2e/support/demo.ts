// The demo portal (/demo/, demo mode) opened as one of its people, in one language, at one
// width; shared by the demo's browser tests.
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../../../hub/testing/harness.ts';
import { eventually } from './browser.ts';

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
