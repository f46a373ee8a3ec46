// <schoolhub-documentation> (and the documentation in <schoolhub-development>) against a real
// hub: a preschool teacher writes documentation about one child with an image through the
// widget's composer (uploaded over HTTP with the page's token); the child's guardian sees it
// arrive live, with the image fetched with the token and shown as a blob: URL with alt text;
// another child's guardian sees neither it nor its image; the object URLs are revoked when the
// widget leaves the page; a file that lies about its type is refused with the hub's reason.
//
// Demo district: Förskolan Solrosen, child group Blåbär (g-sol-blabar) with the preschool
// teacher p-pre-teacher (Åsa Engström) and the children p-child-1..3 (Astrid Olsson, Ebbe
// Jansson, Saga Hansson), guardians p-gua-child-1..3.
//
// The reader's dashboard (a second describe, its own hub): Förskolan Solrosen's reader
// p-reader-sol (Gunilla Strand) sees the school's documentation with a child group filter and
// the curriculum goals worked on, counted, kept live as the teacher writes and edits; the
// school has a second child group, Lingon, for Saga (hub/testing/preschool.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestClient } from '../../hub/testing/client.ts';
import { artifact, eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { itEndsClean, seriousViolations } from './support/axe.ts';
import { LINGON, SAGA, twoChildGroupsBundle } from '../../hub/testing/preschool.ts';
import { demoBundle } from '../../hub/demo/district.ts';

const TEACHER = 'p-pre-teacher';
const GUARDIAN_1 = 'p-gua-child-1'; // Astrid's
const GUARDIAN_2 = 'p-gua-child-2'; // Ebbe's
const EBBE = 'p-child-2';

/** A real 2×2 PNG (red), so that the browser decodes it and the image has a size. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let keyNo = 0;
const ck = () => `wdoc-${++keyNo}`;

describe.skipIf(!hasChromium)('documentation: preschool documentation with images, for the child’s guardians only', () => {
  const stage = useStage({}, { dataDir: 'schoolhub-widget-attachments-' });
  let teacherClient: TestClient;
  let teacher: Page;
  let guardian1: Page;
  let guardian2: Page;
  let overview1: Page;
  const attachmentRequests: { page: string; url: string }[] = [];
  const problems: string[] = [];

  const widget = (p: Page) => p.locator('schoolhub-documentation');
  const titles = (p: Page, tag = 'schoolhub-documentation') => p.locator(`${tag} article h3`).allInnerTexts();
  const text = (p: Page) => widget(p).locator('section').innerText();

  /** The state of an image in a widget: its alt text, whether it is a blob: URL, and whether it decoded. */
  const image = (p: Page, alt: string, tag = 'schoolhub-documentation') =>
    p.locator(tag).getByRole('img', { name: alt }).evaluate((img) => {
      const i = img as HTMLImageElement;
      return { blob: i.currentSrc.startsWith('blob:'), decoded: i.complete && i.naturalWidth === 2 };
    });

  beforeAll(async () => {
    const page = (as: string, tag: string, lang = 'sv') => portalPage(stage.t, { lang, body: `<${tag} token-url="/token?as=${as}"></${tag}>` });
    stage.portal.page('/teacher', page(TEACHER, 'schoolhub-documentation'));
    stage.portal.page('/guardian1', page(GUARDIAN_1, 'schoolhub-documentation'));
    stage.portal.page('/guardian2', page(GUARDIAN_2, 'schoolhub-documentation', 'en'));
    stage.portal.page('/overview1', page(GUARDIAN_1, 'schoolhub-development'));
    const open = (p: string) => openPage(stage.browser, `${stage.portal.url}${p}`, problems, {
      before: (pg) => pg.on('request', (r) => {
        if (r.url().includes('/api/v1/attachments/')) attachmentRequests.push({ page: p, url: r.url() });
      }),
    });
    [teacher, guardian1, guardian2, overview1] = await Promise.all([open('/teacher'), open('/guardian1'), open('/guardian2'), open('/overview1')]);
    teacherClient = await stage.t.connect(TEACHER);
  });

  it('shows the teacher their child group, the guardians their child; only the teacher gets a composer', async () => {
    await eventually(() => widget(teacher).locator('h2').innerText()).toBe('Dokumentation');
    await eventually(() => text(teacher)).toContain('Ingen dokumentation ännu.');
    await eventually(() => widget(guardian1).locator('h2').innerText()).toBe('Dokumentation: Astrid Olsson');
    await eventually(() => widget(guardian2).locator('h2').innerText()).toBe('Documentation: Ebbe Jansson');
    await eventually(() => text(guardian2)).toContain('No documentation yet.');
    expect(await teacher.getByRole('button', { name: 'Ny dokumentation' }).count()).toBe(1);
    expect(await guardian1.getByRole('button', { name: 'Ny dokumentation' }).count()).toBe(0);
  });

  it('the teacher writes about Astrid with an image; Astrid’s guardian sees it live with the image', async () => {
    // By keyboard: the first Tab reaches the widget's button, Enter opens the composer, focus moves into it.
    await teacher.keyboard.press('Tab');
    expect(await teacher.evaluate(() => document.querySelector('schoolhub-documentation')?.shadowRoot?.activeElement?.textContent)).toBe('Ny dokumentation');
    await teacher.keyboard.press('Enter');
    const form = widget(teacher).locator('form');
    await eventually(() => form.count()).toBe(1);
    await eventually(() => teacher.evaluate(() => document.querySelector('schoolhub-documentation')?.shadowRoot?.activeElement?.id)).toBe('doc-title');
    await form.getByLabel('Rubrik').fill('Astrid bygger');
    await form.getByLabel('Text').fill('Astrid byggde ett torn av klossar. <img src=x onerror=alert(1)>');
    await form.getByLabel('Läroplansmål (ett per rad, valfritt)').fill('Matematik: former och mönster\nSkapande');
    await form.getByRole('checkbox', { name: 'Astrid Olsson' }).check();
    await form.getByLabel('Bilder och filer (valfritt)').setInputFiles({ name: 'astrid.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: 'Publicera' }).click();

    // The author sees it at once, with the image, not marked new.
    await eventually(() => titles(teacher)).toEqual(['Astrid bygger']);
    expect(await widget(teacher).locator('article.fresh').count()).toBe(0);
    await eventually(() => widget(teacher).locator('[aria-live="polite"]').innerText()).toBe('Dokumentationen är publicerad.');
    await eventually(() => image(teacher, 'Bild till ”Astrid bygger”')).toEqual({ blob: true, decoded: true });

    // Astrid's guardian: live, marked new, announced, the image fetched with the token.
    await eventually(() => titles(guardian1)).toEqual(['Astrid bygger']);
    await eventually(() => widget(guardian1).locator('[aria-live="polite"]').innerText()).toBe('Nytt: Dokumentation: Astrid bygger');
    const article = widget(guardian1).locator('article');
    expect(await article.getAttribute('part')).toBe('item new');
    const body = await article.innerText();
    expect(body).toContain('Blåbär · Från Åsa Engström');
    expect(body).toContain('Om: Astrid Olsson');
    expect(await article.locator('.goals li').allInnerTexts()).toEqual(['Matematik: former och mönster', 'Skapande']);
    expect(await article.locator('.body').innerText()).toBe('Astrid byggde ett torn av klossar. <img src=x onerror=alert(1)>');
    await eventually(() => image(guardian1, 'Bild till ”Astrid bygger”')).toEqual({ blob: true, decoded: true });
    // The only <img> is the attachment: the markup in the text stayed text.
    expect(await widget(guardian1).locator('img').count()).toBe(1);
    // The child's development overview shows it too, with the image.
    await eventually(() => titles(overview1, 'schoolhub-development')).toEqual(['Astrid bygger']);
    await eventually(() => image(overview1, 'Bild till ”Astrid bygger”', 'schoolhub-development')).toEqual({ blob: true, decoded: true });
    await guardian1.screenshot({ path: artifact('documentation-guardian.png'), fullPage: true });
  });

  it('another child’s guardian gets neither the documentation nor its image', async () => {
    // Documentation about Ebbe comes after it: once that is on the page, anything before it has come too.
    await teacherClient.ok('documentation.create', { groupId: 'g-sol-blabar', childIds: [EBBE], title: 'Ebbe målar', body: 'Ebbe målade med vattenfärg.', clientKey: ck() });
    await eventually(() => titles(guardian2)).toEqual(['Ebbe målar']);
    expect(await text(guardian2)).not.toContain('Astrid');
    expect(attachmentRequests.filter((r) => r.page === '/guardian2')).toEqual([]);
    // And Astrid's guardian never sees Ebbe's.
    await eventually(() => titles(teacher)).toEqual(['Ebbe målar', 'Astrid bygger']);
    expect(await titles(guardian1)).toEqual(['Astrid bygger']);
    // Even asked directly with Ebbe's guardian's token, the hub refuses Astrid's image.
    const id = attachmentRequests.find((r) => r.page === '/guardian1')!.url.split('/').pop()!;
    const status = await guardian2.evaluate(async ([hub, portalUrl, attId]) => {
      const token = await (await fetch(`${portalUrl}/token?as=p-gua-child-2`)).text();
      return (await fetch(`${hub}/api/v1/attachments/${attId}`, { headers: { authorization: `Bearer ${token}` } })).status;
    }, [stage.t.url, stage.portal.url, id] as const);
    expect(status).toBe(403);
  });

  it('documentation about the whole group names, for each guardian, only their own child', async () => {
    const { attachment } = await (
      await fetch(`${stage.t.url}/api/v1/attachments?filename=veckobrev.pdf`, {
        method: 'POST', headers: { authorization: `Bearer ${await stage.t.token(TEACHER)}`, 'content-type': 'application/pdf' }, body: new Uint8Array(PDF),
      })
    ).json() as { attachment: { id: string } };
    await teacherClient.ok('documentation.create', {
      groupId: 'g-sol-blabar', title: 'Utflykt till skogen', body: 'Vi letade efter svampar.', goals: ['Natur och samhälle'], attachmentIds: [attachment.id], clientKey: ck(),
    });
    await eventually(() => titles(guardian2)).toEqual(['Utflykt till skogen', 'Ebbe målar']);
    const trip = widget(guardian2).locator('article').first();
    expect(await trip.innerText()).toContain('About: Ebbe Jansson (the whole group)');
    expect(await trip.innerText()).not.toContain('Astrid');
    expect(await trip.getByRole('button', { name: /^Open veckobrev\.pdf \(PDF, 1 kB\)$/ }).count()).toBe(1);
    await eventually(() => titles(guardian1)).toEqual(['Utflykt till skogen', 'Astrid bygger']);
    expect(await widget(guardian1).locator('article').first().innerText()).toContain('Om: Astrid Olsson (hela gruppen)');
    expect(await widget(guardian1).locator('article').first().innerText()).not.toContain('Ebbe');
  });

  it('a file that lies about its type is refused, in the page’s language', async () => {
    await teacher.getByRole('button', { name: 'Ny dokumentation' }).click();
    const form = widget(teacher).locator('form');
    await form.getByLabel('Rubrik').fill('Fel fil');
    await form.getByLabel('Text').fill('En PDF som säger att den är en bild.');
    await form.getByLabel('Bilder och filer (valfritt)').setInputFiles({ name: 'bild.png', mimeType: 'image/png', buffer: PDF });
    await form.getByRole('button', { name: 'Publicera' }).click();
    await eventually(() => form.getByRole('alert').innerText()).toBe('bild.png: bara bilder (PNG, JPEG, GIF, WebP) och PDF, högst 10 MB.');
    await teacher.screenshot({ path: artifact('documentation-composer.png'), fullPage: true });
    expect(await titles(teacher)).toEqual(['Utflykt till skogen', 'Ebbe målar', 'Astrid bygger']);
  });

  it('the teacher adds an image to existing documentation in the widget; the guardian sees it live; taking it off removes it', async () => {
    const ebbe = widget(teacher).locator('article', { hasText: 'Ebbe målar' });
    const edit = ebbe.getByRole('button', { name: 'Redigera ”Ebbe målar”' });
    const focused = () => teacher.evaluate(() => {
      const el = document.querySelector('schoolhub-documentation')?.shadowRoot?.activeElement;
      return el?.id || el?.getAttribute('aria-label');
    });
    // Only the group's teacher gets the action.
    expect(await widget(guardian2).getByRole('button', { name: /Edit/ }).count()).toBe(0);
    await edit.click();
    const form = ebbe.locator('form');
    await eventually(focused).toBe('edit-title');
    expect(await form.getByLabel('Rubrik').inputValue()).toBe('Ebbe målar');
    expect(await form.getByLabel('Text').inputValue()).toBe('Ebbe målade med vattenfärg.');
    expect(await form.innerText()).toContain('Inga bilder eller filer.');
    await form.getByLabel('Lägg till bilder och filer (valfritt)').setInputFiles({ name: 'ebbe.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: 'Spara' }).click();
    await eventually(() => widget(teacher).locator('[aria-live="polite"]').innerText()).toBe('Ändringarna är sparade.');
    expect(await form.count()).toBe(0);
    await eventually(focused).toBe('Redigera ”Ebbe målar”');
    await eventually(() => image(teacher, 'Bild till ”Ebbe målar”')).toEqual({ blob: true, decoded: true });
    // Ebbe's guardian: live, with the image; Astrid's guardian gets nothing of it.
    await eventually(() => image(guardian2, 'Image for “Ebbe målar”')).toEqual({ blob: true, decoded: true });
    expect(await titles(guardian1)).toEqual(['Utflykt till skogen', 'Astrid bygger']);
    await guardian2.screenshot({ path: artifact('documentation-edited.png'), fullPage: true });

    // Taken off again: the button says so, keeps focus, and the image leaves the guardian's page.
    await edit.click();
    await form.getByRole('button', { name: 'Ta bort ebbe.png' }).click();
    await eventually(() => widget(teacher).locator('[aria-live="polite"]').innerText()).toBe('ebbe.png tas bort när du sparar.');
    expect(await focused()).toBe('Behåll ebbe.png');
    await teacher.screenshot({ path: artifact('documentation-edit.png'), fullPage: true });
    await form.getByRole('button', { name: 'Spara' }).click();
    await eventually(() => widget(guardian2).getByRole('img', { name: 'Image for “Ebbe målar”' }).count()).toBe(0);
    await eventually(() => ebbe.getByRole('img').count()).toBe(0);
    // Left open for axe below.
    await edit.click();
    await eventually(focused).toBe('edit-title');
  });

  it('axe-core finds no serious or critical violation (composer and edit form open, images shown)', async () => {
    expect(await seriousViolations(teacher)).toEqual([]);
    expect(await seriousViolations(guardian1)).toEqual([]);
    expect(await seriousViolations(guardian2)).toEqual([]);
    expect(await seriousViolations(overview1)).toEqual([]);
  });

  it('revokes the images’ blob: URLs when the widget leaves the page', async () => {
    const src = await widget(guardian1).getByRole('img', { name: 'Bild till ”Astrid bygger”' }).evaluate((img) => (img as HTMLImageElement).src);
    const readable = (url: string) => guardian1.evaluate(async (u) => fetch(u).then(() => true, () => false), url);
    expect(await readable(src)).toBe(true);
    await guardian1.evaluate(() => document.querySelector('schoolhub-documentation')?.remove());
    await eventually(() => readable(src)).toBe(false);
  });

  it('the pages raised no errors (but the refusals asked for above, which Chromium logs)', () => {
    // 403/415: the refused downloads and uploads; ERR_FILE_NOT_FOUND on a blob: URL: the test's
    // own fetch of an image URL after the widget revoked it.
    const asked = /Failed to load resource: (the server responded with a status of (403|415)|net::ERR_FILE_NOT_FOUND \(blob:)/;
    expect(problems.filter((p) => !asked.test(p))).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('documentation: the reader’s dashboard of a preschool', () => {
  const READER = 'p-reader-sol';
  const stage = useStage(() => ({ bundle: twoChildGroupsBundle() }), { dataDir: 'schoolhub-widget-dashboard-' });
  let teacherClient: TestClient;
  let reader: Page;
  let readerEn: Page;
  const problems: string[] = [];

  const widget = (p: Page) => p.locator('schoolhub-documentation');
  const titles = (p: Page) => widget(p).locator('article h3').allInnerTexts();
  /** The goal summary as rows "goal: count". */
  const goals = (p: Page) => widget(p).locator('[part="summary"] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent).join(': ')));
  const summaryText = (p: Page) => widget(p).locator('[part="summary"]').innerText();

  beforeAll(async () => {
    teacherClient = await stage.t.connect(TEACHER);
    // One documentation before the page opens: the dashboard starts with it.
    await teacherClient.ok('documentation.create', {
      groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Astrid bygger', body: 'Ett torn av klossar.', goals: ['Matematik: former och mönster', 'Skapande'], clientKey: ck(),
    });
    const page = (lang: string) => portalPage(stage.t, { lang, body: `<schoolhub-documentation token-url="/token?as=${READER}"></schoolhub-documentation>` });
    stage.portal.page('/reader', page('sv'));
    stage.portal.page('/reader-en', page('en'));
    const open = (p: string) => openPage(stage.browser, `${stage.portal.url}${p}`, problems);
    [reader, readerEn] = await Promise.all([open('/reader'), open('/reader-en')]);
  });

  it('shows the school’s documentation, the goals worked on and a child group filter; no composer', async () => {
    await eventually(() => widget(reader).locator('h2').innerText()).toBe('Dokumentationsöversikt: Förskolan Solrosen');
    await eventually(() => titles(reader)).toEqual(['Astrid bygger']);
    expect(await goals(reader)).toEqual(['Matematik: former och mönster: 1', 'Skapande: 1']);
    expect(await summaryText(reader)).toContain('Läroplansmål som arbetats med');
    expect(await summaryText(reader)).toContain('I 1 dokumentation');
    const filter = widget(reader).getByLabel('Barngrupp');
    expect(await filter.locator('option').allInnerTexts()).toEqual(['Alla barngrupper', 'Blåbär', 'Lingon']);
    expect(await reader.getByRole('button', { name: 'Ny dokumentation' }).count()).toBe(0);
    // Only one school: no school picker.
    expect(await widget(reader).getByLabel('Skola', { exact: true }).count()).toBe(0);
    await eventually(() => widget(readerEn).locator('h2').innerText()).toBe('Documentation overview: Förskolan Solrosen');
    await eventually(() => summaryText(readerEn)).toContain('In 1 documentation entry');
    expect(await widget(readerEn).getByLabel('Child group').locator('option').first().innerText()).toBe('All child groups');
  });

  it('new documentation, with an image, arrives live: listed, announced, counted in the goals', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');
    const { attachment } = await (
      await fetch(`${stage.t.url}/api/v1/attachments?filename=saga.png`, {
        method: 'POST', headers: { authorization: `Bearer ${await stage.t.token(TEACHER)}`, 'content-type': 'image/png' }, body: new Uint8Array(png),
      })
    ).json() as { attachment: { id: string } };
    await teacherClient.ok('documentation.create', {
      groupId: LINGON, childIds: [SAGA], title: 'Saga målar', body: 'Saga målade med vattenfärg.', goals: ['Skapande'], attachmentIds: [attachment.id], clientKey: ck(),
    });
    await eventually(() => titles(reader)).toEqual(['Saga målar', 'Astrid bygger']);
    await eventually(() => widget(reader).locator('[aria-live="polite"]').innerText()).toBe('Nytt: Dokumentation: Saga målar');
    const saga = widget(reader).locator('article').first();
    expect(await saga.getAttribute('part')).toBe('item new');
    // The reader is staff: the protected child is named to them, as the hub names her.
    expect(await saga.innerText()).toContain('Om: Saga Hansson');
    await eventually(() => saga.getByRole('img', { name: 'Bild till ”Saga målar”' }).evaluate((img) => (img as HTMLImageElement).currentSrc.startsWith('blob:') && (img as HTMLImageElement).naturalWidth === 2)).toBe(true);
    await eventually(() => goals(reader)).toEqual(['Skapande: 2', 'Matematik: former och mönster: 1']);
    expect(await summaryText(reader)).toContain('I 2 dokumentationer');
  });

  it('the child group filter narrows the documentation and the goals alike, and stays live', async () => {
    await widget(reader).getByLabel('Barngrupp').selectOption({ label: 'Lingon' });
    await eventually(() => titles(reader)).toEqual(['Saga målar']);
    await eventually(() => goals(reader)).toEqual(['Skapande: 1']);
    // An edit of the goals (documentation.updated) is counted again.
    const { documentation } = await teacherClient.ok<{ documentation: { id: string }[] }>('group.documentation.get', { groupId: LINGON });
    await teacherClient.ok('documentation.update', { documentationId: documentation[0]!.id, goals: ['Skapande', 'Natur och miljö'] });
    await eventually(() => goals(reader)).toEqual(['Natur och miljö: 1', 'Skapande: 1']);
    // Documentation of the other group does not come into this view.
    await teacherClient.ok('documentation.create', { groupId: 'g-sol-blabar', title: 'Ebbe läser', body: 'En bok om rymden.', goals: ['Språk'], clientKey: ck() });
    await eventually(() => titles(readerEn)).toEqual(['Ebbe läser', 'Saga målar', 'Astrid bygger']);
    expect(await titles(reader)).toEqual(['Saga målar']);
    expect(await goals(reader)).toEqual(['Natur och miljö: 1', 'Skapande: 1']);
    await widget(reader).getByLabel('Barngrupp').selectOption({ label: 'Alla barngrupper' });
    await eventually(() => titles(reader)).toEqual(['Ebbe läser', 'Saga målar', 'Astrid bygger']);
    await eventually(() => goals(reader)).toEqual(['Skapande: 2', 'Matematik: former och mönster: 1', 'Natur och miljö: 1', 'Språk: 1']);
    await reader.screenshot({ path: artifact('documentation-dashboard.png'), fullPage: true });
  });

  itEndsClean(() => [reader, readerEn], problems);
});

describe.skipIf(!hasChromium)('documentation: a guardian of two preschool children picks the child', () => {
  const stage = useStage(() => {
    // Lena (Astrid's guardian) is Ebbe's guardian too in this district.
    const bundle = demoBundle();
    const ebbe = bundle.persons.find((p) => p.id === EBBE)!;
    ebbe.responsibles = [...(ebbe.responsibles ?? []), { person: { id: GUARDIAN_1 }, relationType: 'Vårdnadshavare' }];
    return { bundle };
  }, { dataDir: 'schoolhub-widget-children-' });
  let page: Page;
  const problems: string[] = [];
  const widget = () => page.locator('schoolhub-documentation');

  beforeAll(async () => {
    const teacher = await stage.t.connect(TEACHER);
    await teacher.ok('documentation.create', { groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Astrid bygger', body: 'Ett torn.', goals: [], clientKey: ck() });
    await teacher.ok('documentation.create', { groupId: 'g-sol-blabar', childIds: [EBBE], title: 'Ebbe målar', body: 'Med blått.', goals: [], clientKey: ck() });
    stage.portal.page('/lena', portalPage(stage.t, { lang: 'sv', body: `<schoolhub-documentation token-url="/token?as=${GUARDIAN_1}"></schoolhub-documentation>` }));
    page = await openPage(stage.browser, `${stage.portal.url}/lena`, problems);
  });

  it('offers a "Barn" picker from the hub’s list; each child shows only their own documentation', async () => {
    await eventually(() => widget().locator('h2').innerText()).toBe('Dokumentation: Astrid Olsson');
    await eventually(() => widget().locator('article h3').allInnerTexts()).toEqual(['Astrid bygger']);
    const picker = widget().getByLabel('Barn');
    expect(await picker.locator('option').allInnerTexts()).toEqual(['Astrid Olsson', 'Ebbe Jansson']);
    await picker.selectOption({ label: 'Ebbe Jansson' });
    await eventually(() => widget().locator('h2').innerText()).toBe('Dokumentation: Ebbe Jansson');
    await eventually(() => widget().locator('article h3').allInnerTexts()).toEqual(['Ebbe målar']);
    expect(await widget().getByLabel('Barn').inputValue()).toBe(EBBE);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
