// The audience keys (hub/audience.ts) must agree with the read rules (hub/rules/posts.ts):
// for every person of the fixture and every post and mailing below,
//   may read  ⇔  readKeysOf(person) ∩ item keys ≠ ∅
//   may read  ⇔  liveTopicsOf(person) ∩ liveTopicsFor(item keys) ≠ ∅
// in the directory as imported and in later directories (a student leaves a group, a guardian
// is linked, a setting changes), with the item keys computed once, when the item was sent.
import { describe, expect, it } from 'vitest';
import { key, liveTopicsFor, liveTopicsOf, mailingKeys, postKeys, readKeysOf } from './audience.ts';
import { fixtureDirectory, later } from './testing/fixture.ts';
import { can, canReadMailing, canReadPost, type AudienceTarget, type Recipients } from './rules/index.ts';
import type { StoredMailing, StoredPost } from './rules/posts.ts';
import { directoriesAfter, eachAgrees, meets } from './testing/audience.ts';

const dir = fixtureDirectory();
const directories = directoriesAfter(dir, fixtureDirectory, {
  'after s1 left tg-math': later.s1LeftMath,
  'after g1c was linked to s1': later.g1cLinked,
  'after the settings flipped': later.settingsFlipped,
});

const rcp = (...who: ('students' | 'guardians' | 'staff')[]): Recipients => ({
  students: who.includes('students'),
  guardians: who.includes('guardians'),
  staff: who.includes('staff'),
});
const grp = (groupId: string): AudienceTarget => ({ kind: 'group', groupId });
const part = (groupId: string, ...memberIds: string[]): AudienceTarget => ({ kind: 'group', groupId, memberIds });
const to = (personId: string): AudienceTarget => ({ kind: 'person', personId });
const SCHOOL: AudienceTarget = { kind: 'school' };

const post = (authorId: string, schoolId: string, targets: AudienceTarget[], recipients: Recipients): StoredPost =>
  ({ authorId, schoolId, audience: { targets, recipients } });
const mailing = (authorId: string, districtId: string, schoolIds: string[], recipients: Recipients): StoredMailing =>
  ({ authorId, districtId, schoolIds, recipients });

const posts: Record<string, StoredPost> = {
  'whole tg-math, students': post('t1', 'north', [grp('tg-math')], rcp('students')),
  'whole tg-math, guardians': post('t1', 'north', [grp('tg-math')], rcp('guardians')),
  'whole tg-math, both': post('t1', 'north', [grp('tg-math')], rcp('students', 'guardians')),
  'whole mg-7a, both (mentor)': post('m1', 'north', [grp('mg-7a')], rcp('students', 'guardians')),
  'whole tg-south, both (other school)': post('tS', 'south', [grp('tg-south')], rcp('students', 'guardians')),
  'part of tg-math (s1), both': post('t1', 'north', [part('tg-math', 's1')], rcp('students', 'guardians')),
  'part of tg-math (s2), guardians': post('t1', 'north', [part('tg-math', 's2')], rcp('guardians')),
  'part of mg-7a (s3, sx), students': post('m2', 'north', [part('mg-7a', 's3', 'sx')], rcp('students')),
  'person s2': post('t1', 'north', [to('s2')], rcp('students', 'guardians')),
  'person g3a': post('m1', 'north', [to('g3a')], rcp('guardians')),
  'person t1 (staff, by the leader)': post('lead1', 'north', [to('t1')], rcp('staff')),
  'school-wide north, students': post('lead1', 'north', [SCHOOL], rcp('students')),
  'school-wide north, guardians': post('admin1', 'north', [SCHOOL], rcp('guardians')),
  'school-wide north, staff': post('lead1', 'north', [SCHOOL], rcp('staff')),
  'school-wide north, everyone': post('lead1', 'north', [SCHOOL], rcp('students', 'guardians', 'staff')),
  'school-wide south, students and guardians': post('leadS', 'south', [SCHOOL], rcp('students', 'guardians')),
  'mix: tg-art, part of mg-7a (s1), person g2b': post('lead1', 'north', [grp('tg-art'), part('mg-7a', 's1'), to('g2b')], rcp('students', 'guardians')),
};

const mailings: Record<string, StoredMailing> = {
  'north, students': mailing('hoo1', 'd1', ['north'], rcp('students')),
  'north, guardians': mailing('hoo1', 'd1', ['north'], rcp('guardians')),
  'north, staff': mailing('hoo1', 'd1', ['north'], rcp('staff')),
  'north, everyone': mailing('hoo1', 'd1', ['north'], rcp('students', 'guardians', 'staff')),
  'north and south, students': mailing('hoo1', 'd1', ['north', 'south'], rcp('students')),
  'north and south, guardians': mailing('hoo1', 'd1', ['north', 'south'], rcp('guardians')),
  'north and south, staff': mailing('hoo1', 'd1', ['north', 'south'], rcp('staff')),
  'north and south, students and guardians': mailing('hoo1', 'd1', ['north', 'south'], rcp('students', 'guardians')),
  'far (other district), everyone': mailing('hoo2', 'd2', ['far'], rcp('students', 'guardians', 'staff')),
};

// Keys are computed once, as when the item was stored.
const postKeysOf = (p: StoredPost) => postKeys(p.authorId, p.schoolId, p.audience);
const mailingKeysOf = (m: StoredMailing) => mailingKeys(m.authorId, m);

describe('the fixture items are ones the rules let their authors send', () => {
  it.each(Object.entries(posts))('post: %s', (_, p) => {
    expect(can(dir, p.authorId, { type: 'post.create', post: p })).toEqual({ ok: true });
  });
  it.each(Object.entries(mailings))('mailing: %s', (_, m) => {
    expect(can(dir, m.authorId, { type: 'mailing.create', mailing: m })).toEqual({ ok: true });
  });
});

describe.each(directories)('audience keys agree with the read rules (%s)', (_, d) => {
  eachAgrees(d, 'post: %s', posts, postKeysOf, canReadPost);
  eachAgrees(d, 'mailing: %s', mailings, mailingKeysOf, canReadMailing);
  it('every item has at least one reader besides its author, and not everyone reads it', () => {
    for (const [name, item] of [...Object.entries(posts), ...Object.entries(mailings)]) {
      const readers = [...d.persons.keys()].filter((id) => id !== item.authorId && ('audience' in item ? canReadPost(d, id, item) : canReadMailing(d, id, item)));
      expect(readers.length, name).toBeGreaterThan(0);
      expect(readers.length, name).toBeLessThan(d.persons.size - 1);
    }
  });
});

describe('guardians through the group', () => {
  const p = posts['whole tg-math, guardians']!;
  const keys = postKeysOf(p);

  it("a guardian of a child in the group receives a post to the group's guardians through gg:", () => {
    expect(keys).toContain(key.groupGuardians('tg-math'));
    for (const guardian of ['g1a', 'g1b', 'g2a', 'g2b']) {
      expect(canReadPost(dir, guardian, p), guardian).toBe(true);
      expect(readKeysOf(dir, guardian), guardian).toContain(key.groupGuardians('tg-math'));
      expect(liveTopicsOf(dir, guardian), guardian).toContain(key.groupGuardians('tg-math'));
    }
    expect(liveTopicsFor(dir, keys)).toContain(key.groupGuardians('tg-math'));
    // A guardian of a child outside the group holds no such key and does not read it.
    expect(readKeysOf(dir, 'g3a')).not.toContain(key.groupGuardians('tg-math'));
    expect(canReadPost(dir, 'g3a', p)).toBe(false);
  });

  it('a guardian who becomes linked later reads an older post to the group and to part of it', () => {
    const partPost = posts['part of tg-math (s1), both']!;
    const partKeys = postKeysOf(partPost);
    // Sent while g1c was linked to nobody.
    expect(canReadPost(dir, 'g1c', p)).toBe(false);
    expect(canReadPost(dir, 'g1c', partPost)).toBe(false);
    expect(meets(readKeysOf(dir, 'g1c'), keys)).toBe(false);

    const dirLater = fixtureDirectory(later.g1cLinked);
    expect(canReadPost(dirLater, 'g1c', p)).toBe(true);
    expect(readKeysOf(dirLater, 'g1c')).toContain(key.groupGuardians('tg-math'));
    expect(meets(readKeysOf(dirLater, 'g1c'), keys)).toBe(true);
    expect(meets(liveTopicsOf(dirLater, 'g1c'), liveTopicsFor(dirLater, keys))).toBe(true);

    expect(canReadPost(dirLater, 'g1c', partPost)).toBe(true);
    expect(readKeysOf(dirLater, 'g1c')).toContain(key.groupMemberGuardians('tg-math', 's1'));
    expect(liveTopicsFor(dirLater, partKeys)).toContain(key.person('g1c'));
  });

  it('a student who left the group and their guardians no longer read or receive its posts', () => {
    const dirLater = fixtureDirectory(later.s1LeftMath);
    for (const [name, item] of [['whole', posts['whole tg-math, both']!], ['part', posts['part of tg-math (s1), both']!]] as const) {
      const itemKeys = postKeysOf(item);
      for (const personId of ['s1', 'g1a', 'g1b']) {
        expect(canReadPost(dirLater, personId, item), `${name} ${personId}`).toBe(false);
        expect(meets(readKeysOf(dirLater, personId), itemKeys), `${name} ${personId}`).toBe(false);
        expect(meets(liveTopicsOf(dirLater, personId), liveTopicsFor(dirLater, itemKeys)), `${name} ${personId}`).toBe(false);
      }
    }
  });
});
