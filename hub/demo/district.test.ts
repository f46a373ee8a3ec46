import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleSchema, type Bundle } from '../directory/schema.ts';
import { buildDirectory, type DirectoryRecords } from '../directory/build.ts';
import { DEMO, demoBundle } from './district.ts';

function records(b: Bundle): DirectoryRecords {
  return {
    organisations: b.organisations,
    persons: b.persons,
    groups: b.groups,
    duties: b.duties,
    activities: b.activities,
    placements: b.placements,
    roles: b.extensions.roles,
    settings: b.extensions.settings,
  };
}

describe('demo district', () => {
  const bundle = bundleSchema.parse(demoBundle());
  const dir = buildDirectory(records(bundle));

  it('is a valid bundle that parsing does not change', () => {
    expect(bundle).toEqual(demoBundle());
  });

  it('has unique ids and emails', () => {
    const ids = bundle.persons.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const emails = bundle.persons.flatMap((p) => p.emails?.map((e) => e.value) ?? []);
    expect(emails.length).toBe(ids.length);
    expect(new Set(emails).size).toBe(emails.length);
    // Every reference points at a record of the bundle.
    const persons = new Set(ids);
    const orgs = new Set(bundle.organisations.map((o) => o.id));
    const groups = new Set(bundle.groups.map((g) => g.id));
    const duties = new Set(bundle.duties.map((d) => d.id));
    const refs = [
      ...bundle.persons.flatMap((p) => p.responsibles?.map((r) => persons.has(r.person.id)) ?? []),
      ...bundle.groups.flatMap((g) => [orgs.has(g.organisation.id), ...(g.groupMemberships ?? []).map((m) => persons.has(m.person.id))]),
      ...bundle.duties.flatMap((d) => [persons.has(d.person.id), orgs.has(d.dutyAt.id), ...(d.assignmentRole ?? []).map((a) => groups.has(a.group.id))]),
      ...bundle.activities.flatMap((a) => [orgs.has(a.organisation.id), ...a.groups.map((g) => groups.has(g.id)), ...(a.teachers ?? []).map((t) => duties.has(t.duty.id))]),
      ...bundle.placements.flatMap((p) => [orgs.has(p.placedAt.id), groups.has(p.group.id), persons.has(p.child.id)]),
      ...bundle.extensions.roles.flatMap((r) => [persons.has(r.person.id), !r.organisation || orgs.has(r.organisation.id)]),
    ];
    expect(refs.every(Boolean)).toBe(true);
  });

  it('puts the schools in their districts', () => {
    expect(dir.districts.get('d-exempel')?.name).toBe('Exempelstads kommun');
    expect(dir.schools.get('s-ekskolan')?.districtId).toBe('d-exempel');
    expect(dir.schools.get('s-bjorkskolan')?.districtId).toBe('d-exempel');
    expect(dir.schools.get('s-solrosen')?.districtId).toBe('d-exempel');
    expect(dir.schools.get('s-annan')?.districtId).toBe('d-annan');
    expect(dir.schoolsOfDistrict('d-exempel').map((s) => s.id).sort()).toEqual(['s-bjorkskolan', 's-ekskolan', 's-solrosen']);
  });

  it('carries the per-school setting', () => {
    expect(dir.schools.get('s-bjorkskolan')?.teacherGuardianDirectMessages).toBe(true);
    expect(dir.schools.get('s-ekskolan')?.teacherGuardianDirectMessages).toBe(false);
  });

  it('makes the teacher teach the teaching group and the mentor mentor the class', () => {
    expect(dir.teaches('p-teacher-ek', 'p-stu-ek-1')).toBe(true);
    expect(dir.teaches('p-teacher-ek', 'p-stu-ek-5')).toBe(false);
    expect(dir.mentors('p-teacher-ek', 'p-stu-ek-1')).toBe(false);
    expect(dir.mentors('p-mentor-ek', 'p-stu-ek-6')).toBe(true);
    expect(dir.teaches('p-mentor-ek', 'p-stu-ek-6')).toBe(true); // through Svenska 7
    expect(dir.teaches('p-teacher-bj', 'p-stu-bj-4')).toBe(true);
    expect(dir.mentors('p-mentor-bj', 'p-stu-bj-1')).toBe(true);
    expect(dir.mentors('p-mentor-an', 'p-stu-an-2')).toBe(true);
    expect(dir.hasStaffRole('p-leader-ek', 's-ekskolan', 'school_leader')).toBe(true);
    expect(dir.hasStaffRole('p-admin-ek', 's-ekskolan', 'school_admin')).toBe(true);
    expect(dir.hasStaffRole('p-reader-ek', 's-ekskolan', 'reader')).toBe(true);
    expect(dir.hasStaffRole('p-reader-sol', 's-solrosen', 'reader')).toBe(true);
    expect(dir.isStaffAt('p-reader-sol', 's-ekskolan')).toBe(false);
    expect(dir.groups.get('g-ek-ma7')?.members.size).toBe(4);
  });

  it('links guardians, including a family with children in two schools', () => {
    const kids = dir.childrenOf(DEMO.twoSchoolGuardian);
    expect([...kids].sort()).toEqual(['p-stu-bj-1', 'p-stu-ek-1']);
    const schools = new Set([...kids].flatMap((k) => [...dir.schoolsOfStudent(k)]));
    expect([...schools].sort()).toEqual(['s-bjorkskolan', 's-ekskolan']);
    expect([...dir.guardiansOf('p-stu-ek-6')]).toEqual(['p-gua-ek-6a']);
    expect(dir.guardiansOf('p-stu-ek-2').size).toBe(2);
    for (const [child, guardians] of Object.entries(DEMO.guardiansOf)) {
      expect([...dir.guardiansOf(child)].sort()).toEqual([...guardians].sort());
    }
  });

  it('places preschool children in their department', () => {
    const blabar = dir.groups.get('g-sol-blabar');
    expect(blabar?.kind).toBe('preschool');
    expect(blabar?.members.has('p-child-2')).toBe(true);
    expect(blabar?.owners.has('p-pre-teacher')).toBe(true);
    expect(dir.teaches('p-pre-teacher', 'p-child-2')).toBe(true);
  });

  it('grants the extension roles and marks the protected student', () => {
    expect([...dir.headOfOperationsIn('p-hoo')]).toEqual(['d-exempel']);
    expect(dir.isSystemAdmin('p-sysadmin')).toBe(true);
    expect(dir.person('p-stu-ek-6')?.protected).toBe(true);
    expect(dir.person('p-stu-ek-5')?.protected).toBe(false);
    expect([...dir.persons.values()].filter((p) => p.protected).map((p) => p.id)).toEqual(['p-stu-ek-6']);
    expect(dir.person('p-mentor-ek')?.name).toBe('Eva Nyström');
  });
});

describe('docs/directory-sample.json', () => {
  const json: unknown = JSON.parse(readFileSync(new URL('../../docs/directory-sample.json', import.meta.url), 'utf8'));

  it('is a valid bundle', () => {
    const bundle = bundleSchema.parse(json);
    const dir = buildDirectory(records(bundle));
    expect(dir.mentors('p-mentor', 'p-student-2')).toBe(true);
    expect(dir.teaches('p-teacher', 'p-student-1')).toBe(true);
    expect(dir.guardiansOf('p-student-1').size).toBe(2);
    expect(dir.person('p-student-2')?.protected).toBe(true);
    expect([...dir.headOfOperationsIn('p-head')]).toEqual(['d-sample']);
  });
});
