// The node's copies of conversations stay within their bound, dropping the least recently used.
import { describe, expect, it } from 'vitest';
import { ConversationCopies } from './conversation-copies.ts';
import type { ConversationRow } from '../storage/chat.ts';

const row = (id: string, participantIds = ['p-a', 'p-b'], audience: ConversationRow['audience'] = null): ConversationRow => ({
  id, creatorId: 'p-a', subject: null, context: null, audience, participantIds, lastSeq: 0, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('ConversationCopies', () => {
  it('keeps at most its capacity, dropping the copy used least recently', () => {
    const copies = new ConversationCopies(3);
    for (const id of ['c1', 'c2', 'c3']) copies.keep(row(id));
    expect(copies.get('c1')?.id).toBe('c1'); // c1 is now the most recently used, c2 the least
    copies.keep(row('c4'));
    expect(copies.size).toBe(3);
    expect(copies.get('c2')).toBeUndefined();
    expect(['c1', 'c3', 'c4'].map((id) => copies.get(id)?.id)).toEqual(['c1', 'c3', 'c4']);
  });

  it('replaces an older copy of the same conversation, and forgets one dropped', () => {
    const copies = new ConversationCopies(3);
    copies.keep(row('c1'));
    copies.keep(row('c1', ['p-a', 'p-b', 'p-c']));
    expect(copies.size).toBe(1);
    expect(copies.get('c1')?.participantIds).toEqual(['p-a', 'p-b', 'p-c']);
    copies.drop('c1');
    expect(copies.get('c1')).toBeUndefined();
    expect(copies.size).toBe(0);
  });

  it("keeps no read marks of a conversation with an audience (its members come from the directory), and all stored members of one without", () => {
    const copies = new ConversationCopies();
    const marks = Array.from({ length: 300 }, (_, i) => `p-gua-${i}`);
    copies.keep(row('group', marks, { kind: 'group', groupId: 'g-1', members: 'guardians' }));
    copies.keep(row('thread', ['p-t', 'p-g', 'p-s']));
    expect(copies.get('group')).toMatchObject({ audience: { groupId: 'g-1' }, participantIds: [] });
    expect(copies.get('thread')?.participantIds).toEqual(['p-t', 'p-g', 'p-s']);
  });
});
