// Notifications end to end (docs/NOTIFICATIONS.md): a real hub writes posts and messages over
// real WebSockets; the outbox derives notices from the committed events and sends them through
// channels that POST to a real HTTP receiver (hub/testing/notify.ts). Each rule is checked both
// ways: who is told AND who is not.
//
// The demo district, with these changes:
//   p-gua-ek-2b is blocked from p-stu-ek-2 (a guardian block through the admin API);
//   p-mentor-bj (Per Wallin, mentor of Klass 4B) has a protected identity;
//   Björkskolan lets lock screens show everything (`full`); Annanskolan nothing (`none`) and has
//   staff quiet hours around now; Ekskolan has no setting (`sender`).
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { useTestHubAndDatabase } from '../testing/lifecycle.ts';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import { notifyStandIns, type NotifyReceiver, type TestTargets } from '../testing/notify.ts';
import { demoBundle } from '../demo/district.ts';
import { DEFAULT_PREFERENCES, putPreferences, type Preferences } from '../../storage/notification-preferences.ts';
import { openPool, type Sql } from '../../storage/pool.ts';

const GRACE_MS = 600;
const stand = await notifyStandIns();
const receiver: NotifyReceiver = stand.receiver;
const targets: TestTargets = stand.targets;
targets.everyone = { push: true, mail: false };

const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const now = new Date();
const bundle = demoBundle();
bundle.persons.find((p) => p.id === 'p-mentor-bj')!.securityMarking = 'Skyddad folkbokföring';
bundle.extensions.settings.push(
  { organisation: { id: 's-annan' }, lockScreen: 'none', quietHours: { start: hhmm(new Date(now.getTime() - 3_600_000)), end: hhmm(new Date(now.getTime() + 3 * 3_600_000)), timezone: 'UTC' } },
);
bundle.extensions.settings.find((s) => s.organisation.id === 's-bjorkskolan')!.lockScreen = 'full';

let t: TestHub;
let db: postgres.Sql;
useTestHubAndDatabase((hub, d) => ((t = hub), (db = d)), {
  bundle,
  env: { HUB_NOTIFY_GRACE_MS: String(GRACE_MS), HUB_NOTIFY_MAX_TRIES: '3' },
  hub: { notify: { channels: stand.channels, pollMs: 50 } },
});
afterAll(() => receiver.stop());

beforeAll(async () => {
  const res = await fetch(`${t.url}/api/v1/guardian-blocks`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ guardianId: 'p-gua-ek-2b', childId: 'p-stu-ek-2' }),
  });
  expect(res.status).toBeLessThan(300);
});

let n = 0;
const ck = () => `nt-${++n}`;
const prefs = (change: (p: Preferences) => void): Preferences => {
  const p = structuredClone(DEFAULT_PREFERENCES);
  change(p);
  return p;
};
/** The hub's own storage functions want the hub's pool (camelCase rows). */
let pool: Sql | undefined;
afterAll(() => pool?.end());
const setPrefs = (personId: string, change: (p: Preferences) => void) => putPreferences((pool ??= openPool(t.databaseUrl, { max: 1 })), personId, prefs(change));
const pushesAbout = (id: string) => receiver.deliveries.filter((d) => d.channel === 'push' && d.notices.some((x) => x.target.id === id));
const peopleTold = (id: string) => pushesAbout(id).map((d) => d.personId).sort();
const rowsOf = (personId: string) => db<{ state: string; reason: string | null; dueAt: Date; digest: string; tries: number; channel: string }[]>`
  select state, reason, due_at as "dueAt", digest, tries, channel from notification_outbox where person_id = ${personId} order by id`;
/** Lets the outbox run for `ms` (nothing must arrive meanwhile, for the negative checks). */
const quietly = (ms: number) => new Promise((r) => setTimeout(r, ms));

const guardiansOf7A = ['p-gua-ek-1a', 'p-gua-ek-1b', 'p-gua-ek-2a', 'p-gua-ek-2b', 'p-gua-ek-3a', 'p-gua-ek-3b', 'p-gua-ek-4a', 'p-gua-ek-4b', 'p-gua-ek-5a', 'p-gua-ek-5b', 'p-gua-ek-6a'];

describe('who is told: exactly the people who may read it, as the directory is now', () => {
  it("a mentor's post to Klass 7A's guardians: each of them, once; not the blocked guardian, the students, the author, the leader, other schools", async () => {
    await setPrefs('p-gua-ek-3a', (p) => (p.kinds.post.push = false)); // turned posts off
    await setPrefs('p-gua-ek-4a', (p) => (p.language = 'en'));
    const mentor = await t.connect('p-mentor-ek');
    const { post } = await mentor.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Utflykt', body: 'På fredag går vi till skogen.', clientKey: ck(),
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
    });
    const expected = guardiansOf7A.filter((g) => g !== 'p-gua-ek-2b' && g !== 'p-gua-ek-3a');
    await receiver.until(() => pushesAbout(post.id).length >= expected.length, 15_000, 'the pushes of the post');
    await quietly(500); // nothing more comes
    expect(peopleTold(post.id)).toEqual(expected);
    // Not: the blocked guardian, the one who turned posts off, students, the author, the school leader (oversight only), another school.
    for (const p of ['p-gua-ek-2b', 'p-gua-ek-3a', 'p-stu-ek-1', 'p-mentor-ek', 'p-leader-ek', 'p-gua-bj-2a']) expect(peopleTold(post.id)).not.toContain(p);
    // Ekskolan's lock screens show who, not what; in the person's language.
    const sv = pushesAbout(post.id).find((d) => d.personId === 'p-gua-ek-1a')!.notices[0]!;
    expect(sv).toMatchObject({ title: 'Eva Nyström', body: 'Nytt inlägg', kind: 'post', urgent: false });
    expect(pushesAbout(post.id).find((d) => d.personId === 'p-gua-ek-4a')!.notices[0]).toMatchObject({ title: 'Eva Nyström', body: 'New post' });
    expect(JSON.stringify(pushesAbout(post.id))).not.toContain('skogen');
    // The turned-off kind made no row at all; the blocked guardian none either.
    expect(await rowsOf('p-gua-ek-3a')).toEqual([]);
    expect(await rowsOf('p-gua-ek-2b')).toEqual([]);
  });
});

describe('grace period: a message read live is not pushed', () => {
  it('read within the grace period: nothing; unread: pushed once the grace period is over', async () => {
    const mentor = await t.connect('p-mentor-ek');
    const reader = await t.connect('p-gua-ek-5b');
    const { conversation: c1 } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-5b'], clientKey: ck() });
    const { conversation: c2 } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-4b'], clientKey: ck() });
    const sentAt = Date.now();
    const { message: m1 } = await mentor.ok<{ message: { seq: number } }>('message.send', { conversationId: c1.id, body: 'Hej! Läst direkt?', clientKey: ck() });
    await mentor.ok('message.send', { conversationId: c2.id, body: 'Hej! Inte läst.', clientKey: ck() });
    await reader.ok('conversation.read', { conversationId: c1.id, seq: m1.seq });

    await receiver.until(() => pushesAbout(c2.id).length === 1, 10_000, 'the unread message');
    const unread = pushesAbout(c2.id)[0]!;
    expect(unread.personId).toBe('p-gua-ek-4b');
    expect(unread.at - sentAt).toBeGreaterThanOrEqual(GRACE_MS);
    await quietly(GRACE_MS + 500);
    expect(pushesAbout(c1.id)).toEqual([]);
    expect((await rowsOf('p-gua-ek-5b')).filter((r) => r.state === 'skipped')).toEqual([expect.objectContaining({ reason: 'read' })]);
  });
});

describe('quiet hours and urgent posts', () => {
  it("staff in their school's quiet hours: held; an urgent post by the school leader goes at once; a guardian outside them is told at once", async () => {
    const guardian = await t.connect('p-gua-an-1');
    const leader = await t.connect('p-leader-an');
    const { conversation } = await guardian.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-mentor-an'], clientKey: ck() });
    await guardian.ok('message.send', { conversationId: conversation.id, body: 'Fråga om läxan', clientKey: ck() });
    const { post: plain } = await leader.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-annan', title: 'Personalmöte', body: 'Imorgon.', clientKey: ck(), audience: { targets: [{ kind: 'school' }], recipients: { staff: true, guardians: true } },
    });
    const { post: urgent } = await leader.ok<{ post: { id: string; urgent: boolean } }>('post.create', {
      schoolId: 's-annan', title: 'Skolan stängd', body: 'Vattenläcka.', urgent: true, clientKey: ck(),
      audience: { targets: [{ kind: 'school' }], recipients: { staff: true, guardians: true } },
    });
    expect(urgent.urgent).toBe(true);
    await receiver.until(() => peopleTold(urgent.id).includes('p-mentor-an') && peopleTold(plain.id).includes('p-gua-an-1'), 10_000, 'the urgent post and the guardian\'s plain one');
    await quietly(GRACE_MS + 500);
    // The mentor (staff at Annanskolan, in its quiet hours) got the urgent post only.
    expect(peopleTold(plain.id)).not.toContain('p-mentor-an');
    expect(pushesAbout(conversation.id)).toEqual([]);
    const held = (await rowsOf('p-mentor-an')).filter((r) => r.state === 'waiting');
    expect(held).toHaveLength(2);
    for (const r of held) expect(r.dueAt.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    // Annanskolan's lock screens show nothing of it, urgent or not.
    const shown = pushesAbout(urgent.id).find((d) => d.personId === 'p-mentor-an')!.notices[0]!;
    expect(shown).toMatchObject({ title: 'Brådskande: schoolhub', body: 'Nytt inlägg i schoolhub', urgent: true });
    expect(JSON.stringify(receiver.deliveries)).not.toMatch(/Vattenläcka|Skolan stängd|Personalmöte/);
  });

  it('only a school leader marks a post urgent: a teacher or an admin is refused, nothing stored, nobody told', async () => {
    for (const who of ['p-mentor-ek', 'p-admin-ek']) {
      const c = await t.connect(who);
      const answer = await c.request('post.create', {
        schoolId: 's-ekskolan', title: 'Brådskande?', body: 'Nej.', urgent: true, clientKey: ck(),
        audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { guardians: true } },
      });
      expect(answer).toMatchObject({ type: 'error', code: 'forbidden', path: ['urgent'] });
    }
    expect(await db`select 1 from posts where title = 'Brådskande?'`).toHaveLength(0);
  });

  it("a person's own quiet hours hold a message until they end, then it is sent", async () => {
    const at = new Date();
    // Quiet from an hour ago until the next minute starts (at most a minute from now).
    await setPrefs('p-gua-ek-1b', (p) => (p.quietHours = { start: hhmm(new Date(at.getTime() - 3_600_000)), end: hhmm(new Date(at.getTime() + 60_000)), timezone: 'UTC' }));
    const mentor = await t.connect('p-mentor-ek');
    const { conversation } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-ek-1b'], clientKey: ck() });
    await mentor.ok('message.send', { conversationId: conversation.id, body: 'Kvällsmeddelande', clientKey: ck() });
    await quietly(GRACE_MS + 500);
    const [row] = (await rowsOf('p-gua-ek-1b')).filter((r) => r.state === 'waiting');
    const end = new Date(at.getTime() + 60_000);
    end.setUTCSeconds(0, 0);
    if (Date.now() < end.getTime() - 200) {
      expect(pushesAbout(conversation.id)).toEqual([]);
      expect(row!.dueAt.toISOString()).toBe(end.toISOString());
    }
    await receiver.until(() => pushesAbout(conversation.id).length === 1, 75_000, 'the held message');
    expect(pushesAbout(conversation.id)[0]!.at).toBeGreaterThanOrEqual(end.getTime());
  }, 100_000);
});

describe('protected identities and lock screens', () => {
  it('a protected mentor is named to a colleague, never to a family, even where lock screens show everything', async () => {
    const mentor = await t.connect('p-mentor-bj');
    const { conversation: toFamily } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-gua-bj-2a'], clientKey: ck() });
    const { conversation: toColleague } = await mentor.ok<{ conversation: { id: string } }>('conversation.start', { participantIds: ['p-teacher-bj'], clientKey: ck() });
    await mentor.ok('message.send', { conversationId: toFamily.id, body: 'Utvecklingssamtal på tisdag', clientKey: ck() });
    await mentor.ok('message.send', { conversationId: toColleague.id, body: 'Kan du ta tisdagen?', clientKey: ck() });
    await receiver.until(() => pushesAbout(toFamily.id).length === 1 && pushesAbout(toColleague.id).length === 1, 10_000, 'both messages');
    const family = pushesAbout(toFamily.id)[0]!;
    expect(family.personId).toBe('p-gua-bj-2a');
    expect(family.notices[0]).toMatchObject({ title: 'Nytt meddelande', body: 'Utvecklingssamtal på tisdag' });
    expect(JSON.stringify(family)).not.toMatch(/Per Wallin|p-mentor-bj/);
    expect(pushesAbout(toColleague.id)[0]!.notices[0]).toMatchObject({ title: 'Per Wallin', body: 'Kan du ta tisdagen?' });
  });
});

describe('e-mail: immediate, digests, off', () => {
  it('a digest gathers what is unread when its hour comes; what was read is not mailed; e-mail off mails nothing', async () => {
    for (const p of ['p-gua-bj-3a', 'p-gua-bj-3b', 'p-gua-bj-4a']) targets.addresses.set(p, targets.address(p));
    await setPrefs('p-gua-bj-3a', (p) => (p.email = 'hourly'));
    await setPrefs('p-gua-bj-3b', (p) => (p.email = 'immediate'));
    await setPrefs('p-gua-bj-4a', (p) => (p.email = 'off'));
    const leader = await t.connect('p-leader-bj');
    const reader = await t.connect('p-gua-bj-3a');
    const postTo4B = async (title: string) => (await leader.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-bjorkskolan', title, body: `${title}: mer text`, clientKey: ck(), audience: { targets: [{ kind: 'group', groupId: 'g-bj-4b' }], recipients: { guardians: true } },
    })).post;
    const first = await postTo4B('Första');
    const second = await postTo4B('Andra');
    await reader.ok('feed.read', { itemIds: [first.id] });
    await receiver.until(() => receiver.to('p-gua-bj-3b', 'mail').length === 2, 10_000, 'the immediate mails');
    const digestRows = (await rowsOf('p-gua-bj-3a')).filter((r) => r.channel === 'email');
    expect(digestRows.map((r) => r.digest)).toEqual(['hourly', 'hourly']);
    for (const r of digestRows) {
      expect(r.dueAt.getUTCMinutes()).toBe(0); // the next full hour
      expect(r.dueAt.getTime()).toBeGreaterThan(Date.now());
    }
    expect(receiver.to('p-gua-bj-3a', 'mail')).toEqual([]);

    // The hour comes.
    await db`update notification_outbox set due_at = now() where person_id = 'p-gua-bj-3a' and channel = 'email'`;
    await receiver.until(() => receiver.to('p-gua-bj-3a', 'mail').length === 1, 10_000, 'the digest');
    await quietly(300);
    const [digest] = receiver.to('p-gua-bj-3a', 'mail');
    expect(digest!.digest).toBe('hourly');
    expect(digest!.notices.map((x) => x.target.id)).toEqual([second.id]); // the read one left out
    // Björkskolan shows everything: the words are there.
    expect(digest!.notices[0]).toMatchObject({ title: 'Andra', body: 'Nytt inlägg från Annika Sjöberg: Andra: mer text' });
    expect(receiver.to('p-gua-bj-3b', 'mail').map((d) => d.digest)).toEqual(['immediate', 'immediate']);
    expect(receiver.to('p-gua-bj-4a', 'mail')).toEqual([]);
    expect((await rowsOf('p-gua-bj-4a')).filter((r) => r.channel === 'email')).toEqual([]);
  });
});

describe('sending: gone devices, retries, giving up, and what /metrics says', () => {
  it('410 forgets the device; 429 with Retry-After is retried and sent once; a device that keeps failing is given up and kept', async () => {
    let limited = true;
    receiver.answer = (to) => {
      if (to === 'p-gua-bj-1a|phone') return { status: 410 };
      if (to === 'p-gua-bj-2b|phone' && limited) return (limited = false), { status: 429, retryAfter: 1 };
      if (to === 'p-gua-bj-4b|phone') return { status: 503, retryAfter: 0 };
      return { status: 201 };
    };
    const leader = await t.connect('p-leader-bj');
    const { post } = await leader.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-bjorkskolan', title: 'Sista', body: '…', clientKey: ck(), audience: { targets: [{ kind: 'group', groupId: 'g-bj-4b' }], recipients: { guardians: true } },
    });
    await receiver.until(() => peopleTold(post.id).includes('p-gua-bj-2b'), 10_000, 'the retried push');
    const final = async (p: string) => (await rowsOf(p)).filter((r) => r.channel === 'push').at(-1)!;
    const settled = async () => !['waiting', 'sending'].includes((await final('p-gua-bj-4b')).state) && (await final('p-gua-bj-2b')).state === 'sent';
    for (let i = 0; i < 100 && !(await settled()); i++) await quietly(100);
    expect(await final('p-gua-bj-1a')).toMatchObject({ state: 'gone' });
    expect(targets.removed).toContain('p-gua-bj-1a|phone');
    expect(await final('p-gua-bj-2b')).toMatchObject({ state: 'sent', tries: 2 });
    expect(pushesAbout(post.id).filter((d) => d.personId === 'p-gua-bj-2b')).toHaveLength(1);
    expect(await final('p-gua-bj-4b')).toMatchObject({ state: 'given_up', tries: 3 });
    expect((await final('p-gua-bj-4b')).reason).toMatch(/^gave up after 3 tries/);
    receiver.answer = () => ({ status: 201 });

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/schoolhub_notifications_sent_total\{channel="push"\} [1-9]/);
    expect(metrics).toMatch(/schoolhub_notifications_given_up_total\{channel="push",reason="gone"\} 1/);
    expect(metrics).toMatch(/schoolhub_notifications_given_up_total\{channel="push",reason="tries"\} 1/);
    expect(metrics).toMatch(/schoolhub_notifications_failed_total\{channel="push"\} [1-9]/);
    expect(metrics).toMatch(/schoolhub_notifications_waiting\{channel="push"\} \d+/);
    expect(metrics).toMatch(/schoolhub_notification_oldest_waiting_seconds \d/);
  });

  it("a person's export lists what they were told of, without naming whom they may not see", async () => {
    const res = await fetch(`${t.url}/api/v1/export/p-gua-bj-2a`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    const { data: body } = (await res.json()) as { data: { notifications: { preferences: unknown; outbox: { state: string; about: { kind: string; from: string | null } }[] } } };
    expect(body.notifications.preferences).toMatchObject({ email: 'hourly', language: 'sv' });
    const message = body.notifications.outbox.find((r) => r.about.kind === 'message')!;
    expect(message).toMatchObject({ state: 'sent', about: { from: null } });
    expect(JSON.stringify(body.notifications)).not.toContain('p-mentor-bj');
  });
});
