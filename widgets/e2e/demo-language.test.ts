// One language at a time (issue 12, item 7): in Swedish no English reason of the hub's is
// shown after a failed request, and in English the demo portal's own text (menu, headings,
// intro, switcher) is English too, not only the widgets'.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../../hub/testing/harness.ts';
import { eventually, hasChromium } from './support/browser.ts';
import { openDemo, useDemoHub } from './support/demo.ts';

/** A real 2×2 PNG: over the tiny storage limit this hub is given. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Words of the hub's English reasons (PROTOCOL.md §6, §9) that no Swedish text has. */
const ENGLISH = /\b(the|not|file|is|you|your|retry|stored|hub's|administrator|allowed)\b/i;

/** All text a person sees, the widgets' shadow roots included. */
const seenText = (p: Page) =>
  p.evaluate(() => {
    const out = [document.body.innerText];
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (!el.shadowRoot) continue;
        out.push([...el.shadowRoot.children].map((c) => (c instanceof HTMLElement ? c.innerText : '')).join('\n'));
        walk(el.shadowRoot);
      }
    };
    walk(document);
    return out.join('\n');
  });

describe.skipIf(!hasChromium)('the demo portal speaks one language at a time', () => {
  let t: TestHub;
  let browser: Browser;
  // Room for no attachment at all: every valid upload is refused with 507 storage_full.
  useDemoHub('lang', (hub, b) => ((t = hub), (browser = b)), { env: { HUB_ATTACHMENTS_MAX_BYTES: '10' } });

  it('in Swedish, refused uploads are told in Swedish only, without the hub’s English reason', async () => {
    const page = await openDemo(browser, t, { as: 'p-pre-teacher' });
    const doc = page.locator('schoolhub-documentation');
    await doc.getByRole('button', { name: 'Ny dokumentation' }).click();
    const form = doc.locator('form');
    await form.getByLabel('Rubrik').fill('Fel fil');
    await form.getByLabel('Text').fill('Två försök som hubben säger nej till.');
    const alerts: string[] = [];
    // 415: a PDF that says it is a PNG (the hub's reason: "the file is application/pdf, not image/png").
    await form.getByLabel('Bilder och filer (valfritt)').setInputFiles({ name: 'bild.png', mimeType: 'image/png', buffer: PDF });
    await form.getByRole('button', { name: 'Publicera' }).click();
    await eventually(() => form.getByRole('alert').innerText()).toMatch(/^bild\.png: /);
    alerts.push(await form.getByRole('alert').innerText());
    // 507 storage_full ("the hub stores no more attachments now; tell the school's administrator").
    await form.getByLabel('Bilder och filer (valfritt)').setInputFiles({ name: 'torn.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: 'Publicera' }).click();
    await eventually(() => form.getByRole('alert').innerText()).toBe('Skolhubben tar inte emot fler filer just nu. Kontakta skolans administratör.');
    alerts.push(await form.getByRole('alert').innerText());
    expect(alerts[0]).toBe('bild.png: bara bilder (PNG, JPEG, GIF, WebP) och PDF, högst 10 MB.');
    for (const a of alerts) expect(a).not.toMatch(ENGLISH);
    expect(await seenText(page)).not.toMatch(/stores no more|application\/pdf, not/);
  });

  it('in English, the same refusal is English, with the hub’s reason for support', async () => {
    const page = await openDemo(browser, t, { as: 'p-pre-teacher', lang: 'en' });
    const doc = page.locator('schoolhub-documentation');
    await doc.getByRole('button', { name: 'New documentation' }).click();
    const form = doc.locator('form');
    await form.getByLabel('Title').fill('Wrong file');
    await form.getByLabel('Text').fill('Refused.');
    await form.getByLabel(/Images and files/).setInputFiles({ name: 'torn.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: 'Publish' }).click();
    await eventually(() => form.getByRole('alert').innerText()).toMatch(/^The school hub takes no more files just now\. .*\(the hub stores no more attachments now/);
  });

  it('in English, the demo portal’s own text is English too', async () => {
    for (const as of ['p-gua-ek-2a', 'p-mentor-ek']) {
      const page = await openDemo(browser, t, { as, lang: 'en' });
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      expect(await page.locator('h1').innerText()).toMatch(/School portal/);
      expect(await page.title()).toMatch(/School portal/);
      expect(await page.getByRole('navigation', { name: 'Main menu' }).count()).toBe(1);
      expect(await page.getByLabel('Act as').count()).toBe(1);
      // The portal's own words, outside the widgets: none of them Swedish.
      const own = await page.evaluate(() => {
        const clone = document.body.cloneNode(true) as HTMLElement;
        for (const w of clone.querySelectorAll('[class="skip"], select option')) w.remove();
        return [clone.textContent ?? '', ...[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'))].join(' ');
      });
      expect(own).not.toMatch(/Meddelanden|Flöde|Agera som|Språk|Byt\b|Huvudmeny|Hoppa|Skolportalen|kommun|Schema|Närvaro|Utveckling|Dokumentation|vanlig/);
      expect(await page.getByRole('option', { name: /^Guardian – Sara Johansson/ }).count()).toBe(1);
      await page.context().close();
    }
  });
});
