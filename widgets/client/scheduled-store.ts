// The author's scheduled posts and mailings (PROTOCOL.md, scheduled posts): those still to come
// and those that failed at their time. Every device of the author hears scheduled.changed, so
// a cancel on the phone leaves the laptop's list at once.
import type { HubClient } from './client.ts';
import { Observable, perClient } from './observable.ts';
import type { RequestFields, Scheduled } from './protocol.ts';

const soonestFirst = (a: Scheduled, b: Scheduled) => (a.publishAt < b.publishAt ? -1 : a.publishAt > b.publishAt ? 1 : 0);
/** What the list shows: published and cancelled items have left it. */
const waiting = (s: Scheduled) => s.state === 'pending' || s.state === 'failed';

export class ScheduledStore extends Observable {
  items: Scheduled[] = [];

  constructor(private readonly client: HubClient) {
    super();
    client.views(() => void this.load());
    client.on('scheduled.changed', ({ scheduled }) => this.put(scheduled));
  }

  async load(): Promise<void> {
    try {
      const { items } = await this.client.request('scheduled.get', { limit: 50 });
      this.items = items.filter(waiting).sort(soonestFirst);
      this.changed();
    } catch {
      // Only staff schedule; the list stays empty for whoever the hub refuses.
    }
  }

  /**
   * post.create or mailing.create with publishAt: the hub answers `{scheduled}` instead of the
   * item (the request map types the immediate answer; this is the one place for the other).
   */
  async schedule<T extends 'post.create' | 'mailing.create'>(type: T, fields: RequestFields<T>, publishAt: string): Promise<Scheduled> {
    const answer = (await this.client.request(type, { ...fields, publishAt } as RequestFields<T>)) as unknown as { scheduled: Scheduled };
    this.put(answer.scheduled);
    return answer.scheduled;
  }

  async cancel(id: string): Promise<void> {
    this.put((await this.client.request('scheduled.cancel', { scheduledId: id })).scheduled);
  }

  async reschedule(id: string, publishAt: string): Promise<void> {
    this.put((await this.client.request('scheduled.update', { scheduledId: id, publishAt })).scheduled);
  }

  private put(s: Scheduled): void {
    const others = this.items.filter((i) => i.id !== s.id);
    this.items = (waiting(s) ? [...others, s] : others).sort(soonestFirst);
    this.changed();
  }
}

export const scheduledStore = perClient((client: HubClient) => new ScheduledStore(client));
