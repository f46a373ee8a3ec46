// Files in chat and posts, in Chromium: a guardian attaches a photo and a PDF to a message with
// the paper clip; the mentor sees the photo's thumbnail inline (made by the hub on upload),
// opens it full size in a dialog, and gets the PDF as a button; a teacher attaches an image to
// a post and the student sees it in the feed. Nobody else's page shows them.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { eventually, hasChromium } from './support/browser.ts';
import { feedPage, portalPage } from './support/portal.ts';
import { openPortalPages, useStage } from './support/stage.ts';
import { itEndsClean } from './support/axe.ts';

const MENTOR = 'p-mentor-ek'; // Eva Nyström, mentor of 7A
const GUARDIAN = 'p-gua-ek-2a'; // Sara Johansson, guardian of Liam (7A)
const TEACHER = 'p-teacher-ek'; // Lars Berglund, teaches Matematik 7 (g-ek-ma7)
const STUDENT = 'p-stu-ek-1'; // Elsa Andersson, in Matematik 7

describe.skipIf(!hasChromium)('files in chat and posts, in the widgets', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  let p: Record<'mentor' | 'guardian' | 'teacher' | 'student', Page>;
  const problems: string[] = [];
  let photo: Buffer;
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

  beforeAll(async () => {
    photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
    const sara = await stage.t.connect(GUARDIAN);
    const { conversation } = await sara.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [MENTOR], clientKey: 'files-ui' });
    const chat = (as: string) => portalPage(stage.t, { body: `<schoolhub-chat conversation-id="${conversation.id}" token-url="/token?as=${as}"></schoolhub-chat>` });
    p = await openPortalPages(stage, { mentor: chat(MENTOR), guardian: chat(GUARDIAN), teacher: feedPage(stage.t, TEACHER), student: feedPage(stage.t, STUDENT, 'en') }, problems);
  });

  it('a photo and a PDF sent with the paper clip arrive in the mentor’s chat: the thumbnail inline, the photo full size on request', async () => {
    const chat = p.guardian.locator('schoolhub-chat');
    await eventually(() => chat.getByRole('button', { name: 'Skicka' }).count()).toBe(1);
    await chat.getByLabel('Bifoga bild eller PDF').setInputFiles([
      { name: 'utflykt.png', mimeType: 'image/png', buffer: photo },
      { name: 'lapp.pdf', mimeType: 'application/pdf', buffer: pdf },
    ]);
    await eventually(() => chat.locator('.pending-files li').allInnerTexts()).toHaveLength(2);
    await chat.getByLabel('Skriv ett meddelande').fill('Bilder från utflykten');
    await chat.getByRole('button', { name: 'Skicka' }).click();

    const mine = p.mentor.locator('schoolhub-chat');
    const image = mine.locator('schoolhub-attachment img[alt="utflykt.png"]');
    await eventually(() => image.count()).toBe(1);
    // The thumbnail the hub made: at most 320 pixels wide, not the 900 of the photo.
    await eventually(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await eventually(() => mine.locator('schoolhub-attachment').getByRole('button', { name: /lapp\.pdf/ }).count()).toBe(1);
    // Full size in a dialog.
    await mine.locator('schoolhub-attachment button.thumb').click();
    const large = mine.locator('schoolhub-attachment dialog img');
    await eventually(() => large.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(900);
    await p.mentor.keyboard.press('Escape');
    await eventually(() => mine.locator('schoolhub-attachment dialog[open]').count()).toBe(0);
  });

  it('an image attached to a post shows in the student’s feed, and not in the mentor’s chat', async () => {
    await p.teacher.getByRole('button', { name: 'Nytt inlägg' }).click();
    const composer = p.teacher.locator('schoolhub-feed-composer');
    await composer.getByRole('checkbox', { name: 'Matematik 7' }).check();
    await composer.getByRole('checkbox', { name: 'elever' }).check();
    await composer.getByLabel('Rubrik').fill('Tavlan från lektionen');
    await composer.getByLabel('Text', { exact: true }).fill('Här är bilden.');
    await composer.getByLabel('Bifoga bild eller PDF').setInputFiles([{ name: 'tavlan.png', mimeType: 'image/png', buffer: photo }]);
    await eventually(() => composer.locator('.pending-files li').allInnerTexts()).toHaveLength(1);
    await composer.getByRole('button', { name: 'Publicera' }).click();
    const show = p.student.getByRole('button', { name: 'Show 1 new post' });
    await eventually(() => show.count()).toBe(1);
    await show.click();
    const image = p.student.locator('schoolhub-feed article schoolhub-attachment img[alt="tavlan.png"]');
    await eventually(() => image.count()).toBe(1);
    expect(await p.mentor.locator('schoolhub-attachment img[alt="tavlan.png"]').count()).toBe(0);
  });

  itEndsClean(() => Object.values(p), problems);
});
