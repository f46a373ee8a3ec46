// The demo district: seeded by `npm start` through the real import API and used by the
// integration tests. SS 12000 shaped (docs/DIRECTORY-IMPORT.md); every id below is part of the contract
// with the tests, which name people through DEMO.
import type {
  ActivityRecord, Bundle, DutyRecord, GroupRecord, OrganisationRecord, PersonRecord, PlacementRecord,
} from '../directory/schema.ts';

export const DEMO = {
  districts: { exempel: 'd-exempel', annan: 'd-annan' },
  schools: { ekskolan: 's-ekskolan', bjorkskolan: 's-bjorkskolan', solrosen: 's-solrosen', annan: 's-annan' },
  groups: {
    ek7a: 'g-ek-7a', ekMa7: 'g-ek-ma7', ekSv7: 'g-ek-sv7',
    bj4b: 'g-bj-4b', bjSv4: 'g-bj-sv4',
    blabar: 'g-sol-blabar',
    an9c: 'g-an-9c',
  },
  activities: { ekMa7: 'a-ek-ma7', ekSv7: 'a-ek-sv7', bjSv4: 'a-bj-sv4' },
  // District level and overarching roles.
  hoo: 'p-hoo',
  sysadmin: 'p-sysadmin',
  readerEk: 'p-reader-ek',
  // Ekskolan staff.
  leaderEk: 'p-leader-ek',
  adminEk: 'p-admin-ek',
  mentorEk: 'p-mentor-ek',
  teacherEk: 'p-teacher-ek',
  // Björkskolan staff.
  leaderBj: 'p-leader-bj',
  mentorBj: 'p-mentor-bj',
  teacherBj: 'p-teacher-bj',
  // Förskolan Solrosen staff.
  preTeacher: 'p-pre-teacher',
  /** The reader of Förskolan Solrosen (its documentation dashboard, docs/DOMAIN.md §4). */
  readerSol: 'p-reader-sol',
  // The other district.
  leaderAn: 'p-leader-an',
  mentorAn: 'p-mentor-an',
  // Students and children.
  studentsEk: ['p-stu-ek-1', 'p-stu-ek-2', 'p-stu-ek-3', 'p-stu-ek-4', 'p-stu-ek-5', 'p-stu-ek-6'],
  /** p-stu-ek-6: securityMarking "Skyddad folkbokföring". */
  protectedStudent: 'p-stu-ek-6',
  studentsBj: ['p-stu-bj-1', 'p-stu-bj-2', 'p-stu-bj-3', 'p-stu-bj-4'],
  children: ['p-child-1', 'p-child-2', 'p-child-3'],
  studentsAn: ['p-stu-an-1', 'p-stu-an-2'],
  /** Guardian of p-stu-ek-1 (Ekskolan) and of p-stu-bj-1 (Björkskolan). */
  twoSchoolGuardian: 'p-gua-ek-1a',
  /** child → guardians, as in the persons' responsibles. */
  guardiansOf: {
    'p-stu-ek-1': ['p-gua-ek-1a', 'p-gua-ek-1b'],
    'p-stu-ek-2': ['p-gua-ek-2a', 'p-gua-ek-2b'],
    'p-stu-ek-3': ['p-gua-ek-3a', 'p-gua-ek-3b'],
    'p-stu-ek-4': ['p-gua-ek-4a', 'p-gua-ek-4b'],
    'p-stu-ek-5': ['p-gua-ek-5a', 'p-gua-ek-5b'],
    'p-stu-ek-6': ['p-gua-ek-6a'],
    'p-stu-bj-1': ['p-gua-bj-1a', 'p-gua-ek-1a'],
    'p-stu-bj-2': ['p-gua-bj-2a', 'p-gua-bj-2b'],
    'p-stu-bj-3': ['p-gua-bj-3a', 'p-gua-bj-3b'],
    'p-stu-bj-4': ['p-gua-bj-4a', 'p-gua-bj-4b'],
    'p-child-1': ['p-gua-child-1'],
    'p-child-2': ['p-gua-child-2'],
    'p-child-3': ['p-gua-child-3'],
    'p-stu-an-1': ['p-gua-an-1'],
    'p-stu-an-2': ['p-gua-an-2'],
  },
} as const;

/** The school year the demo's groups, duties and memberships start. */
const START = '2024-08-01';
const NO_MARKING = 'Ingen';

const ref = (id: string) => ({ id });

function slug(s: string): string {
  return s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-');
}

function org(id: string, displayName: string, organisationType: string, parent?: string, schoolTypes?: string[]): OrganisationRecord {
  return {
    id, displayName, organisationType,
    ...(parent ? { parentOrganisation: ref(parent) } : {}),
    ...(schoolTypes ? { schoolTypes } : {}),
  };
}

function group(id: string, displayName: string, groupType: string, school: string, members: readonly string[] = []): GroupRecord {
  return {
    id, displayName, groupType, organisation: ref(school), startDate: START,
    groupMemberships: members.map((p) => ({ person: ref(p), startDate: START })),
  };
}

/** A duty id is the person id with "p-" replaced by "du-". */
const dutyId = (personId: string) => personId.replace(/^p-/, 'du-');

function duty(personId: string, school: string, dutyRole: string, assignments: [group: string, type: string][] = []): DutyRecord {
  return {
    id: dutyId(personId), person: ref(personId), dutyAt: ref(school), dutyRole, startDate: START,
    ...(assignments.length
      ? { assignmentRole: assignments.map(([g, t]) => ({ group: ref(g), assignmentRoleType: t, startDate: START })) }
      : {}),
  };
}

function activity(id: string, displayName: string, school: string, groups: string[], teachers: string[]): ActivityRecord {
  return {
    id, displayName, activityType: 'Undervisning', organisation: ref(school), startDate: START,
    groups: groups.map(ref),
    teachers: teachers.map((p) => ({ duty: ref(dutyId(p)), startDate: START })),
  };
}

function placement(id: string, school: string, groupId: string, child: string): PlacementRecord {
  return { id, placedAt: ref(school), group: ref(groupId), child: ref(child), startDate: START };
}

const STAFF = 'exempelstad.example';
const STAFF_AN = 'annanstad.example';
const STUDENTS = 'elev.exempelstad.example';
const STUDENTS_AN = 'elev.annanstad.example';
const HOME = 'hem.example';

/** Display names ("Given Family") of everyone in the demo. */
const NAMES: Readonly<Record<string, string>> = {
  'p-hoo': 'Margareta Holm', 'p-sysadmin': 'Jonas Ek', 'p-reader-ek': 'Birgitta Sandberg',
  'p-leader-ek': 'Karl Lindqvist', 'p-admin-ek': 'Ingrid Forsberg', 'p-mentor-ek': 'Eva Nyström', 'p-teacher-ek': 'Lars Berglund',
  'p-leader-bj': 'Annika Sjöberg', 'p-mentor-bj': 'Per Wallin', 'p-teacher-bj': 'Cecilia Lund',
  'p-pre-teacher': 'Åsa Engström', 'p-reader-sol': 'Gunilla Strand',
  'p-leader-an': 'Göran Åberg', 'p-mentor-an': 'Louise Hedlund',

  'p-stu-ek-1': 'Elsa Andersson', 'p-gua-ek-1a': 'Maria Andersson', 'p-gua-ek-1b': 'Johan Andersson',
  'p-stu-ek-2': 'Liam Johansson', 'p-gua-ek-2a': 'Sara Johansson', 'p-gua-ek-2b': 'Mikael Johansson',
  'p-stu-ek-3': 'Alice Karlsson', 'p-gua-ek-3a': 'Emma Karlsson', 'p-gua-ek-3b': 'Anders Karlsson',
  'p-stu-ek-4': 'Noah Nilsson', 'p-gua-ek-4a': 'Karin Nilsson', 'p-gua-ek-4b': 'Fredrik Nilsson',
  'p-stu-ek-5': 'Maja Eriksson', 'p-gua-ek-5a': 'Linda Eriksson', 'p-gua-ek-5b': 'Peter Eriksson',
  'p-stu-ek-6': 'Hugo Larsson', 'p-gua-ek-6a': 'Jenny Larsson',
  // Olle is Elsa Andersson's half-brother: Maria Andersson (p-gua-ek-1a) is his guardian too.
  'p-stu-bj-1': 'Olle Berg', 'p-gua-bj-1a': 'Tomas Berg',
  'p-stu-bj-2': 'Ella Persson', 'p-gua-bj-2a': 'Anna Persson', 'p-gua-bj-2b': 'Erik Persson',
  'p-stu-bj-3': 'William Svensson', 'p-gua-bj-3a': 'Sofia Svensson', 'p-gua-bj-3b': 'Daniel Svensson',
  'p-stu-bj-4': 'Wilma Gustafsson', 'p-gua-bj-4a': 'Camilla Gustafsson', 'p-gua-bj-4b': 'Magnus Gustafsson',
  'p-child-1': 'Astrid Olsson', 'p-gua-child-1': 'Lena Olsson',
  'p-child-2': 'Ebbe Jansson', 'p-gua-child-2': 'Martin Jansson',
  'p-child-3': 'Saga Hansson', 'p-gua-child-3': 'Therese Hansson',
  'p-stu-an-1': 'Leo Bengtsson', 'p-gua-an-1': 'Malin Bengtsson',
  'p-stu-an-2': 'Freja Lindberg', 'p-gua-an-2': 'Henrik Lindberg',
};

/** A person of the demo: name from NAMES, email given.family@domain. */
function person(id: string, domain: string, opts: { guardians?: readonly string[]; marking?: string } = {}): PersonRecord {
  const name = NAMES[id];
  if (!name) throw new Error(`demo district: no name for ${id}`);
  const [givenName = '', ...rest] = name.split(' ');
  const familyName = rest.join(' ');
  return {
    id, givenName, familyName,
    securityMarking: opts.marking ?? NO_MARKING,
    emails: [{ value: `${slug(givenName)}.${slug(familyName)}@${domain}`, type: domain === HOME ? 'Privat' : 'Skola' }],
    ...(opts.guardians ? { responsibles: opts.guardians.map((g) => ({ person: ref(g), relationType: 'Vårdnadshavare' })) } : {}),
  };
}

export function demoBundle(): Bundle {
  const D = DEMO;
  const ek = D.schools.ekskolan, bj = D.schools.bjorkskolan, sol = D.schools.solrosen, an = D.schools.annan;
  const ekAll = [...D.studentsEk];
  const bjAll = [...D.studentsBj];
  const anAll = [...D.studentsAn];

  const organisations = [
    org(D.districts.exempel, 'Exempelstads kommun', 'Huvudman'),
    org(ek, 'Ekskolan', 'Skolenhet', D.districts.exempel, ['GR']),
    org(bj, 'Björkskolan', 'Skolenhet', D.districts.exempel, ['GR']),
    org(sol, 'Förskolan Solrosen', 'Skolenhet', D.districts.exempel, ['FS']),
    org(D.districts.annan, 'Annanstads kommun', 'Huvudman'),
    org(an, 'Annanskolan', 'Skolenhet', D.districts.annan, ['GR']),
  ];

  const staff: [string, string][] = [
    [D.hoo, STAFF], [D.sysadmin, STAFF], [D.readerEk, STAFF],
    [D.leaderEk, STAFF], [D.adminEk, STAFF], [D.mentorEk, STAFF], [D.teacherEk, STAFF],
    [D.leaderBj, STAFF], [D.mentorBj, STAFF], [D.teacherBj, STAFF],
    [D.preTeacher, STAFF], [D.readerSol, STAFF],
    [D.leaderAn, STAFF_AN], [D.mentorAn, STAFF_AN],
  ];
  const guardianIds = new Set(Object.values(D.guardiansOf).flat());
  const persons: PersonRecord[] = [
    ...staff.map(([id, domain]) => person(id, domain)),
    ...Object.entries(D.guardiansOf).map(([child, guardians]) =>
      person(child, child.startsWith('p-stu-an-') ? STUDENTS_AN : STUDENTS, {
        guardians,
        ...(child === D.protectedStudent ? { marking: 'Skyddad folkbokföring' } : {}),
      })),
    ...[...guardianIds].map((g) => person(g, HOME)),
  ];

  const groups = [
    group(D.groups.ek7a, 'Klass 7A', 'Klass', ek, ekAll),
    group(D.groups.ekMa7, 'Matematik 7', 'Undervisning', ek, ekAll.slice(0, 4)),
    group(D.groups.ekSv7, 'Svenska 7', 'Undervisning', ek, ekAll),
    group(D.groups.bj4b, 'Klass 4B', 'Klass', bj, bjAll),
    group(D.groups.bjSv4, 'Svenska 4', 'Undervisning', bj, bjAll),
    // Preschool children are members through placements, not groupMemberships.
    group(D.groups.blabar, 'Blåbär', 'Avdelning', sol),
    group(D.groups.an9c, 'Klass 9C', 'Klass', an, anAll),
  ];

  const duties = [
    duty(D.leaderEk, ek, 'Rektor'),
    duty(D.adminEk, ek, 'Skoladministratör'),
    duty(D.mentorEk, ek, 'Lärare', [[D.groups.ek7a, 'Mentor']]),
    duty(D.teacherEk, ek, 'Lärare'),
    duty(D.leaderBj, bj, 'Rektor'),
    duty(D.mentorBj, bj, 'Lärare', [[D.groups.bj4b, 'Mentor']]),
    duty(D.teacherBj, bj, 'Lärare'),
    duty(D.preTeacher, sol, 'Förskollärare', [[D.groups.blabar, 'Förskollärare']]),
    duty(D.leaderAn, an, 'Rektor'),
    duty(D.mentorAn, an, 'Lärare', [[D.groups.an9c, 'Mentor']]),
  ];

  const activities = [
    activity(D.activities.ekMa7, 'Matematik 7', ek, [D.groups.ekMa7], [D.teacherEk]),
    activity(D.activities.ekSv7, 'Svenska 7', ek, [D.groups.ekSv7], [D.mentorEk]),
    activity(D.activities.bjSv4, 'Svenska 4', bj, [D.groups.bjSv4], [D.teacherBj]),
  ];

  const placements = D.children.map((child, i) => placement(`pl-${i + 1}`, sol, D.groups.blabar, child));

  return {
    organisations,
    persons,
    groups,
    duties,
    activities,
    placements,
    extensions: {
      roles: [
        { person: ref(D.hoo), role: 'head_of_operations', organisation: ref(D.districts.exempel) },
        { person: ref(D.readerEk), role: 'reader', organisation: ref(ek) },
        { person: ref(D.readerSol), role: 'reader', organisation: ref(sol) },
        { person: ref(D.sysadmin), role: 'system_admin' },
      ],
      settings: [
        { organisation: ref(ek), teacherGuardianDirectMessages: false, assessmentLevels: ['F', 'E', 'D', 'C', 'B', 'A'] },
        { organisation: ref(bj), teacherGuardianDirectMessages: true, assessmentLevels: ['F', 'E', 'D', 'C', 'B', 'A'] },
      ],
    },
  };
}
