// The dev mailbox: in demo mode without HUB_SMTP_URL every e-mail the hub would have sent is kept
// and shown at /demo/mailbox (text, headers, the HTML in a sandboxed frame). Outside demo mode
// without HUB_SMTP_URL, e-mail is off and there is no mailbox.
import { describe, expect, it } from 'vitest';
import { useTestHub } from '../testing/lifecycle.ts';
import type { TestHub } from '../testing/harness.ts';
import { DEMO } from '../demo/district.ts';
import type { Notice } from './channel.ts';
import { DEV_MAIL_FROM } from '../config.ts';

const notice = (over: Partial<Notice> = {}): Notice => ({
  id: 'n-1', eventId: '1', kind: 'post', urgent: false, at: '2026-03-02T13:05:00Z',
  target: { kind: 'post', id: 'p-1' }, title: 'Utflykt <b>fredag</b>', body: 'Ta med <script>alert(1)</script> matsäck.', ...over,
});

describe('demo mode without HUB_SMTP_URL: the dev mailbox', () => {
  let t: TestHub;
  useTestHub((x) => (t = x), { env: { HUB_DEMO: '1' } });

  it('keeps every e-mail the hub would have sent and lists it at /demo/mailbox, escaped', async () => {
    expect((await (await fetch(`${t.url}/demo/mailbox`)).text())).toContain('No e-mail yet');
    const target = (await t.hub.mail.targets([DEMO.twoSchoolGuardian])).get(DEMO.twoSchoolGuardian)!;
    expect(await t.hub.mail.channel!.send(target, [notice()], 'immediate')).toEqual({ status: 'sent' });
    expect(await t.hub.mail.channel!.send(target, [notice({ id: 'n-2', kind: 'message', title: 'Nytt meddelande' }), notice({ id: 'n-3' })], 'daily')).toEqual({ status: 'sent' });

    const res = await fetch(`${t.url}/demo/mailbox`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('2 e-mails');
    expect(page).toContain(`${target.name} &lt;${target.address}&gt;`);
    // Newest first: the daily digest, then the single post.
    expect(page.indexOf('Dagens sammanfattning från schoolhub: 2 nya händelser')).toBeLessThan(page.indexOf('Utflykt &lt;b&gt;fredag&lt;/b&gt;'));
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>fredag');
    expect(page).toContain('Ta med &lt;script&gt;alert(1)&lt;/script&gt; matsäck.');
    // The unsubscribe link points at this hub (no HUB_PUBLIC_URL in dev).
    expect(page).toMatch(new RegExp(`<a href="${t.url.replace(/[.]/g, '\\.')}/mail/unsubscribe\\?token=[\\w.-]+">`));
    expect(page).toMatch(/<iframe sandbox title="[^"]*" src="\/demo\/mailbox\/\d+\/html"/);
  });

  it('serves a mail\'s HTML only sandboxed, and its SMTP source as text', async () => {
    const [id] = /\/demo\/mailbox\/(\d+)\/html/.exec(await (await fetch(`${t.url}/demo/mailbox`)).text())!.slice(1);
    const html = await fetch(`${t.url}/demo/mailbox/${id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    const body = await html.text();
    expect(body).toContain('<html lang="sv">');
    expect(body).not.toContain('<script>');
    const source = await fetch(`${t.url}/demo/mailbox/${id}/source`);
    expect(source.headers.get('content-type')).toContain('text/plain');
    const raw = await source.text();
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(raw).toContain(`From: ${DEV_MAIL_FROM}`);
    for (const bad of ['0', '999', 'x', '1e3']) expect((await fetch(`${t.url}/demo/mailbox/${bad}/html`)).status, bad).toBe(404);
  });

  it('keeps the newest, bounded', async () => {
    const target = (await t.hub.mail.targets([DEMO.mentorEk])).get(DEMO.mentorEk)!;
    for (let i = 0; i < 205; i++) await t.hub.mail.channel!.send(target, [notice({ id: `b-${i}`, title: `Nummer ${i}` })], 'immediate');
    const all = t.hub.mail.mailbox!.all();
    expect(all.length).toBe(200);
    expect(all[0]!.subject).toBe('Nummer 204');
  });
});

describe('outside demo mode without HUB_SMTP_URL: e-mail is off', () => {
  let t: TestHub;
  useTestHub((x) => (t = x), { env: { HUB_DEMO: '0' } });

  it('has no channel and no mailbox page, and the unsubscribe route still answers links already sent', async () => {
    expect(t.hub.mail.channel).toBeNull();
    expect(t.hub.mail.mailbox).toBeUndefined();
    expect((await fetch(`${t.url}/demo/mailbox`)).status).toBe(404);
    expect((await fetch(`${t.url}/mail/unsubscribe?token=x.y.z`)).status).toBe(400);
  });
});
