// notifications.get / notifications.set (docs/PROTOCOL.md, "Notifications"): a person's own
// notification preferences over real connections. The defaults until they change any; a
// change is stored whole and heard by their other devices (notifications.changed) and by
// nobody else: not a co-guardian, not a guardian whose relation is blocked, not a protected
// student or their guardian. Nobody reads or changes anyone else's: the requests take no
// person id. A bad shape is refused with `invalid` and the path to the field, and nothing of
// it is stored. The person's export holds them. The VAPID public key comes from
// HUB_VAPID_PUBLIC_KEY, null without it.
import { describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { TEST_ADMIN, type TestHub } from '../testing/harness.ts';
import { connectEach, useTestHub, useTestHubAndDatabase } from '../testing/lifecycle.ts';
import type { TestClient } from '../testing/client.ts';
import { testVapid } from '../testing/vapid.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../../storage/notification-preferences.ts';

const { publicKey: VAPID_PUBLIC_KEY, env: VAPID_ENV } = testVapid();

const MARIA = 'p-gua-ek-1a'; // Elsa's guardian (with Johan, p-gua-ek-1b)
const JOHAN = 'p-gua-ek-1b';
const ELSA = 'p-stu-ek-1';
const HUGO = 'p-stu-ek-6'; // protected identity
const JENNY = 'p-gua-ek-6a'; // Hugo's guardian

const mine = (): Preferences => ({
  email: 'daily',
  kinds: {
    message: { push: true, email: false },
    post: { push: false, email: true },
    mailing: { push: false, email: false },
    item: { push: true, email: true },
    development: { push: false, email: true },
  },
  quietHours: { start: '21:30', end: '06:45', timezone: 'Europe/Stockholm' },
  language: 'en',
});

type Got = { preferences: Preferences; vapidPublicKey: string | null };
const get = (c: TestClient) => c.ok<Got>('notifications.get');
const set = (c: TestClient, preferences: unknown) => c.request('notifications.set', { preferences });
const changed = (c: TestClient) => c.events('notifications.changed');
const settle = () => new Promise((r) => setTimeout(r, 150));

async function stored(db: postgres.Sql, personId: string): Promise<unknown[]> {
  return [...await db`select email, push_off, email_off, quiet_start, quiet_end, quiet_timezone, language from notification_preferences where person_id = ${personId}`];
}

describe('notification preferences', () => {
  let t: TestHub;
  let db: postgres.Sql;
  useTestHubAndDatabase((hub, sql) => ((t = hub), (db = sql)), { env: VAPID_ENV });

  it('are the defaults until the person changes any, with the hub’s VAPID public key', async () => {
    const [maria] = await connectEach(t, MARIA);
    expect(await get(maria)).toEqual({ preferences: DEFAULT_PREFERENCES, vapidPublicKey: VAPID_PUBLIC_KEY });
    expect(await stored(db, MARIA)).toEqual([]); // reading stores nothing
    maria.close();
  });

  it('are stored whole, read back, and heard by the person’s other devices only', async () => {
    const [phone, laptop, johan, elsa, hugo, jenny] = await connectEach(t, MARIA, [MARIA, { codec: 'json' }], JOHAN, ELSA, HUGO, JENNY);
    // A blocked guardian relation: Maria's block for Elsa changes nothing of who hears Maria's
    // own settings, and Elsa's own settings are not Maria's to hear.
    const block = await fetch(`${t.url}/api/v1/guardian-blocks`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ guardianId: MARIA, childId: ELSA }),
    });
    expect(block.status).toBeLessThan(300);

    const answer = await set(phone, { ...mine(), quietHours: { start: '21:30', end: '06:45', timezone: 'europe/stockholm' } });
    // The zone is stored as Intl spells it.
    expect(answer).toMatchObject({ type: 'ok', result: { preferences: mine() } });
    const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'notifications.changed');
    expect(ev.data).toEqual({ preferences: mine() });
    expect(typeof ev.cursor).toBe('string');
    expect(await get(laptop)).toEqual({ preferences: mine(), vapidPublicKey: VAPID_PUBLIC_KEY });

    // Quiet hours off again, and a second change: both devices hear it.
    const next = { ...mine(), quietHours: null, email: 'off' as const };
    await phone.ok('notifications.set', { preferences: next });
    await laptop.waitFor((f) => f.type === 'event' && f.event === 'notifications.changed' && (f.data as { preferences: Preferences }).preferences.email === 'off');
    expect((await get(phone)).preferences).toEqual(next);
    expect(await stored(db, MARIA)).toEqual([{
      email: 'off', push_off: ['post', 'mailing', 'development'], email_off: ['message', 'mailing'],
      quiet_start: null, quiet_end: null, quiet_timezone: null, language: 'en',
    }]);

    // Elsa (the child of the blocked relation), the protected student and his guardian change
    // theirs: each alone hears their own change.
    await elsa.ok('notifications.set', { preferences: { ...DEFAULT_PREFERENCES, email: 'immediate' } });
    await hugo.ok('notifications.set', { preferences: { ...DEFAULT_PREFERENCES, language: 'en' } });
    await jenny.ok('notifications.set', { preferences: { ...DEFAULT_PREFERENCES, email: 'daily' } });
    for (const c of [elsa, hugo, jenny]) await c.waitFor((f) => f.type === 'event' && f.event === 'notifications.changed');
    await settle();
    expect(changed(johan)).toEqual([]);
    expect(changed(phone)).toHaveLength(2);
    expect(changed(laptop)).toHaveLength(2);
    for (const c of [elsa, hugo, jenny]) expect(changed(c)).toHaveLength(1);
    expect((await get(hugo)).preferences.language).toBe('en');
    expect((await get(phone)).preferences).toEqual(next); // untouched by the others

    // A device that comes back with its cursor gets the change it missed.
    const cursor = laptop.lastCursor();
    laptop.close();
    await phone.ok('notifications.set', { preferences: mine() });
    const back = await t.connect(MARIA, { cursor });
    await back.waitFor((f) => f.type === 'event' && f.event === 'notifications.changed' && (f.data as { preferences: Preferences }).preferences.email === 'daily');

    await fetch(`${t.url}/api/v1/guardian-blocks?guardianId=${MARIA}&childId=${ELSA}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    for (const c of [phone, back, johan, elsa, hugo, jenny]) c.close();
  });

  it('are nobody else’s to read or change: another person reads and writes only their own', async () => {
    const [maria, johan] = await connectEach(t, MARIA, JOHAN);
    await maria.ok('notifications.set', { preferences: mine() });
    const before = await stored(db, MARIA);
    // Johan's requests name nobody: a person id in them is not a field and is dropped.
    expect((await johan.ok<Got>('notifications.get', { personId: MARIA })).preferences).toEqual(DEFAULT_PREFERENCES);
    await johan.ok('notifications.set', { personId: MARIA, preferences: { ...DEFAULT_PREFERENCES, email: 'off' } });
    expect(await stored(db, MARIA)).toEqual(before);
    expect((await get(maria)).preferences).toEqual(mine());
    expect((await get(johan)).preferences.email).toBe('off');
    await settle();
    expect(changed(maria).filter((e) => (e.data as { preferences: Preferences }).preferences.email === 'off')).toEqual([]);
    maria.close();
    johan.close();
  });

  it('refuse a bad shape with invalid and the path to the field, and store nothing of it', async () => {
    const [maria, other] = await connectEach(t, MARIA, MARIA);
    await maria.ok('notifications.set', { preferences: mine() });
    await other.waitFor((f) => f.type === 'event' && f.event === 'notifications.changed');
    const before = await stored(db, MARIA);
    const heard = changed(other).length;
    const { kinds, ...noKinds } = mine();
    const { message: _m, ...fewerKinds } = kinds;
    const cases: [string, unknown, (string | number)[]][] = [
      ['no preferences', undefined, ['preferences']],
      ['not an object', 'daily', ['preferences']],
      ['an unknown e-mail mode', { ...mine(), email: 'weekly' }, ['preferences', 'email']],
      ['no kinds', noKinds, ['preferences', 'kinds']],
      ['a kind left out', { ...mine(), kinds: fewerKinds }, ['preferences', 'kinds', 'message']],
      ['a channel left out', { ...mine(), kinds: { ...kinds, post: { push: true } } }, ['preferences', 'kinds', 'post', 'email']],
      ['a channel that is not a boolean', { ...mine(), kinds: { ...kinds, item: { push: 'yes', email: true } } }, ['preferences', 'kinds', 'item', 'push']],
      ['a time of 24:00', { ...mine(), quietHours: { start: '24:00', end: '06:00', timezone: 'Europe/Stockholm' } }, ['preferences', 'quietHours', 'start']],
      ['a time without minutes', { ...mine(), quietHours: { start: '22:00', end: '6', timezone: 'Europe/Stockholm' } }, ['preferences', 'quietHours', 'end']],
      ['a time with seconds', { ...mine(), quietHours: { start: '22:00:00', end: '06:00', timezone: 'Europe/Stockholm' } }, ['preferences', 'quietHours', 'start']],
      ['the same start and end', { ...mine(), quietHours: { start: '22:00', end: '22:00', timezone: 'Europe/Stockholm' } }, ['preferences', 'quietHours', 'end']],
      ['an unknown time zone', { ...mine(), quietHours: { start: '22:00', end: '06:00', timezone: 'Mars/Olympus' } }, ['preferences', 'quietHours', 'timezone']],
      ['an offset instead of a zone', { ...mine(), quietHours: { start: '22:00', end: '06:00', timezone: '+01:00' } }, ['preferences', 'quietHours', 'timezone']],
      ['a prototype name as a zone', { ...mine(), quietHours: { start: '22:00', end: '06:00', timezone: '__proto__' } }, ['preferences', 'quietHours', 'timezone']],
      ['quiet hours without a zone', { ...mine(), quietHours: { start: '22:00', end: '06:00' } }, ['preferences', 'quietHours', 'timezone']],
      ['quiet hours left out (null turns them off)', { ...mine(), quietHours: undefined }, ['preferences', 'quietHours']],
      ['a language other than sv and en', { ...mine(), language: 'de' }, ['preferences', 'language']],
      ['a NUL in a field', { ...mine(), quietHours: { start: '22:00', end: '06:00', timezone: 'Europe/Stock\u0000holm' } }, ['preferences', 'quietHours', 'timezone']],
    ];
    for (const [what, preferences, path] of cases) {
      const a = await set(maria, preferences);
      expect(a, what).toMatchObject({ type: 'error', code: 'invalid', path });
    }
    expect(await stored(db, MARIA)).toEqual(before);
    await settle();
    expect(changed(other)).toHaveLength(heard);
    maria.close();
    other.close();
  });

  it('are in the person’s export', async () => {
    const [maria] = await connectEach(t, MARIA);
    await maria.ok('notifications.set', { preferences: mine() });
    const res = await fetch(`${t.url}/api/v1/export/${MARIA}`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: Record<string, unknown> }).data.notifications).toMatchObject({ preferences: mine() });
    // Someone who never changed any: the defaults.
    const never = await fetch(`${t.url}/api/v1/export/p-stu-ek-2`, { headers: { authorization: `Bearer ${TEST_ADMIN}` } });
    expect(((await never.json()) as { data: Record<string, unknown> }).data.notifications).toMatchObject({ preferences: DEFAULT_PREFERENCES });
    maria.close();
  });
});

describe('notification preferences without HUB_VAPID_PUBLIC_KEY', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  it('answer vapidPublicKey null: no Web Push', async () => {
    const [c] = await connectEach(t, ELSA);
    expect(await get(c)).toEqual({ preferences: DEFAULT_PREFERENCES, vapidPublicKey: null });
    c.close();
  });
});
