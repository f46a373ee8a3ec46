// Commits and publishes. A write runs in a transaction; its events are appended last (under
// the event lock) and published only after the commit, in id order: an event whose id was
// taken later never overtakes one taken earlier, even when their commit acknowledgements
// reach this process out of order.
import type { Sql, Tx } from '../storage/pool.ts';
import { appendEvents, type NewEvent, type StoredEvent } from '../storage/events.ts';

export interface EventEnvelope {
  id: number;
  name: string;
  data: unknown;
  /** Commit time on the publishing node (ms), for the fan-out latency metric. */
  at: number;
}

type Slot = { state: 'pending' } | { state: 'done'; events: StoredEvent[] } | { state: 'cancelled' };

export class Publisher {
  private readonly slots = new Map<number, Slot>();
  private readonly order: number[] = [];

  constructor(
    private readonly sql: Sql,
    private readonly publish: (event: StoredEvent) => void,
  ) {}

  /**
   * Runs `work` in a transaction; the events it returns are appended at its end, committed
   * with it, then published. Returns what `work` returned.
   */
  async write<T>(work: (tx: Tx) => Promise<{ result: T; events: NewEvent[] }>): Promise<T> {
    let ticket: number | undefined;
    let stored: StoredEvent[] = [];
    try {
      const result = await this.sql.begin(async (tx) => {
        const out = await work(tx);
        stored = await appendEvents(tx, out.events);
        if (stored.length > 0) ticket = this.reserve(stored[0]!.id);
        return out.result;
      });
      if (ticket !== undefined) this.complete(ticket, stored);
      return result as T;
    } catch (e) {
      if (ticket !== undefined) this.cancel(ticket);
      throw e;
    }
  }

  private reserve(id: number): number {
    this.slots.set(id, { state: 'pending' });
    this.order.push(id); // ids are taken under the event lock: already in ascending order here
    return id;
  }

  private complete(id: number, events: StoredEvent[]): void {
    this.slots.set(id, { state: 'done', events });
    this.flush();
  }

  private cancel(id: number): void {
    this.slots.set(id, { state: 'cancelled' });
    this.flush();
  }

  private flush(): void {
    while (this.order.length > 0) {
      const head = this.order[0]!;
      const slot = this.slots.get(head)!;
      if (slot.state === 'pending') return;
      this.order.shift();
      this.slots.delete(head);
      if (slot.state === 'done') for (const e of slot.events) this.publish(e);
    }
  }
}
