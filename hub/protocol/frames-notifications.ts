// The requests of a person's notification preferences (docs/PROTOCOL.md, "Notifications"),
// validated once at the edge like every frame (frames.ts spreads these into requestSchemas).
// `notifications.set` takes the whole object: a missing field is refused, never defaulted, so
// that a client built for fewer kinds cannot silently turn the others on or off.
import { z } from 'zod';
import { EMAIL_MODES, NOTICE_KINDS, type NoticeKind, type Preferences } from '../../storage/notification-preferences.ts';
import { req } from './frames-fields.ts';

/** 'HH:MM', 00:00 to 23:59. */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM, 00:00 to 23:59');

/**
 * An IANA time zone name as Intl knows it (Europe/Stockholm, UTC), stored as Intl spells it,
 * so that `europe/stockholm` and `Europe/Stockholm` are one zone. Offsets (+01:00) are not
 * zones: quiet hours follow the clocks of a place, summer time included.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const timeZone = z.string().transform((v, ctx) => {
  const zone = canonicalTimeZone(v);
  if (zone) return zone;
  ctx.addIssue({ code: 'custom', message: 'expected an IANA time zone, e.g. Europe/Stockholm' });
  return z.NEVER;
});

const perChannel = z.object({ push: z.boolean(), email: z.boolean() });

export const preferencesSchema = z.object({
  email: z.enum(EMAIL_MODES),
  kinds: z.object(Object.fromEntries(NOTICE_KINDS.map((k) => [k, perChannel])) as Record<NoticeKind, typeof perChannel>),
  quietHours: z.object({ start: clock, end: clock, timezone: timeZone })
    .refine((q) => q.start !== q.end, { message: 'quiet hours must not start and end at the same time', path: ['end'] })
    .nullable(),
  language: z.enum(['sv', 'en']),
}) satisfies z.ZodType<Preferences, unknown>;

export const notificationSchemas = {
  'notifications.get': req('notifications.get', {}),
  'notifications.set': req('notifications.set', { preferences: preferencesSchema }),
};
