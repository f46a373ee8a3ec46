// The widgets fit any portal: inside a page with hostile global CSS they still look right
// (a screenshot is kept in widgets/e2e/artifacts/), axe-core finds no serious or critical
// violation, they work by keyboard with a visible focus, and they honour reduced motion.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artifact, eventually, hasChromium, openPage } from './support/browser.ts';
import { seriousViolations } from './support/axe.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';

const MENTOR = 'p-mentor-ek';

/** What a careless portal stylesheet does to everything it can reach. */
const HOSTILE_CSS = `
  html { font-size: 6px; }
  * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; background: #ff0 !important;
      text-transform: uppercase !important; letter-spacing: 4px !important; line-height: 3 !important;
      font-size: 22px !important; box-sizing: content-box !important; text-align: right !important;
      font-style: italic !important; word-spacing: 12px !important; visibility: visible; }
  div, section, article, p, ul, ol, li, form, h2, h3 { margin: 30px !important; padding: 20px !important; border: 5px dashed red !important; }
  button, input, textarea, select { display: none !important; width: 5px !important; }
  ul, ol, li { list-style: square inside !important; }
  *, *::before, *::after { transition: all 3s !important; }
`;

const WIDGETS = `
  <nav><a href="#inbox">Meddelanden <schoolhub-unread-badge></schoolhub-unread-badge></a></nav>
  <div class="cols">
    <schoolhub-inbox id="inbox" chat="chat" token-url="/token?as=${MENTOR}"></schoolhub-inbox>
    <schoolhub-chat id="chat"></schoolhub-chat>
  </div>
  <schoolhub-feed></schoolhub-feed>`;

describe.skipIf(!hasChromium)('the widgets in any portal', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  let conversationId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    // Something to show: a conversation with an unread answer, and a post.
    const mentor = await stage.t.connect(MENTOR);
    const guardian = await stage.t.connect('p-gua-ek-2a');
    ({ conversation: { id: conversationId } } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', {
      participantIds: ['p-gua-ek-2a'], subject: 'Utflykt', clientKey: 'portal-c',
    }));
    await mentor.ok('message.send', { conversationId, body: 'Glöm inte matsäck på fredag!', clientKey: 'portal-1' });
    await guardian.ok('message.send', { conversationId, body: 'Tack, vi packar <script>alert(1)</script> en matsäck.', clientKey: 'portal-2' });
    await mentor.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Föräldramöte', body: 'Välkomna till föräldramöte i aulan torsdag 18.00.',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true } }, clientKey: 'portal-p',
    });
    stage.portal.page('/hostile', portalPage(stage.t, { title: 'Fientlig portal', css: HOSTILE_CSS, body: WIDGETS }));
    stage.portal.page('/plain', portalPage(stage.t, { title: 'Skolportal', css: '.cols { display: grid; grid-template-columns: 1fr 2fr; gap: 1em; }', body: WIDGETS }));
  });

  async function open(path: string, opts: { reducedMotion?: 'reduce' | 'no-preference' } = {}): Promise<Page> {
    const page = await openPage(stage.browser, `${stage.portal.url}${path}`, problems, { context: { viewport: { width: 1200, height: 1100 }, reducedMotion: opts.reducedMotion ?? 'no-preference' } });
    await eventually(() => page.locator('schoolhub-inbox .item').count()).toBe(1);
    await eventually(() => page.locator('schoolhub-feed article').count()).toBe(1);
    return page;
  }

  it('hostile global CSS does not reach inside (screenshot kept)', async () => {
    const page = await open('/hostile');
    await page.locator('schoolhub-inbox .item').click();
    await eventually(() => page.locator('schoolhub-chat .msg').count()).toBe(2);
    await page.screenshot({ path: artifact('hostile-css.png'), fullPage: true });
    const look = await page.locator('schoolhub-chat').evaluate((el) => {
      const root = el.shadowRoot!;
      const css = (sel: string) => getComputedStyle(root.querySelector(sel)!);
      const box = (sel: string) => root.querySelector(sel)!.getBoundingClientRect();
      return {
        font: css('.root').fontFamily, color: css('.body').color, transform: css('.body').textTransform, spacing: css('.body').letterSpacing,
        size: css('.root').fontSize, style: css('.body').fontStyle, textarea: css('textarea').display, textareaWidth: box('textarea').width,
        button: css('.composer button').display, bodyBg: css('.msg').backgroundColor,
      };
    });
    expect(look.font).not.toMatch(/comic/i);
    expect(look.color).toBe('rgb(27, 31, 36)');
    expect(look.transform).toBe('none');
    expect(look.spacing).toBe('normal');
    expect(look.size).toBe('15px');
    expect(look.style).toBe('normal');
    expect(look.textarea).toBe('block');
    expect(look.textareaWidth).toBeGreaterThan(200);
    expect(look.button).not.toBe('none');
    expect(look.bodyBg).not.toBe('rgb(255, 255, 0)');
    // User text is never HTML: the guardian's "<script>" is shown as text.
    expect(await page.locator('schoolhub-chat .msg .body').nth(1).innerText()).toContain('<script>alert(1)</script>');
    expect(await page.locator('schoolhub-chat .msg script').count()).toBe(0);
  });

  it('axe-core finds no serious or critical violation', async () => {
    const page = await open('/plain');
    await page.locator('schoolhub-inbox .item').click();
    await eventually(() => page.locator('schoolhub-chat .msg').count()).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: artifact('plain-stage.portal.png'), fullPage: true });
    // And with the new-conversation form open.
    await page.getByRole('button', { name: 'Nytt samtal' }).click();
    await eventually(() => page.locator('schoolhub-new-conversation .people label').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Nytt inlägg' }).click();
    await page.screenshot({ path: artifact('plain-portal-forms.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('works by keyboard, with a visible focus', async () => {
    const page = await open('/plain');
    const focused = () => page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? { text: (el as HTMLElement).innerText ?? '', outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth } : null;
    });
    // Tab from the top of the page to the first conversation and open it with Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await focused())?.text.includes('Utflykt')) break;
    }
    const onItem = await focused();
    expect(onItem?.text).toContain('Utflykt');
    expect(onItem?.outline).toBe('solid');
    expect(onItem?.width).toBe('3px');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('schoolhub-chat .msg').count()).toBe(2);
    // The chat took focus: its composer, ready to write.
    await eventually(() => page.evaluate(() => document.querySelector('schoolhub-chat')?.shadowRoot?.activeElement?.localName)).toBe('textarea');
    await page.keyboard.type('Skrivet med tangentbordet');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('schoolhub-chat .msg .body').last().innerText()).toBe('Skrivet med tangentbordet');
  });

  it('honours prefers-reduced-motion', async () => {
    const moving = await open('/plain');
    const still = await open('/plain', { reducedMotion: 'reduce' });
    const duration = (p: Page) => p.locator('schoolhub-inbox').evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('button')!).transitionDuration);
    expect(await duration(moving)).not.toBe('0s');
    expect(await duration(still)).toBe('0s');
  });

  it('is themed by custom properties and ::part, also through an inbox that shows the chat itself', async () => {
    stage.portal.page('/themed', portalPage(stage.t, {
      css: `body { --schoolhub-color-accent: rgb(91, 42, 134); }
            schoolhub-inbox::part(message mine) { outline: 2px solid rgb(1, 2, 3); }
            schoolhub-inbox::part(item) { letter-spacing: 1px; }`,
      body: `<schoolhub-inbox token-url="/token?as=${MENTOR}"></schoolhub-inbox>`,
    }));
    const page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.portal.url}/themed`);
    const item = page.locator('schoolhub-inbox .item');
    await eventually(() => item.count()).toBe(1);
    expect(await item.evaluate((el) => getComputedStyle(el).letterSpacing)).toBe('1px');
    expect(await page.locator('schoolhub-inbox button', { hasText: 'Nytt samtal' }).evaluate((el) => getComputedStyle(el).color)).toBe('rgb(91, 42, 134)');
    await item.click();
    const mine = page.locator('schoolhub-chat .msg.mine').first();
    await eventually(() => mine.count()).toBe(1);
    expect(await mine.evaluate((el) => getComputedStyle(el).outline)).toBe('rgb(1, 2, 3) solid 2px');
  });

  it('English from lang, Swedish by default', async () => {
    stage.portal.page('/en', portalPage(stage.t, { lang: 'en', body: WIDGETS }));
    const page = await (await stage.browser.newContext()).newPage();
    await page.goto(`${stage.portal.url}/en`);
    await eventually(() => page.locator('schoolhub-inbox h2').innerText()).toBe('Messages');
    expect(await page.locator('schoolhub-feed h2').innerText()).toBe('Feed');
    expect(await page.getByRole('button', { name: 'New conversation' }).count()).toBe(1);
  });

  it('the pages raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
