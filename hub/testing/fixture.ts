// A small SS 12000 shaped directory shared by rules.test.ts and audience.test.ts.
//
//   district d1 ─┬─ school north (teacherGuardianDirectMessages: true)
//                └─ school south (teacherGuardianDirectMessages: false)
//   district d2 ─── school far
//
// north: tg-math (teaching; t1 via act-math: s1, s2), tg-art (teaching; t2 via act-art: s3),
//        mg-7a (Klass; mentors m1, m2: s1, s3, sx); lead1 Rektor, admin1 Skoladministratör,
//        reader1 reader (extension role).
// south: tg-south (teaching; tS via act-south: sS1, sx), mg-south (Klass; mentor mS: sS1);
//        leadS Rektor; tp Lärare without groups, who is also a guardian of s3 at north.
// far: tF Lärare without groups.
// d1: hoo1 head of operations; d2: hoo2 head of operations.
// Guardians: s1 → g1a, g1b; s2 → g2a, g2b; s3 → g3a, tp; sx → gx1, gx2; sS1 → gS1a, gS1b.
// g1c exists but is linked to nobody (a later directory links it to s1).
// sx is a student at both schools: mentored at north (setting on), taught at south (off).
import { buildDirectory, type DirectoryRecords } from '../directory/build.ts';
import type { Directory } from '../directory/model.ts';
import type { DutyRecord, GroupRecord, PersonRecord } from '../directory/schema.ts';

/** The day every fixture directory is built for (fixed, so the tests do not depend on the clock). */
export const DAY = '2025-02-03';

const ref = (id: string) => ({ id });

function person(id: string, guardians: string[] = []): PersonRecord {
  const p: PersonRecord = { id, givenName: id, familyName: 'Fixture' };
  if (guardians.length > 0) p.responsibles = guardians.map((g) => ({ person: ref(g), relationType: 'Vårdnadshavare' }));
  return p;
}

function group(id: string, groupType: string, school: string, members: string[]): GroupRecord {
  return { id, displayName: id, groupType, organisation: ref(school), groupMemberships: members.map((m) => ({ person: ref(m) })) };
}

function duty(id: string, who: string, school: string, dutyRole: string, mentorOf: string[] = []): DutyRecord {
  const d: DutyRecord = { id, person: ref(who), dutyAt: ref(school), dutyRole };
  if (mentorOf.length > 0) d.assignmentRole = mentorOf.map((g) => ({ group: ref(g), assignmentRoleType: 'Mentor' }));
  return d;
}

/** Fresh records every call: callers may edit them to build a later directory. */
export function fixtureRecords(): DirectoryRecords {
  return {
    organisations: [
      { id: 'd1', displayName: 'Norrby kommun', organisationType: 'Huvudman' },
      { id: 'north', displayName: 'Norra skolan', organisationType: 'Skolenhet', parentOrganisation: ref('d1'), schoolUnitCode: '10000001' },
      { id: 'south', displayName: 'Södra skolan', organisationType: 'Skolenhet', parentOrganisation: ref('d1'), schoolUnitCode: '10000002' },
      { id: 'd2', displayName: 'Söderby kommun', organisationType: 'Huvudman' },
      { id: 'far', displayName: 'Fjärran skolan', organisationType: 'Skolenhet', parentOrganisation: ref('d2'), schoolUnitCode: '20000001' },
    ],
    persons: [
      ...['t1', 't2', 'm1', 'm2', 'lead1', 'admin1', 'reader1', 'hoo1', 'hoo2', 'tS', 'mS', 'leadS', 'tp', 'tF'].map((id) => person(id)),
      person('s1', ['g1a', 'g1b']),
      person('s2', ['g2a', 'g2b']),
      person('s3', ['g3a', 'tp']),
      person('sx', ['gx1', 'gx2']),
      person('sS1', ['gS1a', 'gS1b']),
      ...['g1a', 'g1b', 'g1c', 'g2a', 'g2b', 'g3a', 'gx1', 'gx2', 'gS1a', 'gS1b'].map((id) => person(id)),
    ],
    groups: [
      group('tg-math', 'Undervisning', 'north', ['s1', 's2']),
      group('tg-art', 'Undervisning', 'north', ['s3']),
      group('mg-7a', 'Klass', 'north', ['s1', 's3', 'sx']),
      group('tg-south', 'Undervisning', 'south', ['sS1', 'sx']),
      group('mg-south', 'Klass', 'south', ['sS1']),
    ],
    duties: [
      duty('du-t1', 't1', 'north', 'Lärare'),
      duty('du-t2', 't2', 'north', 'Lärare'),
      duty('du-m1', 'm1', 'north', 'Lärare', ['mg-7a']),
      duty('du-m2', 'm2', 'north', 'Lärare', ['mg-7a']),
      duty('du-lead1', 'lead1', 'north', 'Rektor'),
      duty('du-admin1', 'admin1', 'north', 'Skoladministratör'),
      duty('du-tS', 'tS', 'south', 'Lärare'),
      duty('du-mS', 'mS', 'south', 'Lärare', ['mg-south']),
      duty('du-leadS', 'leadS', 'south', 'Rektor'),
      duty('du-tp', 'tp', 'south', 'Lärare'),
      duty('du-tF', 'tF', 'far', 'Lärare'),
    ],
    activities: [
      { id: 'act-math', displayName: 'Matematik 7', groups: [ref('tg-math')], teachers: [{ duty: ref('du-t1') }], organisation: ref('north') },
      { id: 'act-art', displayName: 'Bild 7', groups: [ref('tg-art')], teachers: [{ duty: ref('du-t2') }], organisation: ref('north') },
      { id: 'act-south', displayName: 'Svenska 8', groups: [ref('tg-south')], teachers: [{ duty: ref('du-tS') }], organisation: ref('south') },
    ],
    placements: [],
    roles: [
      { person: ref('reader1'), role: 'reader', organisation: ref('north') },
      { person: ref('hoo1'), role: 'head_of_operations', organisation: ref('d1') },
      { person: ref('hoo2'), role: 'head_of_operations', organisation: ref('d2') },
    ],
    settings: [
      { organisation: ref('north'), teacherGuardianDirectMessages: true },
      { organisation: ref('south'), teacherGuardianDirectMessages: false },
    ],
  };
}

/** The fixture directory, optionally after an edit of its records (a later import). */
export function fixtureDirectory(edit?: (records: DirectoryRecords) => void): Directory {
  const records = fixtureRecords();
  edit?.(records);
  return buildDirectory(records, DAY);
}

/** Later directories used by both tests. */
export const later = {
  /** s1 has left tg-math (the membership is no longer in the bundle). */
  s1LeftMath: (r: DirectoryRecords): void => {
    const g = r.groups.find((x) => x.id === 'tg-math')!;
    g.groupMemberships = (g.groupMemberships ?? []).filter((m) => m.person.id !== 's1');
  },
  /** g1c becomes a guardian of s1. */
  g1cLinked: (r: DirectoryRecords): void => {
    const s1 = r.persons.find((p) => p.id === 's1')!;
    s1.responsibles = [...(s1.responsibles ?? []), { person: ref('g1c'), relationType: 'Vårdnadshavare' }];
  },
  /** A system admin turns the teacher–guardian setting around at both schools. */
  settingsFlipped: (r: DirectoryRecords): void => {
    for (const s of r.settings) s.teacherGuardianDirectMessages = !s.teacherGuardianDirectMessages;
  },
};
