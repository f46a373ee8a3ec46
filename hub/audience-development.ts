// Read keys of the development records (docs/DOMAIN.md §4, §6–§8), in the vocabulary of
// hub/audience.ts. A record follows its student: `p:S` (the student), `cg:S` (the student's
// guardians now), `cm:S` (mentors now), `ct:S` (teachers of the student's teaching groups now);
// staff of the school through `rd:` (the reader role) and `adm:` (school admins); the group's
// teachers through `go:G`. hub/rules/development.ts must agree: audience-development.test.ts
// checks that it does for every person of the test district.
import { key } from './audience.ts';
import type { DevelopmentState, FormSide } from './rules/index.ts';

interface StudentRecord {
  groupId: string;
  schoolId: string;
  studentId: string;
  state: DevelopmentState;
}

/** §6: the item group's teachers; once published the student, family, mentors, teachers, reader and admins. */
export function feedbackKeys(f: StudentRecord): string[] {
  const out = [key.groupOwners(f.groupId)];
  if (f.state === 'published') {
    out.push(key.person(f.studentId), key.childGuardians(f.studentId), key.studentMentors(f.studentId), key.studentTeachers(f.studentId),
      key.schoolReaders(f.schoolId), key.schoolAdmins(f.schoolId));
  }
  return out;
}

/** §7: like feedback, without the student's other teachers (no row). */
export function assessmentKeys(a: StudentRecord): string[] {
  const out = [key.groupOwners(a.groupId)];
  if (a.state === 'published') {
    out.push(key.person(a.studentId), key.childGuardians(a.studentId), key.studentMentors(a.studentId), key.schoolReaders(a.schoolId), key.schoolAdmins(a.schoolId));
  }
  return out;
}

interface FormRecord {
  mentorId: string;
  studentId: string;
  schoolId: string;
}

/** §8 staff who see every side of the form: the conference's mentor, the student's mentors, the reader and admins. */
export function formStaffKeys(f: FormRecord): string[] {
  return [key.person(f.mentorId), key.studentMentors(f.studentId), key.schoolReaders(f.schoolId), key.schoolAdmins(f.schoolId)];
}

/** §8: everyone who sees the form (some side of it): what lists it. Which fields show is the view's. */
export function formKeys(f: FormRecord): string[] {
  return [...formStaffKeys(f), key.person(f.studentId), key.childGuardians(f.studentId)];
}

/** The people of one side of a conference, for the live events that carry only that side's fields. */
export function formSideKeys(side: FormSide, f: FormRecord): string[] {
  if (side === 'student') return [key.person(f.studentId)];
  if (side === 'guardian') return [key.childGuardians(f.studentId)];
  return [key.person(f.mentorId)];
}

interface DocumentationRecord {
  groupId: string;
  schoolId: string;
  childIds: readonly string[];
}

/** §4 staff: the child group's teachers, the reader of the school, the mentors of the children. */
export function documentationStaffKeys(d: DocumentationRecord): string[] {
  return [key.groupOwners(d.groupId), key.schoolReaders(d.schoolId), ...d.childIds.map(key.studentMentors)];
}

/** §4: staff, and the guardians of each child it concerns. */
export function documentationKeys(d: DocumentationRecord): string[] {
  return [...documentationStaffKeys(d), ...d.childIds.map(key.childGuardians)];
}
