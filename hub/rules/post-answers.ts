// docs/DOMAIN.md §1 "Answers to a post" (acknowledge and RSVP): who answers a post that asks,
// for whom, and who sees the answers. Pure: every relation is the directory's now, so a guardian
// linked tomorrow answers for the child, and a blocked link (no relation) answers nothing.
import type { Directory } from '../directory/model.ts';
import type { StoredPost } from './posts.ts';

/** One answer the post expects: `personId` answers for `forId` (their child, or themselves). */
export interface AnswerSlot {
  personId: string;
  forId: string;
}

const slotKey = (s: AnswerSlot) => `${s.personId}\u0000${s.forId}`;

/** The students a group target addresses: its chosen members still in the group, or all of them. */
function chosenMembers(dir: Directory, t: { groupId: string; memberIds?: string[] }): string[] {
  const g = dir.groups.get(t.groupId);
  if (!g) return [];
  return t.memberIds ? t.memberIds.filter((m) => g.members.has(m)) : [...g.members];
}

function studentsOfSchool(dir: Directory, schoolId: string): Set<string> {
  const out = new Set<string>();
  for (const g of dir.groups.values()) if (g.schoolId === schoolId) for (const m of g.members) out.add(m);
  return out;
}

/**
 * Every answer the post expects now: those it is addressed to answer for themselves (a student
 * of a group or school target, staff of a school target, the person of a person target), and
 * each guardian of an addressed student once per child. The author answers nothing, and nobody
 * who reads the post only through their role (owners of the group, the school's leadership).
 */
export function expectedAnswers(dir: Directory, post: StoredPost): AnswerSlot[] {
  const out = new Map<string, AnswerSlot>();
  const add = (personId: string, forId: string) => {
    if (personId === post.authorId) return;
    const s = { personId, forId };
    out.set(slotKey(s), s);
  };
  const { recipients: r } = post.audience;
  for (const t of post.audience.targets) {
    let students: Iterable<string> = [];
    if (t.kind === 'person') {
      if (dir.person(t.personId)) add(t.personId, t.personId);
      continue;
    }
    if (t.kind === 'school') {
      students = studentsOfSchool(dir, post.schoolId);
      if (r.staff) for (const p of dir.staffOf(post.schoolId)) add(p, p);
    } else {
      students = chosenMembers(dir, t);
    }
    for (const s of students) {
      if (r.students) add(s, s);
      if (r.guardians) for (const g of dir.guardiansOf(s)) add(g, s);
    }
  }
  return [...out.values()];
}

/**
 * Whom `person` answers the post for: their children among the addressed students (as a
 * guardian), and themselves when addressed. Empty: they are not asked. Computed for one person
 * without listing the whole audience.
 */
export function answersFor(dir: Directory, person: string, post: StoredPost): string[] {
  if (person === post.authorId) return [];
  const out = new Set<string>();
  const { recipients: r } = post.audience;
  const children = dir.childrenOf(person);
  for (const t of post.audience.targets) {
    if (t.kind === 'person') {
      if (t.personId === person) out.add(person);
    } else if (t.kind === 'school') {
      if (r.students && dir.schoolsOfStudent(person).has(post.schoolId)) out.add(person);
      if (r.staff && dir.isStaffAt(person, post.schoolId)) out.add(person);
      if (r.guardians) for (const c of children) if (dir.schoolsOfStudent(c).has(post.schoolId)) out.add(c);
    } else {
      const chosen = new Set(chosenMembers(dir, t));
      if (r.students && chosen.has(person)) out.add(person);
      if (r.guardians) for (const c of children) if (chosen.has(c)) out.add(c);
    }
  }
  return [...out];
}

/**
 * Who sees every answer (the tally and who answered what): the author, and those who read every
 * post of the school (its leaders, admins and reader: the read key `lead:S`, hub/audience.ts).
 * Everyone else sees only their own answers.
 */
export function seesAllAnswers(dir: Directory, viewer: string, post: StoredPost): boolean {
  if (viewer === post.authorId) return true;
  const s = post.schoolId;
  return dir.hasStaffRole(viewer, s, 'school_leader') || dir.hasStaffRole(viewer, s, 'school_admin') || dir.hasStaffRole(viewer, s, 'reader');
}

/** Has the deadline passed at `now`? No deadline: never. */
export function pastDeadline(ask: { deadline?: string | null | undefined }, now: Date): boolean {
  return typeof ask.deadline === 'string' && Date.parse(ask.deadline) <= now.getTime();
}
