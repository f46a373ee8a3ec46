// The connection is cut and both sides catch up with nothing missing and nothing twice: the
// hub restarts (stopped, and a new hub on the same database takes over behind the same
// proxy address, as behind a load balancer) while the guardian's browser
// is offline and has a reply waiting in its queue. The mentor comes back first and writes;
// then the guardian comes back, resumes from its cursor, gets what it missed, and its
// queued reply is sent once (same clientKey).
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startConversation } from '../../hub/testing/conversations.ts';
import { eventually, hasChromium } from './support/browser.ts';
import { badgeAndChatPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { useProxiedHub } from './support/proxy.ts';

const MENTOR = 'p-mentor-ek';
const GUARDIAN = 'p-gua-ek-2a';

describe.skipIf(!hasChromium)('cut connections catch up', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  const proxied = useProxiedHub(stage);
  let guardianContext: BrowserContext;
  let mentor: Page;
  let guardian: Page;
  let conversationId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    const m = await stage.t.connect(MENTOR);
    conversationId = await startConversation(m, { participantIds: [GUARDIAN], subject: 'Läxor', clientKey: 'reconnect-conv' }, { body: 'Första', clientKey: 'reconnect-1' });
    m.close();
    stage.portal.page('/mentor', badgeAndChatPage(proxied.url, MENTOR, conversationId));
    stage.portal.page('/guardian', badgeAndChatPage(proxied.url, GUARDIAN, conversationId));
    mentor = await (await stage.browser.newContext()).newPage();
    guardianContext = await stage.browser.newContext();
    guardian = await guardianContext.newPage();
    // A reconnect logs the failed socket attempts as console errors; page errors are what count.
    for (const p of [mentor, guardian]) p.on('pageerror', (e) => problems.push(e.message));
    await Promise.all([mentor.goto(`${stage.portal.url}/mentor`), guardian.goto(`${stage.portal.url}/guardian`)]);
  });

  const bodies = (p: Page) => p.locator('schoolhub-chat .msg .body').allInnerTexts();
  const resumed = (p: Page) => p.evaluate(() => (globalThis as unknown as Record<symbol, { client?: { resumed?: boolean } }>)[Symbol.for('schoolhub.page')]?.client?.resumed);
  const status = (p: Page) => p.locator('schoolhub-chat [part="status"]').innerText();

  it('shows a polite "reconnecting…" state and queues a send while offline', async () => {
    for (const p of [mentor, guardian]) await eventually(() => bodies(p)).toEqual(['Första']);
    await guardianContext.setOffline(true);
    await eventually(() => status(guardian)).toBe('Återansluter…');
    expect(await guardian.locator('schoolhub-chat [part="status"]').getAttribute('role')).toBe('status');
    const field = guardian.locator('schoolhub-chat').getByLabel('Skriv ett meddelande');
    await field.fill('Svar skrivet offline');
    await field.press('Enter');
    await eventually(() => guardian.locator('schoolhub-chat .msg.pending .receipt').innerText()).toBe('Väntar på anslutning…');
  });

  it('the hub restarts; the mentor reconnects and writes while the guardian is still away', async () => {
    await proxied.restart({ whileDown: () => eventually(() => status(mentor)).toBe('Återansluter…') });
    await eventually(() => status(mentor), 40_000).toBe('');
    const field = mentor.locator('schoolhub-chat').getByLabel('Skriv ett meddelande');
    for (const body of ['Andra', 'Tredje', 'Fjärde']) {
      await field.fill(body);
      await field.press('Enter');
    }
    await eventually(() => bodies(mentor)).toEqual(['Första', 'Andra', 'Tredje', 'Fjärde']);
    await eventually(() => mentor.locator('schoolhub-chat .msg.pending').count()).toBe(0);
  }, 60_000);

  it('the guardian comes back: everything missed arrives once, and the queued reply is sent once', async () => {
    await guardianContext.setOffline(false);
    await eventually(() => status(guardian), 40_000).toBe('');
    await eventually(() => bodies(guardian)).toEqual(['Första', 'Andra', 'Tredje', 'Fjärde', 'Svar skrivet offline']);
    await eventually(() => bodies(mentor)).toEqual(['Första', 'Andra', 'Tredje', 'Fjärde', 'Svar skrivet offline']);
    // The mentor may see the reply before the guardian's page has its acknowledgement.
    await eventually(() => guardian.locator('schoolhub-chat .msg.pending, schoolhub-chat .msg.failed').count()).toBe(0);
    // Both came back by resuming from their cursor (a replay), not by reloading their views.
    for (const p of [mentor, guardian]) expect(await resumed(p)).toBe(true);
    // The hub stored the reply once and the seqs have no gap.
    const c = await proxied.connect(MENTOR);
    const history = await c.ok<{ messages: { seq: number; body: string }[] }>('history.get', { conversationId });
    expect(history.messages.map((m) => m.body)).toEqual(['Första', 'Andra', 'Tredje', 'Fjärde', 'Svar skrivet offline']);
    expect(history.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(problems).toEqual([]);
  }, 60_000);
});
