// What every browser suite starts with: the widget bundle built, a test hub, a stand-in
// portal in front of it, and Chromium. A suite calls useStage once at the top of its
// describe and reads `stage.t`, `stage.portal` and `stage.browser` from its own hooks and
// tests; startStage/stopStage remain for suites that manage the order themselves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../../../hub/testing/harness.ts';
import { ensureBundle } from './bundle.ts';
import { launch, openPage } from './browser.ts';
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
 * beforeAll, for options that only exist then (the time of day). With `dataDir` (a name prefix)
 * the hub gets a fresh HUB_DATA_DIR, `stage.dataDir`, removed after the hub has stopped.
 */
export function useStage(hub?: HubOptions | (() => HubOptions), opts: { dataDir?: string } = {}): Stage & { dataDir: string } {
  const stage = {} as Stage & { dataDir: string };
  beforeAll(async () => {
    const options = typeof hub === 'function' ? hub() : hub;
    if (opts.dataDir) {
      // Attachments are files: a directory of the suite's own, given to the hub as HUB_DATA_DIR.
      stage.dataDir = mkdtempSync(path.join(tmpdir(), opts.dataDir));
      Object.assign(stage, await startStage({ ...options, env: { ...options?.env, HUB_DATA_DIR: stage.dataDir } }));
    } else {
      Object.assign(stage, await startStage(options));
    }
  });
  afterAll(async () => {
    await stopStage(stage);
    if (stage.dataDir) rmSync(stage.dataDir, { recursive: true, force: true });
  });
  return stage;
}

/**
 * Serves each of `pages` (name → the portal page's HTML) at `/<name>` and opens them all in
 * Chromium, each in a context of its own, telling `problems` what they complain of.
 */
export async function openPortalPages<N extends string>(stage: Stage, pages: Record<N, string>, problems: string[]): Promise<Record<N, Page>> {
  const names = Object.keys(pages) as N[];
  for (const name of names) stage.portal.page(`/${name}`, pages[name]);
  const opened = await Promise.all(names.map((name) => openPage(stage.browser, `${stage.portal.url}/${name}`, problems)));
  return Object.fromEntries(names.map((name, i) => [name, opened[i]!])) as Record<N, Page>;
}
