// docs/DOMAIN.md §1 (posts) and §2 (mailings): who may send to whom, and who may read.
import type { Directory } from '../directory/model.ts';
import { ALLOW, deny, type Decision } from './decision.ts';

export interface Recipients {
  students: boolean;
  guardians: boolean;
  staff: boolean;
}

export type AudienceTarget =
  | { kind: 'group'; groupId: string; memberIds?: string[] }
  | { kind: 'person'; personId: string }
  | { kind: 'school' };

export interface PostAudience {
  targets: AudienceTarget[];
  recipients: Recipients;
}

export interface PostDraft {
  schoolId: string;
  audience: PostAudience;
  /** Goes through quiet hours and digests at once (docs/NOTIFICATIONS.md): a school leader's choice alone. */
  urgent?: boolean;
}

export interface MailingDraft {
  districtId: string;
  schoolIds: string[];
  recipients: Recipients;
}

/** Leader and admin send school-wide; leader also to staff (§1). */
function isLeader(dir: Directory, a: string, schoolId: string): boolean {
  return dir.hasStaffRole(a, schoolId, 'school_leader');
}
function isAdmin(dir: Directory, a: string, schoolId: string): boolean {
  return dir.hasStaffRole(a, schoolId, 'school_admin');
}

/** May `a` (a teacher or mentor) reach student `s` as a post recipient: a teaches or mentors s. */
function reachesStudent(dir: Directory, a: string, s: string): boolean {
  return dir.teaches(a, s) || dir.mentors(a, s);
}

export function canCreatePost(dir: Directory, author: string, draft: PostDraft): Decision {
  const { schoolId, audience } = draft;
  const school = dir.schools.get(schoolId);
  if (!school) return deny('no such school', 'not_found', ['schoolId']);
  const leader = isLeader(dir, author, schoolId);
  const admin = isAdmin(dir, author, schoolId);
  const ownsHere = [...dir.groupsOwnedBy(author)].some((g) => dir.groups.get(g)?.schoolId === schoolId);
  if (!leader && !admin && !ownsHere) {
    return deny('only teachers, mentors, school leaders and school admins of the school may post');
  }
  const { recipients } = audience;
  if (draft.urgent && !leader) {
    return deny('only a school leader may mark a post urgent', 'forbidden', ['urgent']);
  }
  if (recipients.staff && !leader) {
    return deny('only a school leader may post to staff', 'forbidden', ['audience', 'recipients', 'staff']);
  }
  for (let i = 0; i < audience.targets.length; i++) {
    const t = audience.targets[i]!;
    const path = ['audience', 'targets', i];
    if (t.kind === 'school') {
      if (!leader && !admin) return deny('only a school leader or school admin may post to the whole school', 'forbidden', path);
      if (!recipients.students && !recipients.guardians && !recipients.staff) {
        return deny('choose students, guardians or staff', 'invalid', ['audience', 'recipients']);
      }
      continue;
    }
    if (t.kind === 'group') {
      const group = dir.groups.get(t.groupId);
      if (!group || group.schoolId !== schoolId) return deny('no such group at this school', 'not_found', [...path, 'groupId']);
      if (!leader && !admin && !group.owners.has(author)) return deny('you do not teach or mentor this group', 'forbidden', [...path, 'groupId']);
      if (!recipients.students && !recipients.guardians) {
        return deny('choose students and/or guardians', 'invalid', ['audience', 'recipients']);
      }
      for (let j = 0; j < (t.memberIds ?? []).length; j++) {
        if (!group.members.has(t.memberIds![j]!)) return deny('not a member of the group', 'invalid', [...path, 'memberIds', j]);
      }
      continue;
    }
    // A single person: a student of the school or a guardian of one, reached by this author.
    const p = t.personId;
    const ppath = [...path, 'personId'];
    if (!dir.person(p)) return deny('no such person', 'not_found', ppath);
    const studentHere = dir.schoolsOfStudent(p).has(schoolId);
    const guardianHere = [...dir.childrenOf(p)].some((c) => dir.schoolsOfStudent(c).has(schoolId));
    if (leader || admin) {
      if (studentHere || guardianHere) continue;
      if (leader && dir.isStaffAt(p, schoolId)) continue;
      return deny(admin && dir.isStaffAt(p, schoolId) ? 'a school admin may not post to staff' : 'not a student or guardian of this school', 'forbidden', ppath);
    }
    if (studentHere && reachesStudent(dir, author, p)) continue;
    if ([...dir.childrenOf(p)].some((c) => dir.schoolsOfStudent(c).has(schoolId) && reachesStudent(dir, author, c))) continue;
    return deny('you may post only to students you teach or mentor and their guardians', 'forbidden', ppath);
  }
  return ALLOW;
}

export function canCreateMailing(dir: Directory, author: string, draft: MailingDraft): Decision {
  if (!dir.districts.has(draft.districtId)) return deny('no such district', 'not_found', ['districtId']);
  if (!dir.headOfOperationsIn(author).has(draft.districtId)) {
    return deny('only the head of operations of the district may send mailings');
  }
  if (draft.schoolIds.length === 0) return deny('choose one or more schools', 'invalid', ['schoolIds']);
  for (let i = 0; i < draft.schoolIds.length; i++) {
    const school = dir.schools.get(draft.schoolIds[i]!);
    if (!school || school.districtId !== draft.districtId) return deny('no such school in the district', 'not_found', ['schoolIds', i]);
  }
  const r = draft.recipients;
  if (!r.students && !r.guardians && !r.staff) return deny('choose students, guardians or staff', 'invalid', ['recipients']);
  return ALLOW;
}

export interface StoredPost extends PostDraft {
  authorId: string;
}

/**
 * docs/DOMAIN.md §1 "may read", evaluated directly against the directory. The audience keys in
 * hub/audience.ts must agree with this function; audience.test.ts checks that they do.
 */
export function canReadPost(dir: Directory, reader: string, post: StoredPost): boolean {
  if (reader === post.authorId) return true;
  const s = post.schoolId;
  if (dir.hasStaffRole(reader, s, 'school_leader') || dir.hasStaffRole(reader, s, 'school_admin') || dir.hasStaffRole(reader, s, 'reader')) return true;
  const { recipients } = post.audience;
  for (const t of post.audience.targets) {
    if (t.kind === 'person') {
      if (t.personId === reader) return true;
    } else if (t.kind === 'school') {
      if (recipients.students && dir.schoolsOfStudent(reader).has(s)) return true;
      if (recipients.guardians && [...dir.childrenOf(reader)].some((c) => dir.schoolsOfStudent(c).has(s))) return true;
      if (recipients.staff && dir.isStaffAt(reader, s)) return true;
    } else {
      const g = dir.groups.get(t.groupId);
      if (!g) continue;
      if (g.owners.has(reader)) return true;
      const chosen = t.memberIds ? t.memberIds.filter((m) => g.members.has(m)) : [...g.members];
      if (recipients.students && chosen.includes(reader)) return true;
      if (recipients.guardians && chosen.some((c) => dir.guardiansOf(c).has(reader))) return true;
    }
  }
  return false;
}

export interface StoredMailing extends MailingDraft {
  authorId: string;
}

/** docs/DOMAIN.md §2 "may read". */
export function canReadMailing(dir: Directory, reader: string, m: StoredMailing): boolean {
  if (reader === m.authorId) return true;
  for (const s of m.schoolIds) {
    if (dir.isStaffAt(reader, s)) return true;
    if (m.recipients.students && dir.schoolsOfStudent(reader).has(s)) return true;
    if (m.recipients.guardians && [...dir.childrenOf(reader)].some((c) => dir.schoolsOfStudent(c).has(s))) return true;
  }
  return false;
}
