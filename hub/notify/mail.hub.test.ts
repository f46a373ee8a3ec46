// E-mail over a real SMTP server (smtp-server receives, mailparser reads), sent by a real hub's
// mail channel to addresses from a real directory import, and the one-click unsubscribe link
// followed against the hub's HTTP route, its effect read back from PostgreSQL.
import { afterAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import net from 'node:net';
import { useTestHub } from '../testing/lifecycle.ts';
import { TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { SmtpCatcher, type Received } from '../testing/smtp-catcher.ts';
import { DEMO, demoBundle } from '../demo/district.ts';
import { DEFAULT_PREFERENCES, preferencesOf, putPreferences } from '../../storage/notification-preferences.ts';
import type { MailTarget, Notice } from './channel.ts';
import { SmtpMailChannel } from './mail-channel.ts';
import { signUnsubscribe, unsubscribeKey, verifyUnsubscribe } from './unsubscribe-token.ts';

const smtp = await SmtpCatcher.start();
afterAll(() => smtp.close());

const PUBLIC = 'https://hub.example';
const FROM = 'Ekskolan via schoolhub <noreply@ekskolan.example>';
const GUARDIAN = DEMO.twoSchoolGuardian; // Privat address at home
const MENTOR = DEMO.mentorEk; // Skola address
const HOSTILE = 'p-hostile-name';
const NO_ADDRESS = 'p-bad-address';

function bundle() {
  const b = demoBundle();
  b.persons.push(
    { id: HOSTILE, givenName: 'Eve\r\nBcc: evil@attacker.example\r\nX-Injected: yes', familyName: '<b>Hacker</b>', emails: [{ value: 'eve@skola.example', type: 'Skola' }] },
    // Only addresses that are really two, or a header: never used.
    { id: NO_ADDRESS, givenName: 'Ingen', familyName: 'Adress', emails: [{ value: 'a@skola.example, b@attacker.example', type: 'Skola' }, { value: 'c@skola.example\r\nBcc: d@attacker.example' }] },
  );
  // Staff at Ekskolan: a person with no relation left is not in the directory (and gets no e-mail).
  for (const id of [HOSTILE, NO_ADDRESS]) b.duties.push({ id: `d-${id}`, person: { id }, dutyAt: { id: DEMO.schools.ekskolan }, dutyRole: 'Lärare' });
  return b;
}

let t: TestHub;
useTestHub((x) => (t = x), { bundle: bundle(), env: { HUB_SMTP_URL: smtp.url, HUB_MAIL_FROM: FROM, HUB_PUBLIC_URL: PUBLIC } });

let seq = 0;
const notice = (over: Partial<Notice> = {}): Notice => ({
  id: `n-${++seq}`, eventId: String(seq), kind: 'message', urgent: false, at: '2026-03-02T13:05:00Z',
  target: { kind: 'conversation', id: 'c-1' }, title: 'Nytt meddelande från Karin Lind', body: 'Kan ni komma på mötet på torsdag?', ...over,
});

async function targetOf(personId: string): Promise<MailTarget> {
  const target = (await t.hub.mail.targets([personId])).get(personId);
  if (!target) throw new Error(`no mail target for ${personId}`);
  return target;
}

/** Sends and returns what the SMTP server received for it. */
async function sendOne(target: MailTarget, notices: Notice[], digest: 'immediate' | 'hourly' | 'daily' = 'immediate'): Promise<Received> {
  const before = smtp.received.length;
  expect(await t.hub.mail.channel!.send(target, notices, digest)).toEqual({ status: 'sent' });
  return (await smtp.waitFor(before + 1))[before]!;
}

const header = (r: Received, name: string) => r.mail.headers.get(name);
/** The raw header block, unfolded: one entry per header, before the first blank line. */
function rawHeaders(raw: string): { name: string; value: string }[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!;
  return head.split(/\r?\n(?![ \t])/).map((l) => {
    const i = l.indexOf(':');
    return { name: l.slice(0, i).toLowerCase(), value: l.slice(i + 1).replace(/\r?\n[ \t]+/g, '').trim() };
  });
}
const rawHeaderNames = (raw: string) => rawHeaders(raw).map((h) => h.name);
/** The one URL of List-Unsubscribe, as the header carries it (mailparser folds List-* into an object). */
const listUnsubscribe = (r: Received) => /^<([^>]+)>$/.exec(rawHeaders(r.raw).find((h) => h.name === 'list-unsubscribe')?.value ?? '')?.[1];

describe('e-mail targets from the directory (SS 12000 Person.emails)', () => {
  it('gives each person their address, name and language; a guardian their private address, staff their school address', async () => {
    const targets = await t.hub.mail.targets([GUARDIAN, MENTOR, DEMO.protectedStudent, NO_ADDRESS, 'p-not-in-directory']);
    expect(targets.get(GUARDIAN)).toMatchObject({ personId: GUARDIAN, language: 'sv' });
    const bundled = bundle().persons.find((p) => p.id === GUARDIAN)!;
    expect(targets.get(GUARDIAN)!.address).toBe(bundled.emails!.find((e) => e.type === 'Privat')!.value);
    expect(targets.get(MENTOR)!.address).toBe(bundle().persons.find((p) => p.id === MENTOR)!.emails![0]!.value);
    // A protected person is written to at their own address like anyone (it names no one else).
    expect(targets.has(DEMO.protectedStudent)).toBe(true);
    // Nobody outside the directory, and no address that is really two or carries a header.
    expect(targets.has('p-not-in-directory')).toBe(false);
    expect(targets.has(NO_ADDRESS)).toBe(false);
  });
});

describe('the e-mail channel over SMTP', () => {
  it('sends one notice to exactly the person, from HUB_MAIL_FROM, in Swedish, as text and HTML', async () => {
    const target = await targetOf(GUARDIAN);
    const r = await sendOne(target, [notice()]);
    expect(r.envelope.to).toEqual([target.address]);
    expect(r.envelope.from).toBe('noreply@ekskolan.example');
    expect(r.mail.to).toMatchObject({ value: [{ address: target.address, name: target.name }] });
    expect(r.mail.cc).toBeUndefined();
    expect(r.mail.bcc).toBeUndefined();
    expect(r.mail.subject).toBe('Nytt meddelande från Karin Lind');
    expect(r.mail.text).toContain(`Hej ${target.name}!`);
    expect(r.mail.text).toContain('Kan ni komma på mötet på torsdag?');
    expect(r.mail.text).toContain('Sluta få e-post om meddelanden');
    expect(r.mail.html).toContain('Kan ni komma på mötet på torsdag?');
    expect(header(r, 'auto-submitted')).toBe('auto-generated');
  });

  it('sends in English to a person who chose English', async () => {
    await putPreferences(t.hub.core.sql, MENTOR, { ...structuredClone(DEFAULT_PREFERENCES), language: 'en' });
    const target = await targetOf(MENTOR);
    expect(target.language).toBe('en');
    const r = await sendOne(target, [notice({ title: 'New message from Lena Olsson', body: 'Thanks for today.' })]);
    expect(r.envelope.to).toEqual([target.address]);
    expect(r.mail.subject).toBe('New message from Lena Olsson');
    expect(r.mail.text).toContain(`Hello ${target.name},`);
    expect(r.mail.text).toContain('Stop e-mail about messages');
    expect(r.mail.html).toContain('<html lang="en">');
  });

  it('carries a one-click List-Unsubscribe (RFC 8058) to HUB_PUBLIC_URL, signed for this person and kind', async () => {
    const target = await targetOf(GUARDIAN);
    const r = await sendOne(target, [notice({ kind: 'post', title: 'Utflykt på fredag' })]);
    expect(rawHeaders(r.raw).filter((h) => h.name === 'list-unsubscribe-post').map((h) => h.value)).toEqual(['List-Unsubscribe=One-Click']);
    const url = listUnsubscribe(r);
    expect(url).toMatch(/^https:\/\/hub\.example\/mail\/unsubscribe\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = new URL(url!).searchParams.get('token')!;
    expect(await verifyUnsubscribe(unsubscribeKey(undefined, TEST_SECRET)!, token)).toEqual({ ok: true, unsubscribe: { personId: GUARDIAN, kind: 'post', language: 'sv' } });
    expect(r.mail.text).toContain(url);
  });

  it('lets no name or title reach a header unencoded, and escapes them in the HTML', async () => {
    const target = await targetOf(HOSTILE);
    expect(target.name).toContain('\r\n'); // the directory holds it as imported
    const title = 'Hej\r\nBcc: evil@attacker.example\r\nX-Injected: yes\r\n\r\n<script>alert(1)</script>';
    const r = await sendOne(target, [notice({ title, body: '<img src=x onerror=alert(2)> & <a href="javascript:x">x</a>' })]);
    // Only the person: the Bcc in the name and title added no recipient.
    expect(r.envelope.to).toEqual(['eve@skola.example']);
    expect(r.mail.bcc).toBeUndefined();
    const names = rawHeaderNames(r.raw);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(r.mail.headers.has('x-injected')).toBe(false);
    // The subject is the title on one line, every word kept.
    expect(r.mail.subject).toBe('Hej Bcc: evil@attacker.example X-Injected: yes <script>alert(1)</script>');
    expect(r.mail.to).toMatchObject({ value: [{ address: 'eve@skola.example' }] });
    expect((r.mail.to as { value: { name: string }[] }).value[0]!.name).not.toMatch(/[\r\n]/);
    // The HTML shows the text, never its markup.
    const html = String(r.mail.html);
    expect(html).not.toMatch(/<script|<img|<b>Hacker|href="javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; &lt;a href=&quot;javascript:x&quot;&gt;x&lt;/a&gt;');
    expect(html).toContain('&lt;b&gt;Hacker&lt;/b&gt;');
  });

  it('sends a digest of several notices as one e-mail, with a link for each kind in it', async () => {
    const target = await targetOf(GUARDIAN);
    const notices = [
      notice({ title: 'Nytt meddelande från Karin Lind' }),
      notice({ kind: 'post', title: 'Utflykt på fredag', body: 'Ta med matsäck.' }),
      notice({ kind: 'post', title: 'Föräldramöte', urgent: false }),
    ];
    const r = await sendOne(target, notices, 'hourly');
    expect(r.envelope.to).toEqual([target.address]);
    expect(r.mail.subject).toBe('3 nya händelser i schoolhub');
    for (const s of ['Nytt meddelande från Karin Lind', 'Utflykt på fredag', 'Ta med matsäck.', 'Föräldramöte', 'Sluta få e-post om meddelanden', 'Sluta få e-post om inlägg']) {
      expect(r.mail.text).toContain(s);
    }
    // The header turns off what most of it is about.
    const token = new URL(listUnsubscribe(r)!).searchParams.get('token')!;
    expect(await verifyUnsubscribe(unsubscribeKey(undefined, TEST_SECRET)!, token)).toMatchObject({ ok: true, unsubscribe: { kind: 'post' } });
  });

  it('answers retry to a temporary refusal (451) and sends once when the server takes it (250)', async () => {
    const target = await targetOf(GUARDIAN);
    const before = smtp.received.length;
    smtp.refuseNext.push(451);
    const n = notice({ title: 'Försök igen' });
    expect(await t.hub.mail.channel!.send(target, [n], 'immediate')).toMatchObject({ status: 'retry' });
    expect(smtp.received.length).toBe(before);
    expect(await t.hub.mail.channel!.send(target, [n], 'immediate')).toEqual({ status: 'sent' });
    const all = await smtp.waitFor(before + 1);
    expect(all.slice(before).map((r) => r.mail.subject)).toEqual(['Försök igen']);
  });

  it('answers failed to a permanent refusal (550), and retry when the server cannot be reached', async () => {
    const target = await targetOf(GUARDIAN);
    smtp.refuseNext.push(550);
    expect(await t.hub.mail.channel!.send(target, [notice()], 'immediate')).toMatchObject({ status: 'failed' });
    // A port nothing listens on.
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const down = new SmtpMailChannel({
      transport: nodemailer.createTransport({ url: `smtp://127.0.0.1:${closed}`, connectionTimeout: 2000 }),
      from: FROM, unsubscribeKey: unsubscribeKey(undefined, TEST_SECRET)!, baseUrl: () => PUBLIC,
    });
    expect(await down.send(target, [notice()], 'immediate')).toMatchObject({ status: 'retry' });
    down.close();
  });
});

describe('one-click unsubscribe', () => {
  const key = () => unsubscribeKey(undefined, TEST_SECRET)!;
  const emailOff = async (personId: string) => {
    const rows = await t.hub.core.sql<{ emailOff: string[] }[]>`select email_off from notification_preferences where person_id = ${personId}`;
    return rows[0]?.emailOff ?? [];
  };
  /** The link of a real e-mail, pointed at the test hub instead of HUB_PUBLIC_URL. */
  async function linkFromMail(personId: string, kind: Notice['kind']): Promise<string> {
    const r = await sendOne(await targetOf(personId), [notice({ kind })]);
    return listUnsubscribe(r)!.replace(PUBLIC, t.url);
  }
  const oneClick = (url: string, body = 'List-Unsubscribe=One-Click') =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });

  it('GET shows a confirm page whose button POSTs, and changes nothing', async () => {
    const person = DEMO.guardiansOf['p-stu-ek-2'][0];
    const url = await linkFromMail(person, 'mailing');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('Sluta få e-post om utskick');
    expect(html).toMatch(/<form method="post" action="\?token=[\w.-]+">/);
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(await emailOff(person)).toEqual([]);
  });

  it('POST with the RFC 8058 body turns that one kind off for that one person, in PostgreSQL', async () => {
    const person = DEMO.guardiansOf['p-stu-ek-3'][0];
    const other = DEMO.guardiansOf['p-stu-ek-3'][1];
    await linkFromMail(other, 'message'); // a link for someone else exists too
    const url = await linkFromMail(person, 'message');
    // A POST that is not the one-click body changes nothing.
    expect((await oneClick(url, '')).status).toBe(400);
    expect(await emailOff(person)).toEqual([]);
    const res = await oneClick(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Du får inte längre e-post om meddelanden');
    expect(await emailOff(person)).toEqual(['message']);
    const prefs = (await preferencesOf(t.hub.core.sql, [person, other]));
    expect(prefs.get(person)!.kinds.message).toEqual({ push: true, email: false });
    expect(prefs.get(person)!.kinds.post).toEqual({ push: true, email: true });
    expect(prefs.get(other)!.kinds.message.email).toBe(true);
    // Again: the same state, still 200 (a mail provider may post twice).
    expect((await oneClick(url)).status).toBe(200);
    expect(await emailOff(person)).toEqual(['message']);
  });

  it('takes the one-click body as multipart/form-data too, which RFC 8058 recommends', async () => {
    const person = DEMO.guardiansOf['p-stu-ek-5'][0];
    const url = await linkFromMail(person, 'item');
    const wrong = new FormData();
    wrong.set('List-Unsubscribe', 'Something-Else');
    expect((await fetch(url, { method: 'POST', body: wrong })).status).toBe(400);
    expect(await emailOff(person)).toEqual([]);
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(200);
    expect(await emailOff(person)).toEqual(['item']);
  });

  it('refuses a tampered, foreign or expired token, or one for nobody in the directory, with a clear page, and changes nothing', async () => {
    const person = DEMO.guardiansOf['p-stu-ek-4'][0];
    const url = await linkFromMail(person, 'post');
    const token = new URL(url).searchParams.get('token')!;
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: DEMO.leaderEk })).toString('base64url')}.${s}`;
    const foreign = await signUnsubscribe(new TextEncoder().encode('a-key-that-is-not-the-hubs-own-key-at-all'), { personId: person, kind: 'post', language: 'sv' });
    const expired = await signUnsubscribe(key(), { personId: person, kind: 'post', language: 'sv' }, Math.floor(Date.now() / 1000) - 100 * 24 * 3600);
    // Signed by the hub itself, but for someone the directory never held.
    const nobody = await signUnsubscribe(key(), { personId: 'p-nobody', kind: 'post', language: 'sv' });
    for (const [bad, says] of [[forged, 'har ändrats'], [foreign, 'har ändrats'], [expired, 'har gått ut'], ['garbage', 'har ändrats'], [nobody, 'har ändrats']] as const) {
      const u = `${t.url}/mail/unsubscribe?token=${encodeURIComponent(bad)}`;
      const post = await oneClick(u);
      expect(post.status, bad).toBe(400);
      expect(await post.text()).toContain(says);
      expect((await fetch(u)).status).toBe(400);
    }
    expect((await oneClick(`${t.url}/mail/unsubscribe`)).status).toBe(400);
    expect(await emailOff(person)).toEqual([]);
    expect(await emailOff(DEMO.leaderEk)).toEqual([]);
    expect(await t.hub.core.sql`select 1 from notification_preferences where person_id = 'p-nobody'`).toHaveLength(0);
  });
});
