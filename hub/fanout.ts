// Local delivery. Events come from the broker (this node's and other nodes'); each is decoded
// once, encoded once per codec, and handed to uWS topic publish: native fan-out, no loop over
// sockets. Connections subscribe per codec ("m|topic", "j|topic"); the node subscribes a topic
// at the broker while it has at least one local listener.
import type { Broker, BrokerMessage } from './broker.ts';
import type { EventEnvelope } from './publisher.ts';
import { CODECS, type Codec, type CodecName } from './protocol/codec.ts';
import type { TemplatedApp, WebSocket } from './uws.ts';
import type { Metrics } from './metrics.ts';

export function eventFrame(env: EventEnvelope): Record<string, unknown> {
  return { type: 'event', event: env.name, cursor: String(env.id), data: env.data };
}

const PREFIX: Record<CodecName, string> = { msgpack: 'm|', json: 'j|' };

export class Fanout {
  private readonly listeners = new Map<string, number>();
  private app: TemplatedApp | undefined;
  private lastPayload = '';
  private lastEncoded: { env: EventEnvelope; bytes: Partial<Record<CodecName, Uint8Array>> } | undefined;
  /** Highest event id this node has delivered locally; resume replays up to here. */
  lastDeliveredId = 0;

  constructor(
    private readonly broker: Broker,
    private readonly metrics: Metrics,
  ) {
    broker.onMessage((m) => this.deliver(m));
  }

  attach(app: TemplatedApp): void {
    this.app = app;
  }

  /**
   * Counts a connection's topics as listened to here and makes sure the broker delivers
   * them to this node; resolves once it does. The socket itself joins later, with join().
   */
  async ensure(topics: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const t of topics) {
      const n = (this.listeners.get(t) ?? 0) + 1;
      this.listeners.set(t, n);
      if (n === 1) waits.push(this.broker.subscribe(t));
    }
    await Promise.all(waits);
  }

  /** Subscribes the socket to topics already ensured (synchronous: nothing can slip between). */
  join(ws: WebSocket<unknown>, codec: Codec, topics: Iterable<string>): void {
    for (const t of topics) ws.subscribe(PREFIX[codec.name] + t);
  }

  /** Drops topics from a live connection (rights changed). */
  unsubscribe(ws: WebSocket<unknown> | undefined, codec: Codec, topics: Iterable<string>): void {
    for (const t of topics) {
      if (ws) ws.unsubscribe(PREFIX[codec.name] + t);
      this.release(t);
    }
  }

  /** For a closed connection: uWS already dropped its subscriptions; only count down. */
  released(topics: Iterable<string>): void {
    for (const t of topics) this.release(t);
  }

  private release(t: string): void {
    const n = (this.listeners.get(t) ?? 0) - 1;
    if (n > 0) this.listeners.set(t, n);
    else {
      this.listeners.delete(t);
      void this.broker.unsubscribe(t).catch(() => {});
    }
  }

  /** Sends an event of this node to the broker, one message per topic. */
  async publish(env: EventEnvelope, topics: string[]): Promise<void> {
    const payload = JSON.stringify(env);
    const sent = Promise.all(topics.map((t) => this.broker.publish(t, payload)));
    // Events reach the publisher in id order; once handed on, a connection that subscribes
    // from now on gets later events live and earlier ones by replay (see session resume).
    if (env.id > this.lastDeliveredId) this.lastDeliveredId = env.id;
    await sent;
  }

  private deliver(msg: BrokerMessage): void {
    const app = this.app;
    if (!app) return;
    // The same event arrives once per topic: decode it once.
    if (msg.payload !== this.lastPayload || !this.lastEncoded) {
      const env = JSON.parse(msg.payload) as EventEnvelope;
      this.lastPayload = msg.payload;
      this.lastEncoded = { env, bytes: {} };
      if (env.id > this.lastDeliveredId) this.lastDeliveredId = env.id;
      this.metrics.fanoutSeconds.observe(Math.max(0, Date.now() - env.at) / 1000);
    }
    const cached = this.lastEncoded;
    for (const name of ['msgpack', 'json'] as const) {
      const topic = PREFIX[name] + msg.topic;
      if (app.numSubscribers(topic) === 0) continue;
      const codec = CODECS[name];
      const bytes = (cached.bytes[name] ??= codec.encode(eventFrame(cached.env)));
      app.publish(topic, bytes, codec.binary);
      this.metrics.published.inc({ codec: name });
    }
  }
}
