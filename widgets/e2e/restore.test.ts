// After a database restore every open page holds a cursor ahead of the hub: the hub answers
// its resume with sync.reset (PROTOCOL.md §5), and the widgets reload and show new messages
// again. Before, the resume was accepted and the page dropped every new event until the ids
// caught up with its old cursor.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freshDatabase } from '../../hub/testing/harness.ts';
import { startConversation } from '../../hub/testing/conversations.ts';
import { eventually, hasChromium } from './support/browser.ts';
import { badgeAndChatPage } from './support/portal.ts';
import { useStage } from './support/stage.ts';
import { useProxiedHub } from './support/proxy.ts';

const MENTOR = 'p-mentor-ek';
const GUARDIAN = 'p-gua-ek-2a';

/** Loads a plain SQL dump into a database, as an operator's restore would. */
function psql(url: string, dump: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql failed (${code}): ${err}`))));
    p.stdin.end(dump);
  });
}

describe.skipIf(!hasChromium)('a database restore', () => {
  const stage = useStage({ env: { HUB_DEMO: '1' } });
  let restored: { url: string; drop: () => Promise<void> } | undefined;
  // Registered before the proxied hub's: afterAll hooks run in reverse, so the restored
  // database is dropped once the hub on it has stopped.
  afterAll(async () => {
    await restored?.drop();
  });
  const proxied = useProxiedHub(stage);
  let guardian: Page;
  let conversationId: string;
  let backup: string;
  const problems: string[] = [];

  beforeAll(async () => {
    const m = await stage.t.connect(MENTOR);
    conversationId = await startConversation(m, { participantIds: [GUARDIAN], subject: 'Utflykt', clientKey: 'restore-conv' }, { body: 'Första', clientKey: 'restore-1' });
    // The nightly backup: everything after it is lost by the restore.
    backup = (await promisify(execFile)('pg_dump', ['--no-owner', stage.t.databaseUrl], { maxBuffer: 256 * 1024 * 1024 })).stdout;
    await m.ok('message.send', { conversationId, body: 'Efter säkerhetskopian', clientKey: 'restore-2' });
    m.close();
    stage.portal.page('/guardian', badgeAndChatPage(proxied.url, GUARDIAN, conversationId));
    guardian = await (await stage.browser.newContext()).newPage();
    guardian.on('pageerror', (e) => problems.push(e.message));
    await guardian.goto(`${stage.portal.url}/guardian`);
  }, 60_000);

  const bodies = () => guardian.locator('schoolhub-chat .msg .body').allInnerTexts();
  const status = () => guardian.locator('schoolhub-chat [part="status"]').innerText();

  it('the page reloads from the restored hub and shows new messages again', async () => {
    await eventually(bodies).toEqual(['Första', 'Efter säkerhetskopian']);
    // Restore the backup into a new database and start the hub on it behind the same address.
    restored = await freshDatabase();
    await psql(restored.url, backup);
    await proxied.restart({ config: { databaseUrl: restored.url } });
    await eventually(status, 40_000).toBe('');
    // The hub said sync.reset: the page shows what the restored hub holds.
    await eventually(bodies).toEqual(['Första']);
    // New events get ids the page has seen before the restore: it must not drop them.
    const m = await proxied.connect(MENTOR);
    await m.ok('message.send', { conversationId, body: 'Efter återställningen', clientKey: 'restore-3' });
    await eventually(bodies).toEqual(['Första', 'Efter återställningen']);
    m.close();
    expect(problems).toEqual([]);
  }, 90_000);
});
