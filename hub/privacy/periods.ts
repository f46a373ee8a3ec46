// Which retention period applies to what (pure: the directory and the time in, cutoffs out).
// A district (Huvudman) sets `retentionDays` in its extensions.settings; a record older than
// its district's cutoff is due for deletion. Without a period nothing is deleted.
import type { Directory } from '../directory/model.ts';
import { audienceMembers, type DynamicAudience } from '../rules/index.ts';

const DAY_MS = 86_400_000;

export interface RetentionDistrict {
  id: string;
  days: number;
  /** Records created (or last changed) before this instant are due. ISO 8601. */
  cutoff: string;
  schoolIds: string[];
}

/** The districts that have a period, with their cutoffs as of `now`. */
export function retentionDistricts(dir: Directory, now: Date): RetentionDistrict[] {
  const out: RetentionDistrict[] = [];
  for (const d of dir.districts.values()) {
    if (d.retentionDays === null) continue;
    out.push({
      id: d.id, days: d.retentionDays, cutoff: new Date(now.getTime() - d.retentionDays * DAY_MS).toISOString(),
      schoolIds: dir.schoolsOfDistrict(d.id).map((s) => s.id),
    });
  }
  return out;
}

/** The districts a person belongs to: where they work, study, have children, or lead operations. */
export function districtsOfPerson(dir: Directory, personId: string): Set<string> {
  const schools = new Set([...dir.staffSchoolsOf(personId), ...dir.schoolsOfStudent(personId)]);
  for (const c of dir.childrenOf(personId)) for (const s of dir.schoolsOfStudent(c)) schools.add(s);
  const out = new Set(dir.headOfOperationsIn(personId));
  for (const s of schools) {
    const d = dir.schools.get(s)?.districtId;
    if (d) out.add(d);
  }
  return out;
}

export interface ConversationScope {
  context: { groupId?: string | undefined } | null;
  audience: DynamicAudience | null;
  /** Stored members (read marks for a conversation with an audience). */
  memberIds: readonly string[];
}

/**
 * The cutoff of one conversation, or null when it is kept. A conversation tied to a group (an
 * item's thread, a conference's, a whole group's) belongs to that group's district. Any other
 * belongs to the districts of its people; where they span districts the longest period
 * applies, and a district without a period keeps it (deleting cannot be undone, and every
 * district involved may still need its records).
 */
export function conversationCutoff(dir: Directory, c: ConversationScope, cutoffs: ReadonlyMap<string, string>): string | null {
  const groupId = c.audience?.groupId ?? c.context?.groupId;
  const schoolId = groupId === undefined ? undefined : dir.groups.get(groupId)?.schoolId;
  const districtOfGroup = schoolId === undefined ? undefined : dir.schools.get(schoolId)?.districtId;
  if (districtOfGroup) return cutoffs.get(districtOfGroup) ?? null;
  const people = new Set(c.memberIds);
  if (c.audience) for (const p of audienceMembers(dir, c.audience)) people.add(p);
  const districts = new Set<string>();
  for (const p of people) for (const d of districtsOfPerson(dir, p)) districts.add(d);
  if (districts.size === 0) return null;
  let earliest: string | null = null;
  for (const d of districts) {
    const cutoff = cutoffs.get(d);
    if (cutoff === undefined) return null;
    if (earliest === null || cutoff < earliest) earliest = cutoff;
  }
  return earliest;
}
