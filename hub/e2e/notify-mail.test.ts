// The outbox through the real e-mail channel (hub/notify/mail.ts, configured by HUB_SMTP_URL) to a
// real SMTP server (smtp-server, read back with mailparser): a mentor's post to a class's
// guardians is mailed at once to those who chose immediate e-mail, in their language; those
// who turned e-mail off get nothing, those with digests get nothing yet (their rows wait for
// the hour), and nobody outside the class gets anything.
import { afterAll, describe, expect, it } from 'vitest';
import { useTestHub } from '../testing/lifecycle.ts';
import type { TestHub } from '../testing/harness.ts';
import { SmtpCatcher } from '../testing/smtp-catcher.ts';
import { DEFAULT_PREFERENCES, putPreferences, type Preferences } from '../../storage/notification-preferences.ts';
import { openPool, type Sql } from '../../storage/pool.ts';

const smtp = await SmtpCatcher.start();
let t: TestHub;
useTestHub((x) => (t = x), {
  env: { HUB_SMTP_URL: smtp.url, HUB_MAIL_FROM: 'Ekskolan via schoolhub <noreply@ekskolan.example>', HUB_PUBLIC_URL: 'https://hub.example', HUB_NOTIFY_GRACE_MS: '300' },
});
let pool: Sql | undefined;
afterAll(async () => {
  await pool?.end();
  await smtp.close();
});

const setPrefs = (personId: string, change: (p: Preferences) => void) => {
  const p = structuredClone(DEFAULT_PREFERENCES);
  change(p);
  return putPreferences((pool ??= openPool(t.databaseUrl, { max: 1 })), personId, p);
};

describe('notifications by e-mail, through the outbox and the SMTP channel', () => {
  it('immediate: mailed once after the grace period, in the person’s language; off and digests: nothing now', async () => {
    await setPrefs('p-gua-ek-1a', (p) => (p.email = 'immediate'));
    await setPrefs('p-gua-ek-4a', (p) => ((p.email = 'immediate'), (p.language = 'en')));
    await setPrefs('p-gua-ek-1b', (p) => (p.email = 'off'));
    const targets = await t.hub.mail.targets(['p-gua-ek-1a', 'p-gua-ek-4a']);
    const mentor = await t.connect('p-mentor-ek');
    await mentor.ok('post.create', {
      schoolId: 's-ekskolan', title: 'Utflykt', body: 'På fredag går vi till skogen.', clientKey: 'mail-1',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    const received = await smtp.waitFor(2, 15_000);
    await new Promise((r) => setTimeout(r, 1_500)); // nothing more comes
    expect(smtp.received).toHaveLength(2);
    const to = (personId: string) => received.find((r) => r.envelope.to.includes(targets.get(personId)!.address))!;
    const sv = to('p-gua-ek-1a');
    const en = to('p-gua-ek-4a');
    expect(sv.envelope.to).toEqual([targets.get('p-gua-ek-1a')!.address]);
    // Ekskolan's lock-screen level (sender): who, not what.
    expect(sv.mail.subject).toBe('Eva Nyström');
    expect(sv.mail.text).toContain('Nytt inlägg');
    expect(en.mail.text).toContain('New post');
    for (const r of received) expect(r.raw).not.toContain('skogen');

    const db = pool!;
    const rows = await db<{ personId: string; digest: string; state: string }[]>`
      select person_id, digest, state from notification_outbox where channel = 'email' order by person_id`;
    expect(rows.filter((r) => r.state === 'sent').map((r) => r.personId).sort()).toEqual(['p-gua-ek-1a', 'p-gua-ek-4a']);
    expect(rows.map((r) => r.personId)).not.toContain('p-gua-ek-1b'); // e-mail off: no row at all
    for (const r of rows.filter((x) => x.state === 'waiting')) expect(r.digest).toBe('hourly');
    expect(rows.map((r) => r.personId)).not.toContain('p-stu-ek-1');
  });
});
