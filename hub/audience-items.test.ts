// The read keys of plans, assignments, conferences and conversations whose membership follows
// the directory (hub/audience.ts) must agree with the rules (hub/rules/items.ts, messages.ts):
// for every person of the fixture,
//   rule allows  ⇔  readKeysOf(person) ∩ keys ≠ ∅  ⇔  liveTopicsOf(person) ∩ liveTopicsFor(keys) ≠ ∅
// in the directory as imported and in later ones, with the keys computed once, when stored.
import { describe, expect, it } from 'vitest';
import { conferenceKeys, dynamicAudienceKeys, itemKeys } from './audience.ts';
import type { DirectoryRecords } from './directory/build.ts';
import { fixtureDirectory, later } from './testing/fixture.ts';
import {
  audienceMembers, can, canReadConference, canReadItem,
  type DynamicAudience, type ItemState, type StoredConference, type StoredItem,
} from './rules/index.ts';
import { directoriesAfter, disagreements, eachAgrees } from './testing/audience.ts';

/** s1 leaves the mentor group mg-7a (and so m1 and m2 no longer mentor them). */
const s1LeftMentorGroup = (r: DirectoryRecords): void => {
  const g = r.groups.find((x) => x.id === 'mg-7a')!;
  g.groupMemberships = (g.groupMemberships ?? []).filter((m) => m.person.id !== 's1');
};

const dir = fixtureDirectory();
const directories = directoriesAfter(dir, fixtureDirectory, {
  'after s1 left tg-math': later.s1LeftMath,
  'after s1 left mg-7a': s1LeftMentorGroup,
  'after g1c was linked to s1': later.g1cLinked,
});

const STATES: ItemState[] = ['draft', 'published', 'hidden', 'closed'];
const items: Record<string, StoredItem & { schoolId: string }> = {};
for (const state of STATES) {
  items[`tg-math assignment, ${state}`] = { kind: 'assignment', groupId: 'tg-math', schoolId: 'north', state };
  items[`mg-7a plan, ${state}`] = { kind: 'plan', groupId: 'mg-7a', schoolId: 'north', state };
  items[`tg-south plan, ${state}`] = { kind: 'plan', groupId: 'tg-south', schoolId: 'south', state };
}

const conferences: Record<string, StoredConference> = {
  'm1 with s1': { mentorId: 'm1', studentId: 's1', groupId: 'mg-7a', state: 'open' },
  'm2 with sx': { mentorId: 'm2', studentId: 'sx', groupId: 'mg-7a', state: 'closed' },
  'mS with sS1': { mentorId: 'mS', studentId: 'sS1', groupId: 'mg-south', state: 'open' },
};

const audiences: Record<string, DynamicAudience> = {
  'mg-7a students': { kind: 'group', groupId: 'mg-7a', members: 'students' },
  'mg-7a guardians': { kind: 'group', groupId: 'mg-7a', members: 'guardians' },
  'mg-south guardians': { kind: 'group', groupId: 'mg-south', members: 'guardians' },
  'conference m1 with s1': { kind: 'conference', conferenceId: 'c1', mentorId: 'm1', groupId: 'mg-7a', studentId: 's1' },
};

describe('the fixture items are ones the rules let their owners create', () => {
  it.each([['tg-math', 't1'], ['mg-7a', 'm1'], ['tg-south', 'tS']])('%s by %s', (groupId, owner) => {
    expect(can(dir, owner, { type: 'item.create', item: { kind: 'plan', groupId } })).toEqual({ ok: true });
  });
  it.each(Object.entries(conferences))('conference %s', (_, c) => {
    expect(can(dir, c.mentorId, { type: 'conference.create', studentId: c.studentId })).toEqual({ ok: true });
  });
});

describe.each(directories)('keys agree with the rules (%s)', (_, d) => {
  eachAgrees(d, 'item: %s', items, itemKeys, canReadItem);
  eachAgrees(d, 'conference: %s', conferences, conferenceKeys, canReadConference);
  it.each(Object.entries(audiences))('conversation with %s', (_, a) => {
    const members = new Set(audienceMembers(d, a));
    expect(disagreements(d, dynamicAudienceKeys(a), (p) => members.has(p))).toEqual([]);
  });
});

describe('who sees a plan or assignment (§5)', () => {
  const published = items['tg-math assignment, published']!;
  it('published: the teacher, the students, their guardians, the school admin; not the reader, leader or mentor', () => {
    const readers = [...dir.persons.keys()].filter((p) => canReadItem(dir, p, published)).sort();
    expect(readers).toEqual(['admin1', 'g1a', 'g1b', 'g2a', 'g2b', 's1', 's2', 't1']);
  });
  it.each(['draft', 'hidden', 'closed'] as const)('%s: only the teachers of the group', (state) => {
    const readers = [...dir.persons.keys()].filter((p) => canReadItem(dir, p, { ...published, state }));
    expect(readers).toEqual(['t1']);
  });
});
