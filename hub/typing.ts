// Typing indicators: ephemeral. Never stored, never in the event log, never replayed, no
// cursor. The writing node hands a signal to its own sockets at once and to the other nodes
// through one broker topic every node listens to (like the directory's: one message per
// signal, not one per recipient). Each node publishes it to the recipients' person topics of
// its own sockets: one encode per codec, uWS publish, no loop over sockets. A lost signal is
// harmless: the next keystroke sends another, and widgets let an indicator fade by itself.
import { randomUUID } from 'node:crypto';
import type { Broker } from './broker.ts';
import type { TemplatedApp } from './uws.ts';
import { CODECS, type CodecName } from './protocol/codec.ts';
import { key } from './audience.ts';
import { controlTopic, decodeControl, encodeControl } from './control.ts';

export const TYPING_TOPIC = controlTopic('typing');

// Must match the per-codec topic prefixes of fanout.ts (sockets subscribe per codec there).
const PREFIX: Record<CodecName, string> = { msgpack: 'm|', json: 'j|' };

export interface TypingSignal {
  conversationId: string;
  personId: string;
  name: string;
  typing: boolean;
  /** The people whose devices get it (already filtered for protected identities). */
  to: string[];
}

export class TypingRelay {
  private readonly node = randomUUID();
  private app: TemplatedApp | undefined;
  /** Signals handed to local sockets (for tests and metrics). */
  delivered = 0;

  constructor(
    private readonly broker: Broker,
    private readonly log: (message: string, error?: unknown) => void = () => {},
  ) {
    broker.onMessage((m) => {
      if (m.topic === TYPING_TOPIC) this.received(m.payload);
    });
  }

  async start(): Promise<void> {
    await this.broker.subscribe(TYPING_TOPIC);
  }

  attach(app: TemplatedApp): void {
    this.app = app;
  }

  /** Best effort, on every node; never throws. */
  send(signal: TypingSignal): void {
    if (signal.to.length === 0) return;
    this.deliver(signal);
    this.broker.publish(TYPING_TOPIC, encodeControl('typing', { ...signal, node: this.node })).catch(() => {
      // Broker down: the other nodes miss an indicator that would have faded anyway.
    });
  }

  private received(payload: string): void {
    const msg = decodeControl('typing', payload);
    if (!msg) this.log('ignored a malformed typing signal');
    else if (msg.node !== this.node) this.deliver(msg);
  }

  private deliver(s: TypingSignal): void {
    const app = this.app;
    if (!app) return;
    const frame = { type: 'event', event: 'typing', data: { conversationId: s.conversationId, personId: s.personId, name: s.name, typing: s.typing } };
    for (const name of ['msgpack', 'json'] as const) {
      let bytes: Uint8Array | undefined;
      const codec = CODECS[name];
      for (const p of s.to) {
        const topic = PREFIX[name] + key.person(p);
        if (app.numSubscribers(topic) === 0) continue;
        bytes ??= codec.encode(frame);
        app.publish(topic, bytes, codec.binary);
        this.delivered++;
      }
    }
  }
}
