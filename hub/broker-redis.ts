// The Redis broker (ioredis): one PUBLISH per topic and event; a node SUBSCRIBEs a topic only
// while it has local listeners. On Redis Cluster it uses sharded pub/sub (SPUBLISH /
// SSUBSCRIBE) with a fixed number of partition tags in the channel names, so that one node's
// subscriptions group per shard instead of spreading over every slot.
//
// Redis is an accelerator, never the record: while it is down, subscribe() still succeeds
// (the channel is subscribed when Redis returns), publish() fails fast, healthy() is false,
// and the nodes bring each other's events from PostgreSQL (hub/sequencer.ts).
import { Cluster, Redis } from 'ioredis';
import type { Broker, BrokerMessage } from './broker.ts';

export const PARTITIONS = 16;
/** How long a new connection waits for Redis to confirm its subscriptions at the most. */
export const SUBSCRIBE_WAIT_MS = 2_000;

export interface RedisBrokerOptions {
  /** Prefix of every channel name, so that several deployments (or tests) share one Redis. */
  prefix?: string;
  log?: (message: string, error?: unknown) => void;
}

/** FNV-1a: a stable, cheap hash for the partition tag. */
function partitionOf(topic: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) {
    h ^= topic.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % PARTITIONS;
}

type Client = Redis | Cluster;

export class RedisBroker implements Broker {
  private readonly pub: Client;
  private readonly sub: Client;
  private readonly sharded: boolean;
  private readonly prefix: string;
  private readonly desired = new Set<string>();
  private readonly handlers: ((msg: BrokerMessage) => void)[] = [];
  private readonly log: (message: string, error?: unknown) => void;
  private closed = false;

  /**
   * `url`: `redis://[:password@]host:port[/db]`, or `redis+cluster://host:port[,host:port…]`
   * for Redis Cluster (sharded pub/sub).
   */
  constructor(url: string, opts: RedisBrokerOptions = {}) {
    this.prefix = opts.prefix ?? 'schoolhub:';
    this.log = opts.log ?? (() => {});
    this.sharded = url.startsWith('redis+cluster://');
    const common = {
      // Fail fast while Redis is down: the write is already committed; PostgreSQL carries it.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (n: number) => Math.min(100 * 2 ** Math.min(n, 5), 2_000),
      connectTimeout: 2_000,
      lazyConnect: false,
    };
    if (this.sharded) {
      const nodes = url.slice('redis+cluster://'.length).split(',').map((hp) => {
        const [host, port] = hp.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
      });
      const make = () => new Cluster(nodes, { redisOptions: common, enableOfflineQueue: false, shardedSubscribers: true, clusterRetryStrategy: common.retryStrategy });
      this.pub = make();
      this.sub = make();
      this.sub.on('smessage', (channel: string, message: string) => this.received(channel, message));
    } else {
      this.pub = new Redis(url, common);
      this.sub = new Redis(url, { ...common, autoResubscribe: true });
      this.sub.on('message', (channel: string, message: string) => this.received(channel, message));
    }
    // ioredis retries by itself; say so once per outage, not once per attempt.
    let reported = false;
    for (const c of [this.pub, this.sub]) {
      c.on('error', (e: Error) => {
        if (this.closed || reported) return;
        reported = true;
        this.log('redis unreachable; retrying (events flow through PostgreSQL meanwhile)', e);
      });
      c.on('ready', () => (reported = false));
    }
    // Channels wanted while Redis was away are subscribed when it is back.
    this.sub.on('ready', () => void this.resubscribe());
  }

  channel(topic: string): string {
    return this.sharded ? `${this.prefix}{${partitionOf(topic)}}${topic}` : `${this.prefix}${topic}`;
  }

  private received(channel: string, payload: string): void {
    if (!channel.startsWith(this.prefix)) return;
    const rest = channel.slice(this.prefix.length);
    const topic = this.sharded ? rest.slice(rest.indexOf('}') + 1) : rest;
    for (const h of this.handlers) h({ topic, payload });
  }

  private async resubscribe(): Promise<void> {
    const channels = [...this.desired].map((t) => this.channel(t));
    if (channels.length === 0) return;
    try {
      if (this.sharded) for (const ch of channels) await (this.sub as Cluster).ssubscribe(ch);
      else await (this.sub as Redis).subscribe(...channels);
    } catch (e) {
      this.log('redis resubscribe', e);
    }
  }

  async publish(topic: string, payload: string): Promise<void> {
    if (this.closed) throw new Error('broker closed');
    const ch = this.channel(topic);
    if (this.sharded) await (this.pub as Cluster).spublish(ch, payload);
    else await (this.pub as Redis).publish(ch, payload);
  }

  /** Topics asked for in this turn of the event loop: a reconnect storm sends one SUBSCRIBE. */
  private batch: { topics: string[]; done: Promise<void> } | undefined;

  async subscribe(topic: string): Promise<void> {
    this.desired.add(topic);
    if (!this.ready(this.sub)) return; // done on 'ready'
    if (!this.batch) {
      const topics: string[] = [];
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.batch = undefined;
        const channels = topics.filter((t) => this.desired.has(t)).map((t) => this.channel(t));
        if (channels.length === 0) return;
        const subscribed = this.sharded
          ? Promise.all(channels.map((ch) => (this.sub as Cluster).ssubscribe(ch)))
          : (this.sub as Redis).subscribe(...channels);
        // A connection must never wait long on Redis: if it is slow, go on; the events of a
        // channel not yet subscribed come from PostgreSQL (hub/sequencer.ts).
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), SUBSCRIBE_WAIT_MS)));
        try {
          if ((await Promise.race([subscribed, late])) === 'late') this.log(`redis subscribe took over ${SUBSCRIBE_WAIT_MS} ms; going on without waiting`);
        } catch (e) {
          this.log('redis subscribe', e);
        } finally {
          clearTimeout(timer);
          subscribed.catch(() => {});
        }
      });
      this.batch = { topics, done };
    }
    this.batch.topics.push(topic);
    await this.batch.done;
  }

  async unsubscribe(topic: string): Promise<void> {
    this.desired.delete(topic);
    if (!this.ready(this.sub)) return;
    if (this.sharded) await (this.sub as Cluster).sunsubscribe(this.channel(topic));
    else await (this.sub as Redis).unsubscribe(this.channel(topic));
  }

  onMessage(handler: (msg: BrokerMessage) => void): void {
    this.handlers.push(handler);
  }

  private ready(c: Client): boolean {
    return c.status === 'ready';
  }

  healthy(): boolean {
    return !this.closed && this.ready(this.pub) && this.ready(this.sub);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
