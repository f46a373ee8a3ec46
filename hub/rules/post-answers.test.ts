// Who answers a post that asks (hub/rules/post-answers.ts) must agree with itself and with the
// read rule: for every person of the fixture and every post below, in the directory as imported
// and after it changes,
//   answersFor(person)  =  the expected answers whose answerer is the person
//   answersFor(person) ≠ ∅  ⇒  the person reads the post (canReadPost)
//   a guardian answers only for their own children now; everyone else only for themselves
//   seesAllAnswers(person)  ⇔  the author, or holds the post's `lead:S` key (the answers' event key)
import { describe, expect, it } from 'vitest';
import { key, readKeysOf } from '../audience.ts';
import { fixtureDirectory, later } from '../testing/fixture.ts';
import { directoriesAfter } from '../testing/audience.ts';
import { answersFor, canReadPost, expectedAnswers, pastDeadline, seesAllAnswers, type AudienceTarget, type Recipients } from './index.ts';
import type { StoredPost } from './posts.ts';

const dir = fixtureDirectory();
const directories = directoriesAfter(dir, fixtureDirectory, {
  'after s1 left tg-math': later.s1LeftMath,
  'after g1c was linked to s1': later.g1cLinked,
});

const who = (...w: (keyof Recipients)[]): Recipients => ({ students: w.includes('students'), guardians: w.includes('guardians'), staff: w.includes('staff') });
const at = (authorId: string, targets: AudienceTarget[], recipients: Recipients, schoolId = 'north'): StoredPost => ({ authorId, schoolId, audience: { targets, recipients } });

const asks: Record<string, StoredPost> = {
  'tg-math, guardians': at('t1', [{ kind: 'group', groupId: 'tg-math' }], who('guardians')),
  'tg-math, students and guardians': at('t1', [{ kind: 'group', groupId: 'tg-math' }], who('students', 'guardians')),
  'part of mg-7a (s1), guardians': at('m1', [{ kind: 'group', groupId: 'mg-7a', memberIds: ['s1'] }], who('guardians')),
  'person g3a': at('m1', [{ kind: 'person', personId: 'g3a' }], who('guardians')),
  'school-wide north, everyone (leader)': at('lead1', [{ kind: 'school' }], who('students', 'guardians', 'staff')),
  'school-wide north, staff (leader)': at('lead1', [{ kind: 'school' }], who('staff')),
  'school-wide south, guardians': at('leadS', [{ kind: 'school' }], who('guardians'), 'south'),
};

describe.each(directories)('answer slots agree with the read rule, %s', (_, d) => {
  it.each(Object.entries(asks))('%s', (_, post) => {
    const expected = expectedAnswers(d, post);
    expect(expected.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const person of d.persons.keys()) {
      const mine = answersFor(d, person, post).sort();
      const listed = expected.filter((s) => s.personId === person).map((s) => s.forId).sort();
      if (JSON.stringify(mine) !== JSON.stringify(listed)) wrong.push(`${person}: answersFor ${mine} vs expected ${listed}`);
      if (mine.length > 0 && !canReadPost(d, person, post)) wrong.push(`${person} answers but does not read`);
      for (const f of mine) if (f !== person && !d.childrenOf(person).has(f)) wrong.push(`${person} answers for ${f}, not their child`);
      if (person === post.authorId && mine.length > 0) wrong.push('the author answers');
      const lead = person === post.authorId || readKeysOf(d, person).includes(key.schoolLead(post.schoolId));
      if (seesAllAnswers(d, person, post) !== lead) wrong.push(`${person}: seesAllAnswers disagrees with the lead key`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the deadline', () => {
  it('has passed at and after it, never without one', () => {
    const deadline = '2025-03-04T18:00:00Z';
    expect(pastDeadline({ deadline }, new Date('2025-03-04T17:59:59.999Z'))).toBe(false);
    expect(pastDeadline({ deadline }, new Date(deadline))).toBe(true);
    expect(pastDeadline({ deadline: null }, new Date('2999-01-01T00:00:00Z'))).toBe(false);
    expect(pastDeadline({}, new Date())).toBe(false);
  });
});
