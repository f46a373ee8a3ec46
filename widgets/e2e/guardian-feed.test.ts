// Issue 12, items 3, 4, 8 and 9 for the feed and the records, as a family and a teacher meet
// them in a real browser against a real hub: right-to-left text follows its own direction,
// long text is refused visibly (never cut) and long posts are collapsed, publishing says so
// to everyone, URLs become safe links, images open large and download, and the feed has a
// badge and "mark all as read" that clear across devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import type { TestClient } from '../../hub/testing/client.ts';
import { DEVELOPMENT_LIMITS, LIMITS } from '../../hub/protocol/limits.ts';
import { eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { seriousViolations } from './support/axe.ts';
import { publish } from './support/composer.ts';

const TEACHER = 'p-teacher-ek'; // Lars Berglund, teaches Matematik 7 (g-ek-ma7)
const STUDENT = 'p-stu-ek-1'; // Elsa Andersson, in Matematik 7
const PRESCHOOL_TEACHER = 'p-pre-teacher'; // Åsa Engström, child group Blåbär
const ASTRID_GUARDIAN = 'p-gua-child-1';
/** A real 2×2 PNG, so that the browser decodes it. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');

let keyNo = 0;
const ck = () => `gf-${++keyNo}`;

describe.skipIf(!hasChromium)('guardian-ready feed: direction, length, confirmation, links, images, badge', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } }, { dataDir: 'schoolhub-guardian-feed-' });
  let lars: TestClient;
  let teacher: Page;
  let student: Page;
  const problems: string[] = [];

  const post = (title: string, body: string) =>
    lars.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title, body, clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true, guardians: false, staff: false } },
    });

  /** Opens a portal page in a browser context of its own; its errors go to `problems`. */
  const visit = (path: string, context?: BrowserContextOptions) => openPage(stage.browser, `${stage.portal.url}${path}`, problems, { context });

  /** The preschool teacher's documentation on a page of its own, with the form for new documentation open. */
  const openDocumentationForm = async () => {
    const pre = await visit('/preschool');
    const docs = pre.locator('schoolhub-documentation');
    await eventually(() => docs.getByRole('button', { name: 'Ny dokumentation' }).count()).toBe(1);
    await docs.getByRole('button', { name: 'Ny dokumentation' }).click();
    return { pre, docs };
  };

  /** Shows what arrived live in the student's feed. */
  const showArrivals = async (p: Page) => {
    const show = p.locator('schoolhub-feed').getByRole('button', { name: /^Show \d+ new posts?$|^Visa \d+ nya? inlägg$/ });
    await eventually(() => show.count()).toBe(1);
    await show.click();
  };

  beforeAll(async () => {
    const page = (as: string, lang: string, body: string) => portalPage(stage.t, { lang, body: body.replaceAll('AS', as) });
    stage.portal.page('/teacher', page(TEACHER, 'sv', '<schoolhub-feed token-url="/token?as=AS"></schoolhub-feed>'));
    stage.portal.page('/student', page(STUDENT, 'en', '<a href="/news">News <schoolhub-feed-badge token-url="/token?as=AS"></schoolhub-feed-badge></a><schoolhub-feed token-url="/token?as=AS"></schoolhub-feed>'));
    stage.portal.page('/family', page(ASTRID_GUARDIAN, 'sv', '<schoolhub-documentation token-url="/token?as=AS"></schoolhub-documentation>'));
    stage.portal.page('/preschool', page(PRESCHOOL_TEACHER, 'sv', '<schoolhub-documentation token-url="/token?as=AS"></schoolhub-documentation>'));
    lars = await stage.t.connect(TEACHER);
    [teacher, student] = await Promise.all([visit('/teacher'), visit('/student')]);
    // Loaded, so that what is posted next arrives live.
    await student.locator('schoolhub-feed').getByText('Nothing in the feed yet.').waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    lars?.close();
  });

  it('item 3: an Arabic post reads right to left; every text field follows its own direction', async () => {
    await post('اجتماع أولياء الأمور', 'مرحبا، الاجتماع يوم الخميس!');
    await showArrivals(student);
    const article = student.locator('schoolhub-feed article').first();
    await eventually(() => article.locator('.body').innerText()).toContain('مرحبا');
    const direction = (sel: string) => article.locator(sel).first().evaluate((el) => getComputedStyle(el).direction);
    expect(await direction('.body')).toBe('rtl');
    expect(await direction('h3 [dir="auto"]')).toBe('rtl');

    await teacher.getByRole('button', { name: 'Nytt inlägg' }).click();
    const composer = teacher.locator('schoolhub-feed-composer');
    await eventually(() => composer.locator('textarea').count()).toBe(1);
    for (const field of await composer.locator('input[type="text"], textarea').all()) expect(await field.getAttribute('dir')).toBe('auto');

    const { pre, docs } = await openDocumentationForm();
    await eventually(() => docs.locator('textarea').count()).toBe(2);
    for (const field of await docs.locator('input[type="text"], input[type="search"], textarea').all()) expect(await field.getAttribute('dir')).toBe('auto');
    await pre.context().close();
  });

  it('item 4: a text over the limit is refused visibly, not cut; a counter shows near the limit', async () => {
    const composer = teacher.locator('schoolhub-feed-composer');
    const body = composer.getByLabel('Text');
    expect(await body.getAttribute('maxlength')).toBeNull();
    const long = 'x'.repeat(LIMITS.postBody + 5);
    await body.fill(long);
    // Nothing was cut: the field holds all of it.
    expect((await body.inputValue()).length).toBe(LIMITS.postBody + 5);
    const publish = composer.getByRole('button', { name: 'Publicera' });
    expect(await publish.isDisabled()).toBe(true);
    const counter = composer.locator('#text-count');
    expect(await counter.innerText()).toBe('5 tecken för mycket');
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    expect(await body.getAttribute('aria-describedby')).toContain('text-count');
    expect(await composer.locator('#text-count').innerText()).toContain('5 tecken för mycket');
    // Below 90 % of the limit there is no counter; near it, it counts.
    await body.fill('kort');
    expect(await counter.count()).toBe(0);
    await body.fill('y'.repeat(LIMITS.postBody - 10));
    expect(await composer.locator('#text-count').innerText()).toBe('10 tecken kvar');
    expect(await publish.isDisabled()).toBe(false);
    await body.fill('');
  });

  it('item 4: the documentation editor keeps a too long text whole and refuses it visibly', async () => {
    const { pre, docs } = await openDocumentationForm();
    const form = docs.locator('form');
    const body = form.getByLabel('Text', { exact: true });
    await body.fill('z'.repeat(DEVELOPMENT_LIMITS.documentationBody + 1));
    expect((await body.inputValue()).length).toBe(DEVELOPMENT_LIMITS.documentationBody + 1);
    expect(await form.getByRole('button', { name: 'Publicera' }).isDisabled()).toBe(true);
    expect(await form.locator('#doc-body-count').innerText()).toContain('1 tecken för mycket');
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    await body.fill('kort');
    expect(await form.getByRole('button', { name: 'Publicera' }).isDisabled()).toBe(false);
    await pre.context().close();
  });

  it('item 4: a long post is collapsed behind "Show more" (a button with aria-expanded)', async () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Stycke ${i + 1}: ${'ord '.repeat(30)}`).join('\n\n');
    await post('Långt inlägg', paragraphs);
    await showArrivals(student);
    const article = student.locator('schoolhub-feed article', { hasText: 'Långt inlägg' });
    const more = article.getByRole('button', { name: 'Show more' });
    await eventually(() => more.count()).toBe(1);
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    const height = () => article.locator('.body').evaluate((el) => el.getBoundingClientRect().height);
    const collapsed = await height();
    await more.click();
    expect(await article.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    expect(await height()).toBeGreaterThan(collapsed * 2);
    // A short post has no such button.
    const short = student.locator('schoolhub-feed article', { hasText: 'مرحبا' });
    expect(await short.getByRole('button', { name: /Show (more|less)/ }).count()).toBe(0);
  });

  it('item 8: publishing says so visibly, until the next action', async () => {
    const composer = teacher.locator('schoolhub-feed-composer');
    await publish(composer, { to: ['Matematik 7', 'elever'], title: 'Utflykt', body: 'Vi åker till skogen på måndag.' });
    const done = composer.getByRole('status').filter({ hasText: 'Inlägget är publicerat' });
    await eventually(() => done.count()).toBe(1);
    expect(await done.isVisible()).toBe(true);
    // It stays while nothing else happens, and goes at the next action.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await done.isVisible()).toBe(true);
    await composer.getByLabel('Rubrik').fill('Nästa');
    await eventually(() => composer.getByText('Inlägget är publicerat').count()).toBe(0);
    await composer.getByLabel('Rubrik').fill('');
  });

  it('item 9: URLs in posts and documentation are links that open safely in a new tab; other schemes stay text', async () => {
    await post('Länkar', 'Läs https://skolan.example/lov?v=1. Inte javascript:alert(1) eller data:text/html,<b>x</b> eller "https://x.example/"onclick=alert(1)');
    await showArrivals(student);
    const article = student.locator('schoolhub-feed article', { hasText: 'Länkar' });
    await eventually(() => article.getByRole('link').count()).toBe(2);
    const links = await article.locator('.body a').evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute('href'), text: [...a.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(''), target: a.getAttribute('target'), rel: a.getAttribute('rel'), attrs: a.getAttributeNames().sort() })));
    expect(links).toEqual([
      { href: 'https://skolan.example/lov?v=1', text: 'https://skolan.example/lov?v=1', target: '_blank', rel: 'noopener noreferrer', attrs: ['href', 'rel', 'target'] },
      { href: 'https://x.example/', text: 'https://x.example/', target: '_blank', rel: 'noopener noreferrer', attrs: ['href', 'rel', 'target'] },
    ]);
    expect(await article.locator('.body b, .body [onclick]').count()).toBe(0);
    // The link says where it leads to screen readers too.
    expect(await article.getByRole('link', { name: 'https://skolan.example/lov?v=1 (opens in a new tab)' }).count()).toBe(1);
  });

  it('item 9: a URL in a chat message is a link too, and markup around it stays text', async () => {
    const eva = await stage.t.connect('p-mentor-ek');
    const { conversation } = await eva.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-2a'], subject: 'Länk', clientKey: ck() });
    await eva.ok('message.send', { conversationId: conversation.id, body: 'Schemat: https://skolan.example/schema, <b>inte</b> javascript:alert(1)', clientKey: ck() });
    eva.close();
    stage.portal.page('/sara', portalPage(stage.t, { body: `<schoolhub-chat token-url="/token?as=p-gua-ek-2a" conversation-id="${conversation.id}"></schoolhub-chat>` }));
    const sara = await visit('/sara');
    const body = sara.locator('schoolhub-chat .body').first();
    await eventually(() => body.getByRole('link').count()).toBe(1);
    const link = body.getByRole('link');
    expect(await link.getAttribute('href')).toBe('https://skolan.example/schema');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await body.locator('b').count()).toBe(0);
    expect(await body.innerText()).toContain('<b>inte</b> javascript:alert(1)');
    await sara.context().close();
  });

  it('item 9: an image opens full size in a dialog, downloads with its file name, and Escape gives focus back', async () => {
    const { attachment } = (await (
      await fetch(`${stage.t.url}/api/v1/attachments?filename=tornet.png`, {
        method: 'POST', headers: { authorization: `Bearer ${await stage.t.token(PRESCHOOL_TEACHER)}`, 'content-type': 'image/png' }, body: new Uint8Array(PNG),
      })
    ).json()) as { attachment: { id: string } };
    const asa = await stage.t.connect(PRESCHOOL_TEACHER);
    await asa.ok('documentation.create', {
      groupId: 'g-sol-blabar', childIds: ['p-child-1'], title: 'Tornet', body: 'Bilder finns på https://solrosen.example/tornet.', goals: [],
      attachmentIds: [attachment.id], clientKey: ck(),
    });
    asa.close();
    const family = await visit('/family', { acceptDownloads: true });
    const docs = family.locator('schoolhub-documentation');
    // The documentation text's URL is a link as well.
    await eventually(() => docs.getByRole('link', { name: /^https:\/\/solrosen\.example\/tornet/ }).count()).toBe(1);
    const open = docs.getByRole('button', { name: 'Bild till ”Tornet”' });
    await eventually(() => open.count()).toBe(1);
    await eventually(() => open.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(2);
    expect(await open.getAttribute('aria-haspopup')).toBe('dialog');
    await open.click();
    const dialog = docs.getByRole('dialog', { name: 'Bild till ”Tornet”' });
    await eventually(() => dialog.isVisible()).toBe(true);
    // The full-size image is a blob: URL and decodes; the browser picks currentSrc a task after render.
    await eventually(() =>
      dialog.getByRole('img', { name: 'Bild till ”Tornet”' }).evaluate((img) => {
        const i = img as HTMLImageElement;
        return { blob: i.currentSrc.startsWith('blob:'), decoded: i.complete && i.naturalWidth === 2 };
      }),
    ).toEqual({ blob: true, decoded: true });
    const download = dialog.getByRole('link', { name: 'Ladda ner tornet.png' });
    expect(await download.getAttribute('download')).toBe('tornet.png');
    const [file] = await Promise.all([family.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('tornet.png');
    expect(await seriousViolations(family)).toEqual([]);
    await family.keyboard.press('Escape');
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await open.evaluate((b) => b.matches(':focus'))).toBe(true);
    // And once more with the close button.
    await open.click();
    await dialog.getByRole('button', { name: 'Stäng' }).click();
    await eventually(() => dialog.isVisible()).toBe(false);
    expect(await open.evaluate((b) => b.matches(':focus'))).toBe(true);
    await family.context().close();
  });

  it('item 9: a feed badge counts unread posts live, and "mark all as read" clears it on every device', async () => {
    const badge = student.locator('schoolhub-feed-badge');
    const unreadArticles = () => student.locator('schoolhub-feed article.unread').count();
    const shown = () => badge.locator('[part="badge"]').innerText();
    await eventually(async () => (await badge.locator('[part="badge"]').count()) > 0).toBe(true);
    const before = await unreadArticles();
    expect(before).toBeGreaterThan(0);
    await eventually(shown).toBe(String(before));
    // The portal's link reads "News 3 unread posts".
    expect(await student.getByRole('link', { name: `News ${before} unread posts` }).count()).toBe(1);
    // A new post counts at once, before it is shown in the list.
    await post('Ny läxa', 'Sidan 12.');
    await eventually(shown).toBe(String(before + 1));
    // Marking one read takes it off.
    await showArrivals(student);
    await student.locator('schoolhub-feed article', { hasText: 'Ny läxa' }).getByRole('button', { name: 'Mark as read' }).click();
    await eventually(shown).toBe(String(before));

    // "Mark all as read" on another device of the same student clears this one too.
    const phone = await visit('/student');
    const readAll = phone.locator('schoolhub-feed').getByRole('button', { name: 'Mark all as read' });
    await eventually(() => readAll.count()).toBe(1);
    await readAll.click();
    await eventually(() => phone.locator('schoolhub-feed article.unread').count()).toBe(0);
    await eventually(() => readAll.count()).toBe(0);
    await eventually(() => badge.locator('[part="badge"]').count()).toBe(0);
    await eventually(unreadArticles).toBe(0);
    expect(await phone.locator('schoolhub-feed-badge [part="badge"]').count()).toBe(0);
    // After a reload, too: the hub stored the marks.
    await student.reload();
    await eventually(() => student.locator('schoolhub-feed article').count()).toBeGreaterThan(0);
    expect(await unreadArticles()).toBe(0);
    expect(await badge.locator('[part="badge"]').count()).toBe(0);
    await phone.context().close();
  });

  it('axe-core finds no serious violation', async () => {
    expect(await seriousViolations(teacher)).toEqual([]);
    expect(await seriousViolations(student)).toEqual([]);
  });

  it('the pages raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
