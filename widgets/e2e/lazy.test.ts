// The rarer widgets load on demand (widgets/lazy.ts): a portal page with one script tag and
// only the common widgets fetches schoolhub.js and the chunk it imports, never the chunks of
// <schoolhub-notifications>, <schoolhub-development> or <schoolhub-documentation>; the first
// such element the page adds later loads its chunk and works, with an attribute and a
// property set before the upgrade kept. loadWidget() defines one without placing it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';

const MARIA = 'p-gua-ek-1a';
const LAZY = ['notifications', 'development', 'documentation'];

describe.skipIf(!hasChromium)('on-demand widgets', () => {
  const stage = useStage();
  const problems: string[] = [];

  beforeAll(() => {
    stage.portal.page('/badge', portalPage(stage.t, { body: `<schoolhub-unread-badge token-url="/token?as=${MARIA}"></schoolhub-unread-badge>` }));
  });

  /** The hub's script files the page fetched, by name. */
  const fetched = (p: Page): string[] => {
    const out: string[] = [];
    p.on('requestfinished', (r) => {
      const m = /\/widgets\/([\w-]+\.js)$/.exec(r.url());
      if (m) out.push(m[1]!);
    });
    return out;
  };

  it('a page without them fetches none of their chunks; adding one loads it, and it works', async () => {
    let files: string[] = [];
    const p = await openPage(stage.browser, `${stage.portal.url}/badge`, problems, { before: (page) => void (files = fetched(page)) });
    await eventually(() => p.evaluate(() => customElements.get('schoolhub-unread-badge') !== undefined)).toBe(true);
    await p.waitForLoadState('networkidle');
    expect(files).toContain('schoolhub.js');
    expect(files.filter((f) => LAZY.some((l) => f.startsWith(`${l}-`)))).toEqual([]);
    expect(await p.evaluate(() => customElements.get('schoolhub-notifications'))).toBeUndefined();

    // Made before its class exists: an attribute and a property, then placed.
    await p.evaluate((as) => {
      const el = document.createElement('schoolhub-notifications') as HTMLElement & { lang: string };
      el.setAttribute('token-url', `/token?as=${as}`);
      el.lang = 'en';
      document.querySelector('main')!.append(el);
    }, MARIA);
    await eventually(() => p.locator('schoolhub-notifications h2').innerText()).toBe('Notifications');
    expect(files.some((f) => f.startsWith('notifications-'))).toBe(true);
    expect(files.filter((f) => f.startsWith('development-') || f.startsWith('documentation-'))).toEqual([]);
  });

  it('loadWidget() defines one without placing it; an unknown tag is refused', async () => {
    const p = await openPage(stage.browser, `${stage.portal.url}/badge`, problems);
    // A string, not a function: vitest would rewrite a dynamic import() in the test's own code.
    const result = await p.evaluate(`(async () => {
      const { loadWidget } = await import('${stage.t.url}/widgets/schoolhub.js');
      const before = customElements.get('schoolhub-development') !== undefined;
      await loadWidget('schoolhub-development');
      const unknown = await loadWidget('schoolhub-nothing').then(() => 'loaded', (e) => e.message);
      return { before, after: customElements.get('schoolhub-development') !== undefined, unknown };
    })()`);
    expect(result).toEqual({ before: false, after: true, unknown: 'not an on-demand widget: schoolhub-nothing' });
  });

  it('the pages complained of nothing', () => {
    expect(problems).toEqual([]);
  });
});
