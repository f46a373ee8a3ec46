// A mentor and a guardian in two browser contexts on a portal page: the mentor starts a
// conversation through the recipient picker and writes; the guardian's badge, inbox and
// chat update live without a reload; the guardian answers; the mentor sees the answer and
// the read receipt. Then the mentor writes to the guardians of the whole mentor group.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, hasChromium, openPage } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';

const MENTOR = 'p-mentor-ek'; // Eva Nyström, mentor of 7A
const GUARDIAN = 'p-gua-ek-2a'; // Sara Johansson, guardian of Liam (7A)

describe.skipIf(!hasChromium)('chat between a mentor and a guardian, live in two browsers', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  let mentor: Page;
  let guardian: Page;
  const problems: string[] = [];
  const sockets: string[] = [];

  beforeAll(async () => {
    // The mentor's page relies on the default hub (the one that served the bundle) and a
    // token endpoint answering text; the guardian's names the hub and gets JSON.
    stage.portal.page('/mentor', portalPage(stage.t, {
      title: 'Mentorns portal',
      body: `<nav><a href="#inbox">Meddelanden <schoolhub-unread-badge></schoolhub-unread-badge></a></nav>
             <schoolhub-inbox id="inbox" token-url="/token?as=${MENTOR}"></schoolhub-inbox>`,
    }));
    stage.portal.page('/guardian', portalPage(stage.t, {
      title: 'Vårdnadshavarens portal',
      body: `<nav><a id="nav-messages" href="#inbox">Meddelanden <schoolhub-unread-badge></schoolhub-unread-badge></a></nav>
             <schoolhub-inbox id="inbox" chat="chat" hub-url="${stage.t.url}" token-url="/token.json?as=${GUARDIAN}"></schoolhub-inbox>
             <schoolhub-chat id="chat"></schoolhub-chat>`,
    }));
    const open = (name: string) => openPage(stage.browser, `${stage.portal.url}/${name}`, problems, { before: (page) => page.on('websocket', (ws) => sockets.push(`${name} ${ws.url()}`)) });
    [mentor, guardian] = await Promise.all([open('mentor'), open('guardian')]);
  });

  it('the recipient picker offers exactly the people the hub allows', async () => {
    const hubSays = await (await stage.t.connect(GUARDIAN)).ok<{ contacts: { name: string }[] }>('contacts.get', { limit: 50 });
    await guardian.getByRole('button', { name: 'Nytt samtal' }).click();
    const boxes = guardian.locator('schoolhub-new-conversation .people label');
    await eventually(() => boxes.count()).toBe(hubSays.contacts.length);
    const offered = await boxes.allInnerTexts();
    expect(offered.map((s) => s.split(' · ')[0]!.trim())).toEqual(hubSays.contacts.map((c) => c.name));
    // Ekskolan does not let teachers and guardians message directly: the teacher is not offered.
    expect(offered.join('\n')).toContain('Eva Nyström');
    expect(offered.join('\n')).not.toContain('Lars Berglund');
    await guardian.getByRole('button', { name: 'Avbryt' }).click();
  });

  it("the mentor writes; the guardian's badge, inbox and chat update live; the answer and the receipt come back", async () => {
    // The mentor starts a conversation with Sara through the picker.
    await mentor.getByRole('button', { name: 'Nytt samtal' }).click();
    await mentor.getByLabel('Sök person').fill('Sara');
    await mentor.getByRole('checkbox', { name: /Sara Johansson/ }).check();
    await mentor.getByLabel('Ämne (valfritt)').fill('Utvecklingssamtal');
    await mentor.getByLabel('Meddelande', { exact: true }).fill('Hej Sara! Passar tisdag kl 15?');
    await mentor.getByRole('button', { name: 'Starta samtal' }).click();
    const mentorChat = mentor.locator('schoolhub-chat');
    await eventually(() => mentorChat.locator('.msg .body').allInnerTexts()).toEqual(['Hej Sara! Passar tisdag kl 15?']);

    // The guardian's page was not reloaded: the badge and the inbox show it.
    await eventually(() => guardian.locator('schoolhub-unread-badge .count').innerText()).toBe('1');
    // Inside the portal's own link, the badge's text joins the link's accessible name.
    await eventually(() => guardian.getByRole('link', { name: 'Meddelanden 1 oläst meddelande' }).count()).toBe(1);
    const item = guardian.locator('schoolhub-inbox .item').first();
    await eventually(() => item.innerText()).toContain('Utvecklingssamtal');
    expect(await item.innerText()).toContain('Eva Nyström: Hej Sara! Passar tisdag kl 15?');

    // The guardian opens it in the page's chat; reading it clears the badge and sends a receipt.
    await item.click();
    const guardianChat = guardian.locator('schoolhub-chat#chat');
    await eventually(() => guardianChat.locator('.msg .body').allInnerTexts()).toEqual(['Hej Sara! Passar tisdag kl 15?']);
    await eventually(() => guardian.locator('schoolhub-unread-badge .count').count()).toBe(0);
    await eventually(() => mentorChat.locator('.receipt').innerText()).toBe('Läst av Sara Johansson');

    // The guardian answers with the keyboard (Enter sends).
    await guardianChat.getByLabel('Skriv ett meddelande').fill('Tisdag passar bra, vi kommer båda.');
    await guardianChat.getByLabel('Skriv ett meddelande').press('Enter');
    await eventually(() => mentorChat.locator('.msg .body').allInnerTexts()).toEqual([
      'Hej Sara! Passar tisdag kl 15?', 'Tisdag passar bra, vi kommer båda.',
    ]);
    // The mentor's open chat announced it politely, and read it (the guardian sees the receipt).
    await eventually(() => mentorChat.locator('div[aria-live="polite"]').innerText()).toContain('Nytt meddelande från Sara Johansson');
    await eventually(() => guardianChat.locator('.receipt').innerText()).toBe('Läst av Eva Nyström');
    expect(await mentor.locator('schoolhub-unread-badge .count').count()).toBe(0);
    // Nothing shown twice.
    expect(await guardianChat.locator('.msg').count()).toBe(2);
  });

  it('loads older messages when scrolled to the top', async () => {
    const m = await stage.t.connect(MENTOR);
    const { conversation } = await m.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [GUARDIAN], subject: 'Lång tråd', clientKey: 'long' });
    for (let i = 1; i <= 60; i++) {
      await m.ok('message.send', { conversationId: conversation.id, body: `rad ${i}`, clientKey: `long-${i}` });
      await new Promise((r) => setTimeout(r, 55)); // under the hub's 20 frames/s
    }
    const chat = guardian.locator('schoolhub-chat#chat');
    await chat.evaluate((el, id) => el.setAttribute('conversation-id', id), conversation.id);
    await eventually(() => chat.locator('.msg').count()).toBe(50);
    expect(await chat.locator('.msg .body').last().innerText()).toBe('rad 60');
    await chat.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
    await eventually(() => chat.locator('.msg').count()).toBe(60);
    expect(await chat.locator('.msg .body').first().innerText()).toBe('rad 1');
    expect(await chat.getByRole('button', { name: 'Visa äldre meddelanden' }).count()).toBe(0);
  });

  it("the mentor writes to the whole group's guardians; a guardian of 7A gets it live in the inbox", async () => {
    await mentor.getByRole('button', { name: '← Alla samtal' }).click();
    await mentor.getByRole('button', { name: 'Nytt samtal' }).click();
    // The hub lists 7A for Eva (contacts.get groups); the choice is one radio group, by keyboard.
    const people = mentor.getByRole('radio', { name: 'Personer som du väljer' });
    const guardians = mentor.getByRole('radio', { name: 'Hela gruppen: Klass 7A – vårdnadshavare' });
    await eventually(() => guardians.count()).toBe(1);
    expect(await mentor.getByRole('radio', { name: 'Hela gruppen: Klass 7A – elever' }).count()).toBe(1);
    expect(await people.isChecked()).toBe(true);
    await people.focus();
    await mentor.keyboard.press('ArrowDown'); // students
    await mentor.keyboard.press('ArrowDown'); // guardians
    expect(await guardians.isChecked()).toBe(true);
    // The people picker does not apply to a whole group.
    expect(await mentor.getByLabel('Sök person').isDisabled()).toBe(true);
    await mentor.getByLabel('Meddelande', { exact: true }).fill('Hej alla! Föräldramöte torsdag kl 18.');
    await mentor.getByRole('button', { name: 'Starta samtal' }).click();
    await eventually(() => mentor.locator('schoolhub-chat .msg .body').allInnerTexts()).toEqual(['Hej alla! Föräldramöte torsdag kl 18.']);

    // Sara's page was not reloaded: the group conversation arrives at the top of her inbox.
    const item = guardian.locator('schoolhub-inbox .item').first();
    await eventually(() => item.innerText()).toContain('Klass 7A – alla vårdnadshavare');
    expect(await item.innerText()).toContain('Eva Nyström: Hej alla! Föräldramöte torsdag kl 18.');
    await item.click();
    await eventually(() => guardian.locator('schoolhub-chat#chat .msg .body').allInnerTexts()).toEqual(['Hej alla! Föräldramöte torsdag kl 18.']);
  });

  it('every widget on a page shares one connection', () => {
    // The mentor's page has a badge, an inbox, a chat and a picker; the guardian's as many.
    expect(sockets.filter((s) => s.startsWith('mentor '))).toHaveLength(1);
    expect(sockets.filter((s) => s.startsWith('guardian '))).toHaveLength(1);
    expect(sockets[0]).toMatch(/\/ws$/);
  });

  it('the pages raised no errors', () => {
    expect(problems).toEqual([]);
  });
});
