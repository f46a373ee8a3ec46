// The pure rules of notifications (docs/NOTIFICATIONS.md) over the fixture directory: which
// events tell anyone, who is told, when, and in which words. No I/O; hub/e2e/notify.test.ts
// checks the same over a real hub.
import { describe, expect, it } from 'vitest';
import { fixtureDirectory } from '../testing/fixture.ts';
import { key, mailingKeys, postKeys } from '../audience.ts';
import { noticeSourceOf, type NoticeSource } from './source.ts';
import { recipientsOf } from './who.ts';
import { backoffMs, emailDue, nextDigest, pushDue, quietUntil } from './when.ts';
import { lockScreenFor, noticeWords, TEXT_CUT } from './words.ts';

const src = (over: Partial<NoticeSource> = {}): NoticeSource => ({
  kind: 'post', target: { kind: 'post', id: 'post_1' }, at: '2025-02-03T10:00:00.000Z', urgent: false,
  actorId: 't1', namedId: 't1', title: 'Utflykt', text: 'På fredag går vi till skogen.', schoolId: 'north', read: { itemId: 'post_1' }, ...over,
});

describe('noticeSourceOf: what tells anyone', () => {
  it('a message, a post, a mailing, a published item and development records do; drafts, edits and reads do not', () => {
    expect(noticeSourceOf({ name: 'message.created', data: { message: { id: 'm', conversationId: 'c', seq: 3, senderId: 't1', body: 'Hej', createdAt: 'x', context: null } } }))
      .toMatchObject({ kind: 'message', target: { kind: 'conversation', id: 'c' }, namedId: 't1', read: { conversationId: 'c', seq: 3 } });
    expect(noticeSourceOf({ name: 'post.created', data: { post: { id: 'p', authorId: 'lead1', urgent: true, title: 'T', body: 'B', schoolId: 'north' } } }))
      .toMatchObject({ kind: 'post', urgent: true, read: { itemId: 'p' } });
    expect(noticeSourceOf({ name: 'item.published', data: { item: { id: 'i', title: 'Läxa', schoolId: 'north' } } })).toMatchObject({ kind: 'item', read: null });
    expect(noticeSourceOf({ name: 'feedback.published', data: { feedback: { id: 'f', authorId: 't1', studentName: 's1 Fixture' } } }))
      .toMatchObject({ kind: 'development', namedId: null, title: null, text: null });
    for (const name of ['item.created', 'feedback.created', 'message.edited', 'feed.read', 'conversation.read', 'conversation.created']) {
      expect(noticeSourceOf({ name, data: { item: { id: 'i' }, feedback: { id: 'f' }, message: { id: 'm', conversationId: 'c' } } }), name).toBeUndefined();
    }
  });

  it('a message whose sender is hidden from its readers names nobody', () => {
    expect(noticeSourceOf({ name: 'message.created', data: { message: { id: 'm', conversationId: 'c', seq: 1, senderId: null, body: 'Hej' } } }))
      .toMatchObject({ namedId: null, actorId: null });
  });
});

describe('recipientsOf: the people it was sent to who may read it now', () => {
  const dir = fixtureDirectory();
  it('a post to mg-7a guardians: its guardians, not the students, the author, or the school leader who may look', () => {
    const keys = postKeys('m1', 'north', { targets: [{ kind: 'group', groupId: 'mg-7a' }], recipients: { students: false, guardians: true, staff: false } });
    expect(recipientsOf(dir, src({ actorId: 'm1' }), keys)).toEqual(['g1a', 'g1b', 'g3a', 'gx1', 'gx2', 'm2', 'tp']);
    // m2 co-mentors the group (it reads its posts as an owner); lead1, admin1, reader1 only look.
  });

  it('a mailing to guardians is sent to guardians only; staff read it without being sent it, unless chosen', () => {
    const draft = { districtId: 'd1', schoolIds: ['south'], recipients: { students: false, guardians: true, staff: false } };
    const data = { mailing: { id: 'm', authorId: 'hoo1', schoolIds: ['south'], recipients: draft.recipients } };
    const s = noticeSourceOf({ name: 'mailing.created', data })!;
    expect(recipientsOf(dir, s, mailingKeys('hoo1', draft))).toEqual(['gS1a', 'gS1b', 'gx1', 'gx2']); // south's families; not its staff
    const withStaff = noticeSourceOf({ name: 'mailing.created', data: { mailing: { ...data.mailing, recipients: { ...draft.recipients, staff: true } } } })!;
    expect(recipientsOf(dir, withStaff, mailingKeys('hoo1', { ...draft, recipients: { ...draft.recipients, staff: true } }))).toEqual(expect.arrayContaining(['tS', 'mS', 'leadS', 'tp']));
  });

  it('a blocked guardian link is no relation: the guardian is not told', () => {
    const blocked = fixtureDirectory((r) => r.guardianBlocks = [{ guardianId: 'g1b', childId: 's1' }]);
    expect(recipientsOf(blocked, src({ actorId: 'm1' }), [key.groupGuardians('mg-7a')])).not.toContain('g1b');
    expect(recipientsOf(blocked, src({ actorId: 'm1' }), [key.groupGuardians('mg-7a')])).toContain('g1a');
  });
});

describe('noticeWords: what a lock screen may show', () => {
  const dir = fixtureDirectory((r) => {
    r.persons.find((p) => p.id === 't1')!.securityMarking = 'Sekretessmarkering';
    r.settings.push({ organisation: { id: 'far' }, lockScreen: 'none' });
    r.settings.find((s) => s.organisation.id === 'south')!.lockScreen = 'full';
  });

  it('sender (the default): who, not what; full: who and what; none: nothing', () => {
    const s = src({ namedId: 'm1', actorId: 'm1' });
    expect(noticeWords(dir, 'g1a', s, 'sv', 'sender')).toEqual({ title: 'm1 Fixture', body: 'Nytt inlägg' });
    expect(noticeWords(dir, 'g1a', s, 'en', 'full')).toEqual({ title: 'Utflykt', body: 'New post from m1 Fixture: På fredag går vi till skogen.' });
    expect(noticeWords(dir, 'g1a', s, 'en', 'none')).toEqual({ title: 'schoolhub', body: 'New post in schoolhub' });
    expect(noticeWords(dir, 'g1a', { ...s, urgent: true }, 'sv', 'none')).toEqual({ title: 'Brådskande: schoolhub', body: 'Nytt inlägg i schoolhub' });
  });

  it('a protected person is named to staff, never to a family, at any level', () => {
    const s = src({ kind: 'message', namedId: 't1', target: { kind: 'conversation', id: 'c' }, text: 'Hej' });
    for (const level of ['full', 'sender', 'none'] as const) expect(JSON.stringify(noticeWords(dir, 'g1a', s, 'sv', level))).not.toContain('t1');
    expect(noticeWords(dir, 'g1a', s, 'sv', 'full')).toEqual({ title: 'Nytt meddelande', body: 'Hej' });
    expect(noticeWords(dir, 't2', s, 'sv', 'full')).toEqual({ title: 't1 Fixture', body: 'Hej' });
  });

  it('development records never show their words; long words are cut', () => {
    expect(noticeWords(dir, 'g1a', src({ kind: 'development', namedId: null }), 'sv', 'full')).toEqual({ title: 'schoolhub', body: 'Nytt i utvecklingsöversikten i schoolhub' });
    const long = noticeWords(dir, 'g1a', src({ text: 'x'.repeat(500) }), 'sv', 'full');
    expect([...long.body.split(': ').at(-1)!]).toHaveLength(TEXT_CUT);
  });

  it("the level is the most careful of the person's schools and the thing's school; sender when none says", () => {
    expect(lockScreenFor(dir, 'g1a', 'north')).toBe('sender');
    expect(lockScreenFor(dir, 'gS1a', 'south')).toBe('full');
    expect(lockScreenFor(dir, 'gx1', null)).toBe('sender'); // sx at north (sender) and south (full)
    expect(lockScreenFor(dir, 'tF', null)).toBe('none');
    expect(lockScreenFor(dir, 'g1c', null)).toBe('sender');
  });
});

describe('when: grace, quiet hours, digests, urgent', () => {
  const evening = { start: '17:00', end: '07:00', timezone: 'Europe/Stockholm' };
  const dir = fixtureDirectory((r) => (r.settings.find((s) => s.organisation.id === 'north')!.quietHours = evening));
  const night = new Date('2025-01-15T22:30:00Z'); // 23:30 in Stockholm
  const day = new Date('2025-01-15T10:00:00Z');
  const morning = new Date('2025-01-16T06:00:00Z'); // 07:00 in Stockholm

  it("staff during their school's quiet hours wait until they end; others, and urgent posts, do not", () => {
    expect(quietUntil(dir, 't1', null, night)).toEqual(morning);
    expect(pushDue(dir, 't1', src(), null, night, 30_000)).toEqual(morning);
    expect(pushDue(dir, 'g1a', src(), null, night, 30_000)).toEqual(new Date(night.getTime() + 30_000));
    expect(pushDue(dir, 't1', src({ urgent: true }), null, night, 30_000)).toEqual(night);
    expect(pushDue(dir, 't1', src(), null, day, 30_000)).toEqual(new Date(day.getTime() + 30_000));
  });

  it("a person's own quiet hours hold them too", () => {
    expect(pushDue(dir, 'g1a', src(), evening, night, 0)).toEqual(morning);
    expect(pushDue(dir, 'g1a', src(), evening, day, 0)).toEqual(day);
  });

  it('the grace period applies to what has read marks; not to items or urgent posts', () => {
    expect(pushDue(dir, 'g1a', src({ read: null, kind: 'item' }), null, day, 30_000)).toEqual(day);
    expect(pushDue(dir, 'g1a', src({ urgent: true }), null, day, 30_000)).toEqual(day);
  });

  it('e-mail: immediately, or at the next hour or day; urgent goes at once whatever the mode', () => {
    expect(emailDue(dir, 'g1a', src(), 'immediate', null, day, 0)).toEqual({ digest: 'immediate', dueAt: day });
    expect(emailDue(dir, 'g1a', src(), 'hourly', null, new Date('2025-01-15T10:20:00Z'), 0)).toEqual({ digest: 'hourly', dueAt: new Date('2025-01-15T11:00:00Z') });
    expect(emailDue(dir, 'g1a', src(), 'daily', null, day, 0)).toEqual({ digest: 'daily', dueAt: new Date('2025-01-15T15:00:00Z') }); // 16:00 Stockholm
    expect(emailDue(dir, 'g1a', src({ urgent: true }), 'daily', null, day, 0)).toEqual({ digest: 'immediate', dueAt: day });
    expect(nextDigest('daily', new Date('2025-01-15T15:00:00Z'), 'Europe/Stockholm')).toEqual(new Date('2025-01-16T15:00:00Z'));
    // A staff member's hourly digest falling in quiet hours waits for the morning.
    expect(emailDue(dir, 't1', src(), 'hourly', null, night, 0)).toEqual({ digest: 'hourly', dueAt: morning });
  });
});

describe('backoff', () => {
  it("honours the service's Retry-After; otherwise doubles from 5 s with jitter, at most an hour", () => {
    expect(backoffMs(1, 2_000)).toBe(2_000);
    expect(backoffMs(1, 0)).toBe(0);
    for (const [tries, base] of [[1, 5_000], [2, 10_000], [3, 20_000]] as const) {
      const ms = backoffMs(tries);
      expect(ms).toBeGreaterThanOrEqual(base * 0.75);
      expect(ms).toBeLessThanOrEqual(base * 1.25);
    }
    expect(backoffMs(40)).toBeLessThanOrEqual(3_600_000 * 1.25);
  });
});
