// The stores against a scripted client: events applied at once, loads merged, a load that
// raced with an event repeated, optimistic sends that become messages or fail and retry.
import { describe, expect, it, vi } from 'vitest';
import type { HubClient } from './client.ts';
import { InboxStore } from './inbox-store.ts';
import { ConversationStore, TYPING } from './conversation-store.ts';
import { FeedStore } from './feed-store.ts';
import { HubError, type HubEvents, type InboxEntry, type Message } from './protocol.ts';
import { FakeClient as BaseFakeClient } from './testing/fake-client.ts';

class FakeClient extends BaseFakeClient<HubEvents> {}

const tick = () => new Promise((r) => setTimeout(r, 0));
const msg = (seq: number, senderId: string, conversationId = 'c1', createdAt = new Date(seq * 1000).toISOString()): Message => ({
  id: `m${seq}`, conversationId, seq, senderId, senderName: senderId, body: `b${seq}`, createdAt, clientKey: `k${seq}`,
  editedAt: null, deletedAt: null, deleted: false, quietHours: false, context: null,
});
const entry = (id: string, unread: number, last: Message | null): InboxEntry => ({
  id, creatorId: 'x', subject: null, context: null, group: null, participants: [], createdAt: '2024-01-01T00:00:00.000Z', unread, lastMessage: last, lastActivityAt: last?.createdAt ?? '',
});
const people = [{ id: 'me', name: 'Jag' }, { id: 'you', name: 'Du' }];
const page = (messages: Message[], lastSeq = messages[messages.length - 1]?.seq ?? 0, reads: Record<string, number> = {}) => ({
  conversation: { ...entry('c1', 0, null), participants: people }, messages, reads, lastSeq,
});
const range = (from: number, to: number, senderId = 'you', createdAt?: string) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i, senderId, 'c1', createdAt));
const seqs = (store: ConversationStore) => store.messages.map((m) => m.seq);

describe('InboxStore', () => {
  it("counts messages from others as unread, moves the conversation up, and clears on a read mark or one's own message", async () => {
    const c = new FakeClient();
    const store = new InboxStore(c as unknown as HubClient);
    c.answer('inbox.get', { conversations: [entry('c0', 0, msg(1, 'x', 'c0')), entry('c1', 1, msg(1, 'you'))], unreadTotal: 1, next: null });
    await tick();
    c.emit('message.created', { message: msg(2, 'you') });
    expect(store.conversations[0]!.id).toBe('c1');
    expect([store.conversations[0]!.unread, store.unreadTotal]).toEqual([2, 2]);
    // Answering means having read what came before (the hub moves the mark on send).
    c.emit('message.created', { message: msg(3, 'me') });
    expect([store.conversations[0]!.unread, store.unreadTotal]).toEqual([0, 0]);
    c.emit('message.created', { message: msg(4, 'you') });
    c.emit('message.created', { message: msg(5, 'you') });
    expect(store.unreadTotal).toBe(2);
    // A read mark in the middle of the thread: exactly what is after it stays unread; an older one changes nothing.
    c.emit('conversation.read', { conversationId: 'c1', personId: 'me', seq: 4 });
    expect([store.conversations[0]!.unread, store.unreadTotal]).toEqual([1, 1]);
    c.emit('conversation.read', { conversationId: 'c1', personId: 'me', seq: 2 });
    expect(store.unreadTotal).toBe(1);
    c.emit('conversation.read', { conversationId: 'c1', personId: 'me', seq: 5 });
    expect([store.conversations[0]!.unread, store.unreadTotal]).toEqual([0, 0]);
  });

  it('asks again for a conversation it does not know, and repeats a load that an event overtook', async () => {
    const c = new FakeClient();
    const store = new InboxStore(c as unknown as HubClient);
    // An event arrives while the first load is in flight: its answer may predate the event.
    c.emit('conversation.created', { conversation: { ...entry('c9', 0, null) } });
    c.answer('inbox.get', { conversations: [], unreadTotal: 0, next: null });
    await tick();
    expect(c.requests.map((r) => r.type)).toEqual(['inbox.get']);
    c.answer('inbox.get', { conversations: [entry('c9', 0, null)], unreadTotal: 0, next: null });
    await tick();
    expect(store.conversations.map((x) => x.id)).toEqual(['c9']);
    c.emit('message.created', { message: msg(1, 'you', 'c-unknown') });
    expect(c.requests.map((r) => r.type)).toEqual(['inbox.get']);
  });
});

describe('ConversationStore', () => {
  it('shows a send at once, replaces it by the stored message (event or answer, once), and keeps failures for retry', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    c.answer('history.get', { conversation: { ...entry('c1', 0, null), participants: [{ id: 'me', name: 'Jag' }, { id: 'you', name: 'Du' }] }, messages: [msg(1, 'you')], reads: { you: 1 } });
    await tick();
    store.send('hej');
    expect(store.outbox.map((o) => [o.body, o.state])).toEqual([['hej', 'pending']]);
    const req = c.requests.find((r) => r.type === 'message.send')!;
    // The event can come before the answer; the message shows once either way.
    c.emit('message.created', { message: { ...msg(2, 'me'), body: 'hej', clientKey: req.fields.clientKey as string } });
    expect(store.outbox).toEqual([]);
    c.answer('message.send', { message: { ...msg(2, 'me'), body: 'hej', clientKey: req.fields.clientKey } });
    await tick();
    expect(store.messages.map((m) => m.seq)).toEqual([1, 2]);

    store.send('nej');
    const failing = c.requests.find((r) => r.type === 'message.send')!;
    c.requests.splice(c.requests.indexOf(failing), 1);
    failing.reject(new HubError('forbidden', 'the school does not allow it'));
    await tick();
    expect(store.outbox.map((o) => [o.state, (o.error as Error).message])).toEqual([['failed', 'the school does not allow it']]);
    store.retry(store.outbox[0]!.clientKey);
    expect(c.requests.find((r) => r.type === 'message.send')!.fields.clientKey).toBe(failing.fields.clientKey);
  });

  it('marks read up to the last message once, and keeps read marks from events for receipts', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    c.answer('history.get', { conversation: entry('c1', 0, null), messages: [msg(1, 'you'), msg(2, 'you')], reads: { me: 1 } });
    await tick();
    store.markRead();
    store.markRead();
    expect(c.requests.filter((r) => r.type === 'conversation.read').map((r) => r.fields.seq)).toEqual([2]);
    c.emit('conversation.read', { conversationId: 'c1', personId: 'you', seq: 2 });
    c.emit('conversation.read', { conversationId: 'c1', personId: 'you', seq: 1 });
    expect(store.reads.you).toBe(2);
  });

  it('a person whose id names a property of Object.prototype has read nothing until they read', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    c.answer('history.get', { conversation: entry('c1', 0, null), messages: [msg(1, 'you')], reads: {} });
    await tick();
    for (const id of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      expect(store.readSeq(id), id).toBe(0);
      c.emit('conversation.read', { conversationId: 'c1', personId: id, seq: 1 });
      expect(store.readSeq(id), id).toBe(1);
    }
  });
});

describe('ConversationStore: edits, tombstones and paging', () => {
  it('applies edits and deletes from events; an older copy from a load never undoes them', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    const load = c.requests.find((r) => r.type === 'history.get')!;
    c.emit('message.created', { message: msg(1, 'you') });
    c.emit('message.created', { message: msg(2, 'you') });
    c.emit('message.edited', { message: { ...msg(1, 'you'), body: 'ändrat', editedAt: new Date(5000).toISOString() } });
    c.emit('message.deleted', { conversationId: 'c1', messageId: 'm2', seq: 2, deletedAt: new Date(6000).toISOString() });
    // The load was answered from before the edit and the delete.
    load.resolve(page([msg(1, 'you'), msg(2, 'you')]));
    c.requests.splice(c.requests.indexOf(load), 1);
    await tick();
    expect(store.messages.map((m) => [m.body, m.deleted])).toEqual([['ändrat', false], ['', true]]);
    // Events for another conversation, or outside the window, change nothing.
    c.emit('message.deleted', { conversationId: 'c2', messageId: 'm1', seq: 1, deletedAt: new Date(7000).toISOString() });
    c.emit('message.edited', { message: { ...msg(9, 'you'), editedAt: new Date(7000).toISOString() } });
    expect(seqs(store)).toEqual([1, 2]);
  });

  it('an edit that arrives while the first load is on its way wins over the older copy that load brings', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    const load = c.requests.find((r) => r.type === 'history.get')!;
    // Nothing is in the window yet: the edit of message 1 is outside it.
    c.emit('message.edited', { message: { ...msg(1, 'you'), body: 'ändrat', editedAt: new Date(5000).toISOString() } });
    load.resolve(page([msg(1, 'you'), msg(2, 'you')]));
    c.requests.splice(c.requests.indexOf(load), 1);
    await tick();
    expect(store.messages.map((m) => m.body)).toEqual(['ändrat', msg(2, 'you').body]);
  });

  it("offers edit and delete for one's own messages within the window, and sends them", async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    const now = Date.now();
    c.answer('history.get', page([msg(1, 'me', 'c1', new Date(now - 16 * 60_000).toISOString()), msg(2, 'me', 'c1', new Date(now - 60_000).toISOString()), msg(3, 'you', 'c1', new Date(now).toISOString())]));
    await tick();
    expect(store.messages.map((m) => store.mayChange(m, now))).toEqual([false, true, false]);
    expect(store.nextChangeDeadline(now)).toBe(now - 60_000 + 15 * 60_000);
    const edited = store.edit(store.messages[1]!, 'nytt');
    expect(c.requests.at(-1)).toMatchObject({ type: 'message.edit', fields: { messageId: 'm2', body: 'nytt' } });
    c.answer('message.edit', { message: { ...store.messages[1]!, body: 'nytt', editedAt: new Date(now).toISOString() } });
    await edited;
    expect(store.messages[1]!.body).toBe('nytt');
    const removed = store.remove(store.messages[1]!);
    c.answer('message.delete', { message: { ...store.messages[1]!, body: '', deleted: true, deletedAt: new Date(now).toISOString() } });
    await removed;
    expect(store.messages[1]!.deleted).toBe(true);
    expect(store.mayChange(store.messages[1]!, now)).toBe(false);
  });

  it('after a reload without a replay, pages forward from the first message that may have changed', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    const old = new Date(Date.now() - 60 * 60_000).toISOString();
    const recent = new Date(Date.now() - 60_000).toISOString();
    c.answer('history.get', page([...range(1, 8, 'you', old), ...range(9, 10, 'me', recent)], 10, { you: 10 }));
    await tick();
    for (const fn of c.listeners.get('reload') ?? []) fn({});
    const first = c.requests.find((r) => r.type === 'history.get')!;
    expect(first.fields).toMatchObject({ afterSeq: 8, limit: 100 });
    c.answer('history.get', page([{ ...msg(9, 'me', 'c1', recent), deleted: true, body: '', deletedAt: recent }, ...range(10, 109, 'you', recent).slice(0, 99)], 160));
    await tick();
    expect(c.requests.find((r) => r.type === 'history.get')!.fields).toMatchObject({ afterSeq: 108 });
    c.answer('history.get', page(range(109, 160), 160));
    await tick();
    expect(seqs(store)).toEqual(range(1, 160).map((m) => m.seq));
    expect(store.messages[8]!.deleted).toBe(true);
    expect(store.hasNewer).toBe(false);
  });

  it('after a reload from a restored hub, messages past its newest seq go and their seqs are new messages', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    const recent = new Date(Date.now() - 60_000).toISOString();
    c.answer('history.get', page(range(1, 3, 'you', recent), 3));
    await tick();
    for (const fn of c.listeners.get('reload') ?? []) fn({});
    c.answer('history.get', page(range(1, 2, 'you', recent), 2));
    await tick();
    expect(seqs(store)).toEqual([1, 2]);
    expect(store.hasNewer).toBe(false);
    for (const fn of c.listeners.get('message.created') ?? []) fn({ message: { ...msg(3, 'you', 'c1', new Date().toISOString()), body: 'ny' } } as never);
    expect(store.messages.map((m) => m.body).at(-1)).toBe('ny');
  });

  it('a gap too long to page through starts again at the newest', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    c.answer('history.get', page(range(1, 5, 'you', new Date(0).toISOString())));
    await tick();
    for (const fn of c.listeners.get('reload') ?? []) fn({});
    c.answer('history.get', page(range(6, 105), 1000));
    await tick();
    expect(c.requests.find((r) => r.type === 'history.get')!.fields).toEqual({ conversationId: 'c1', limit: 50 });
    c.answer('history.get', page(range(951, 1000), 1000));
    await tick();
    expect([store.messages[0]!.seq, store.lastSeq, store.hasOlder, store.hasNewer]).toEqual([951, 1000, true, false]);
  });

  it('opens at a search hit, pages both ways, and takes only live messages that join on', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1', 40);
    expect(c.requests[0]!.fields).toMatchObject({ afterSeq: 30, limit: 50 });
    c.answer('history.get', page(range(31, 80), 200));
    await tick();
    expect([store.hasOlder, store.hasNewer, store.focusSeq]).toEqual([true, true, 40]);
    c.emit('message.created', { message: msg(201, 'you') });
    expect(store.lastSeq).toBe(80);
    void store.loadNewer();
    expect(c.requests.at(-1)!.fields).toMatchObject({ afterSeq: 80 });
    c.answer('history.get', page(range(81, 130), 201));
    await tick();
    void store.loadOlder();
    expect(c.requests.at(-1)!.fields).toMatchObject({ beforeSeq: 31 });
    c.answer('history.get', page(range(1, 30), 201));
    await tick();
    expect([store.messages[0]!.seq, store.lastSeq, store.hasOlder, store.hasNewer]).toEqual([1, 130, false, true]);
    // Sending from the middle moves the window to the newest first.
    store.send('hej');
    expect(c.requests.at(-1)!.fields).toEqual({ conversationId: 'c1', limit: 50 });
    c.answer('history.get', page(range(152, 201), 201));
    await tick();
    expect([store.messages[0]!.seq, store.lastSeq, store.hasNewer]).toEqual([152, 201, false]);
    expect(c.requests.at(-1)!.type).toBe('message.send');
  });

  it('asked to open at a message that is not there, shows the newest instead', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1', 500);
    c.answer('history.get', page([], 60));
    await tick();
    expect(c.requests.at(-1)!.fields).toEqual({ conversationId: 'c1', limit: 50 });
    c.answer('history.get', page(range(11, 60), 60));
    await tick();
    expect([store.state, store.focusSeq, store.messages[0]!.seq, store.hasNewer]).toEqual(['ready', undefined, 11, false]);
  });
});

describe('ConversationStore: typing', () => {
  it('shows participants typing, fades them, drops them when they send; never someone it does not list', async () => {
    vi.useFakeTimers();
    try {
      const c = new FakeClient();
      const store = new ConversationStore(c as unknown as HubClient, 'c1');
      c.answer('history.get', page([msg(1, 'you')]));
      await vi.advanceTimersByTimeAsync(0);
      c.emit('typing', { conversationId: 'c1', personId: 'you', name: 'Du', typing: true });
      c.emit('typing', { conversationId: 'c1', personId: 'hidden', name: 'Skyddad Person', typing: true });
      c.emit('typing', { conversationId: 'c2', personId: 'you', name: 'Du', typing: true });
      expect(store.typing).toEqual(['Du']);
      await vi.advanceTimersByTimeAsync(TYPING.fadeMs + 10);
      expect(store.typing).toEqual([]);
      c.emit('typing', { conversationId: 'c1', personId: 'you', name: 'Du', typing: true });
      c.emit('message.created', { message: msg(2, 'you') });
      expect(store.typing).toEqual([]);
      c.emit('typing', { conversationId: 'c1', personId: 'you', name: 'Du', typing: true });
      c.emit('typing', { conversationId: 'c1', personId: 'you', name: 'Du', typing: false });
      expect(store.typing).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a start at once and again every few seconds while typing, and one stop', async () => {
    vi.useFakeTimers();
    try {
      const c = new FakeClient();
      const store = new ConversationStore(c as unknown as HubClient, 'c1');
      const typing = () => c.requests.filter((r) => r.type === 'typing').map((r) => r.fields.typing);
      for (let i = 0; i < 20; i++) {
        store.typed(true);
        await vi.advanceTimersByTimeAsync(200);
      }
      expect(typing()).toEqual([true, true]);
      await vi.advanceTimersByTimeAsync(TYPING.idleMs);
      expect(typing()).toEqual([true, true, false]);
      store.typed(true);
      store.typed(false);
      store.typed(false);
      expect(typing()).toEqual([true, true, false, true, false]);
      store.typed(true);
      store.send('klart');
      store.dispose();
      expect(typing()).toEqual([true, true, false, true, false, true, false]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('InboxStore: edits, deletes and joins', () => {
  it('follows the last message and the participants', async () => {
    const c = new FakeClient();
    const store = new InboxStore(c as unknown as HubClient);
    c.answer('inbox.get', { conversations: [entry('c1', 1, msg(2, 'you'))], unreadTotal: 1, next: null });
    await tick();
    c.emit('message.edited', { message: { ...msg(2, 'you'), body: 'ändrat', editedAt: new Date().toISOString() } });
    expect(store.conversations[0]!.lastMessage!.body).toBe('ändrat');
    c.emit('message.deleted', { conversationId: 'c1', messageId: 'm2', seq: 2, deletedAt: new Date().toISOString() });
    expect(store.conversations[0]!.lastMessage).toMatchObject({ body: '', deleted: true });
    c.emit('conversation.updated', { conversation: { ...entry('c1', 0, null), participants: people } });
    expect(store.conversations[0]).toMatchObject({ unread: 1, participants: people, lastMessage: { deleted: true } });
  });
});

describe('FeedStore', () => {
  it('holds live arrivals until asked, shows the person’s own at once, and follows read marks', async () => {
    const c = new FakeClient();
    const store = new FeedStore(c as unknown as HubClient);
    c.answer('feed.get', { items: [], next: null });
    await tick();
    const post = (id: string, authorId: string) => ({
      id, schoolId: 's', authorId, authorName: authorId, title: id, body: '', createdAt: new Date().toISOString(),
      audience: { targets: [], recipients: { students: true, guardians: false, staff: false } },
    });
    c.emit('post.created', { post: post('p1', 'teacher') });
    c.emit('post.created', { post: post('p1', 'teacher') });
    c.emit('post.created', { post: post('p2', 'me') });
    expect(store.arrivals.map((i) => i.id)).toEqual(['p1']);
    expect(store.items.map((i) => i.id)).toEqual(['p2']);
    store.showArrivals();
    expect(store.items.map((i) => i.id).sort()).toEqual(['p1', 'p2']);
    c.emit('feed.read', { personId: 'me', itemIds: ['p1'] });
    expect(store.items.every((i) => i.read)).toBe(true);
  });
});

describe('reactions in the stores (issue 13)', () => {
  const target = (id: string) => ({ kind: 'message' as const, id, conversationId: 'c1' });

  it('a message keeps the names and its own from earlier events; an edit keeps them; a delete drops them', async () => {
    const c = new FakeClient();
    const store = new ConversationStore(c as unknown as HubClient, 'c1');
    c.answer('history.get', page([{ ...msg(1, 'you'), reactions: { counts: { like: 1 }, by: { like: people.slice(1) }, mine: [] } }]));
    await tick();
    // The counts event of a change, then the person's own: both apply, neither loses the other.
    c.emit('reaction.changed', { target: target('m1'), reactions: { counts: { like: 2 } } });
    c.emit('reaction.changed', { target: target('m1'), reactions: { counts: { like: 2 }, by: { like: people }, mine: ['like'] } });
    c.emit('reaction.changed', { target: target('m1'), reactions: { counts: { like: 2, heart: 1 } } });
    expect(store.messages[0]!.reactions).toEqual({ counts: { like: 2, heart: 1 }, by: { like: people }, mine: ['like'] });
    // Another conversation's message of the same id changes nothing.
    c.emit('reaction.changed', { target: { kind: 'message', id: 'm1', conversationId: 'c2' }, reactions: { counts: {} } });
    expect(store.messages[0]!.reactions?.counts).toEqual({ like: 2, heart: 1 });
    c.emit('message.edited', { message: { ...msg(1, 'you'), body: 'ändrat', editedAt: new Date(5000).toISOString() } });
    expect(store.messages[0]!.reactions?.mine).toEqual(['like']);
    c.emit('message.deleted', { conversationId: 'c1', messageId: 'm1', seq: 1, deletedAt: new Date(6000).toISOString() });
    expect(store.messages[0]!.reactions).toBeUndefined();
  });

  it('a post in the feed follows reaction.changed, and react() sends reaction.set', async () => {
    const c = new FakeClient();
    const store = new FeedStore(c as unknown as HubClient);
    const post = {
      kind: 'post' as const, id: 'post_1', schoolId: 's', authorId: 'a', authorName: 'A', title: 't', body: 'b', read: true,
      audience: { targets: [], recipients: { students: true, guardians: false, staff: false } }, createdAt: '2024-01-01T00:00:00.000Z',
      reactions: { counts: {}, mine: [] },
    };
    c.answer('feed.get', { items: [post], next: null });
    await tick();
    c.emit('reaction.changed', { target: { kind: 'post', id: 'post_1' }, reactions: { counts: { clap: 3 } } });
    expect(store.items[0]!.kind === 'post' && store.items[0]!.reactions).toEqual({ counts: { clap: 3 }, mine: [] });
    const sent = store.react(post, 'clap', true);
    const req = c.requests.find((r) => r.type === 'reaction.set')!;
    expect(req.fields).toEqual({ target: { kind: 'post', id: 'post_1' }, emoji: 'clap', on: true });
    req.resolve({ target: { kind: 'post', id: 'post_1' }, reactions: { counts: { clap: 4 }, mine: ['clap'] } });
    await sent;
    expect(store.items[0]!.kind === 'post' && store.items[0]!.reactions).toEqual({ counts: { clap: 4 }, mine: ['clap'] });
  });
});
