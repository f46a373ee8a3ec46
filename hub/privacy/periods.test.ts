// Which retention period applies to what, and the guardian block in the directory view (pure).
// Fixture (hub/testing/fixture.ts): d1 ─ north, south; d2 ─ far. tp teaches at south and is a
// guardian of s3 at north; tF teaches at far.
import { describe, expect, it } from 'vitest';
import { fixtureDirectory } from '../testing/fixture.ts';
import { readKeysOf } from '../audience.ts';
import { conversationCutoff, districtsOfPerson, retentionDistricts } from './periods.ts';

const NOW = new Date('2025-06-01T00:00:00Z');

const withPeriods = (d1: number | null, d2: number | null) => fixtureDirectory((r) => {
  if (d1 !== null) r.settings.push({ organisation: { id: 'd1' }, retentionDays: d1 });
  if (d2 !== null) r.settings.push({ organisation: { id: 'd2' }, retentionDays: d2 });
});

describe('retention periods', () => {
  it('come from the districts that set one, with their schools', () => {
    const dir = withPeriods(30, null);
    expect(retentionDistricts(dir, NOW)).toEqual([{ id: 'd1', days: 30, cutoff: '2025-05-02T00:00:00.000Z', schoolIds: ['north', 'south'] }]);
    expect(retentionDistricts(fixtureDirectory(), NOW)).toEqual([]);
  });

  it('a person belongs to the districts where they work, study, have children or lead', () => {
    const dir = withPeriods(30, 90);
    expect(districtsOfPerson(dir, 'tp')).toEqual(new Set(['d1']));
    expect(districtsOfPerson(dir, 'g1a')).toEqual(new Set(['d1']));
    expect(districtsOfPerson(dir, 'hoo2')).toEqual(new Set(['d2']));
    expect(districtsOfPerson(dir, 'tF')).toEqual(new Set(['d2']));
  });

  it("a conversation tied to a group has its group's district; any other the longest period of its people, or none", () => {
    const dir = withPeriods(30, 90);
    const cutoffs = new Map(retentionDistricts(dir, NOW).map((d) => [d.id, d.cutoff]));
    const d1 = cutoffs.get('d1')!;
    const d2 = cutoffs.get('d2')!;
    expect(conversationCutoff(dir, { context: { groupId: 'tg-math' }, audience: null, memberIds: ['t1', 's1', 'tF'] }, cutoffs)).toBe(d1);
    expect(conversationCutoff(dir, { context: null, audience: { kind: 'group', groupId: 'mg-7a', members: 'students' }, memberIds: [] }, cutoffs)).toBe(d1);
    expect(conversationCutoff(dir, { context: null, audience: null, memberIds: ['t1', 's1'] }, cutoffs)).toBe(d1);
    // Across districts: the longer period (the earlier cutoff) wins.
    expect(conversationCutoff(dir, { context: null, audience: null, memberIds: ['t1', 'tF'] }, cutoffs)).toBe(d2);
    // A district without a period keeps it; so does a conversation of nobody known.
    const onlyD1 = new Map([['d1', d1]]);
    expect(conversationCutoff(withPeriods(30, null), { context: null, audience: null, memberIds: ['t1', 'tF'] }, onlyD1)).toBeNull();
    expect(conversationCutoff(dir, { context: null, audience: null, memberIds: ['someone-gone'] }, cutoffs)).toBeNull();
    // A group that no longer exists: its people decide.
    expect(conversationCutoff(dir, { context: { groupId: 'g-gone' }, audience: null, memberIds: ['tF'] }, cutoffs)).toBe(d2);
  });
});

describe('guardian block in the directory view', () => {
  it('leaves out exactly one link: the other guardian and the other children stay', () => {
    const dir = fixtureDirectory((r) => (r.guardianBlocks = [{ guardianId: 'tp', childId: 's3' }, { guardianId: 'g1a', childId: 's1' }]));
    expect(dir.guardiansOf('s3')).toEqual(new Set(['g3a']));
    expect(dir.childrenOf('tp').size).toBe(0);
    expect(dir.guardiansOf('s1')).toEqual(new Set(['g1b']));
    // tp is still staff at south; g1a has no relation left and leaves the view.
    expect(dir.person('tp')).toBeDefined();
    expect(dir.person('g1a')).toBeUndefined();
    // No read key reaches the child's groups through the blocked link.
    expect(readKeysOf(dir, 'tp').filter((k) => k.includes('mg-7a') || k.includes('tg-art'))).toEqual([]);
    expect(readKeysOf(dir, 'g3a')).toContain('gg:mg-7a');
  });
});
