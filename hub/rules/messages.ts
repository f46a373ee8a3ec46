// DOMAIN.md §3 (messages): who may message whom, through which way in.
import type { Directory } from '../directory/model.ts';
import { ALLOW, deny, type Decision } from './decision.ts';

/**
 * How a conversation was entered: the message function itself, or an item it is tied to.
 * For an item, `ownerIds` are the teachers who own its group (plan, assignment) or the
 * mentor (conference), and `studentId` the student it concerns (when it concerns one).
 */
export type Via =
  | { kind: 'direct' }
  | { kind: 'plan' | 'assignment'; groupId: string; studentId?: string }
  | { kind: 'conference'; mentorId: string; studentId: string };

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
  for (const b of participants) {
    if (b === sender) continue;
    if (!dir.person(b)) continue; // someone who left the directory no longer blocks the others
    if (!rowAllows(dir, sender, b, via, history) && !rowAllows(dir, b, sender, via, history)) {
      return deny(reasonFor(dir, sender, b, via));
    }
  }
  return ALLOW;
}

function reasonFor(dir: Directory, a: string, b: string, via: Via): string {
  if (via.kind === 'plan' || via.kind === 'assignment') return `you are no longer part of this ${via.kind}'s group`;
  if (via.kind === 'conference') return 'you are not part of this development conference';
  const taught = dir.isGuardian(b) ? teachesChildOf(dir, a, b) : dir.isGuardian(a) ? [...dir.childrenOf(a)].filter((c) => dir.teaches(b, c)) : [];
  if (taught.length > 0) return 'this school does not allow teachers and guardians to message directly; use a plan or assignment';
  return 'the school rules do not allow you to message this person';
}
