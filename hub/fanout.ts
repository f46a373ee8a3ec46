// Local delivery. An event due here (hub/sequencer.ts) is encoded once per codec and handed
// to uWS topic publish: native fan-out, no loop over sockets. Connections subscribe per codec
// ("m|topic", "j|topic"); the node subscribes a topic at the broker while it has at least one
// local listener.
import type { Broker } from './broker.ts';
import type { Envelope } from './sequencer.ts';
import { CODECS, type Codec, type CodecName } from './protocol/codec.ts';
import type { TemplatedApp, WebSocket } from './uws.ts';
import type { Metrics } from './metrics.ts';

export function eventFrame(env: Pick<Envelope, 'id' | 'name' | 'data'>): Record<string, unknown> {
  return { type: 'event', event: env.name, cursor: String(env.id), data: env.data };
}

const PREFIX: Record<CodecName, string> = { msgpack: 'm|', json: 'j|' };

export class Fanout {
  private readonly listeners = new Map<string, number>();
  private app: TemplatedApp | undefined;
  /** Encodes done, per codec: tests check that it is one per event and codec. */
  readonly encodes: Record<CodecName, number> = { msgpack: 0, json: 0 };

  constructor(
    private readonly broker: Broker,
    private readonly metrics: Metrics,
  ) {}

  attach(app: TemplatedApp): void {
    this.app = app;
  }

  hasListeners(topic: string): boolean {
    return this.listeners.has(topic);
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

  /** Publishes one event to the local sockets of `topics`: one encode per codec in use. */
  deliver(env: Envelope, topics: string[]): void {
    const app = this.app;
    if (!app) return;
    if (env.at > 0) this.metrics.fanoutSeconds.observe(Math.max(0, Date.now() - env.at) / 1000);
    for (const name of ['msgpack', 'json'] as const) {
      let bytes: Uint8Array | undefined;
      const codec = CODECS[name];
      for (const t of topics) {
        const topic = PREFIX[name] + t;
        if (app.numSubscribers(topic) === 0) continue;
        if (!bytes) {
          bytes = codec.encode(eventFrame(env));
          this.encodes[name]++;
        }
        app.publish(topic, bytes, codec.binary);
        this.metrics.published.inc({ codec: name });
      }
    }
  }
}
