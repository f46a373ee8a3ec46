// The way an event travels once committed: to this node's sockets through the sequencer, and
// to the other nodes through the broker (one message per topic, plus one tick).
import { randomUUID } from 'node:crypto';
import type { Broker, BrokerMessage } from './broker.ts';
import type { Fanout } from './fanout.ts';
import { Sequencer, type Envelope, type Tick } from './sequencer.ts';
import { controlTopic, decodeControl, decodeEnvelope, encodeControl, encodeEnvelope, isControlTopic, sentBy } from './control.ts';
import type { StoredEvent } from '../storage/events.ts';
import { finalEventsAfter } from '../storage/events.ts';
import type { Sql } from '../storage/pool.ts';
import type { Directory } from './directory/model.ts';
import { liveTopicsFor } from './audience.ts';

const TICK_TOPIC = controlTopic('tick');

export class Delivery {
  readonly nodeId = randomUUID();
  /** Our own messages coming back from the broker: known by their end, never parsed. */
  private readonly fromHere = sentBy(this.nodeId);
  readonly sequencer: Sequencer;
  private lastRaw = '';
  private poller: NodeJS.Timeout | undefined;
  /** Broker publishes this node made: one per topic and event, plus one tick per event. */
  readonly brokerPublishes = { topic: 0, tick: 0 };

  constructor(
    private readonly broker: Broker,
    fanout: Fanout,
    sql: Sql,
    private readonly directory: () => Directory,
    private readonly log: (message: string, error?: unknown) => void,
    start: number,
  ) {
    this.sequencer = new Sequencer({
      isLocal: (t) => fanout.hasListeners(t),
      deliver: (env, topics) => fanout.deliver(env, topics),
      loadFinal: (after, limit) => finalEventsAfter(sql, after, limit),
      topicsFor: (keys) => liveTopicsFor(this.directory(), keys),
      log,
    }, start);
    broker.onMessage((m) => this.received(m));
  }

  async start(): Promise<void> {
    await this.broker.subscribe(TICK_TOPIC);
    // While the broker is down, PostgreSQL brings the other nodes' events; otherwise a check
    // every second bounds the delay of a tick lost in transit or a subscription that lagged.
    const tick = () => {
      const next = this.broker.healthy() ? 1_000 : 500;
      this.poller = setTimeout(() => void this.sequencer.poll().finally(tick), next);
      this.poller.unref();
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.poller);
    this.sequencer.stop();
  }

  /** Every event up to here is delivered here (or was not for anyone here): the resume line. */
  get lastDeliveredId(): number {
    return this.sequencer.watermark;
  }

  /** An event this node committed. */
  publish(e: StoredEvent): void {
    const topics = liveTopicsFor(this.directory(), e.keys);
    // `node` last in both: that is how fromHere knows them (hub/control.ts sentBy).
    const env: Envelope = { id: e.id, name: e.name, data: e.data, at: Date.now(), node: this.nodeId };
    const tick: Tick = { id: e.id, topics, node: this.nodeId };
    this.sequencer.offerPayload(env);
    this.sequencer.offerTick(tick);
    const payload = encodeEnvelope(env);
    const failed = (err: unknown) => this.log('publish to the broker failed (other nodes catch up from PostgreSQL)', err);
    for (const t of topics) {
      this.brokerPublishes.topic++;
      this.broker.publish(t, payload).catch(failed);
    }
    this.brokerPublishes.tick++;
    this.broker.publish(TICK_TOPIC, encodeControl('tick', tick)).catch(failed);
  }

  private received(m: BrokerMessage): void {
    if (m.topic === TICK_TOPIC) {
      if (this.fromHere(m.payload)) return;
      const tick = decodeControl('tick', m.payload);
      if (!tick) this.log(`ignored a malformed broker message on ${m.topic}`);
      else if (tick.node !== this.nodeId) this.sequencer.offerTick(tick);
      return;
    }
    if (isControlTopic(m.topic)) return; // the other control topics have their own owners
    // The same event comes once per topic: parse it once.
    if (m.payload === this.lastRaw || this.fromHere(m.payload)) return;
    const env = decodeEnvelope(m.payload);
    if (!env) {
      this.log(`ignored a malformed broker message on ${m.topic}`);
      return;
    }
    this.lastRaw = m.payload;
    if (env.node !== this.nodeId) this.sequencer.offerPayload(env);
  }
}
