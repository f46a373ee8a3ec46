// The person's conversations and unread counts, shared by the inbox and the unread badge.
// Events update it at once; when an event cannot be applied exactly (a conversation not
// loaded, a read mark from another device in the middle of a thread) the store asks the
// hub again, and a load that raced with events is repeated, so it always converges.
import type { HubClient } from './client.ts';
import { Observable, perClient } from './observable.ts';
import type { InboxEntry, Message } from './protocol.ts';

export class InboxStore extends Observable {
  conversations: InboxEntry[] = [];
  unreadTotal = 0;
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
      if (c && c.lastMessage && r.seq >= c.lastMessage.seq) {
        this.unreadTotal = Math.max(0, this.unreadTotal - c.unread);
        c.unread = 0;
        this.touched();
      } else {
        void this.load();
      }
    });
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
        this.conversations = page.conversations;
        this.unreadTotal = page.unreadTotal;
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

  async more(): Promise<void> {
    if (!this.next) return;
    const page = await this.client.request('inbox.get', { limit: 30, before: this.next });
    const known = new Set(this.conversations.map((c) => c.id));
    this.conversations = [...this.conversations, ...page.conversations.filter((c) => !known.has(c.id))];
    this.next = page.next;
    this.changed();
  }

  private message(m: Message): void {
    const c = this.find(m.conversationId);
    if (!c) return void this.load();
    if (c.lastMessage && c.lastMessage.seq >= m.seq) return;
    c.lastMessage = m;
    c.lastActivityAt = m.createdAt;
    // The person's own messages count as read (PROTOCOL.md inbox.get).
    if (m.senderId !== this.client.user?.id) {
      c.unread++;
      this.unreadTotal++;
    }
    this.conversations = [c, ...this.conversations.filter((x) => x !== c)];
    this.touched();
  }

  /** An event changed the list: render, and make a load in flight start over. */
  private touched(): void {
    if (this.loading) this.dirty = true;
    this.changed();
  }
}

export const inboxStore = perClient((client: HubClient) => new InboxStore(client));
