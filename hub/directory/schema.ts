// The directory bundle (docs/DIRECTORY-IMPORT.md): SS 12000 shaped, validated at the edge. Unknown fields
// (civic numbers, addresses, photos) are stripped by zod and never stored.
import { z } from 'zod';

// Ids are opaque but plain: they become parts of topic names and read keys (hub/audience.ts).
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/, 'ids are 1-200 of A-Z a-z 0-9 . _ @ -');
/** The id rule, for other APIs that name directory records (the privacy admin API). */
export const directoryIdSchema = id;
const ref = z.object({ id });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const name = z.string().max(300);
/** A short code word of the standard: a type, a role or a marking (`groupType`, `dutyRole`, …). */
const word = z.string().max(100);
/** When a record, membership or role holds: SS 12000 gives each an optional start and end. */
const period = { startDate: date.optional(), endDate: date.optional() };
/** A record's list of dated links (memberships, responsibles, roles, teachers): at most `max`, optional. */
const dated = <S extends z.ZodRawShape>(link: S, max: number) => z.array(z.object({ ...link, ...period })).max(max).optional();

export const organisationSchema = z.object({
  id,
  displayName: name,
  organisationType: word,
  parentOrganisation: ref.optional(),
  schoolUnitCode: z.string().max(50).optional(),
  schoolTypes: z.array(z.string().max(50)).max(50).optional(),
});

export const personSchema = z.object({
  id,
  givenName: name,
  familyName: name,
  securityMarking: word.optional(),
  emails: z.array(z.object({ value: z.string().max(320), type: word.optional() })).max(20).optional(),
  responsibles: dated({ person: ref, relationType: word }, 20),
});

export const groupSchema = z.object({
  id,
  displayName: name,
  groupType: word,
  organisation: ref,
  ...period,
  groupMemberships: dated({ person: ref }, 5000),
});

export const dutySchema = z.object({
  id,
  person: ref,
  dutyAt: ref,
  dutyRole: word,
  ...period,
  assignmentRole: dated({ group: ref, assignmentRoleType: word }, 500),
});

export const activitySchema = z.object({
  id,
  displayName: name,
  activityType: word.optional(),
  groups: z.array(ref).max(200),
  teachers: dated({ duty: ref }, 200),
  organisation: ref,
  ...period,
});

export const placementSchema = z.object({
  id,
  placedAt: ref,
  group: ref,
  child: ref,
  ...period,
});

export const extensionRoleSchema = z.object({
  person: ref,
  role: z.enum(['head_of_operations', 'reader', 'system_admin']),
  organisation: ref.optional(),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 00:00-23:59');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Staff quiet hours of a school (not in SS 12000): messages to staff then are flagged. */
export const quietHoursSchema = z.object({
  start: clock,
  end: clock,
  timezone: z.string().max(100).refine(isTimeZone, 'expected an IANA time zone such as Europe/Stockholm'),
});

/**
 * Settings of an organisation (not in SS 12000). On a school: the messaging setting of
 * docs/DOMAIN.md §3 (*), quiet hours and the lock-screen level of notifications. On a district (Huvudman): `retentionDays`, how long
 * messages, posts, mailings, items and events are kept (hub/privacy/retention.ts); a
 * district setting needs no school fields, so `teacherGuardianDirectMessages` may be left out
 * (false).
 */
export const schoolSettingSchema = z.object({
  organisation: ref,
  teacherGuardianDirectMessages: z.boolean().optional(),
  quietHours: quietHoursSchema.optional(),
  /** What a notification on a lock screen shows (docs/NOTIFICATIONS.md): everything, the sender, or nothing; unset: `sender`. */
  lockScreen: z.enum(['full', 'sender', 'none']).optional(),
  // At least a day (a shorter period would delete what a client is still syncing), at most a century.
  retentionDays: z.number().int().min(1).max(36_500).optional(),
  /** docs/DOMAIN.md §7: the school's assessment levels, lowest first, e.g. ["F","E","D","C","B","A"]. */
  assessmentLevels: z
    .array(z.string().trim().min(1).max(50))
    .min(1)
    .max(20)
    .refine((levels) => new Set(levels).size === levels.length, 'assessment levels must be unique')
    .optional(),
});

export const bundleSchema = z
  .object({
    organisations: z.array(organisationSchema).max(10_000).default([]),
    persons: z.array(personSchema).max(1_000_000).default([]),
    groups: z.array(groupSchema).max(200_000).default([]),
    duties: z.array(dutySchema).max(200_000).default([]),
    activities: z.array(activitySchema).max(200_000).default([]),
    placements: z.array(placementSchema).max(200_000).default([]),
    extensions: z
      .object({
        roles: z.array(extensionRoleSchema).max(100_000).default([]),
        settings: z.array(schoolSettingSchema).max(10_000).default([]),
      })
      .default({ roles: [], settings: [] }),
  });

export type Bundle = z.infer<typeof bundleSchema>;
export type OrganisationRecord = z.infer<typeof organisationSchema>;
export type PersonRecord = z.infer<typeof personSchema>;
export type GroupRecord = z.infer<typeof groupSchema>;
export type DutyRecord = z.infer<typeof dutySchema>;
export type ActivityRecord = z.infer<typeof activitySchema>;
export type PlacementRecord = z.infer<typeof placementSchema>;
export type ExtensionRoleRecord = z.infer<typeof extensionRoleSchema>;
export type SchoolSettingRecord = z.infer<typeof schoolSettingSchema>;
