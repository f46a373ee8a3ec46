// The words of an e-mail, the signed unsubscribe token, the choice of address and the reading of
// SMTP failures: pure parts of the e-mail channel (the whole path over SMTP: mail.hub.test.ts).
import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { NOTICE_KINDS } from '../../storage/notification-preferences.ts';
import type { Notice } from './channel.ts';
import { headerKind, headerText, mailSubject, renderMail } from './mail-text.ts';
import { signUnsubscribe, unsubscribeKey, verifyUnsubscribe, UNSUBSCRIBE_TTL_SECONDS } from './unsubscribe-token.ts';
import { chooseAddress, isMailAddress } from './mail-targets.ts';
import { smtpOutcome } from './mail-channel.ts';

const notice = (over: Partial<Notice> = {}): Notice => ({
  id: 'n1', eventId: '1', kind: 'message', urgent: false, at: '2026-03-02T13:05:00Z',
  target: { kind: 'conversation', id: 'c1' }, title: 'Nytt meddelande från Karin Lind', body: 'Hej! Kan ni komma på mötet?', ...over,
});
const unsub = [{ kind: 'message' as const, url: 'https://hub.example/mail/unsubscribe?token=a.b.c' }];

describe('mail text', () => {
  it('one notice in Swedish: its title is the subject, greeting, body, time in Swedish time, the unsubscribe link', () => {
    const m = renderMail({ name: 'Lena Olsson', language: 'sv', notices: [notice()], digest: 'immediate', unsubscribe: unsub });
    expect(m.subject).toBe('Nytt meddelande från Karin Lind');
    expect(m.text).toContain('Hej Lena Olsson!');
    expect(m.text).toContain('Hej! Kan ni komma på mötet?');
    expect(m.text).toContain('14:05'); // 13:05 UTC is 14:05 in Stockholm in March
    expect(m.text).toContain('Sluta få e-post om meddelanden: https://hub.example/mail/unsubscribe?token=a.b.c');
    expect(m.html).toContain('<html lang="sv">');
  });

  it('one notice in English', () => {
    const m = renderMail({ name: 'Lena Olsson', language: 'en', notices: [notice({ title: 'New message from Karin Lind' })], digest: 'immediate', unsubscribe: unsub });
    expect(m.subject).toBe('New message from Karin Lind');
    expect(m.text).toContain('Hello Lena Olsson,');
    expect(m.text).toContain('Stop e-mail about messages: https://hub.example/mail/unsubscribe?token=a.b.c');
    expect(m.html).toContain('<html lang="en">');
  });

  it('a digest counts its notices in the subject and lists each, in both languages', () => {
    const notices = [notice({ id: 'a' }), notice({ id: 'b', kind: 'post', title: 'Utflykt fredag', body: 'Ta med matsäck.' }), notice({ id: 'c', kind: 'post', title: 'Föräldramöte' })];
    const sv = renderMail({ name: 'Lena', language: 'sv', notices, digest: 'hourly', unsubscribe: unsub });
    expect(sv.subject).toBe('3 nya händelser i schoolhub');
    for (const s of ['Utflykt fredag', 'Ta med matsäck.', 'Föräldramöte', 'Nytt meddelande från Karin Lind']) expect(sv.text).toContain(s);
    expect(mailSubject({ language: 'en', notices, digest: 'daily' })).toBe('Your daily schoolhub summary: 3 new notifications');
    expect(mailSubject({ language: 'sv', notices: [notice(), notice({ urgent: true })], digest: 'hourly' })).toBe('Brådskande: 2 nya händelser i schoolhub');
    // The header names the kind most of them are of.
    expect(headerKind(notices, NOTICE_KINDS)).toBe('post');
    expect(headerKind([notice()], NOTICE_KINDS)).toBe('message');
  });

  it('escapes every user text in the HTML and keeps it literal in the text', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes" \'';
    const m = renderMail({ name: `Eve ${hostile}`, language: 'sv', notices: [notice({ title: hostile, body: `${hostile}\nrad två` })], digest: 'immediate', unsubscribe: unsub });
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<img');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot; &#39;');
    expect(m.html).toContain('rad två');
    expect(m.text).toContain(hostile);
  });

  it('keeps the subject one line: no CR, LF, NUL or line separators, bounded', () => {
    const s = mailSubject({ language: 'sv', notices: [notice({ title: 'Hej\r\nBcc: evil@example.com\u2028X-Evil: 1\u0000' })], digest: 'immediate' });
    expect(s).toBe('Hej Bcc: evil@example.com X-Evil: 1');
    expect(headerText('a'.repeat(500)).length).toBe(150);
  });

  it('links a notice only to an http(s) page', () => {
    const m = renderMail({ name: 'L', language: 'en', notices: [notice(), notice({ id: 'x', title: 'x' })], digest: 'hourly', unsubscribe: unsub,
      linkOf: (n) => (n.id === 'x' ? 'javascript:alert(1)' : 'https://portal.example/c/c1') });
    expect(m.html).toContain('href="https://portal.example/c/c1"');
    expect(m.html).not.toContain('javascript:');
  });
});

describe('unsubscribe token', () => {
  const key = unsubscribeKey(undefined, 'test-secret-that-is-at-least-32-characters-long')!;
  const u = { personId: 'p-gua-ek-1a', kind: 'post' as const, language: 'en' as const };

  it('names one person and one kind, and expires', async () => {
    const token = await signUnsubscribe(key, u, 1_000_000);
    expect(await verifyUnsubscribe(key, token, 1_000_000 + 60)).toEqual({ ok: true, unsubscribe: u });
    expect(await verifyUnsubscribe(key, token, 1_000_000 + UNSUBSCRIBE_TTL_SECONDS + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed token, another key, a login token and garbage', async () => {
    const token = await signUnsubscribe(key, u);
    const [h, p, s] = token.split('.') as [string, string, string];
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'p-leader-ek' })).toString('base64url');
    expect(await verifyUnsubscribe(key, `${h}.${otherPayload}.${s}`)).toEqual({ ok: false, reason: 'invalid' });
    // One bit of the signature flipped, in its bytes: rewriting its last characters could spell
    // the same bytes (base64url's last character carries spare bits), or the same characters.
    const signature = Buffer.from(s, 'base64url');
    signature.writeUInt8(signature.readUInt8(0) ^ 1, 0);
    expect(await verifyUnsubscribe(key, `${h}.${p}.${signature.toString('base64url')}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyUnsubscribe(unsubscribeKey('another-secret-of-at-least-32-characters!!', undefined)!, token)).toEqual({ ok: false, reason: 'invalid' });
    // A login token made with the JWT secret itself is not a link (another key, another audience).
    const login = await new SignJWT({ kind: 'post', lang: 'sv' }).setProtectedHeader({ alg: 'HS256' }).setSubject('p-gua-ek-1a').setAudience('schoolhub').setExpirationTime('1h')
      .sign(new TextEncoder().encode('test-secret-that-is-at-least-32-characters-long'));
    expect(await verifyUnsubscribe(key, login)).toEqual({ ok: false, reason: 'invalid' });
    for (const bad of ['', 'abc', 'a.b.c', `${token}\n`, 'x'.repeat(3000)]) expect((await verifyUnsubscribe(key, bad)).ok).toBe(false);
  });

  it('refuses a validly signed token for a kind that does not exist', async () => {
    const token = await new SignJWT({ kind: 'everything', lang: 'sv' }).setProtectedHeader({ alg: 'HS256' }).setSubject('p-x').setAudience('schoolhub-unsubscribe').setExpirationTime('1h').sign(key);
    expect(await verifyUnsubscribe(key, token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('derives its key from the JWT secret under a label, unless a secret of its own is set', () => {
    expect(unsubscribeKey(undefined, undefined)).toBeUndefined();
    expect(Buffer.from(key).equals(Buffer.from('test-secret-that-is-at-least-32-characters-long'))).toBe(false);
    expect(Buffer.from(unsubscribeKey('x'.repeat(32), 'y'.repeat(32))!).toString()).toBe('x'.repeat(32));
  });
});

describe('mail address', () => {
  it('uses one plain address: never a list, a display name or a line break', () => {
    expect(isMailAddress('lena.olsson@hem.example')).toBe(true);
    for (const bad of ['a@b.example, evil@x.example', 'Eve <eve@x.example>', 'eve@x.example\r\nBcc: m@x.example', 'eve', 'eve@', '"a b"@x.example']) {
      expect(isMailAddress(bad), bad).toBe(false);
    }
  });

  it('writes to a guardian privately first, to everyone else at school first', () => {
    const emails = [{ value: 'lena@skola.example', type: 'Skola' }, { value: 'lena@hem.example', type: 'Privat' }, { value: 'lena@other.example' }];
    expect(chooseAddress(emails, true)).toBe('lena@hem.example');
    expect(chooseAddress(emails, false)).toBe('lena@skola.example');
    expect(chooseAddress([{ value: 'evil@x.example, b@y.example', type: 'Privat' }, { value: 'ok@x.example' }], true)).toBe('ok@x.example');
    expect(chooseAddress([], true)).toBeUndefined();
  });
});

describe('SMTP outcomes', () => {
  const err = (o: object) => Object.assign(new Error('smtp'), o);
  it('retries a temporary refusal and any trouble reaching the server; fails a permanent refusal of the mail', () => {
    expect(smtpOutcome(err({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' })).status).toBe('retry');
    expect(smtpOutcome(err({ code: 'EMESSAGE', responseCode: 452, command: 'DATA' })).status).toBe('retry');
    expect(smtpOutcome(err({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' })).status).toBe('failed');
    expect(smtpOutcome(err({ code: 'EMESSAGE', responseCode: 554, command: 'DATA' })).status).toBe('failed');
    expect(smtpOutcome(err({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' })).status).toBe('retry');
    expect(smtpOutcome(err({ code: 'ETIMEDOUT' })).status).toBe('retry');
    // The server refusing our login or greeting is not this mail's fault: wait for the operator.
    expect(smtpOutcome(err({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' })).status).toBe('retry');
    expect(smtpOutcome(err({ code: 'EENVELOPE' })).status).toBe('failed');
  });
});
