// Who sees the names in the reactions on a message or a post, and where their events go
// (hub/views/reactions.ts; docs/DOMAIN.md "Reactions"), over the demo district: p-mentor-ek
// mentors g-ek-7a (p-stu-ek-1..6); p-stu-ek-6 is protected; p-leader-ek leads Ekskolan.
import { describe, expect, it } from 'vitest';
import { bundleSchema } from '../directory/schema.ts';
import { buildDirectory } from '../directory/build.ts';
import { demoBundle } from '../demo/district.ts';
import { key } from '../audience.ts';
import type { ConversationRow } from '../../storage/chat.ts';
import type { PostRow } from '../../storage/feed.ts';
import type { ReactionRow } from '../../storage/reactions.ts';
import { messageAudience, namesFor, postAudience, reactionEvents, reactionsView } from './reactions.ts';

const p = bundleSchema.parse(demoBundle());
const dir = buildDirectory({
  organisations: p.organisations, persons: p.persons, groups: p.groups, duties: p.duties, activities: p.activities,
  placements: p.placements, roles: p.extensions.roles, settings: p.extensions.settings, guardianBlocks: [],
});
const row = (personId: string, emoji: string): ReactionRow => ({ personId, emoji, createdAt: '2026-01-01T00:00:00.000Z' });
const post: PostRow = {
  id: 'post_1', schoolId: 's-ekskolan', authorId: 'p-mentor-ek', title: 't', body: 'b', urgent: false, files: [], createdAt: '',
  audience: { targets: [{ kind: 'group', groupId: 'g-ek-7a' }], recipients: { students: true, guardians: true, staff: false } },
};
const conv = (c: Partial<ConversationRow>): ConversationRow => ({
  id: 'conv_1', creatorId: 'p-mentor-ek', subject: null, context: null, audience: null, participantIds: [], lastSeq: 1, createdAt: '', ...c,
});

describe('reactions: counts for every reader, names where the rules allow', () => {
  it('a post: the author and staff holding its keys see names; families and staff of another school do not', () => {
    const a = postAudience(post);
    for (const staff of ['p-mentor-ek', 'p-leader-ek', 'p-admin-ek', 'p-reader-ek']) expect(namesFor(dir, staff, a), staff).not.toBeNull();
    for (const family of ['p-gua-ek-1a', 'p-stu-ek-1', 'p-stu-ek-6', 'p-teacher-bj']) expect(namesFor(dir, family, a), family).toBeNull();
  });

  it('a view counts in the fixed order, names only with a name rule, and the viewer\'s own', () => {
    const rows = [row('p-stu-ek-2', 'heart'), row('p-stu-ek-6', 'like'), row('p-stu-ek-2', 'like')];
    expect(reactionsView(dir, rows, null, 'p-stu-ek-2')).toEqual({ counts: { like: 2, heart: 1 }, mine: ['like', 'heart'] });
    const shown = reactionsView(dir, rows, (id) => id !== 'p-stu-ek-6');
    expect(Object.keys(shown.counts)).toEqual(['like', 'heart']);
    expect(shown.by).toEqual({ like: [{ id: 'p-stu-ek-2', name: 'Liam Johansson' }], heart: [{ id: 'p-stu-ek-2', name: 'Liam Johansson' }] });
  });

  it("a post's events: counts to the families' keys, names to the staff keys, own to the actor, no key twice", () => {
    const events = reactionEvents(dir, { kind: 'post', id: 'post_1' }, [row('p-stu-ek-6', 'like')], postAudience(post), 'p-stu-ek-6');
    const [counts, names, own] = events as [typeof events[0], typeof events[0], typeof events[0]];
    expect(counts.keys.sort()).toEqual([key.groupGuardians('g-ek-7a'), key.groupStudents('g-ek-7a')].sort());
    expect(JSON.stringify(counts.data)).not.toContain('p-stu-ek-6');
    expect(names.keys.sort()).toEqual([key.person('p-mentor-ek'), key.schoolLead('s-ekskolan'), key.groupOwners('g-ek-7a')].sort());
    expect(JSON.stringify(names.data)).toContain('Hugo Larsson');
    expect(own).toMatchObject({ keys: [key.person('p-stu-ek-6')], data: { reactions: { counts: { like: 1 }, mine: ['like'] } } });
    expect(own.data).not.toHaveProperty('reactions.by');
  });

  it('a whole-group conversation: names to its mentors only; a stored one with a protected reactor: per participant', () => {
    const group = messageAudience(conv({ audience: { kind: 'group', groupId: 'g-ek-7a', members: 'students' } }), ['p-mentor-ek', 'p-stu-ek-2', 'p-stu-ek-6']);
    expect(namesFor(dir, 'p-stu-ek-2', group)).toBeNull();
    expect(namesFor(dir, 'p-mentor-ek', group)).not.toBeNull();
    const participants = ['p-mentor-ek', 'p-stu-ek-2', 'p-stu-ek-6'];
    const direct = messageAudience(conv({ participantIds: participants }), participants);
    const target = { kind: 'message' as const, id: 'msg_1', conversationId: 'conv_1' };
    const events = reactionEvents(dir, target, [row('p-stu-ek-6', 'like'), row('p-stu-ek-2', 'like')], direct, 'p-stu-ek-2');
    const to = (p: string) => events.filter((e) => e.keys.includes(key.person(p)));
    expect(JSON.stringify(to('p-stu-ek-2'))).not.toContain('p-stu-ek-6');
    expect(JSON.stringify(to('p-mentor-ek'))).toContain('p-stu-ek-6');
    // Without anyone hidden: one event to everyone, and the actor's own.
    expect(reactionEvents(dir, target, [row('p-stu-ek-2', 'like')], direct, 'p-stu-ek-2')).toHaveLength(2);
  });
});
