// Notification preferences (migration 011): how and when a person wants to be told of what
// they may read while no page of theirs is open. The rules that use them live in hub/notify/.
import type { Db } from './pool.ts';

/** The kinds of thing a person can be notified of; each can be turned off per channel. */
export const NOTICE_KINDS = ['message', 'post', 'mailing', 'item', 'development'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const EMAIL_MODES = ['immediate', 'hourly', 'daily', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export type Language = 'sv' | 'en';

export interface OwnQuietHours {
  /** 'HH:MM', local time in `timezone`; start after end wraps midnight. */
  start: string;
  end: string;
  timezone: string;
}

export interface Preferences {
  email: EmailMode;
  /** Per kind and channel: on (true) or off. */
  kinds: Record<NoticeKind, { push: boolean; email: boolean }>;
  quietHours: OwnQuietHours | null;
  language: Language;
}

export const DEFAULT_PREFERENCES: Preferences = Object.freeze({
  email: 'hourly',
  kinds: Object.freeze(Object.fromEntries(NOTICE_KINDS.map((k) => [k, Object.freeze({ push: true, email: true })])) as Preferences['kinds']),
  quietHours: null,
  language: 'sv',
}) as Preferences;

interface PreferenceRow {
  personId: string;
  email: EmailMode;
  pushOff: string[];
  emailOff: string[];
  quietStart: string | null;
  quietEnd: string | null;
  quietTimezone: string | null;
  language: Language;
}

function fromRow(r: PreferenceRow | undefined): Preferences {
  if (!r) return structuredClone(DEFAULT_PREFERENCES);
  const kinds = Object.fromEntries(
    NOTICE_KINDS.map((k) => [k, { push: !r.pushOff.includes(k), email: !r.emailOff.includes(k) }]),
  ) as Preferences['kinds'];
  const quietHours = r.quietStart && r.quietEnd && r.quietTimezone ? { start: r.quietStart, end: r.quietEnd, timezone: r.quietTimezone } : null;
  return { email: r.email, kinds, quietHours, language: r.language };
}

/** Each person's preferences (the defaults where they have none), by person id. */
export async function preferencesOf(db: Db, personIds: readonly string[]): Promise<Map<string, Preferences>> {
  const rows = personIds.length === 0 ? [] : await db<PreferenceRow[]>`
    select person_id, email, push_off, email_off, quiet_start, quiet_end, quiet_timezone, language
    from notification_preferences where person_id = any(${personIds as string[]}::text[])`;
  const byId = new Map(rows.map((r) => [r.personId, r]));
  return new Map(personIds.map((id) => [id, fromRow(byId.get(id))]));
}

/** Stores a person's whole preferences (validated by the caller) and returns them as stored. */
export async function putPreferences(db: Db, personId: string, p: Preferences): Promise<Preferences> {
  const pushOff = NOTICE_KINDS.filter((k) => !p.kinds[k].push);
  const emailOff = NOTICE_KINDS.filter((k) => !p.kinds[k].email);
  const q = p.quietHours;
  const [r] = await db<PreferenceRow[]>`
    insert into notification_preferences (person_id, email, push_off, email_off, quiet_start, quiet_end, quiet_timezone, language)
    values (${personId}, ${p.email}, ${pushOff}::text[], ${emailOff}::text[], ${q?.start ?? null}, ${q?.end ?? null}, ${q?.timezone ?? null}, ${p.language})
    on conflict (person_id) do update set
      email = excluded.email, push_off = excluded.push_off, email_off = excluded.email_off,
      quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, quiet_timezone = excluded.quiet_timezone,
      language = excluded.language, updated_at = now()
    returning person_id, email, push_off, email_off, quiet_start, quiet_end, quiet_timezone, language`;
  return fromRow(r);
}

/** Deletes the preferences of everyone not in `keep` (persons who left the directory, unless held); the count. */
export async function forgetPreferencesOfOthers(db: Db, keep: readonly string[]): Promise<number> {
  const [r] = await db<{ n: number }[]>`
    with d as (delete from notification_preferences where person_id <> all(${keep as string[]}::text[]) returning 1)
    select count(*)::int as n from d`;
  return Number(r?.n ?? 0);
}

/** Turns one kind off for e-mail (the one-click unsubscribe link), keeping everything else. */
export async function turnOffEmailKind(db: Db, personId: string, kind: NoticeKind): Promise<void> {
  await db`
    insert into notification_preferences (person_id, email_off) values (${personId}, ${[kind]}::text[])
    on conflict (person_id) do update set
      email_off = (select array(select distinct unnest(notification_preferences.email_off || ${[kind]}::text[]))),
      updated_at = now()`;
}
