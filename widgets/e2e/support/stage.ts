// What every browser suite starts with: the widget bundle built, a test hub, a stand-in
// portal in front of it, and Chromium. A suite calls useStage once at the top of its
// describe and reads `stage.t`, `stage.portal` and `stage.browser` from its own hooks and
// tests; startStage/stopStage remain for suites that manage the order themselves.
import { afterAll, beforeAll } from 'vitest';
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

type HubOptions = Parameters<typeof startTestHub>[0];

/** Builds the bundle if stale, starts a test hub (`hub` options as startTestHub's), a portal for it, and Chromium. */
export async function startStage(hub?: HubOptions): Promise<Stage> {
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

/**
 * Registers a beforeAll that starts the stage and an afterAll that stops it, and returns the
 * object they fill in. Call it before the suite's own hooks: its beforeAll then runs first and
 * (vitest runs afterAll hooks in reverse) its afterAll last. `hub` may be a function, called in
 * beforeAll, for options that only exist then (a fresh data directory, the time of day).
 */
export function useStage(hub?: HubOptions | (() => HubOptions)): Stage {
  const stage = {} as Stage;
  beforeAll(async () => {
    Object.assign(stage, await startStage(typeof hub === 'function' ? hub() : hub));
  });
  afterAll(() => stopStage(stage));
  return stage;
}
