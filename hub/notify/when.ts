// When a notice may go out (docs/NOTIFICATIONS.md): after the grace period in which a live read
// makes it unnecessary, outside quiet hours (the staff's school's, the person's own), and for
// e-mail digests at the next hour or day. Urgent posts skip all of it. Pure: `now` is passed.
import type { Directory } from '../directory/model.ts';
import type { EmailMode, OwnQuietHours } from '../../storage/notification-preferences.ts';
import type { DigestMode } from '../../storage/notification-outbox.ts';
import { localMinutes, quietEnd } from '../rules/index.ts';
import type { NoticeSource } from './source.ts';

/** The local time of the daily digest, in the person's own time zone (their quiet hours'), else Swedish time. */
export const DAILY_DIGEST_AT = '16:00';
export const DEFAULT_TIMEZONE = 'Europe/Stockholm';

/** When the quiet hours that apply to the person now end: every staff school's, and their own; null when none holds now. */
export function quietUntil(dir: Directory, personId: string, own: OwnQuietHours | null, now: Date): Date | null {
  let until: Date | null = null;
  const consider = (end: Date | null) => {
    if (end && (!until || end > until)) until = end;
  };
  for (const s of dir.staffSchoolsOf(personId)) {
    const q = dir.schools.get(s)?.quietHours;
    if (q) consider(quietEnd(q, now));
  }
  if (own) consider(quietEnd(own, now));
  return until;
}

/** The next digest time after `now`: the next full hour, or the next DAILY_DIGEST_AT in `timezone`. */
export function nextDigest(mode: 'hourly' | 'daily', now: Date, timezone: string): Date {
  if (mode === 'hourly') {
    const at = new Date(now.getTime());
    at.setUTCMinutes(60, 0, 0);
    return at;
  }
  const [h, m] = DAILY_DIGEST_AT.split(':').map(Number) as [number, number];
  const left = (h * 60 + m - localMinutes(now, timezone) + 1440) % 1440 || 1440;
  const at = new Date(now.getTime() + left * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** A notice of a thing with read marks waits out the grace period: a live read within it makes it unnecessary. */
export function afterGrace(src: NoticeSource, now: Date, graceMs: number): Date {
  return src.read && !src.urgent ? new Date(now.getTime() + graceMs) : now;
}

/** When a push of `src` is due, first asked at `now`. */
export function pushDue(dir: Directory, personId: string, src: NoticeSource, own: OwnQuietHours | null, now: Date, graceMs: number): Date {
  const grace = afterGrace(src, now, graceMs);
  if (src.urgent) return grace;
  const quiet = quietUntil(dir, personId, own, grace);
  return quiet ?? grace;
}

/** How an e-mail of `src` goes (alone, or in a digest) and when it is due. */
export function emailDue(
  dir: Directory, personId: string, src: NoticeSource, mode: Exclude<EmailMode, 'off'>, own: OwnQuietHours | null, now: Date, graceMs: number,
): { digest: DigestMode; dueAt: Date } {
  const grace = afterGrace(src, now, graceMs);
  if (src.urgent) return { digest: 'immediate', dueAt: grace };
  const at = mode === 'immediate' ? grace : nextDigest(mode, grace, own?.timezone ?? DEFAULT_TIMEZONE);
  return { digest: mode, dueAt: quietUntil(dir, personId, own, at) ?? at };
}

/** A retry waits as long as the service asked (Retry-After), else 5 s doubling per try, at most an hour, with jitter. */
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 3_600_000;

export function backoffMs(tries: number, afterMs?: number): number {
  if (afterMs !== undefined && afterMs >= 0) return Math.min(afterMs, BACKOFF_MAX_MS);
  const base = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, tries - 1), BACKOFF_MAX_MS);
  return Math.round(base * (0.75 + Math.random() / 2));
}
