// What every browser suite starts with: the widget bundle built, a test hub, a stand-in
// portal in front of it, and Chromium. Suites keep their own `t`, `portal` and `browser`
// (assigned from startStage) and close them with stopStage.
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../../../hub/testing/harness.ts';
import { ensureBundle } from './bundle.ts';
import { launch } from './browser.ts';
import { startPortal, type Portal } from './portal.ts';

export interface Stage {
  t: TestHub;
  portal: Portal;
  browser: Browser;
}

/** Builds the bundle if stale, starts a test hub (`hub` options as startTestHub's), a portal for it, and Chromium. */
export async function startStage(hub?: Parameters<typeof startTestHub>[0]): Promise<Stage> {
  await ensureBundle();
  const t = await startTestHub(hub);
  const portal = await startPortal(t);
  const browser = await launch();
  return { t, portal, browser };
}

/** Closes the browser, the portal and the hub, in that order; any may be missing when beforeAll failed half-way. */
export async function stopStage(s: Partial<Stage>): Promise<void> {
  await s.browser?.close();
  await s.portal?.close();
  await s.t?.stop();
}
