// One conversation, as a window onto its history: messages by seq (each once, and each in its
// newest version: an edit or a tombstone is never overwritten by an older copy from a load
// that raced with the event), the sender's optimistic messages (by clientKey, pending or
// failed), the participants' read marks for receipts, and who is typing.
//
// The window normally reaches the newest message. Opened at a search hit it may start in the
// middle (`hasNewer`), and it pages both ways: `beforeSeq` going up, `afterSeq` going down.
// After a reload that the hub could not replay (sync.reset), it pages forward from the last
// message that could still have changed, instead of starting over, so nothing is skipped.
import type { HubClient } from './client.ts';
import { newClientKey } from './keys.ts';
import { Observable } from './observable.ts';
import { EDIT_WINDOW_MS, HubError, type Conversation, type HistoryPage, type HubEvents, type Message, type Reaction, type Reactions } from './protocol.ts';
import { mergeReactions } from './reactions.ts';

export interface Outgoing {
  clientKey: string;
  body: string;
  /** Uploads (made `?for=message`) the message takes, and their names to show while pending. */
  files?: { id: string; filename: string }[];
  createdAt: string;
  state: 'pending' | 'failed';
  error?: unknown;
}

/** Typing indicators (PROTOCOL.md `typing`). */
export const TYPING = {
  /** While the person types, a start is sent again this often (the hub relays one per 3 s). */
  repeatMs: 3_500,
  /** No keystroke for this long: the person stopped, and a stop is sent. */
  idleMs: 4_000,
  /** An indicator fades this long after its last signal (PROTOCOL.md: about 5 s). */
  fadeMs: 5_500,
};

const PAGE = 50;
/** The hub's largest page. */
const MAX_PAGE = 100;
/** On a reload, messages younger than this are fetched again: they may have been edited or deleted. */
const MUTABLE_MS = EDIT_WINDOW_MS + 5 * 60_000;
/** Edits of messages outside the window kept for a load on its way (the oldest go first). */
const HELD_EDITS = 200;
/** More than this many messages missed: the view starts again at the newest instead of paging through. */
const MAX_CATCH_UP = 300;

/** Later versions win: a tombstone over everything, a later edit over an earlier one. */
function version(m: Message): number {
  return m.deleted ? Number.POSITIVE_INFINITY : m.editedAt ? Date.parse(m.editedAt) || 1 : 0;
}

export class ConversationStore extends Observable {
  conversation: Conversation | undefined;
  /** Edits that arrived for messages outside the window, by seq (see edited()). */
  private readonly heldEdits = new Map<number, Message>();
  messages: Message[] = [];
  outbox: Outgoing[] = [];
  reads: Record<string, number> = {};

  /** How far a person has read. Own entries only: a person id such as "constructor" is just an id. */
  readSeq(personId: string): number {
    return Object.hasOwn(this.reads, personId) ? this.reads[personId]! : 0;
  }
  /** There are messages before the first one loaded. */
  hasOlder = false;
  /** There are messages after the last one loaded (the window was opened in the middle). */
  hasNewer = false;
  /** The conversation's newest seq, as far as the store knows. */
  newestSeq = 0;
  /** Who is typing now, by person id: only participants the hub shows to this person. */
  readonly typists = new Map<string, { name: string; until: number }>();
  /** The message to open at (a search hit); cleared by the widget once shown. */
  focusSeq: number | undefined;
  state: 'loading' | 'ready' | 'error' = 'loading';
  /** Why loading failed (a HubError, worded by the widget in its language). */
  error: unknown = '';
  /** Messages from others that arrived live and were not announced yet. */
  private live: Message[] = [];
  /** The person's own messages that the hub flagged as sent during quiet hours, not announced yet. */
  private quiet: Message[] = [];
  private readonly off: (() => void)[] = [];
  private loadingOlder = false;
  private loadingNewer = false;
  private fadeTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private typingSince: number | undefined;

  constructor(
    private readonly client: HubClient,
    readonly conversationId: string,
    focusSeq?: number,
  ) {
    super();
    this.focusSeq = focusSeq;
    const mine = (id: string) => id === conversationId;
    this.off.push(
      client.views(() => void this.load()),
      client.on('message.created', ({ message }) => mine(message.conversationId) && this.arrived(message)),
      client.on('message.edited', ({ message }) => mine(message.conversationId) && this.edited(message)),
      client.on('message.deleted', (d) => mine(d.conversationId) && this.deleted(d.seq, d.deletedAt)),
      client.on('conversation.read', (r) => mine(r.conversationId) && this.markSeen(r.personId, r.seq)),
      client.on('reaction.changed', ({ target, reactions }) => target.kind === 'message' && mine(target.conversationId) && this.reacted(target.id, reactions)),
      client.on('conversation.updated', ({ conversation }) => {
        if (!mine(conversation.id)) return;
        this.conversation = conversation;
        this.changed();
      }),
      client.on('typing', (t) => mine(t.conversationId) && this.typingSignal(t)),
      client.on('status', (s) => {
        // Signals are not replayed: after a lost connection no indicator can be trusted.
        if (s === 'online') return;
        this.typingSince = undefined;
        if (this.typists.size > 0) {
          this.typists.clear();
          this.changed();
        }
      }),
    );
  }

  dispose(): void {
    this.stopTyping();
    clearTimeout(this.fadeTimer);
    for (const f of this.off.splice(0)) f();
  }

  get me(): string | undefined {
    return this.client.user?.id;
  }

  /** The last seq loaded (0 when nothing is). */
  get lastSeq(): number {
    return this.messages[this.messages.length - 1]?.seq ?? 0;
  }

  /** What the conversation is about, as the newest message says (titles follow the item). */
  get context(): Conversation['context'] {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const c = this.messages[i]!.context;
      if (c) return c;
    }
    return this.conversation?.context ?? null;
  }

  /** The names of the people typing now. */
  get typing(): string[] {
    return [...this.typists.values()].map((t) => t.name);
  }

  /** (Re)loads: the newest messages, the window around a search hit, or what was missed. */
  async load(): Promise<void> {
    try {
      if (this.state === 'ready' && this.messages.length > 0) await this.catchUp();
      else if (this.focusSeq !== undefined) await this.loadAround(this.focusSeq);
      else await this.loadLatest();
      // Asked to show a message while this load was on its way: go there now.
      const seq = this.focusSeq;
      if (seq !== undefined && !this.messages.some((m) => m.seq === seq)) await this.loadAround(seq);
      this.state = 'ready';
    } catch (e) {
      this.state = 'error';
      this.error = e;
    }
    this.changed();
  }

  /** Opens the window at message `seq` (a search hit), loading around it unless it is loaded. */
  async show(seq: number): Promise<void> {
    this.focusSeq = seq;
    if (this.state !== 'ready') return; // load() opens there
    if (!this.messages.some((m) => m.seq === seq)) {
      try {
        await this.loadAround(seq);
      } catch {
        // The conversation stays as it was (a lost connection retries the request by itself).
        this.focusSeq = undefined;
      }
    }
    this.changed();
  }

  async loadOlder(): Promise<void> {
    const first = this.messages[0];
    if (!first || !this.hasOlder || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const page = await this.page({ beforeSeq: first.seq, limit: PAGE });
      this.take(page);
      this.hasOlder = (page.messages[0]?.seq ?? 1) > 1;
      this.merge(page.messages);
    } finally {
      this.loadingOlder = false;
    }
    this.changed();
  }

  async loadNewer(): Promise<void> {
    const last = this.lastSeq;
    if (!this.hasNewer || this.loadingNewer) return;
    this.loadingNewer = true;
    try {
      const page = await this.page({ afterSeq: last, limit: PAGE });
      this.take(page);
      this.merge(page.messages);
      this.hasNewer = this.lastSeq < page.lastSeq;
    } finally {
      this.loadingNewer = false;
    }
    this.changed();
  }

  /** Shows the message at once as pending; it becomes a message when the hub has stored it. */
  send(body: string, files: { id: string; filename: string }[] = []): void {
    const out: Outgoing = { clientKey: newClientKey('m'), body, createdAt: new Date().toISOString(), state: 'pending', ...(files.length ? { files } : {}) };
    this.outbox = [...this.outbox, out];
    this.stopTyping();
    this.changed();
    // A window in the middle of the history first moves to the newest, where the message goes.
    if (!this.hasNewer) return void this.deliver(out);
    void this.loadLatest().then(() => this.changed(), () => {}).then(() => this.deliver(out));
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

  /**
   * Whether to offer editing and deleting `m`: the person's own message, not deleted, within
   * the window. The hub decides; this only leaves out buttons that would certainly be refused.
   */
  mayChange(m: Message, now = Date.now()): boolean {
    return m.senderId !== null && m.senderId === this.me && !m.deleted && now - Date.parse(m.createdAt) < EDIT_WINDOW_MS;
  }

  /** When the next of the person's messages leaves the edit window (for re-rendering), if any. */
  nextChangeDeadline(now = Date.now()): number | undefined {
    let next: number | undefined;
    for (const m of this.messages) {
      if (!this.mayChange(m, now)) continue;
      const end = Date.parse(m.createdAt) + EDIT_WINDOW_MS;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }

  /** Edits one's own message; rejects with the hub's reason (e.g. the window has passed). */
  async edit(m: Message, body: string): Promise<void> {
    const { message } = await this.client.request('message.edit', { messageId: m.id, body });
    this.merge([message]);
    this.changed();
  }

  /** Deletes one's own message: it stays in the history as a tombstone. */
  async remove(m: Message): Promise<void> {
    const { message } = await this.client.request('message.delete', { messageId: m.id });
    this.merge([message]);
    this.changed();
  }

  /** Puts one of the person's reactions on a message, or takes it off; rejects with the hub's reason. */
  async react(m: Message, emoji: Reaction, on: boolean): Promise<void> {
    const { reactions } = await this.client.request('reaction.set', { target: { kind: 'message', id: m.id }, emoji, on });
    this.reacted(m.id, reactions);
  }

  private reacted(messageId: string, reactions: Reactions): void {
    const m = this.messages.find((x) => x.id === messageId);
    if (!m || m.deleted) return; // not in the window: a load brings it as it is
    this.messages = this.messages.map((x) => (x === m ? { ...m, reactions: mergeReactions(m.reactions, reactions) } : x));
    this.changed();
  }

  /** Moves the person's read mark to the last message loaded, if it is not there yet. */
  markRead(): void {
    const me = this.me;
    const last = this.lastSeq;
    if (!me || last === 0 || this.readSeq(me) >= last) return;
    this.reads = { ...this.reads, [me]: last };
    this.client.request('conversation.read', { conversationId: this.conversationId, seq: last }).catch(() => {});
  }

  /** Live messages from others since the last call (for the widget's live region). */
  takeLive(): Message[] {
    return this.live.splice(0);
  }

  /** The person's messages flagged for quiet hours since the last call (said once). */
  takeQuiet(): Message[] {
    return this.quiet.splice(0);
  }

  /**
   * The person typed in the composer; call it on every input. A start goes out at once and
   * again every few seconds while they type; a stop when the field is emptied, when they
   * pause, when they send, and when the conversation is closed.
   */
  typed(hasText: boolean): void {
    clearTimeout(this.idleTimer);
    if (!hasText) return this.stopTyping();
    this.idleTimer = setTimeout(() => this.stopTyping(), TYPING.idleMs);
    const now = Date.now();
    if (this.typingSince !== undefined && now - this.typingSince < TYPING.repeatMs) return;
    this.typingSince = now;
    this.signal(true);
  }

  stopTyping(): void {
    clearTimeout(this.idleTimer);
    if (this.typingSince === undefined) return;
    this.typingSince = undefined;
    this.signal(false);
  }

  private signal(typing: boolean): void {
    // Ephemeral: sent now or never (a late "typing" would be a lie).
    this.client.request('typing', { conversationId: this.conversationId, typing }, { ephemeral: true }).catch(() => {});
  }

  private typingSignal(t: HubEvents['typing']): void {
    if (t.personId === this.me) return;
    // Only someone the hub lists as a participant to this person: never a person it hides.
    const who = this.conversation?.participants.find((p) => p.id === t.personId);
    if (!who) return;
    if (t.typing) this.typists.set(t.personId, { name: who.name, until: Date.now() + TYPING.fadeMs });
    else if (!this.typists.delete(t.personId)) return;
    this.fade();
    this.changed();
  }

  /** Drops the indicators that have faded and wakes up when the next one does. */
  private fade(): void {
    clearTimeout(this.fadeTimer);
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [id, t] of this.typists) {
      if (t.until <= now) this.typists.delete(id);
      else next = Math.min(next, t.until);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    this.fadeTimer = setTimeout(() => {
      this.fade();
      this.changed();
    }, next - now);
  }

  private page(fields: { beforeSeq?: number; afterSeq?: number; limit: number }): Promise<HistoryPage> {
    return this.client.request('history.get', { conversationId: this.conversationId, ...fields });
  }

  /** What every page says besides its messages. */
  private take(page: HistoryPage): void {
    this.conversation = page.conversation;
    for (const [p, seq] of Object.entries(page.reads)) this.markSeen(p, seq, false);
    this.newestSeq = Math.max(this.newestSeq, page.lastSeq);
  }

  /** The newest messages. Live messages that came in meanwhile stay; an old window goes. */
  private async loadLatest(): Promise<void> {
    const page = await this.page({ limit: PAGE });
    this.take(page);
    const first = page.messages[0]?.seq ?? page.lastSeq + 1;
    this.messages = this.messages.filter((m) => m.seq >= first);
    this.merge(page.messages);
    this.hasOlder = first > 1;
    this.hasNewer = false;
  }

  /** A window that starts a little before `seq`; the newest messages if there is no such message. */
  private async loadAround(seq: number): Promise<void> {
    const page = await this.page({ afterSeq: Math.max(0, seq - 10), limit: PAGE });
    if (!page.messages.some((m) => m.seq === seq)) {
      this.focusSeq = undefined;
      return this.loadLatest();
    }
    this.take(page);
    const last = page.messages[page.messages.length - 1]?.seq ?? 0;
    // Live messages newer than the page stay only if the page reaches the newest.
    this.messages = last >= page.lastSeq ? this.messages.filter((m) => m.seq > page.lastSeq) : [];
    this.merge(page.messages);
    this.hasOlder = (page.messages[0]?.seq ?? 1) > 1;
    this.hasNewer = this.lastSeq < page.lastSeq;
  }

  /**
   * After a reload without a replay: pages forward (afterSeq) from the first message that could
   * have been edited or deleted meanwhile, up to the newest. A gap too long to page through
   * starts the view again at the newest.
   */
  private async catchUp(): Promise<void> {
    const cutoff = Date.now() - MUTABLE_MS;
    let after = this.lastSeq;
    for (let i = this.messages.length - 1; i >= 0 && Date.parse(this.messages[i]!.createdAt) >= cutoff; i--) after = this.messages[i]!.seq - 1;
    const midWindow = this.hasNewer;
    const held = new Set(this.messages);
    for (let round = 0; ; round++) {
      const page = await this.page({ afterSeq: after, limit: MAX_PAGE });
      this.take(page);
      if (round === 0) this.forgetPast(held, page.lastSeq);
      if (round === 0 && !midWindow && page.lastSeq - after > MAX_CATCH_UP) return this.loadLatest();
      this.merge(page.messages);
      const last = page.messages[page.messages.length - 1]?.seq ?? after;
      this.hasNewer = last < page.lastSeq;
      // A window in the middle is refreshed, not extended to the newest: the reader pages on.
      if (!this.hasNewer || midWindow || page.messages.length === 0) return;
      after = last;
    }
  }

  /**
   * Messages the view held before a reload, past the newest seq the hub now has, no longer exist
   * there (its database was restored from a backup): they go, and their seqs will be new messages.
   * Only those held before the page was asked for: a live one that came meanwhile may be newer.
   */
  private forgetPast(held: Set<Message>, lastSeq: number): void {
    if (!this.messages.some((m) => held.has(m) && m.seq > lastSeq)) return;
    this.messages = this.messages.filter((m) => !(held.has(m) && m.seq > lastSeq));
    this.newestSeq = Math.max(lastSeq, this.lastSeq);
  }

  /** A message.created event. In a window that does not reach the newest, only what joins on. */
  private arrived(m: Message): void {
    this.newestSeq = Math.max(this.newestSeq, m.seq);
    if (m.senderId) this.typists.delete(m.senderId);
    if (!this.hasNewer || m.seq <= this.lastSeq + 1) {
      this.merge([m]);
      this.hasNewer = this.hasNewer && this.newestSeq > this.lastSeq;
    } else {
      this.settle([m]);
    }
    if (m.senderId === null || m.senderId !== this.me) this.live.push(m);
    this.changed();
  }

  private edited(m: Message): void {
    const first = this.messages[0]?.seq ?? 0;
    if (m.seq < first || m.seq > this.lastSeq) {
      // Not in the window. A load brings it, but a load already on its way may have read it
      // before this edit: kept, the edit wins over that older copy when it comes (merge).
      const had = this.heldEdits.get(m.seq);
      if (!had || version(m) >= version(had)) this.heldEdits.set(m.seq, m);
      if (this.heldEdits.size > HELD_EDITS) this.heldEdits.delete(this.heldEdits.keys().next().value!);
      return;
    }
    this.merge([m]);
    this.changed();
  }

  private deleted(seq: number, deletedAt: string): void {
    const m = this.messages.find((x) => x.seq === seq);
    if (!m || m.deleted) return;
    // Its reactions went with it (the hub removes them).
    const { reactions: _gone, ...rest } = m;
    this.messages = this.messages.map((x) => (x === m ? { ...rest, body: '', deleted: true, deletedAt } : x));
    this.changed();
  }

  private async deliver(out: Outgoing): Promise<void> {
    try {
      const attachmentIds = out.files?.map((f) => f.id);
      const { message } = await this.client.request('message.send', { conversationId: this.conversationId, body: out.body, ...(attachmentIds ? { attachmentIds } : {}), clientKey: out.clientKey });
      this.newestSeq = Math.max(this.newestSeq, message.seq);
      if (!this.hasNewer || message.seq <= this.lastSeq + 1) this.merge([message]);
      else this.settle([message]);
      if (message.quietHours) this.quiet.push(message);
    } catch (e) {
      out.state = 'failed';
      out.error = e;
      this.outbox = [...this.outbox];
    }
    this.changed();
  }

  /** Merges messages by seq, keeping the newest version of each. */
  private merge(list: Message[]): void {
    if (list.length === 0) return;
    const bySeq = new Map(this.messages.map((m) => [m.seq, m]));
    for (const m of [...list, ...list.flatMap((x) => this.heldEdits.get(x.seq) ?? [])]) {
      this.heldEdits.delete(m.seq);
      const had = bySeq.get(m.seq);
      // An event's copy (an edit) carries no reactions: the ones known stay.
      const next = m.reactions === undefined && had?.reactions !== undefined && !m.deleted ? { ...m, reactions: had.reactions } : m;
      if (!had || version(m) >= version(had)) bySeq.set(m.seq, next);
    }
    this.messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    this.settle(list);
  }

  /** A stored message of the person's replaces the optimistic one with its clientKey. */
  private settle(list: Message[]): void {
    const me = this.me;
    const stored = new Set(list.filter((m) => m.senderId !== null && m.senderId === me).map((m) => m.clientKey));
    if (this.outbox.some((o) => stored.has(o.clientKey))) this.outbox = this.outbox.filter((o) => !stored.has(o.clientKey));
  }

  private markSeen(personId: string, seq: number, notify = true): void {
    if (this.readSeq(personId) >= seq) return;
    this.reads = { ...this.reads, [personId]: seq };
    if (notify) this.changed();
  }
}
