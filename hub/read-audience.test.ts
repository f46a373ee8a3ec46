// The two halves of read statistics must agree (hub/read-audience.ts): the audience per part
// counted from the directory (the denominator) and the parts a reader's mark counts in (the
// numerator), for every person of the fixture, in the directory as imported and after changes.
// And both agree with the read rules: every member of the audience may read the item.
import { describe, expect, it } from 'vitest';
import { mailingKeys, postKeys, readKeysOf } from './audience.ts';
import { fixtureDirectory, later } from './testing/fixture.ts';
import { canReadMailing, canReadPost, type AudienceTarget, type Recipients } from './rules/index.ts';
import { directoriesAfter } from './testing/audience.ts';
import { audienceParts, mayFollowReads, partsAddressed, readerParts, type ReadItem } from './read-audience.ts';
import type { Directory } from './directory/model.ts';

const dir = fixtureDirectory();
const directories = directoriesAfter(dir, fixtureDirectory, {
  'after s1 left tg-math': later.s1LeftMath,
  'after g1c was linked to s1': later.g1cLinked,
});

const who = (...parts: (keyof Recipients)[]): Recipients => ({ students: parts.includes('students'), guardians: parts.includes('guardians'), staff: parts.includes('staff') });
const aPost = (id: string, authorId: string, targets: AudienceTarget[], recipients: Recipients) => {
  const audience = { targets, recipients };
  const item: ReadItem = { id, kind: 'post', authorId, schoolId: 'north', keys: postKeys(authorId, 'north', audience) };
  return { item, mayRead: (d: Directory, p: string) => canReadPost(d, p, { authorId, schoolId: 'north', audience }) };
};
const aMailing = (id: string, schoolIds: string[], recipients: Recipients) => {
  const m = { authorId: 'hoo1', districtId: 'd1', schoolIds, recipients };
  const item: ReadItem = { id, kind: 'mailing', authorId: 'hoo1', recipients, keys: mailingKeys('hoo1', m) };
  return { item, mayRead: (d: Directory, p: string) => canReadMailing(d, p, m) };
};

const items = [
  aPost('group both', 't1', [{ kind: 'group', groupId: 'tg-math' }], who('students', 'guardians')),
  aPost('part of a group', 'm1', [{ kind: 'group', groupId: 'mg-7a', memberIds: ['s1'] }], who('students', 'guardians')),
  aPost('a person and a group', 'lead1', [{ kind: 'person', personId: 'g3a' }, { kind: 'group', groupId: 'tg-art' }], who('students')),
  aPost('the school, everyone', 'lead1', [{ kind: 'school' }], who('students', 'guardians', 'staff')),
  aMailing('mailing, guardians', ['north', 'south'], who('guardians')),
  aMailing('mailing, staff and students', ['north'], who('students', 'staff')),
];

describe.each(directories)('the audience per part and the parts a reader counts in agree (%s)', (_, d) => {
  it.each(items.map((x) => [x.item.id, x] as const))('%s', (_, { item, mayRead }) => {
    const parts = audienceParts(d, item);
    for (const p of d.persons.keys()) {
      const counted = readerParts(d, item, p, new Set(readKeysOf(d, p))).sort();
      const member = [...parts.members].filter(([, set]) => set.has(p)).map(([part]) => part).sort();
      expect(counted, `${item.id}: ${p}`).toEqual(member);
      if (member.length > 0) expect(mayRead(d, p), `${item.id}: ${p} is counted but may not read it`).toBe(true);
    }
    expect([...parts.members.keys()]).toEqual(partsAddressed(d, item));
    expect([...parts.members.values()].some((set) => set.has(item.authorId))).toBe(false);
    for (const part of parts.members.keys()) expect(new Set(parts.sorted(part))).toEqual(parts.members.get(part));
  });
});

describe('who follows the reads', () => {
  it('the author and the leaders of a post’s school; a mailing’s author alone', () => {
    const post = items[0]!.item;
    expect(['t1', 'lead1', 'admin1', 'm1', 's1', 'g1a', 'hoo1'].filter((p) => mayFollowReads(dir, p, post))).toEqual(['t1', 'lead1']);
    const mailing = items[4]!.item;
    expect(['hoo1', 'lead1', 't1'].filter((p) => mayFollowReads(dir, p, mailing))).toEqual(['hoo1']);
  });

  it('a mailing counts its staff only when they were chosen', () => {
    expect(partsAddressed(dir, items[4]!.item)).toEqual(['guardians']);
    expect(partsAddressed(dir, items[5]!.item)).toEqual(['students', 'staff']);
  });
});
