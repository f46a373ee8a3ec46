// <schoolhub-chat conversation-id="…">: one conversation. Older messages load on scroll (and
// newer ones, when it was opened at a search hit), sends show at once as pending (or failed,
// with a retry that reuses the clientKey), one's own messages can be edited and deleted
// within the hub's window (a deleted one stays as a tombstone), read receipts come from the
// hub's read marks, typing indicators come and go politely, and a context header links to
// the plan, assignment or conference.
import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { HubClient } from './client/client.ts';
import { ConversationStore, type Outgoing } from './client/conversation-store.ts';
import type { Message } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { shortTime } from './ui/i18n.ts';
import { contextLabel, conversationTitle, nameList, otherNames, senderLabel, titledByContext } from './ui/people.ts';
import { contextLink } from './ui/links.ts';
import { renderLink } from './ui/anchor.ts';
import { linkify } from './ui/linkify.ts';
import { chatStyles } from './ui/chat-styles.ts';
import { LIMITS } from '../hub/protocol/limits.ts';

/**
 * @csspart header - title, participants and context
 * @csspart context - the context line (plan, assignment, conference) with its link
 * @csspart messages - the scrolling list
 * @csspart message - one message (also `mine` or `theirs`, `pending` or `failed`, `deleted`)
 * @csspart quiet - the "answers during school hours" note under a message
 * @csspart typing - the typing indicator
 * @csspart composer - the form at the bottom
 * @csspart input - text fields
 * @csspart button - buttons
 * @csspart status - the connection status line
 * @cssprop --schoolhub-chat-height - height of the message list (default 26em)
 */
export class SchoolhubChat extends HubElement {
  static override styles = [base, chatStyles];
  static override properties: PropertyDeclarations = {
    conversationId: { attribute: 'conversation-id', reflect: true },
    contextHref: { attribute: 'context-href' },
    messageSeq: { attribute: 'message-seq', type: Number },
    editing: { state: true },
    confirming: { state: true },
    changeError: { state: true },
  };

  /** The conversation to show. */
  declare conversationId: string | null;
  /** URL pattern for the context link when the hub gives none: `{kind}` and `{id}` are replaced, e.g. `/portal/{kind}s/{id}`. */
  declare contextHref: string | null;
  /** The message to open the conversation at (e.g. a search hit), by its seq. */
  declare messageSeq: number | null;
  /** The seq of the message being edited. */
  declare editing: number | null;
  /** The seq of the message whose deletion is being confirmed. */
  declare confirming: number | null;
  declare changeError: { seq: number; text: string } | null;
  private store: ConversationStore | undefined;
  private unsubscribe: (() => void) | undefined;
  private atBottom = true;
  private heightBeforeOlder: number | undefined;
  private wantsFocus = false;
  /** The message opened at (highlighted), and whether it still has to be scrolled to. */
  private found: number | undefined;
  private scrollToFound = false;
  /** After an update, move focus here (a selector in the shadow root). */
  private focusAfter: string | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.conversationId = null;
    this.contextHref = null;
    this.messageSeq = null;
    this.editing = null;
    this.confirming = null;
    this.changeError = null;
  }

  attach(client: HubClient): (() => void)[] {
    this.bind(client);
    const onVisible = () => this.markRead();
    document.addEventListener('visibilitychange', onVisible);
    return [
      () => document.removeEventListener('visibilitychange', onVisible),
      () => this.bind(undefined),
      () => clearTimeout(this.deadlineTimer),
    ];
  }

  /** Moves focus to the conversation's heading, or to the message it was opened at, once shown. */
  override focus(): void {
    this.wantsFocus = true;
    this.takeFocus();
  }

  /** Shows a conversation, optionally at one message (used by the inbox). */
  show(conversationId: string, seq?: number): void {
    // The same hit again: the attribute does not change, so go there directly.
    if (seq !== undefined && seq === this.messageSeq && conversationId === this.store?.conversationId) void this.store.show(seq);
    if (seq === undefined) this.removeAttribute('message-seq');
    else this.setAttribute('message-seq', String(seq));
    this.setAttribute('conversation-id', conversationId);
  }

  private takeFocus(): void {
    if (!this.wantsFocus || this.scrollToFound || this.store?.focusSeq !== undefined) return;
    const heading = this.renderRoot.querySelector<HTMLElement>('h2');
    if (!heading) return;
    this.wantsFocus = false;
    heading.focus();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId') && this.client && this.store?.conversationId !== this.conversationId) {
      this.bind(this.client);
    } else if (changed.has('messageSeq') && this.store && this.messageSeq != null && Number.isInteger(this.messageSeq)) {
      void this.store.show(this.messageSeq);
    }
    // The message to open at is in the window: highlight it and scroll to it.
    const seq = this.store?.focusSeq;
    if (seq !== undefined && this.store?.messages.some((m) => m.seq === seq)) {
      this.store.focusSeq = undefined;
      this.found = seq;
      this.scrollToFound = true;
    }
  }

  private bind(client: HubClient | undefined): void {
    this.unsubscribe?.();
    this.store?.dispose();
    this.store = undefined;
    this.atBottom = true;
    this.found = undefined;
    this.editing = this.confirming = null;
    this.changeError = null;
    if (!client || !this.conversationId) return;
    const seq = this.messageSeq != null && Number.isInteger(this.messageSeq) ? this.messageSeq : undefined;
    const store = new ConversationStore(client, this.conversationId, seq);
    this.store = store;
    this.unsubscribe = store.subscribe(() => {
      const live = store.takeLive();
      const last = live[live.length - 1];
      if (last) this.announce(this.t.newMessageFrom(senderLabel(last, store.me, this.t), last.deleted ? this.t.deletedMessage : last.body));
      if (store.takeQuiet().length > 0) this.announce(this.t.quietHours);
      this.requestUpdate();
    });
  }

  /** Reading is marked only while the reader can see the conversation. */
  private markRead(): void {
    const shown = (this as { checkVisibility?: () => boolean }).checkVisibility?.() !== false;
    if (document.visibilityState === 'visible' && this.isConnected && shown) this.store?.markRead();
  }

  protected override updated(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('.messages');
    const hit = this.scrollToFound && this.found !== undefined ? list?.querySelector<HTMLElement>(`[data-seq="${this.found}"]`) : null;
    if (list && hit) {
      this.scrollToFound = false;
      this.heightBeforeOlder = undefined;
      list.scrollTop = Math.max(0, hit.offsetTop - list.clientHeight / 3);
      this.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      if (this.wantsFocus) {
        this.wantsFocus = false;
        hit.focus({ preventScroll: true });
      }
    } else if (list) {
      if (this.heightBeforeOlder !== undefined) {
        // Keep the message the reader was looking at in place when older ones are added above.
        list.scrollTop += list.scrollHeight - this.heightBeforeOlder;
        this.heightBeforeOlder = undefined;
      } else if (this.atBottom) {
        list.scrollTop = list.scrollHeight;
      }
    }
    if (this.focusAfter) {
      const el = this.renderRoot.querySelector<HTMLElement>(this.focusAfter);
      if (el) {
        this.focusAfter = undefined;
        el.focus();
      }
    }
    this.takeFocus();
    this.markRead();
    // Edit and delete buttons go when the window passes: render again then.
    clearTimeout(this.deadlineTimer);
    const deadline = this.store?.nextChangeDeadline();
    if (deadline !== undefined) this.deadlineTimer = setTimeout(() => this.requestUpdate(), Math.min(deadline - Date.now() + 50, 2 ** 31 - 1));
  }

  private onScroll(e: Event): void {
    const list = e.currentTarget as HTMLElement;
    this.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (list.scrollTop < 30) void this.older(list);
    if (this.atBottom && this.store?.hasNewer) void this.store.loadNewer();
  }

  private async older(list?: HTMLElement | null): Promise<void> {
    const store = this.store;
    if (!store?.hasOlder) return;
    const height = (list ?? this.renderRoot.querySelector<HTMLElement>('.messages'))?.scrollHeight;
    await store.loadOlder();
    this.heightBeforeOlder = height;
    this.requestUpdate();
  }

  private submit(e: Event): void {
    e.preventDefault();
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('#body');
    const body = field?.value.trim() ?? '';
    if (!field || !body || !this.store) return;
    this.store.send(body);
    field.value = '';
    this.atBottom = true;
  }

  private keydown(e: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) this.submit(e);
  }

  private input(e: Event): void {
    this.store?.typed((e.target as HTMLTextAreaElement).value.trim() !== '');
  }

  /** Opens message `m`'s change: its editor or the question whether to delete it; one at a time. */
  private openChange(change: 'edit' | 'remove', m: Message): void {
    this.editing = change === 'edit' ? m.seq : null;
    this.confirming = change === 'remove' ? m.seq : null;
    this.changeError = null;
    this.focusAfter = change === 'edit' ? '#edit' : '#confirm-remove';
  }

  /** Closes it, and gives focus back to the button that opened it. */
  private closeChange(change: 'edit' | 'remove', seq: number): void {
    if (change === 'edit') this.editing = null;
    else this.confirming = null;
    this.focusAfter = `[data-${change}="${seq}"]`;
  }

  private showChangeError(m: Message, err: unknown): void {
    this.changeError = { seq: m.seq, text: `${this.t.changeFailed}: ${err instanceof Error ? err.message : String(err)}` };
  }

  private async saveEdit(e: Event, m: Message): Promise<void> {
    e.preventDefault();
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('#edit');
    const body = field?.value.trim() ?? '';
    if (!this.store || !body) return;
    if (body === m.body) return this.closeChange('edit', m.seq);
    try {
      await this.store.edit(m, body);
      this.changeError = null;
      this.closeChange('edit', m.seq);
    } catch (err) {
      this.showChangeError(m, err);
    }
  }

  private editKey(e: KeyboardEvent, m: Message): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.closeChange('edit', m.seq);
    } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      void this.saveEdit(e, m);
    }
  }

  private async removeMessage(m: Message): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.remove(m);
      this.confirming = null;
      this.changeError = null;
      this.focusAfter = '.messages';
    } catch (err) {
      this.confirming = null;
      this.showChangeError(m, err);
    }
  }

  override render() {
    const t = this.t;
    const store = this.store;
    if (!this.conversationId) return html`<div class="root" part="container">${this.chrome()}<p class="muted">${t.chooseConversation}</p></div>`;
    if (!store || store.state === 'loading') return html`<div class="root" part="container">${this.chrome()}<p class="muted">${t.loading}</p></div>`;
    if (store.state === 'error') {
      const text = store.error === 'not_found' ? t.noSuchConversation : t.loadFailed + store.error;
      return html`<div class="root" part="container">${this.chrome()}<p class="error" role="alert">${text}</p></div>`;
    }
    return html`<div class="root" part="container">
      ${this.chrome()} ${this.header(store)}
      <ol class="messages" part="messages" tabindex="0" aria-label=${t.messages} @scroll=${this.onScroll}>
        ${store.hasOlder ? html`<li class="older"><button class="link" part="button" @click=${() => this.older()}>${t.older}</button></li>` : nothing}
        ${store.messages.map((m) => this.message(m, store))}
        ${store.hasNewer
          ? html`<li class="older"><button class="link" part="button" @click=${() => store.loadNewer()}>${t.newer}</button></li>`
          : store.outbox.map((o) => this.outgoing(o))}
      </ol>
      ${this.renderTyping(store)}
      <form class="composer" part="composer" @submit=${this.submit}>
        <label class="sr-only" for="body">${t.writeMessage}</label>
        <textarea id="body" part="input" rows="2" maxlength=${LIMITS.messageBody} placeholder=${t.writeMessage}
          @keydown=${this.keydown} @input=${this.input} @blur=${() => this.store?.stopTyping()}></textarea>
        <button class="primary" part="button">${t.send}</button>
      </form>
    </div>`;
  }

  private header(store: ConversationStore) {
    const c = store.conversation;
    if (!c) return nothing;
    const t = this.t;
    const me = store.me;
    // The newest message says what it is about now (an item's title can change).
    const shown = { ...c, context: store.context };
    const context = shown.context;
    const byContext = titledByContext(shown);
    const link = context ? contextLink(context, this.contextHref) : undefined;
    const who = c.group ? t.participantCount(c.participants.length) : c.subject || byContext ? otherNames(c, me) : '';
    return html`<header class="head" part="header">
      <h2 tabindex="-1">${conversationTitle(shown, me, t)}</h2>
      ${who ? html`<p class="muted">${t.with}: ${who}</p>` : nothing}
      ${context && (link || !byContext)
        ? html`<p class="context" part="context">${link
          ? renderLink(link, byContext ? t.openContext[context.kind] : contextLabel(context, t), t.newTab)
          : contextLabel(context, t)}</p>`
        : nothing}
    </header>`;
  }

  private message(m: Message, store: ConversationStore) {
    const t = this.t;
    const mine = m.senderId !== null && m.senderId === store.me;
    const side = mine ? 'mine' : 'theirs';
    const found = m.seq === this.found;
    const error = this.changeError?.seq === m.seq ? this.changeError.text : '';
    return html`<li class="msg ${side} ${m.deleted ? 'deleted' : ''} ${found ? 'found' : ''}" part="message ${side}${m.deleted ? ' deleted' : ''}"
      data-seq=${m.seq} tabindex=${found ? '-1' : nothing}>
      <p class="meta">
        <span class="who">${senderLabel(m, store.me, t)}</span> <time datetime=${m.createdAt}>${shortTime(m.createdAt, t)}</time>${m.editedAt && !m.deleted
          ? html` <span class="edited">(${t.edited})</span>`
          : nothing}
      </p>
      ${m.deleted
        ? html`<p class="body tombstone">${t.deletedMessage}</p>`
        : this.editing === m.seq
          ? this.editForm(m)
          : html`<p class="body" id="b-${m.seq}">${linkify(m.body, t.newTab)}</p>`}
      ${m.quietHours && !m.deleted ? html`<p class="quiet" part="quiet">${t.quietHours}</p>` : nothing}
      ${store.mayChange(m) && this.editing !== m.seq ? this.changeButtons(m) : nothing}
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
      ${mine && !m.deleted && m === lastOwn(store) && store.outbox.length === 0 ? html`<p class="receipt muted">${this.receipt(m, store)}</p>` : nothing}
    </li>`;
  }

  private changeButtons(m: Message) {
    const t = this.t;
    if (this.confirming === m.seq) {
      return html`<p class="change"><span>${t.confirmRemove}</span>
        <button id="confirm-remove" class="link danger" part="button" @click=${() => this.removeMessage(m)}>${t.remove}</button>
        <button class="link" part="button" @click=${() => this.closeChange('remove', m.seq)}>${t.cancel}</button></p>`;
    }
    return html`<p class="change">
      <button class="link" part="button" data-edit=${m.seq} aria-describedby="b-${m.seq}" @click=${() => this.openChange('edit', m)}>${t.edit}</button>
      <button class="link" part="button" data-remove=${m.seq} aria-describedby="b-${m.seq}" @click=${() => this.openChange('remove', m)}>${t.remove}</button>
    </p>`;
  }

  private editForm(m: Message) {
    const t = this.t;
    return html`<form class="edit" @submit=${(e: Event) => this.saveEdit(e, m)}>
      <label class="sr-only" for="edit">${t.editMessage}</label>
      <textarea id="edit" part="input" rows="2" maxlength=${LIMITS.messageBody} .value=${m.body} @keydown=${(e: KeyboardEvent) => this.editKey(e, m)}></textarea>
      <div class="actions">
        <button class="primary" part="button">${t.save}</button>
        <button type="button" part="button" @click=${() => this.closeChange('edit', m.seq)}>${t.cancel}</button>
      </div>
    </form>`;
  }

  private receipt(m: Message, store: ConversationStore): string {
    const readers = (store.conversation?.participants ?? []).filter((p) => p.id !== store.me && store.readSeq(p.id) >= m.seq);
    return readers.length ? this.t.readBy(readers.map((p) => p.name).join(', ')) : this.t.sent;
  }

  private outgoing(o: Outgoing) {
    const online = this.client?.status === 'online';
    return html`<li class="msg mine ${o.state}" part="message mine ${o.state}">
      <p class="meta"><span class="who">${this.t.you}</span> <time datetime=${o.createdAt}>${shortTime(o.createdAt, this.t)}</time></p>
      <p class="body">${o.body}</p>
      ${o.state === 'pending'
        ? html`<p class="receipt muted">${online ? this.t.sending : this.t.waiting}</p>`
        : html`<p class="receipt error">${this.t.failedSend}: ${o.error}
            <button class="link" part="button" @click=${() => this.store?.retry(o.clientKey)}>${this.t.retry}</button></p>`}
    </li>`;
  }

  /**
   * Who is typing, in a polite live region that is always there (so that a change is read
   * out) and only changes when the set of people does. Only participants the hub shows.
   */
  protected renderTyping(store: ConversationStore) {
    const names = store.typing;
    const text = names.length === 0 ? '' : nameList(names, this.t) !== undefined ? this.t.typing(nameList(names, this.t)!, names.length) : this.t.typingMany;
    return html`<p class="typing" part="typing" aria-live="polite">${text}</p>`;
  }
}

function lastOwn(store: ConversationStore): Message | undefined {
  for (let i = store.messages.length - 1; i >= 0; i--) {
    const m = store.messages[i]!;
    if (m.senderId !== null && m.senderId === store.me && !m.deleted) return m;
  }
  return undefined;
}

customElements.get('schoolhub-chat') ?? customElements.define('schoolhub-chat', SchoolhubChat);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-chat': SchoolhubChat;
  }
}
