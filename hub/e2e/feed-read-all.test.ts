// feed.readAll ("mark all as read", issue 12 item 9): marks every post and mailing the reader
// may see, on every page, tells the reader's other devices with feed.read, leaves other
// readers' marks alone and never marks what the reader may not see.
import { describe, expect, it } from 'vitest';
import { type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { postLetters } from '../testing/feed.ts';

let t: TestHub;
useTestHub((hub) => (t = hub));

describe('feed.readAll', () => {
  it('marks everything the reader may see as read, on all devices, and only that', async () => {
    const teacher = await t.connect('p-teacher-bj');
    await postLetters(teacher, 4, 'Brev', 'ra');
    // Another school's post, which this guardian may not see.
    const other = await t.connect('p-teacher-ek');
    const { post: foreign } = await other.ok<{ post: { id: string } }>('post.create', {
      schoolId: 's-ekskolan', title: 'Inte ditt', body: '…', clientKey: 'ra-foreign',
      audience: { targets: [{ kind: 'group', groupId: 'g-ek-ma7' }], recipients: { students: true } },
    });
    const phone = await t.connect('p-gua-bj-3a');
    const laptop = await t.connect('p-gua-bj-3a', { codec: 'json' });
    const page = await phone.ok<{ items: { id: string; read: boolean }[] }>('feed.get', { limit: 2 });
    await phone.ok('feed.read', { itemIds: [page.items[0]!.id] });
    await laptop.waitFor((f) => f.type === 'event' && f.event === 'feed.read');

    const { itemIds } = await phone.ok<{ itemIds: string[] }>('feed.readAll');
    // The three still unread, past the first page too; not the one read before, not the foreign one.
    expect(itemIds).toHaveLength(3);
    expect(itemIds).not.toContain(page.items[0]!.id);
    expect(itemIds).not.toContain(foreign.id);
    const ev = await laptop.waitFor((f) => f.type === 'event' && f.event === 'feed.read' && (f.data as { itemIds: string[] }).itemIds.length === 3);
    expect(new Set((ev.data as { itemIds: string[] }).itemIds)).toEqual(new Set(itemIds));
    const after = await laptop.ok<{ items: { read: boolean }[] }>('feed.get', { limit: 10 });
    expect(after.items.map((i) => i.read)).toEqual([true, true, true, true]);
    // Again: nothing new to mark, and no event.
    expect(await phone.ok('feed.readAll')).toEqual({ itemIds: [] });
    // The other guardian's marks are their own; the foreign post's readers are untouched.
    const second = await t.connect('p-gua-bj-3b');
    expect((await second.ok<{ items: { read: boolean }[] }>('feed.get', { limit: 10 })).items.every((i) => !i.read)).toBe(true);
    const student = await t.connect('p-stu-ek-1');
    expect((await student.ok<{ items: { id: string; read: boolean }[] }>('feed.get', { limit: 10 })).items.find((i) => i.id === foreign.id)?.read).toBe(false);
    for (const c of [teacher, other, phone, laptop, second, student]) c.close();
  });
});
