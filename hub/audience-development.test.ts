// The read keys of the development records (hub/audience-development.ts) must agree with the
// rules (hub/rules/development.ts): for every person of the development fixture,
//   rule allows  ⇔  readKeysOf(person) ∩ keys ≠ ∅  ⇔  liveTopicsOf(person) ∩ liveTopicsFor(keys) ≠ ∅
// in the directory as imported and in later ones, with the keys computed once, when stored.
// And the live events that carry only part of a record (one side of a form, one child of a
// documentation) reach only those who may see that part.
import { describe, expect, it } from 'vitest';
import { liveTopicsFor, liveTopicsOf } from './audience.ts';
import {
  assessmentKeys, documentationKeys, documentationStaffKeys, feedbackKeys, formKeys, formSideKeys,
} from './audience-development.ts';
import type { Directory } from './directory/model.ts';
import { later } from './testing/fixture.ts';
import { developmentDirectory, laterDev } from './testing/fixture-development.ts';
import {
  FORM_SIDES, canReadAssessment, canReadDocumentation, canReadFeedback, canReadForm, cardStudentsOf, formSidesFor,
  type DevelopmentState, type StoredAssessment, type StoredDocumentation, type StoredFeedback, type StoredForm,
} from './rules/index.ts';
import { directoriesAfter, eachAgrees, meets } from './testing/audience.ts';

const dir = developmentDirectory();
const directories = directoriesAfter(dir, developmentDirectory, {
  'after s1 left tg-math': later.s1LeftMath,
  'after s1 left mg-7a': laterDev.s1LeftMentorGroup,
  'after s1 joined tg-art': laterDev.s1JoinsArt,
  'after t2 began co-teaching tg-math': laterDev.t2CoTeachesMath,
  'after g1c was linked to s1': later.g1cLinked,
  'after c1 moved to pg-moon': laterDev.c1MovedToMoon,
});

const STATES: DevelopmentState[] = ['draft', 'published'];
const feedback: Record<string, StoredFeedback> = {};
const assessments: Record<string, StoredAssessment> = {};
for (const state of STATES) {
  for (const [groupId, schoolId, studentId] of [['tg-math', 'north', 's1'], ['tg-math', 'north', 's2'], ['mg-7a', 'north', 's3'], ['mg-7a', 'north', 'sx'], ['tg-south', 'south', 'sx'], ['tg-south', 'south', 'sS1']] as const) {
    feedback[`${groupId} to ${studentId}, ${state}`] = { groupId, schoolId, studentId, state };
  }
  for (const [groupId, schoolId, studentId] of [['tg-math', 'north', 's1'], ['tg-art', 'north', 's3'], ['tg-south', 'south', 'sS1'], ['tg-south', 'south', 'sx']] as const) {
    assessments[`${groupId} of ${studentId}, ${state}`] = { groupId, schoolId, studentId, state };
  }
}

const forms: Record<string, StoredForm & { mentorId: string; studentId: string }> = {};
for (const state of ['open', 'closed'] as const) {
  for (const [mentorId, studentId, groupId, schoolId] of [['m1', 's1', 'mg-7a', 'north'], ['m2', 'sx', 'mg-7a', 'north'], ['mS', 'sS1', 'mg-south', 'south']] as const) {
    forms[`${mentorId} with ${studentId}, ${state}`] = { conference: { mentorId, studentId, groupId, state }, schoolId, mentorId, studentId };
  }
}

const documentation: Record<string, StoredDocumentation> = {
  'pg-sun, whole group': { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c1', 'c2', 'c3'] },
  'pg-sun, c1': { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c1'] },
  'pg-sun, c2 and c3': { groupId: 'pg-sun', schoolId: 'sun', childIds: ['c2', 'c3'] },
  'pg-moon, c4': { groupId: 'pg-moon', schoolId: 'sun', childIds: ['c4'] },
};

/** Everyone a live event with these keys reaches. */
const reached = (d: Directory, keys: string[]) => {
  const live = liveTopicsFor(d, keys);
  return [...d.persons.keys()].filter((p) => meets(liveTopicsOf(d, p), live)).sort();
};

describe.each(directories)('keys agree with the rules (%s)', (_, d) => {
  eachAgrees(d, 'feedback: %s', feedback, feedbackKeys, canReadFeedback);
  eachAgrees(d, 'assessment: %s', assessments, assessmentKeys, canReadAssessment);
  eachAgrees(d, 'form: %s', forms, formKeys, canReadForm);
  eachAgrees(d, 'documentation: %s', documentation, documentationKeys, canReadDocumentation);
  it.each(Object.entries(forms))("a side's event reaches only that side, and only who sees that side: %s", (_, f) => {
    for (const side of FORM_SIDES) {
      for (const p of reached(d, formSideKeys(side, f))) expect(formSidesFor(d, p, f), `${side} → ${p}`).toContain(side);
    }
    expect(reached(d, formSideKeys('student', f))).toEqual([f.studentId]);
    expect(reached(d, formSideKeys('guardian', f))).toEqual([...d.guardiansOf(f.studentId)].sort());
    expect(reached(d, formSideKeys('mentor', f))).toEqual([f.mentorId]);
  });
});

describe('who sees what, by name', () => {
  const readers = (rule: (p: string) => boolean) => [...dir.persons.keys()].filter(rule).sort();

  it('§6: published feedback to s1 in tg-math', () => {
    const f = feedback['tg-math to s1, published']!;
    expect(readers((p) => canReadFeedback(dir, p, f))).toEqual(['admin1', 'g1a', 'g1b', 'm1', 'm2', 'reader1', 's1', 't1']);
  });
  it('§6: a draft only to the teachers of the group', () => {
    expect(readers((p) => canReadFeedback(dir, p, feedback['tg-math to s1, draft']!))).toEqual(['t1']);
  });
  it('§7: a published assessment of s1, without other teachers', () => {
    const a = assessments['tg-math of s1, published']!;
    expect(readers((p) => canReadAssessment(dir, p, a))).toEqual(['admin1', 'g1a', 'g1b', 'm1', 'm2', 'reader1', 's1', 't1']);
  });
  it('§4: whole-group documentation and one child’s', () => {
    expect(readers((p) => canReadDocumentation(dir, p, documentation['pg-sun, whole group']!)))
      .toEqual(['gc1a', 'gc1b', 'gc2', 'gc3', 'pm', 'pt1', 'readerSun']);
    expect(readers((p) => canReadDocumentation(dir, p, documentation['pg-sun, c2 and c3']!))).toEqual(['gc2', 'gc3', 'pt1', 'readerSun']);
  });
  it('§4: the staff event does not reach guardians; each child’s event only that child’s guardians', () => {
    const doc = documentation['pg-sun, whole group']!;
    expect(reached(dir, documentationStaffKeys(doc))).toEqual(['pm', 'pt1', 'readerSun']);
    for (const c of doc.childIds) expect(reached(dir, [`cg:${c}`])).toEqual([...dir.guardiansOf(c)].sort());
  });
  it('students.search candidates: own groups, and the whole school for readers and admins', () => {
    expect([...cardStudentsOf(dir, 't1')].sort()).toEqual(['s1', 's2']);
    expect([...cardStudentsOf(dir, 'm1')].sort()).toEqual(['s1', 's3', 'sx']);
    expect([...cardStudentsOf(dir, 'reader1')].sort()).toEqual(['s1', 's2', 's3', 'sx']);
    expect([...cardStudentsOf(dir, 'readerSun')].sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect([...cardStudentsOf(dir, 'lead1')]).toEqual([]);
    expect([...cardStudentsOf(dir, 'g1a')]).toEqual([]);
  });
});
