// A synthetic district of any size, shaped like hub/demo/district.ts (SS 12000 records):
// schools with classes (mentor groups), teaching groups with activities and their teachers,
// students with one or two guardians, a leader and an admin per school, and a head of
// operations. Ids are derived from positions, so the load generator can name people
// without reading the bundle back.
import type { ActivityRecord, Bundle, DutyRecord, GroupRecord, OrganisationRecord, PersonRecord } from '../hub/directory/schema.ts';

export interface DistrictSize {
  schools: number;
  classesPerSchool: number;
  studentsPerClass: number;
  /** Teaching groups per class (same members as the class, each with an activity). */
  subjectsPerClass: number;
  /** 1 or 2 guardians per student. */
  guardiansPerStudent: number;
}

export interface ClassPlan {
  id: string;
  mentor: string;
  students: string[];
  subjectGroups: string[];
}

export interface SchoolPlan {
  id: string;
  leader: string;
  admin: string;
  classes: ClassPlan[];
  /** Subject teachers; each teaches one subject in up to CLASSES_PER_TEACHER classes. */
  teachers: string[];
  /** Direct messages between teachers and guardians (docs/DOMAIN.md §3 (*)), alternating by school. */
  teacherGuardianDirectMessages: boolean;
}

export interface DistrictPlan {
  districtId: string;
  hoo: string;
  schools: SchoolPlan[];
  size: DistrictSize;
  persons: number;
}

const START = '2024-08-01';
const CLASSES_PER_TEACHER = 8;
/** One student in this many has a protected identity, as in a real district. */
const PROTECTED_EVERY = 97;

const GIVEN = ['Elsa', 'Liam', 'Alice', 'Noah', 'Maja', 'Hugo', 'Olle', 'Ella', 'William', 'Wilma', 'Astrid', 'Ebbe', 'Saga', 'Leo', 'Freja', 'Vera', 'Nils', 'Alma', 'Otto', 'Selma'];
const FAMILY = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson', 'Lindberg', 'Lind', 'Berg', 'Holm', 'Ek'];

export const ids = {
  district: 'd-bench',
  hoo: 'p-bench-hoo',
  school: (s: number) => `s-${s}`,
  leader: (s: number) => `p-l-${s}`,
  admin: (s: number) => `p-adm-${s}`,
  mentor: (s: number, c: number) => `p-m-${s}-${c}`,
  teacher: (s: number, t: number) => `p-t-${s}-${t}`,
  cls: (s: number, c: number) => `g-${s}-c${c}`,
  subject: (s: number, c: number, k: number) => `g-${s}-c${c}-k${k}`,
  activity: (s: number, c: number, k: number) => `a-${s}-c${c}-k${k}`,
  student: (s: number, c: number, n: number) => `p-st-${s}-${c}-${n}`,
  /** Guardians of a student: "<student>-a" and "<student>-b", with p-st- replaced by p-gu-. */
  guardian: (student: string, which: 'a' | 'b') => `${student.replace(/^p-st-/, 'p-gu-')}-${which}`,
};

const dutyId = (personId: string) => personId.replace(/^p-/, 'du-');
const ref = (id: string) => ({ id });

function person(id: string, seq: number, domain: string, extra: Partial<PersonRecord> = {}): PersonRecord {
  const givenName = GIVEN[seq % GIVEN.length]!;
  const familyName = FAMILY[Math.floor(seq / GIVEN.length) % FAMILY.length]!;
  return {
    id, givenName, familyName, securityMarking: 'Ingen',
    emails: [{ value: `${id}@${domain}`, type: domain === 'hem.example' ? 'Privat' : 'Skola' }],
    ...extra,
  };
}

function group(id: string, displayName: string, groupType: string, school: string, members: string[]): GroupRecord {
  return {
    id, displayName, groupType, organisation: ref(school), startDate: START,
    groupMemberships: members.map((p) => ({ person: ref(p), startDate: START })),
  };
}

function duty(personId: string, school: string, dutyRole: string, mentorOf?: string): DutyRecord {
  return {
    id: dutyId(personId), person: ref(personId), dutyAt: ref(school), dutyRole, startDate: START,
    ...(mentorOf ? { assignmentRole: [{ group: ref(mentorOf), assignmentRoleType: 'Mentor', startDate: START }] } : {}),
  };
}

/** The plan alone (ids and who is where), without building the records. */
export function planDistrict(size: DistrictSize): DistrictPlan {
  const schools: SchoolPlan[] = [];
  let persons = 1;
  for (let s = 0; s < size.schools; s++) {
    const classes: ClassPlan[] = [];
    for (let c = 0; c < size.classesPerSchool; c++) {
      const students = Array.from({ length: size.studentsPerClass }, (_, n) => ids.student(s, c, n));
      classes.push({
        id: ids.cls(s, c), mentor: ids.mentor(s, c), students,
        subjectGroups: Array.from({ length: size.subjectsPerClass }, (_, k) => ids.subject(s, c, k)),
      });
    }
    const teacherCount = size.subjectsPerClass * Math.ceil(size.classesPerSchool / CLASSES_PER_TEACHER);
    const teachers = Array.from({ length: teacherCount }, (_, t) => ids.teacher(s, t));
    schools.push({ id: ids.school(s), leader: ids.leader(s), admin: ids.admin(s), classes, teachers, teacherGuardianDirectMessages: s % 2 === 1 });
    persons += 2 + teacherCount + size.classesPerSchool * (1 + size.studentsPerClass * (1 + size.guardiansPerStudent));
  }
  return { districtId: ids.district, hoo: ids.hoo, schools, size, persons };
}

/** The teacher of subject k in class c (one teacher per subject per block of classes). */
export function subjectTeacher(school: SchoolPlan, c: number, k: number): string {
  const blocks = Math.ceil(school.classes.length / CLASSES_PER_TEACHER);
  return school.teachers[k * blocks + Math.floor(c / CLASSES_PER_TEACHER)]!;
}

export function guardiansOf(plan: DistrictPlan, student: string): string[] {
  return plan.size.guardiansPerStudent >= 2 ? [ids.guardian(student, 'a'), ids.guardian(student, 'b')] : [ids.guardian(student, 'a')];
}

export function syntheticDistrict(size: DistrictSize): { bundle: Bundle; plan: DistrictPlan } {
  const plan = planDistrict(size);
  const organisations: OrganisationRecord[] = [{ id: plan.districtId, displayName: 'Benchstads kommun', organisationType: 'Huvudman' }];
  const persons: PersonRecord[] = [person(plan.hoo, 0, 'bench.example')];
  const groups: GroupRecord[] = [];
  const duties: DutyRecord[] = [];
  const activities: ActivityRecord[] = [];
  let seq = 1;
  plan.schools.forEach((school, s) => {
    organisations.push({ id: school.id, displayName: `Skola ${s}`, organisationType: 'Skolenhet', parentOrganisation: ref(plan.districtId), schoolTypes: ['GR'] });
    persons.push(person(school.leader, seq++, 'bench.example'), person(school.admin, seq++, 'bench.example'));
    duties.push(duty(school.leader, school.id, 'Rektor'), duty(school.admin, school.id, 'Skoladministratör'));
    for (const t of school.teachers) {
      persons.push(person(t, seq++, 'bench.example'));
      duties.push(duty(t, school.id, 'Lärare'));
    }
    school.classes.forEach((cls, c) => {
      persons.push(person(cls.mentor, seq++, 'bench.example'));
      duties.push(duty(cls.mentor, school.id, 'Lärare', cls.id));
      groups.push(group(cls.id, `Klass ${c}`, 'Klass', school.id, cls.students));
      cls.subjectGroups.forEach((g, k) => {
        groups.push(group(g, `Ämne ${k} klass ${c}`, 'Undervisning', school.id, cls.students));
        activities.push({
          id: ids.activity(s, c, k), displayName: `Ämne ${k} klass ${c}`, activityType: 'Undervisning', organisation: ref(school.id),
          startDate: START, groups: [ref(g)], teachers: [{ duty: ref(dutyId(subjectTeacher(school, c, k))), startDate: START }],
        });
      });
      for (const st of cls.students) {
        const gs = guardiansOf(plan, st);
        const marking = seq % PROTECTED_EVERY === 0 ? { securityMarking: 'Skyddad folkbokföring' } : {};
        persons.push(person(st, seq++, 'elev.bench.example', { ...marking, responsibles: gs.map((g) => ({ person: ref(g), relationType: 'Vårdnadshavare' })) }));
        for (const g of gs) persons.push(person(g, seq++, 'hem.example'));
      }
    });
  });
  const bundle: Bundle = {
    organisations, persons, groups, duties, activities, placements: [],
    extensions: {
      roles: [{ person: ref(plan.hoo), role: 'head_of_operations', organisation: ref(plan.districtId) }],
      settings: plan.schools.map((s) => ({ organisation: ref(s.id), teacherGuardianDirectMessages: s.teacherGuardianDirectMessages })),
    },
  };
  return { bundle, plan };
}

/** A district of about `persons` people: classes of 25, two guardians each, up to 20 classes a school (as even as it divides). */
export function sizeForPersons(persons: number): DistrictSize {
  const perClass = 25;
  const perStudent = 3; // the student and two guardians
  const classes = Math.max(1, Math.ceil(persons / (perClass * perStudent + 1)));
  const schools = Math.max(1, Math.ceil(classes / 20));
  return { schools, classesPerSchool: Math.ceil(classes / schools), studentsPerClass: perClass, subjectsPerClass: 3, guardiansPerStudent: 2 };
}
