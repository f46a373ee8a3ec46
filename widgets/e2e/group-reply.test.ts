// Issue 12 defect 2 in the browser: in a whole-group conversation the mentor is told in words
// who reads what she sends; a guardian has no composer there, a line saying how to answer, and
// "Svara privat till mentorn" on the mentor's message, which sends to the mentor alone and
// opens the direct conversation (the reply quoting the original). The mentor's page is in
// English, the guardian's in Swedish. Another family gets nothing of the reply.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { complaints, eventually, hasChromium } from './support/browser.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';

const MENTOR = 'p-mentor-ek'; // Eva Nyström, mentor of Klass 7A
const MARIA = 'p-gua-ek-1a'; // Maria Andersson, guardian of Elsa (Klass 7A)
const OTHER = 'p-gua-ek-3a'; // another family of Klass 7A

describe.skipIf(!hasChromium)('a whole-group conversation: who reads it, and reply privately', () => {
  const stage = useStage();
  let maria: Page;
  let eva: Page;
  const problems: string[] = [];
  let groupId: string;

  const mariaChat = () => maria.locator('schoolhub-chat#chat');
  const evaChat = () => eva.locator('schoolhub-chat#chat');

  beforeAll(async () => {
    const mentor = await stage.t.connect(MENTOR);
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { groupId: 'g-ek-7a', audience: 'guardians', clientKey: 'gr-1' });
    groupId = conversation.id;
    await mentor.ok('message.send', { conversationId: groupId, body: 'Föräldramöte på torsdag kl 18 i aulan.', clientKey: 'gr-2' });
    stage.portal.page('/maria', portalPage(stage.t, {
      body: `<schoolhub-inbox id="inbox" chat="chat" token-url="/token?as=${MARIA}"></schoolhub-inbox><schoolhub-chat id="chat"></schoolhub-chat>`,
    }));
    stage.portal.page('/eva', portalPage(stage.t, {
      lang: 'en',
      body: `<schoolhub-inbox id="inbox" chat="chat" token-url="/token?as=${MENTOR}"></schoolhub-inbox><schoolhub-chat id="chat"></schoolhub-chat>`,
    }));
    const open = async (path: string) => {
      const page = await (await stage.browser.newContext({ viewport: { width: 1100, height: 1000 } })).newPage();
      complaints(page, problems);
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(`${stage.portal.url}${path}`);
      return page;
    };
    [maria, eva] = await Promise.all([open('/maria'), open('/eva')]);
  });

  it('the mentor sees, before sending, who will read it', async () => {
    await eva.locator('schoolhub-inbox .item', { hasText: 'Klass 7A' }).click();
    await eventually(() => evaChat().locator('.audience').innerText()).toBe('All guardians in Klass 7A and the mentors read this');
    expect(await evaChat().getByLabel('Write a message').count()).toBe(1);
    expect(await evaChat().getByRole('button', { name: 'Reply privately to the mentor' }).count()).toBe(0);
  });

  it('a guardian has no composer, is told how to answer, and replies privately to the mentor', async () => {
    await maria.locator('schoolhub-inbox .item', { hasText: 'Klass 7A' }).click();
    await eventually(() => mariaChat().locator('.msg').count()).toBe(1);
    expect(await mariaChat().locator('.audience').innerText()).toBe('Bara mentorerna skriver här. Välj ”Svara privat till mentorn” på ett meddelande för att skriva till mentorn.');
    expect(await mariaChat().locator('form.composer').count()).toBe(0);

    const other = await stage.t.connect(OTHER);
    await mariaChat().getByRole('button', { name: 'Svara privat till mentorn' }).click();
    const field = mariaChat().getByLabel('Privat svar till Eva Nyström – bara ni två ser det');
    await field.fill('Vi kommer, men kanske lite sent.');
    await field.press('Enter');

    // The direct conversation with the mentor opens, the reply in it, quoting the original.
    await eventually(() => mariaChat().locator('h2').innerText()).toBe('Eva Nyström');
    await eventually(() => mariaChat().locator('.msg .body').allInnerTexts()).toEqual(['Vi kommer, men kanske lite sent.']);
    expect(await mariaChat().locator('.msg .quote').innerText()).toBe('Svar på Klass 7A: ”Föräldramöte på torsdag kl 18 i aulan.”');
    expect(await mariaChat().locator('form.composer').count()).toBe(1); // here she writes
    expect(await mariaChat().locator('.audience').count()).toBe(0);

    // The mentor has it, in its own conversation; the group conversation is unchanged.
    await eventually(() => eva.locator('schoolhub-inbox .item', { hasText: 'Maria Andersson' }).count()).toBe(1);
    await eva.locator('schoolhub-inbox .item', { hasText: 'Maria Andersson' }).click();
    await eventually(() => evaChat().locator('.msg .quote').innerText()).toBe('In reply to Klass 7A: ”Föräldramöte på torsdag kl 18 i aulan.”');
    const group = await other.ok<{ messages: { body: string }[] }>('history.get', { conversationId: groupId });
    expect(group.messages.map((m) => m.body)).toEqual(['Föräldramöte på torsdag kl 18 i aulan.']);
    await other.ping();
    expect(JSON.stringify(other.frames)).not.toContain('kanske lite sent');
  });

  it('the pages raised no errors and no dialogs', () => {
    expect(problems).toEqual([]);
  });
});
