// docs/DOMAIN.md §3 (messages): who may message whom, through which way in.
import type { Directory, Group } from '../directory/model.ts';
import { ALLOW, deny, type Decision } from './decision.ts';

/**
 * How a conversation was entered: the message function itself, an item it is tied to (the
 * item's group for a plan or assignment and the student it concerns, when it concerns one;
 * the mentor and student of a conference), or a mentor's whole group.
 */
export type Via =
  | { kind: 'direct' }
  | { kind: 'plan' | 'assignment'; groupId: string; studentId?: string }
  | { kind: 'conference'; mentorId: string; studentId: string }
  | { kind: 'group'; groupId: string; members: GroupMembers };

/** A group conversation is with the group's students, or with their guardians. */
export type GroupMembers = 'students' | 'guardians';

/**
 * Conversations whose membership follows the directory: a mentor group (with its mentors),
 * or a conference's mentor, student and guardians. hub/audience.ts gives the same people
 * as read keys (dynamicAudienceKeys); audience.test.ts checks that they agree.
 */
export type DynamicAudience =
  | { kind: 'group'; groupId: string; members: GroupMembers }
  | { kind: 'conference'; conferenceId: string; mentorId: string; groupId: string; studentId: string };

export interface MessagingHistory {
  /** Guardians (and, by the reading of §3, students) who earlier started a plan/assignment
   *  conversation with this teacher: the teacher may message them directly afterwards. */
  startedThroughItemWith(teacherId: string, otherId: string): boolean;
}

export const NO_HISTORY: MessagingHistory = { startedThroughItemWith: () => false };

/** Staff roles that may take part in chat: the reader role is read-only. */
function chatStaffAt(dir: Directory, a: string, schoolId: string): boolean {
  const roles = dir.staffRolesAt(a, schoolId);
  if (roles.has('teacher') || roles.has('school_leader') || roles.has('school_admin')) return true;
  for (const g of dir.groupsOwnedBy(a)) if (dir.groups.get(g)?.schoolId === schoolId) return true;
  return false;
}

function chatStaffSchools(dir: Directory, a: string): string[] {
  return [...dir.staffSchoolsOf(a)].filter((s) => chatStaffAt(dir, a, s));
}

function shareSchoolAsStaff(dir: Directory, a: string, b: string): boolean {
  return chatStaffSchools(dir, a).some((s) => chatStaffAt(dir, b, s));
}

function studentAtSchoolOfStaff(dir: Directory, student: string, staff: string): boolean {
  const schools = dir.schoolsOfStudent(student);
  return chatStaffSchools(dir, staff).some((s) => schools.has(s));
}

function teachesChildOf(dir: Directory, teacher: string, guardian: string): string[] {
  return [...dir.childrenOf(guardian)].filter((c) => dir.teaches(teacher, c));
}

/** (*) `teacher` teaches `child` in a group of a school whose setting allows direct messages:
 *  the setting of the school where the teaching happens, not of any school the child is at. */
function teachesWhereSettingAllows(dir: Directory, teacher: string, child: string): boolean {
  const owned = dir.groupsOwnedBy(teacher);
  for (const g of dir.groupsOf(child)) {
    if (!owned.has(g)) continue;
    const group = dir.groups.get(g);
    if (group && group.kind !== 'mentor' && dir.schools.get(group.schoolId)?.teacherGuardianDirectMessages === true) return true;
  }
  return false;
}

function inGroupCircle(dir: Directory, group: Group, members: GroupMembers, p: string): boolean {
  if (group.owners.has(p)) return true;
  if (members === 'students') return group.members.has(p);
  for (const c of dir.childrenOf(p)) if (group.members.has(c)) return true;
  return false;
}

/** Everyone in a dynamic audience now, owners / the mentor first. */
export function audienceMembers(dir: Directory, a: DynamicAudience): string[] {
  const group = dir.groups.get(a.groupId);
  if (a.kind === 'conference') {
    if (!group?.members.has(a.studentId)) return [a.mentorId];
    return [...new Set([a.mentorId, a.studentId, ...dir.guardiansOf(a.studentId)])];
  }
  if (!group || group.kind !== 'mentor') return [];
  const out = new Set(group.owners);
  for (const s of group.members) {
    if (a.members === 'students') out.add(s);
    else for (const g of dir.guardiansOf(s)) out.add(g);
  }
  return [...out];
}

/** The way into a conversation with a dynamic audience. */
export function viaOfAudience(a: DynamicAudience): Via {
  return a.kind === 'conference'
    ? { kind: 'conference', mentorId: a.mentorId, studentId: a.studentId }
    : { kind: 'group', groupId: a.groupId, members: a.members };
}

function itemConcerns(dir: Directory, via: Via & { kind: 'plan' | 'assignment' }, teacher: string, other: string): boolean {
  const group = dir.groups.get(via.groupId);
  if (!group || !group.owners.has(teacher)) return false;
  if (group.members.has(other)) return via.studentId === undefined || via.studentId === other;
  // A guardian takes part through their child in the group (the item's student when named).
  return [...dir.childrenOf(other)].some((c) => group.members.has(c) && (via.studentId === undefined || via.studentId === c));
}

/**
 * The row of §3 for `a`: may `a` message `b` this way? Directional: the row of the one who
 * starts a conversation is what lets it start.
 */
export function rowAllows(dir: Directory, a: string, b: string, via: Via, history: MessagingHistory = NO_HISTORY): boolean {
  if (a === b) return false;
  if (via.kind === 'group') {
    // A mentor's conversation with the whole group: the mentors write to everyone in it; the
    // students and guardians read, and answer a mentor privately (canSendMessage).
    const group = dir.groups.get(via.groupId);
    return !!group && group.kind === 'mentor' && group.owners.has(a) && inGroupCircle(dir, group, via.members, b);
  }
  if (via.kind === 'conference') {
    // Mentor, the student and the student's guardians, while the mentor still mentors them.
    const circle = new Set([via.mentorId, via.studentId, ...dir.guardiansOf(via.studentId)]);
    return dir.mentors(via.mentorId, via.studentId) && circle.has(a) && circle.has(b);
  }
  if (via.kind === 'plan' || via.kind === 'assignment') {
    // Teacher(s) owning the item's group with a student of it and that student's guardians.
    const group = dir.groups.get(via.groupId);
    if (!group) return false;
    if (group.owners.has(a) && group.owners.has(b)) return true;
    if (group.owners.has(a)) return itemConcerns(dir, via, a, b);
    if (group.owners.has(b)) return itemConcerns(dir, via, b, a);
    // The item's student and that student's guardians among themselves (§3 Reading): a
    // student with their own guardian, and the student's guardians with each other.
    return [a, ...dir.childrenOf(a)].some((s) =>
      group.members.has(s) && (via.studentId === undefined || via.studentId === s) && (b === s || dir.guardiansOf(s).has(b)));
  }
  // The message function itself.
  if (dir.person(b) === undefined) return false;
  const aStaff = chatStaffSchools(dir, a).length > 0;
  if (aStaff) {
    if (shareSchoolAsStaff(dir, a, b)) return true; // other staff of the school
    if (dir.mentors(a, b) || dir.teaches(a, b)) return true; // students they mentor / teach
    if ([...dir.childrenOf(b)].some((c) => dir.mentors(a, c))) return true; // guardians of mentees
    if ([...dir.childrenOf(b)].some((c) => teachesWhereSettingAllows(dir, a, c))) return true; // (*) the school's setting
    if (history.startedThroughItemWith(a, b)) return true; // started earlier through an item
    // A school leader or admin answers a student who wrote to staff (the student's row).
  }
  // Roles are held per school: staff at one school may be a student or guardian at another,
  // so the student and guardian rows are asked too.
  if (dir.isStudent(a)) {
    // Staff of the school (chat roles).
    if (studentAtSchoolOfStaff(dir, a, b)) return true;
  }
  if (dir.isGuardian(a)) {
    const children = [...dir.childrenOf(a)];
    if (children.some((c) => dir.mentors(b, c))) return true; // the child's mentors
    if (children.some((c) => teachesWhereSettingAllows(dir, b, c))) return true; // (*)
  }
  return false;
}

/**
 * A mentor opens one conversation with the whole mentor group, or with the guardians of the
 * whole group (§3 mentor row: students they mentor, guardians of students they mentor).
 */
export function canStartGroupConversation(dir: Directory, starter: string, groupId: string): Decision {
  const group = dir.groups.get(groupId);
  if (!group) return deny('no such group', 'not_found', ['groupId']);
  if (group.kind !== 'mentor') return deny('group conversations are for mentor groups', 'forbidden', ['groupId']);
  if (!group.owners.has(starter)) return deny('only a mentor of the group may open a conversation with the whole group', 'forbidden', ['groupId']);
  return ALLOW;
}

/** Starting a conversation: the starter's row must allow every other participant. */
export function canStartConversation(
  dir: Directory, starter: string, others: string[], via: Via, history: MessagingHistory = NO_HISTORY,
): Decision {
  if (others.length === 0) return deny('a conversation needs someone to talk to', 'invalid', ['participantIds']);
  for (let i = 0; i < others.length; i++) {
    const b = others[i]!;
    if (!dir.person(b)) return deny('no such person', 'not_found', ['participantIds', i]);
    if (b === starter) return deny('you are already in the conversation', 'invalid', ['participantIds', i]);
    if (!rowAllows(dir, starter, b, via, history)) {
      return deny(reasonFor(dir, starter, b, via), 'forbidden', ['participantIds', i]);
    }
  }
  return ALLOW;
}

/**
 * Sending a message: checked on every message, against the directory as it is now. The
 * sender must still be allowed to talk with every other participant, by either side's row
 * (a student who wrote to the principal may be answered), or the conversation is closed
 * to the sender and the answer says why.
 */
export function canSendMessage(
  dir: Directory, sender: string, participants: string[], via: Via, history: MessagingHistory = NO_HISTORY,
): Decision {
  if (!participants.includes(sender)) return deny('not a participant of this conversation', 'not_found');
  if (via.kind === 'group') {
    // Only the group's mentors write to the whole group: §3 gives students no row to other
    // students and guardians none to other guardians, and the hub's whole-group conversation
    // must not widen it (docs/DOMAIN.md §3 Reading). Asked once per message (groups are large).
    const group = dir.groups.get(via.groupId);
    if (!group || group.kind !== 'mentor' || !inGroupCircle(dir, group, via.members, sender)) return deny('you are no longer part of this group');
    if (!group.owners.has(sender)) return deny(REPLY_PRIVATELY);
    return ALLOW;
  }
  for (const b of participants) {
    if (b === sender) continue;
    if (!dir.person(b)) continue; // someone who left the directory no longer blocks the others
    // One family in a conversation staff opened with them (a mentor with both guardians, or
    // with the student and the guardians): they answer in front of each other.
    if (sameFamily(dir, sender, b) && participants.some((p) => p !== sender && p !== b && rowAllows(dir, p, sender, via, history))) continue;
    if (!rowAllows(dir, sender, b, via, history) && !rowAllows(dir, b, sender, via, history)) {
      return deny(reasonFor(dir, sender, b, via));
    }
  }
  return ALLOW;
}

/** The answer to a student or guardian writing to a whole-group conversation; the widgets offer the reply. */
export const REPLY_PRIVATELY = 'only the mentors write to the whole group; reply privately to the mentor';

/** Guardian and child, or two guardians of one child. */
function sameFamily(dir: Directory, a: string, b: string): boolean {
  if (dir.guardiansOf(a).has(b) || dir.guardiansOf(b).has(a)) return true;
  for (const child of dir.childrenOf(a)) if (dir.guardiansOf(child).has(b)) return true;
  return false;
}

function reasonFor(dir: Directory, a: string, b: string, via: Via): string {
  if (via.kind === 'plan' || via.kind === 'assignment') {
    const group = dir.groups.get(via.groupId);
    if (!group) return `this ${via.kind}'s group no longer exists`;
    const inIt = (p: string) => group.owners.has(p) || group.members.has(p) || [...dir.childrenOf(p)].some((c) => group.members.has(c));
    if (!inIt(a)) return `you are no longer part of this ${via.kind}'s group`;
    if (via.studentId !== undefined && !group.members.has(via.studentId)) return `the student this ${via.kind} conversation is about is no longer in its group`;
    return `you may not message this person through this ${via.kind}`;
  }
  if (via.kind === 'conference') return 'you are not part of this development conference';
  if (via.kind === 'group') return 'you are not part of this group';
  const taught = dir.isGuardian(b) ? teachesChildOf(dir, a, b) : dir.isGuardian(a) ? [...dir.childrenOf(a)].filter((c) => dir.teaches(b, c)) : [];
  if (taught.length > 0) return 'this school does not allow teachers and guardians to message directly; use a plan or assignment';
  return 'the school rules do not allow you to message this person';
}
