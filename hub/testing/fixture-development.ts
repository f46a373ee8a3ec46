// The fixture of hub/testing/fixture.ts with what docs/DOMAIN.md §4 and §7 need besides: a preschool
// and a scale of assessment levels. Shared by rules.test.ts and audience-development.test.ts.
//
//   district d1 ── school sun (Förskolan Sol, preschool)
//     pg-sun (Avdelning; preschool teacher pt1: children c1, c2, c3)
//     pg-moon (Avdelning; preschool teacher pt2: child c4)
//     pmg-sun (Klass; mentor pm: c1)      a mentor of a child, for §4's mentor row
//     readerSun reader, adminSun Skoladministratör (§4 gives admins no row)
//   Guardians: c1 → gc1a, gc1b; c2 → gc2; c3 → gc3; c4 → gc4.
//   north assesses on F–A; south has no levels (free text only).
import { buildDirectory, type DirectoryRecords } from '../directory/build.ts';
import type { Directory } from '../directory/model.ts';
import { DAY, fixtureRecords } from './fixture.ts';

const ref = (id: string) => ({ id });

export const LEVELS = ['F', 'E', 'D', 'C', 'B', 'A'];

function addPreschool(r: DirectoryRecords): void {
  r.organisations.push({ id: 'sun', displayName: 'Förskolan Sol', organisationType: 'Skolenhet', parentOrganisation: ref('d1'), schoolUnitCode: '10000003' });
  const person = (id: string, guardians: string[] = []) => ({
    id, givenName: id, familyName: 'Fixture',
    ...(guardians.length > 0 ? { responsibles: guardians.map((g) => ({ person: ref(g), relationType: 'Vårdnadshavare' })) } : {}),
  });
  r.persons.push(
    ...['pt1', 'pt2', 'pm', 'readerSun', 'adminSun', 'gc1a', 'gc1b', 'gc2', 'gc3', 'gc4'].map((id) => person(id)),
    person('c1', ['gc1a', 'gc1b']), person('c2', ['gc2']), person('c3', ['gc3']), person('c4', ['gc4']),
  );
  r.groups.push(
    { id: 'pg-sun', displayName: 'Solen', groupType: 'Avdelning', organisation: ref('sun') },
    { id: 'pg-moon', displayName: 'Månen', groupType: 'Avdelning', organisation: ref('sun') },
    { id: 'pmg-sun', displayName: 'Mentorsgrupp Sol', groupType: 'Klass', organisation: ref('sun'), groupMemberships: [{ person: ref('c1') }] },
  );
  r.placements.push(
    ...['c1', 'c2', 'c3'].map((c, i) => ({ id: `pl-sun-${i}`, placedAt: ref('sun'), group: ref('pg-sun'), child: ref(c) })),
    { id: 'pl-moon-0', placedAt: ref('sun'), group: ref('pg-moon'), child: ref('c4') },
  );
  r.duties.push(
    { id: 'du-pt1', person: ref('pt1'), dutyAt: ref('sun'), dutyRole: 'Förskollärare', assignmentRole: [{ group: ref('pg-sun'), assignmentRoleType: 'Förskollärare' }] },
    { id: 'du-pt2', person: ref('pt2'), dutyAt: ref('sun'), dutyRole: 'Barnskötare', assignmentRole: [{ group: ref('pg-moon'), assignmentRoleType: 'Barnskötare' }] },
    { id: 'du-pm', person: ref('pm'), dutyAt: ref('sun'), dutyRole: 'Lärare', assignmentRole: [{ group: ref('pmg-sun'), assignmentRoleType: 'Mentor' }] },
    { id: 'du-adminSun', person: ref('adminSun'), dutyAt: ref('sun'), dutyRole: 'Skoladministratör' },
  );
  r.roles.push({ person: ref('readerSun'), role: 'reader', organisation: ref('sun') });
  const north = r.settings.find((s) => s.organisation.id === 'north')!;
  north.assessmentLevels = [...LEVELS];
}

/** The development fixture, optionally after an edit of its records (a later import). */
export function developmentDirectory(edit?: (records: DirectoryRecords) => void): Directory {
  const records = fixtureRecords();
  addPreschool(records);
  edit?.(records);
  return buildDirectory(records, DAY);
}

/** Later directories of the development fixture. */
export const laterDev = {
  /** c1 moves from pg-sun to pg-moon. */
  c1MovedToMoon: (r: DirectoryRecords): void => {
    const p = r.placements.find((x) => x.child.id === 'c1' && x.group.id === 'pg-sun')!;
    p.group = ref('pg-moon');
  },
  /** s1 leaves the mentor group mg-7a: m1 and m2 no longer mentor them. */
  s1LeftMentorGroup: (r: DirectoryRecords): void => {
    const g = r.groups.find((x) => x.id === 'mg-7a')!;
    g.groupMemberships = (g.groupMemberships ?? []).filter((m) => m.person.id !== 's1');
  },
  /** s1 joins tg-art: t2 now teaches s1 too (in another subject). */
  s1JoinsArt: (r: DirectoryRecords): void => {
    const g = r.groups.find((x) => x.id === 'tg-art')!;
    g.groupMemberships = [...(g.groupMemberships ?? []), { person: ref('s1') }];
  },
  /** t2 becomes a teacher of tg-math as well (co-teaching with t1). */
  t2CoTeachesMath: (r: DirectoryRecords): void => {
    const a = r.activities.find((x) => x.id === 'act-math')!;
    a.teachers = [...(a.teachers ?? []), { duty: ref('du-t2') }];
  },
};
