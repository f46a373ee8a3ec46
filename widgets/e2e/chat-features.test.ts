// The chat features of the grown hub, in two browsers against a real hub: conversations about
// an assignment or a plan (context titles in the inbox, the context link: the hub's own link
// before the portal's pattern), staff quiet hours, typing indicators, editing and deleting
// one's own message live on the other side, a guardian joining an item's thread
// (conversation.updated), a whole-group conversation, and a search whose hit opens the
// conversation at the message with newer messages paged in (afterSeq).
//
// Ekskolan has staff quiet hours around now, so a guardian's message to its teachers is
// flagged. The teacher's page is in English and shows conversations inside the inbox; the
// guardian's is in Swedish with a separate <schoolhub-chat>.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { demoBundle } from '../../hub/demo/district.ts';
import type { TestClient } from '../../hub/testing/client.ts';
import { artifact, eventually, hasChromium, openPage, dismissDialogs } from './support/browser.ts';
import { seriousViolations } from './support/axe.ts';
import { portalPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';

const TEACHER = 'p-teacher-ek'; // Lars Berglund, teaches Matematik 7 (g-ek-ma7)
const MENTOR = 'p-mentor-ek'; // Eva Nyström, mentor of Klass 7A
const MARIA = 'p-gua-ek-1a'; // Maria Andersson, guardian of Elsa (Matematik 7, Klass 7A)
const JOHAN = 'p-gua-ek-1b'; // Johan Andersson, Elsa's other guardian
const LMS = 'https://lms.example.test/uppgift/{id}';

const clock = (minutes: number) => {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** The demo district with staff quiet hours at Ekskolan right now. */
function quietNow() {
  const b = demoBundle();
  const now = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
  for (const s of b.extensions.settings) {
    if (s.organisation.id === 's-ekskolan') s.quietHours = { start: clock(now - 120), end: clock(now + 120), timezone: 'UTC' };
  }
  return b;
}

describe.skipIf(!hasChromium)('chat features: context, quiet hours, typing, edit and delete, search', () => {
  const stage = useStage(() => ({ bundle: quietNow(), env: { HUB_LINK_ASSIGNMENT: LMS } }));
  let maria: Page;
  let lars: Page;
  let assignmentId: string;
  let planId: string;
  const problems: string[] = [];
  let n = 0;
  const key = () => `e2e-features-${++n}`;

  const mariaChat = () => maria.locator('schoolhub-chat#chat');
  const larsChat = () => lars.locator('schoolhub-inbox schoolhub-chat');
  const item = (page: Page, text: string | RegExp): Locator => page.locator('schoolhub-inbox .item', { hasText: text });

  beforeAll(async () => {
    const teacher = await stage.t.connect(TEACHER);
    const create = async (kind: string, title: string) =>
      (await teacher.ok<{ item: { id: string } }>('item.create', { kind, groupId: 'g-ek-ma7', title, publish: true, clientKey: key() })).item.id;
    assignmentId = await create('assignment', 'Bråk');
    planId = await create('plan', 'Geometri');
    // Maria asks from inside the assignment and the plan (the portal's item pages would do this).
    const m = await stage.t.connect(MARIA);
    for (const [kind, id] of [['assignment', assignmentId], ['plan', planId]]) {
      await m.ok('conversation.start', { context: { kind, id }, clientKey: key() });
    }
    stage.portal.page('/maria', portalPage(stage.t, {
      body: `<schoolhub-inbox id="inbox" chat="chat" context-href="/skola/{kind}/{id}" token-url="/token?as=${MARIA}"></schoolhub-inbox>
             <schoolhub-chat id="chat" context-href="/skola/{kind}/{id}"></schoolhub-chat>`,
    }));
    stage.portal.page('/lars', portalPage(stage.t, { lang: 'en', body: `<schoolhub-inbox context-href="/skola/{kind}/{id}" token-url="/token?as=${TEACHER}"></schoolhub-inbox>` }));
    const open = (path: string) => openPage(stage.browser, `${stage.portal.url}${path}`, problems, {
      context: { viewport: { width: 1100, height: 1000 } },
      before: (page) => dismissDialogs(page, (message) => problems.push(`dialog: ${message}`)),
    });
    [maria, lars] = await Promise.all([open('/maria'), open('/lars')]);
  });

  it("shows what a conversation is about, and links it: the hub's link first, else the portal's pattern", async () => {
    await eventually(() => maria.locator('schoolhub-inbox .item').count()).toBe(2);
    expect(await item(maria, 'Uppgift: Bråk').count()).toBe(1);
    expect(await item(maria, 'Planering: Geometri').count()).toBe(1);
    await eventually(() => item(lars, 'Assignment: Bråk').count()).toBe(1);

    // The hub has a link for assignments (another site): a new tab, no opener, no referrer.
    await item(maria, 'Uppgift: Bråk').click();
    const link = mariaChat().locator('.context a');
    await eventually(() => link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe(LMS.replace('{id}', assignmentId));
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.textContent()).toBe('Öppna uppgiften (öppnas i en ny flik)');
    // The thread is named by what it is about; who is in it comes under.
    expect(await mariaChat().locator('h2').innerText()).toBe('Uppgift: Bråk');
    expect(await mariaChat().locator('.head .muted').innerText()).toBe('Med: Elsa Andersson, Lars Berglund');

    // None for plans: the portal's own pattern, on the portal's origin, in the same tab.
    await item(maria, 'Planering: Geometri').click();
    await eventually(() => link.getAttribute('href')).toBe(`${stage.portal.url}/skola/plan/${planId}`);
    expect(await link.getAttribute('target')).toBeNull();
    expect(await link.textContent()).toBe('Öppna planeringen');
  });

  it('quiet hours, typing, and editing and deleting one’s own message reach the other side live', async () => {
    await item(maria, 'Uppgift: Bråk').click();
    await eventually(() => mariaChat().locator('.context a').getAttribute('href')).toContain('lms.example.test');
    await item(lars, 'Assignment: Bråk').click();
    await eventually(() => larsChat().locator('h2').count()).toBe(1);
    const composer = mariaChat().getByLabel('Skriv ett meddelande');
    const larsTyping = larsChat().locator('.typing');

    // Typing shows on the teacher's side, politely, and goes as soon as Maria empties the field.
    await composer.pressSequentially('Hej!', { delay: 40 });
    await eventually(() => larsTyping.innerText()).toBe('Maria Andersson is typing…');
    expect(await larsTyping.getAttribute('aria-live')).toBe('polite');
    await composer.fill('');
    await eventually(() => larsTyping.innerText(), 3_000).toBe(''); // a stop, well before it would fade
    expect(await mariaChat().locator('.typing').innerText()).toBe(''); // never one's own

    // A message during staff quiet hours is delivered and flagged, on both sides.
    await composer.pressSequentially('Hej! Elsa undrar över uppgift 3.', { delay: 5 });
    await eventually(() => larsTyping.innerText()).toBe('Maria Andersson is typing…');
    await composer.press('Enter');
    const mine = mariaChat().locator('.msg').last();
    await eventually(() => mine.locator('.body').innerText()).toBe('Hej! Elsa undrar över uppgift 3.');
    await eventually(() => mine.locator('.quiet').innerText()).toBe('Läraren svarar under skoltid');
    await eventually(() => mariaChat().locator('div[aria-live="polite"]').innerText()).toBe('Läraren svarar under skoltid');
    const theirs = larsChat().locator('.msg').last();
    await eventually(() => theirs.locator('.body').innerText()).toBe('Hej! Elsa undrar över uppgift 3.');
    expect(await theirs.locator('.quiet').innerText()).toBe('The teacher will answer during school hours');
    await eventually(() => larsTyping.innerText()).toBe(''); // the message ends the indicator
    // Only the sender may change it.
    expect(await theirs.getByRole('button', { name: 'Edit' }).count()).toBe(0);

    // Edit: the teacher sees the new words and that they were edited.
    await mine.getByRole('button', { name: 'Redigera' }).click();
    const editor = mariaChat().getByLabel('Redigera meddelandet');
    await eventually(() => editor.evaluate(isFocused)).toBe(true);
    await editor.fill('Hej! Elsa undrar över uppgift 4.');
    await editor.press('Enter');
    await eventually(() => theirs.locator('.body').innerText()).toBe('Hej! Elsa undrar över uppgift 4.');
    expect(await theirs.locator('.edited').innerText()).toBe('(edited)');
    expect(await mine.locator('.edited').innerText()).toBe('(redigerat)');
    // Focus went back to the message's edit button.
    await eventually(() => mine.getByRole('button', { name: 'Redigera' }).evaluate(isFocused)).toBe(true);

    // Delete, after a confirmation: a tombstone on both sides, and in the inbox.
    await mine.getByRole('button', { name: 'Ta bort' }).click();
    await mine.getByText('Ta bort meddelandet?').waitFor();
    await axeClean(maria, 'with a deletion being confirmed');
    await mine.getByRole('button', { name: 'Ta bort', exact: true }).click();
    await eventually(() => mine.locator('.body').innerText()).toBe('Meddelandet togs bort');
    await eventually(() => theirs.locator('.body').innerText()).toBe('The message was deleted');
    expect(await mine.getByRole('button', { name: 'Redigera' }).count()).toBe(0);
    expect(await theirs.getAttribute('class')).toContain('deleted');
    await eventually(() => item(maria, 'Uppgift: Bråk').locator('.last').innerText()).toBe('Du: Meddelandet togs bort');
  });

  it("a second guardian joining the item's thread updates it live (conversation.updated)", async () => {
    const johan = await stage.t.connect(JOHAN);
    const { existing } = await johan.ok<{ existing?: boolean }>('conversation.start', { context: { kind: 'assignment', id: assignmentId }, clientKey: key() });
    expect(existing).toBe(true);
    await eventually(() => larsChat().locator('.head .muted').innerText()).toContain('Johan Andersson');
    await eventually(() => mariaChat().locator('.head .muted').innerText()).toContain('Johan Andersson');
    await eventually(() => item(maria, 'Uppgift: Bråk').locator('.about').innerText()).toBe('Elsa Andersson, Lars Berglund, Johan Andersson');
  });

  it('search finds a message and opens the conversation at it; newer messages page in (afterSeq)', async () => {
    const eva = await stage.t.connect(MENTOR);
    const { conversation } = await eva.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: [MARIA], subject: 'Lång tråd', clientKey: key() });
    await sendMany(eva, conversation.id, 60, (i) => (i === 5 ? 'Kom ihåg matsäck till utflykten på fredag' : `rad ${i}`));

    const field = maria.getByRole('searchbox', { name: 'Sök i meddelanden' });
    await field.fill('matsäck');
    await field.press('Enter');
    const hits = maria.locator('schoolhub-inbox .hits .item');
    await eventually(() => hits.count()).toBe(1);
    expect(await hits.innerText()).toContain('Eva Nyström: Kom ihåg matsäck till utflykten på fredag');
    await eventually(() => maria.locator('schoolhub-inbox div[aria-live="polite"]').innerText()).toBe('1 träff');
    await axeClean(maria, 'with search results');

    await hits.click();
    const found = mariaChat().locator('.msg.found');
    // count() answers at once; innerText() would wait 30 s for a message that is not there.
    await eventually(() => found.count()).toBe(1);
    expect(await found.locator('.body').innerText()).toBe('Kom ihåg matsäck till utflykten på fredag');
    await eventually(() => found.evaluate(isFocused)).toBe(true);
    // Opened at message 5: the first 50 are loaded, and the rest wait behind a button.
    expect(await mariaChat().locator('.msg').count()).toBe(50);
    const newer = mariaChat().getByRole('button', { name: 'Visa nyare meddelanden' });
    expect(await newer.count()).toBe(1);
    await newer.click();
    await eventually(() => mariaChat().locator('.msg').count()).toBe(60);
    expect(await mariaChat().locator('.msg .body').last().innerText()).toBe('rad 60');
    expect(await newer.count()).toBe(0);

    // Clearing the search brings the conversations back.
    await maria.getByRole('button', { name: 'Rensa sökningen' }).click();
    await eventually(() => maria.locator('schoolhub-inbox .item', { hasText: 'Lång tråd' }).count()).toBe(1);
    // A search without words is explained, not sent as nonsense.
    await field.fill('&&');
    await field.press('Enter');
    await eventually(() => maria.locator('schoolhub-inbox [role="alert"]').innerText()).toBe('Sök med minst ett ord (bokstäver eller siffror).');
    await field.press('Escape');
    await eventually(() => maria.locator('schoolhub-inbox .hits').count()).toBe(0);
  }, 90_000); // 60 messages, each committed: under a loaded CI machine this takes far longer than 4 s

  it('a whole-group conversation is named by its group', async () => {
    const eva = await stage.t.connect(MENTOR);
    const { conversation } = await eva.ok<{ conversation: { id: string; participants: unknown[] } }>('conversation.start', {
      groupId: 'g-ek-7a', audience: 'guardians', clientKey: key(),
    });
    await eva.ok('message.send', { conversationId: conversation.id, body: 'Välkomna till föräldramöte i aulan.', clientKey: key() });
    const group = item(maria, 'Klass 7A – alla vårdnadshavare');
    await eventually(() => group.count()).toBe(1);
    expect(await group.locator('.last').innerText()).toBe('Eva Nyström: Välkomna till föräldramöte i aulan.');
    await group.click();
    await eventually(() => mariaChat().locator('h2').innerText()).toBe('Klass 7A – alla vårdnadshavare');
    expect(await mariaChat().locator('.head .muted').innerText()).toMatch(/^Med: \d+ deltagare$/);
  });

  it('axe-core finds no serious or critical violation, with the new controls showing', async () => {
    // The teacher's inbox still shows the assignment's thread (the quiet-hours note, a tombstone).
    await eventually(() => larsChat().locator('.msg').count()).toBeGreaterThan(0);
    await axeClean(lars, 'the teacher in English');
    await lars.locator('schoolhub-inbox').getByRole('button', { name: 'All conversations' }).click();
    await eventually(() => item(lars, 'Assignment: Bråk').count()).toBe(1);
    await axeClean(lars, "the teacher's inbox");
    await maria.screenshot({ path: artifact('chat-features.png'), fullPage: true });
  });

  it('the pages raised no errors and no dialogs', () => {
    expect(problems).toEqual([]);
  });

  async function axeClean(page: Page, when: string): Promise<void> {
    expect(await seriousViolations(page), when).toEqual([]);
  }
});

/** Is `el` the focused element of its (shadow) root? Runs in the page. */
function isFocused(el: Element): boolean {
  return el === (el.getRootNode() as Document | ShadowRoot).activeElement;
}

/** Sends messages under the hub's 20 frames/s per connection. */
async function sendMany(c: TestClient, conversationId: string, count: number, body: (i: number) => string): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await c.ok('message.send', { conversationId, body: body(i), clientKey: `${conversationId}-${i}` });
    await new Promise((r) => setTimeout(r, 55));
  }
}
