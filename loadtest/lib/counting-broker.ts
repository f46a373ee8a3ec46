// The hub's own in-process broker, counting its publish calls: the bench reports how many
// broker messages an event cost (one per audience topic, never one per recipient, plus the
// event chain's one tick per event on a control topic), and the hot-path tests check it.
// Counting is one increment; recording (tests only) keeps the topics.
import { MemoryBroker } from '../../hub/broker-memory.ts';

export interface PublishRecord {
  topic: string;
  eventId: number;
  /** The event's name; for control topics ("__…", e.g. the ticks) the topic. */
  name: string;
}

/** Control topics between nodes start with "__" (hub/sequencer.ts, hub/node.ts); audiences never do. */
export const isControlTopic = (topic: string) => topic.startsWith('__');

export class CountingBroker extends MemoryBroker {
  /** Publishes to audience topics. */
  publishes = 0;
  /** Publishes to control topics (chain ticks, directory notices). */
  controlPublishes = 0;
  readonly records: PublishRecord[] | undefined;

  constructor(opts: { record?: boolean } = {}) {
    super();
    this.records = opts.record ? [] : undefined;
  }

  override publish(topic: string, payload: string): Promise<void> {
    const control = isControlTopic(topic);
    if (control) this.controlPublishes++;
    else this.publishes++;
    if (this.records) {
      const msg = JSON.parse(payload) as { id?: number; name?: string } | number;
      const id = typeof msg === 'object' && msg !== null ? Number(msg.id) : Number(msg);
      this.records.push({ topic, eventId: id, name: control ? topic : String((msg as { name?: string }).name) });
    }
    return super.publish(topic, payload);
  }
}
