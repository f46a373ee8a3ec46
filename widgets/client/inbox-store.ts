// The person's conversations and unread counts, shared by the inbox and the unread badge.
// Events update it at once; when an event cannot be applied exactly (a conversation not
// loaded) the store asks the hub again, and a load that raced with events is repeated, so it
// always converges.
//
// Unread counts are never counted up or down: each conversation's count is derived from its
// last seq and the person's own read mark (last - read), both only ever moving forward. The
// person's own message moves their mark to it (the hub does the same, and says so with a
// conversation.read event to all their devices), so a count cannot stick.
import type { HubClient } from './client.ts';
import { Observable, perClient } from './observable.ts';
import type { InboxEntry, Message } from './protocol.ts';

export class InboxStore extends Observable {
  conversations: InboxEntry[] = [];
  /** Unread messages in conversations not loaded (beyond the first pages). */
  private unreadElsewhere = 0;
  /** Per conversation: its last seq and the person's read mark. */
  private readonly marks = new Map<string, { last: number; read: number }>();
  next: string | null = null;
  state: 'loading' | 'ready' | 'error' = 'loading';
  /** Why loading failed (a HubError, worded by the widget in its language). */
  error: unknown = '';
  private loading = false;
  private dirty = false;

  constructor(private readonly client: HubClient) {
    super();
    client.views(() => void this.load());
    client.on('message.created', ({ message }) => this.message(message));
    client.on('message.edited', ({ message }) => {
      const c = this.find(message.conversationId);
      if (!c?.lastMessage || c.lastMessage.seq !== message.seq || c.lastMessage.deleted) return;
      c.lastMessage = message;
      this.touched();
    });
    client.on('message.deleted', (d) => {
      const c = this.find(d.conversationId);
      if (!c?.lastMessage || c.lastMessage.seq !== d.seq) return;
      c.lastMessage = { ...c.lastMessage, body: '', deleted: true, deletedAt: d.deletedAt };
      this.touched();
    });
    client.on('conversation.created', ({ conversation }) => {
      if (this.find(conversation.id)) return;
      this.conversations = [{ ...conversation, unread: 0, lastMessage: null, lastActivityAt: conversation.createdAt }, ...this.conversations];
      this.touched();
    });
    client.on('conversation.updated', ({ conversation }) => {
      // Someone joined an item's thread: its participants (and title) change, nothing else.
      const c = this.find(conversation.id);
      if (!c) return void this.load();
      const { id, creatorId, subject, context, group, participants, createdAt } = conversation;
      const next = { ...c, id, creatorId, subject, context, group, participants, createdAt };
      this.conversations = this.conversations.map((x) => (x === c ? next : x));
      this.touched();
    });
    client.on('conversation.read', (r) => {
      if (r.personId !== client.user?.id) return;
      const c = this.find(r.conversationId);
      if (!c) return void this.load();
      this.advance(c, 0, r.seq);
    });
  }

  /** All unread messages of the person, loaded or not. */
  get unreadTotal(): number {
    return this.conversations.reduce((n, c) => n + c.unread, this.unreadElsewhere);
  }

  /** Moves conversation `c`'s last seq and read mark forward (never back), and derives its count. */
  private advance(c: InboxEntry, last: number, read: number): void {
    const mark = this.marks.get(c.id) ?? { last: 0, read: 0 };
    mark.last = Math.max(mark.last, last);
    mark.read = Math.max(mark.read, read);
    this.marks.set(c.id, mark);
    const unread = Math.max(0, mark.last - mark.read);
    if (unread === c.unread) return;
    c.unread = unread;
    this.conversations = [...this.conversations];
    this.touched();
  }

  /** Takes a page from the hub: its counts give each conversation's read mark. */
  private take(list: InboxEntry[]): void {
    for (const c of list) {
      const last = c.lastMessage?.seq ?? c.unread;
      this.marks.set(c.id, { last, read: last - c.unread });
    }
  }

  find(id: string): InboxEntry | undefined {
    return this.conversations.find((c) => c.id === id);
  }

  /** (Re)loads the first page. A load overtaken by events is done again. */
  async load(): Promise<void> {
    if (this.loading) {
      this.dirty = true;
      return;
    }
    this.loading = true;
    this.dirty = false;
    try {
      const page = await this.client.request('inbox.get', { limit: 30 });
      if (!this.dirty) {
        this.marks.clear();
        this.take(page.conversations);
        this.conversations = page.conversations;
        this.unreadElsewhere = page.unreadTotal - page.conversations.reduce((n, c) => n + c.unread, 0);
        this.next = page.next;
        this.state = 'ready';
      }
    } catch (e) {
      this.state = 'error';
      this.error = e;
    } finally {
      this.loading = false;
      this.changed();
    }
    if (this.dirty) return this.load();
  }

  /** Marks every conversation read, on every device: the hub's conversation.read events clear the counts. */
  async readAll(): Promise<void> {
    await this.client.request('inbox.readAll', {});
    // Conversations beyond the loaded pages send events that find nothing here.
    this.unreadElsewhere = 0;
    this.changed();
  }

  async more(): Promise<void> {
    if (!this.next) return;
    const page = await this.client.request('inbox.get', { limit: 30, before: this.next });
    const known = new Set(this.conversations.map((c) => c.id));
    const added = page.conversations.filter((c) => !known.has(c.id));
    this.take(added);
    // Their unread messages were counted as elsewhere until now.
    this.unreadElsewhere = Math.max(0, this.unreadElsewhere - added.reduce((n, c) => n + c.unread, 0));
    this.conversations = [...this.conversations, ...added];
    this.next = page.next;
    this.changed();
  }

  private message(m: Message): void {
    const c = this.find(m.conversationId);
    if (!c) return void this.load();
    if (c.lastMessage && c.lastMessage.seq >= m.seq) return;
    c.lastMessage = m;
    c.lastActivityAt = m.createdAt;
    this.conversations = [c, ...this.conversations.filter((x) => x !== c)];
    // The person's own message: they have read everything up to it (PROTOCOL.md message.send).
    const mine = m.senderId !== null && m.senderId === this.client.user?.id;
    this.advance(c, m.seq, mine ? m.seq : 0);
    this.touched();
  }

  /** An event changed the list: render, and make a load in flight start over. */
  private touched(): void {
    if (this.loading) this.dirty = true;
    this.changed();
  }
}

export const inboxStore = perClient((client: HubClient) => new InboxStore(client));
