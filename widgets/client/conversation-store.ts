// One conversation: its messages (by seq, each once), the sender's optimistic messages (by
// clientKey, pending or failed), and the participants' read marks for receipts. Messages
// never change once written, so loads and events are merged, never replaced.
import type { HubClient } from './client.ts';
import { newClientKey } from './keys.ts';
import { Observable } from './observable.ts';
import { HubError, type Conversation, type Message } from './protocol.ts';

export interface Outgoing {
  clientKey: string;
  body: string;
  createdAt: string;
  state: 'pending' | 'failed';
  error?: string;
}

export class ConversationStore extends Observable {
  conversation: Conversation | undefined;
  messages: Message[] = [];
  outbox: Outgoing[] = [];
  reads: Record<string, number> = {};
  hasOlder = false;
  /** Messages from others that arrived live and were not announced yet. */
  private live: Message[] = [];
  state: 'loading' | 'ready' | 'error' = 'loading';
  error = '';
  private readonly off: (() => void)[] = [];
  private loadingOlder = false;

  constructor(
    private readonly client: HubClient,
    readonly conversationId: string,
  ) {
    super();
    this.off.push(
      client.views(() => void this.load()),
      client.on('message.created', ({ message }) => {
        if (message.conversationId === conversationId) this.add([message], true);
      }),
      client.on('conversation.read', (r) => {
        if (r.conversationId === conversationId) this.markSeen(r.personId, r.seq);
      }),
    );
  }

  dispose(): void {
    for (const f of this.off.splice(0)) f();
  }

  get me(): string | undefined {
    return this.client.user?.id;
  }

  get lastSeq(): number {
    return this.messages[this.messages.length - 1]?.seq ?? 0;
  }

  async load(): Promise<void> {
    try {
      const page = await this.client.request('history.get', { conversationId: this.conversationId, limit: 50 });
      this.conversation = page.conversation;
      for (const [p, seq] of Object.entries(page.reads)) this.markSeen(p, seq, false);
      const first = page.messages[0];
      if (this.messages.length === 0) this.hasOlder = first !== undefined && first.seq > 1;
      this.add(page.messages, false);
      this.state = 'ready';
    } catch (e) {
      this.state = 'error';
      this.error = e instanceof HubError && e.code === 'not_found' ? 'not_found' : e instanceof Error ? e.message : String(e);
    }
    this.changed();
  }

  async loadOlder(): Promise<void> {
    const first = this.messages[0];
    if (!first || !this.hasOlder || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const page = await this.client.request('history.get', { conversationId: this.conversationId, beforeSeq: first.seq, limit: 50 });
      this.hasOlder = (page.messages[0]?.seq ?? 1) > 1;
      this.add(page.messages, false);
    } finally {
      this.loadingOlder = false;
    }
  }

  /** Shows the message at once as pending; it becomes a message when the hub has stored it. */
  send(body: string): void {
    const out: Outgoing = { clientKey: newClientKey('m'), body, createdAt: new Date().toISOString(), state: 'pending' };
    this.outbox = [...this.outbox, out];
    this.changed();
    void this.deliver(out);
  }

  /** Sends a failed message again with the same clientKey: it is stored at most once. */
  retry(clientKey: string): void {
    const out = this.outbox.find((o) => o.clientKey === clientKey);
    if (!out || out.state !== 'failed') return;
    out.state = 'pending';
    delete out.error;
    this.changed();
    void this.deliver(out);
  }

  /** Moves the person's read mark to the last message, if it is not there yet. */
  markRead(): void {
    const me = this.me;
    const last = this.lastSeq;
    if (!me || last === 0 || (this.reads[me] ?? 0) >= last) return;
    this.reads = { ...this.reads, [me]: last };
    this.client.request('conversation.read', { conversationId: this.conversationId, seq: last }).catch(() => {});
  }

  /** Live messages from others since the last call (for the widget's live region). */
  takeLive(): Message[] {
    return this.live.splice(0);
  }

  private async deliver(out: Outgoing): Promise<void> {
    try {
      const { message } = await this.client.request('message.send', { conversationId: this.conversationId, body: out.body, clientKey: out.clientKey });
      this.add([message], false);
    } catch (e) {
      out.state = 'failed';
      out.error = e instanceof Error ? e.message : String(e);
      this.outbox = [...this.outbox];
      this.changed();
    }
  }

  /** Merges messages by seq; a stored message replaces the optimistic one with its clientKey. */
  private add(list: Message[], live: boolean): void {
    if (list.length === 0) return;
    const bySeq = new Map(this.messages.map((m) => [m.seq, m]));
    for (const m of list) bySeq.set(m.seq, m);
    this.messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const stored = new Set(list.filter((m) => m.senderId === this.me).map((m) => m.clientKey));
    if (this.outbox.some((o) => stored.has(o.clientKey))) this.outbox = this.outbox.filter((o) => !stored.has(o.clientKey));
    if (live) this.live.push(...list.filter((m) => m.senderId !== this.me));
    this.changed();
  }

  private markSeen(personId: string, seq: number, notify = true): void {
    if ((this.reads[personId] ?? 0) >= seq) return;
    this.reads = { ...this.reads, [personId]: seq };
    if (notify) this.changed();
  }
}
