// The stores against a scripted client: events applied at once, loads merged, a load that
// raced with an event repeated, optimistic sends that become messages or fail and retry.
import { describe, expect, it } from 'vitest';
import type { HubClient } from './client.ts';
import { InboxStore } from './inbox-store.ts';
import { ConversationStore } from './conversation-store.ts';
import { FeedStore } from './feed-store.ts';
import { HubError, type HubEvents, type InboxEntry, type Message } from './protocol.ts';

/** Just enough of HubClient: events to push, requests answered by the test. */
class FakeClient {
  user = { id: 'me', name: 'Jag', roles: [] };
  status = 'online';
  listeners = new Map<string, ((d: unknown) => void)[]>();
  requests: { type: string; fields: Record<string, unknown>; resolve: (r: unknown) => void; reject: (e: unknown) => void }[] = [];
  on(name: string, fn: (d: unknown) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return () => {};
  }
  views(load: () => void) {
    load();
    return this.on('reload', load);
  }
  request(type: string, fields: Record<string, unknown>) {
    return new Promise((resolve, reject) => this.requests.push({ type, fields, resolve, reject }));
  }
  emit<E extends keyof HubEvents>(name: E, data: HubEvents[E]) {
    for (const fn of this.listeners.get(name) ?? []) fn(data);
  }
  /** Answers the oldest open request of `type`. */
  answer(type: string, result: unknown) {
    const i = this.requests.findIndex((r) => r.type === type);
    const [r] = this.requests.splice(i, 1);
    r!.resolve(result);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const msg = (seq: number, senderId: string, conversationId = 'c1'): Message => ({
  id: `m${seq}`, conversationId, seq, senderId, senderName: senderId, body: `b${seq}`, createdAt: new Date(seq * 1000).toISOString(), clientKey: `k${seq}`,
});
const entry = (id: string, unread: number, last: Message | null): InboxEntry => ({
  id, creatorId: 'x', subject: null, context: null, participants: [], createdAt: '2024-01-01T00:00:00.000Z', unread, lastMessage: last, lastActivityAt: last?.createdAt ?? '',
});

describe('InboxStore', () => {
  it('counts messages from others as unread, moves the conversation up, and clears on a read mark', async () => {
    const c = new FakeClient();
    const store = new InboxStore(c as unknown as HubClient);
    c.answer('inbox.get', { conversations: [entry('c0', 0, msg(1, 'x', 'c0')), entry('c1', 1, msg(1, 'you'))], unreadTotal: 1, next: null });
    await tick();
    c.emit('message.created', { message: msg(2, 'you') });
    expect(store.conversations[0]!.id).toBe('c1');
    expect([store.conversations[0]!.unread, store.unreadTotal]).toEqual([2, 2]);
    c.emit('message.created', { message: msg(3, 'me') });
    expect(store.unreadTotal).toBe(2);
    c.emit('conversation.read', { conversationId: 'c1', personId: 'me', seq: 3 });
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
    expect(store.outbox.map((o) => [o.state, o.error])).toEqual([['failed', 'the school does not allow it']]);
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
