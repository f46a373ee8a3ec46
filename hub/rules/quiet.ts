// Staff quiet hours (a per-school setting; teachers are not expected to answer evenings).
// Messages sent to staff during them are stored and delivered as always, but flagged so that
// widgets can say the teacher answers during school hours. Pure: the caller passes `now`.
import type { Directory, QuietHours } from '../directory/model.ts';

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':');
  return Number(h) * 60 + Number(m);
}

// Building a DateTimeFormat is slow; one per time zone is enough.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timezone` at `now`. */
export function localMinutes(now: Date, timezone: string): number {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  let h = 0;
  let m = 0;
  for (const part of f.formatToParts(now)) {
    if (part.type === 'hour') h = Number(part.value);
    else if (part.type === 'minute') m = Number(part.value);
  }
  return h * 60 + m;
}

/** Is `now` within the quiet hours? [start, end) in local time; start after end wraps midnight; start = end is never. */
export function inQuietHours(q: QuietHours, now: Date): boolean {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return false;
  const t = localMinutes(now, q.timezone);
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/**
 * When the quiet hours that hold `now` end (to the minute, in the zone's clock as it is now),
 * or null when `now` is not in them. A clock change inside the quiet hours moves the true end
 * by its hour; whoever waits checks again then (hub/notify/).
 */
export function quietEnd(q: QuietHours, now: Date): Date | null {
  if (!inQuietHours(q, now)) return null;
  const left = (minutesOf(q.end) - localMinutes(now, q.timezone) + 1440) % 1440 || 1440;
  const at = new Date(now.getTime() + left * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/**
 * Does a message from `sender` reach a recipient who is staff at a school that is in its
 * quiet hours now, while the sender is not staff of that school? (Colleagues write to each
 * other as they like; the flag is for families and students waiting for an answer.)
 */
export function sentInQuietHours(dir: Directory, sender: string, recipients: Iterable<string>, now: Date): boolean {
  const checked = new Map<string, boolean>();
  for (const r of recipients) {
    if (r === sender) continue;
    for (const s of dir.staffSchoolsOf(r)) {
      let quiet = checked.get(s);
      if (quiet === undefined) {
        const q = dir.schools.get(s)?.quietHours;
        quiet = !!q && inQuietHours(q, now) && !dir.isStaffAt(sender, s);
        checked.set(s, quiet);
      }
      if (quiet) return true;
    }
  }
  return false;
}
