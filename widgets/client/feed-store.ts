// Posts and mailings the person may read. Live arrivals wait in `arrivals` until the reader
// asks to see them ("3 new posts"), so the list does not jump under their eyes; what the
// person wrote themselves goes straight in. Items never change, so loads are merged by id.
import type { HubClient } from './client.ts';
import { Observable, perClient } from './observable.ts';
import type { FeedItem, Mailing, Post, Reaction, Reactions } from './protocol.ts';
import { mergeReactions } from './reactions.ts';

const newestFirst = (a: FeedItem, b: FeedItem) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);

export class FeedStore extends Observable {
  items: FeedItem[] = [];
  arrivals: FeedItem[] = [];
  next: string | null = null;
  state: 'loading' | 'ready' | 'error' = 'loading';
  /** Why loading failed (a HubError, worded by the widget in its language). */
  error: unknown = '';

  constructor(private readonly client: HubClient) {
    super();
    client.views(() => void this.load());
    client.on('post.created', ({ post }) => this.arrive({ ...post, kind: 'post', read: false }));
    client.on('mailing.created', ({ mailing }) => this.arrive({ ...mailing, kind: 'mailing', read: false }));
    client.on('feed.read', ({ itemIds }) => this.setRead(itemIds));
    client.on('reaction.changed', ({ target, reactions }) => target.kind === 'post' && this.reacted(target.id, reactions));
  }

  /** Puts one of the person's reactions on a post, or takes it off; rejects with the hub's reason. */
  async react(post: Post, emoji: Reaction, on: boolean): Promise<void> {
    const { reactions } = await this.client.request('reaction.set', { target: { kind: 'post', id: post.id }, emoji, on });
    this.reacted(post.id, reactions);
  }

  private reacted(postId: string, reactions: Reactions): void {
    let hit = false;
    const update = (list: FeedItem[]) => list.map((i) => {
      if (i.kind !== 'post' || i.id !== postId) return i;
      hit = true;
      return { ...i, reactions: mergeReactions(i.reactions, reactions) };
    });
    this.items = update(this.items);
    this.arrivals = update(this.arrivals);
    if (hit) this.changed();
  }

  async load(): Promise<void> {
    try {
      const page = this.ownAsRead(await this.client.request('feed.get', { limit: 20 }));
      const ids = new Set(page.items.map((i) => i.id));
      // Keep what arrived live meanwhile; the page is the truth for the rest.
      this.items = [...page.items, ...this.items.filter((i) => !ids.has(i.id) && i.createdAt > (page.items[0]?.createdAt ?? ''))].sort(newestFirst);
      this.arrivals = this.arrivals.filter((i) => !ids.has(i.id));
      this.next = page.next;
      this.state = 'ready';
    } catch (e) {
      this.state = 'error';
      this.error = e;
    }
    this.changed();
  }

  async more(): Promise<void> {
    if (!this.next) return;
    const page = this.ownAsRead(await this.client.request('feed.get', { limit: 20, before: this.next }));
    const known = new Set(this.items.map((i) => i.id));
    this.items = [...this.items, ...page.items.filter((i) => !known.has(i.id))];
    this.next = page.next;
    this.changed();
  }

  /** Moves the live arrivals into the list. */
  showArrivals(): void {
    this.items = [...this.arrivals, ...this.items].sort(newestFirst);
    this.arrivals = [];
    this.changed();
  }

  /**
   * Unread items among those the store holds (the newest page and live arrivals); `more` when
   * all of the page is unread and older pages may hold more (the badge then says "20+").
   */
  get unread(): { count: number; more: boolean } {
    const count = this.items.filter((i) => !i.read).length + this.arrivals.filter((i) => !i.read).length;
    return { count, more: !!this.next && this.items.length > 0 && this.items.every((i) => !i.read) };
  }

  /** "Mark all as read": everything the person may see, on every page and device (feed.readAll). */
  async readAll(): Promise<void> {
    this.setRead([...this.items, ...this.arrivals].map((i) => i.id));
    // The hub marks the older pages too, and tells the other devices (feed.read).
    await this.client.request('feed.readAll', {});
  }

  markRead(ids: string[]): void {
    if (ids.length === 0) return;
    this.setRead(ids);
    this.client.request('feed.read', { itemIds: ids }).catch(() => {});
  }

  /** A create the person made: ask the hub, and show it at once. */
  add(item: Post | Mailing, kind: 'post' | 'mailing'): void {
    this.arrive({ ...item, kind, read: true } as FeedItem);
  }

  /** What the person wrote is not news to them, whatever their read mark says. */
  private ownAsRead<P extends { items: FeedItem[] }>(page: P): P {
    const me = this.client.user?.id;
    return { ...page, items: page.items.map((i) => (i.authorId === me && !i.read ? { ...i, read: true } : i)) };
  }

  private arrive(item: FeedItem): void {
    if (this.items.some((i) => i.id === item.id) || this.arrivals.some((i) => i.id === item.id)) return;
    if (item.authorId === this.client.user?.id) {
      this.items = [{ ...item, read: true }, ...this.items].sort(newestFirst);
    } else {
      this.arrivals = [item, ...this.arrivals];
    }
    this.changed();
  }

  private setRead(ids: string[]): void {
    const set = new Set(ids);
    let hit = false;
    for (const list of [this.items, this.arrivals]) {
      for (const i of list) {
        if (set.has(i.id) && !i.read) {
          i.read = true;
          hit = true;
        }
      }
    }
    if (hit) {
      this.items = [...this.items];
      this.arrivals = [...this.arrivals];
      this.changed();
    }
  }
}

export const feedStore = perClient((client: HubClient) => new FeedStore(client));
