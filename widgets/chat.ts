// <schoolhub-chat conversation-id="…">: one conversation. Older messages load on scroll,
// sends show at once as pending (or failed, with a retry that reuses the clientKey), read
// receipts come from the hub's read marks, and a context header links to the plan,
// assignment or conference through the portal's own URL pattern.
import { css, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { HubClient } from './client/client.ts';
import { ConversationStore, type Outgoing } from './client/conversation-store.ts';
import type { Conversation, Message } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { shortTime } from './ui/i18n.ts';
import { contextHref, otherNames } from './ui/people.ts';
import { chatStyles } from './ui/chat-styles.ts';

/**
 * @csspart header - title, participants and context link
 * @csspart messages - the scrolling list
 * @csspart message - one message (also `mine` or `theirs`, and `pending` or `failed`)
 * @csspart composer - the form at the bottom
 * @csspart input - the text field
 * @csspart button - buttons
 * @csspart status - the connection status line
 * @cssprop --schoolhub-chat-height - height of the message list (default 26em)
 */
export class SchoolhubChat extends HubElement {
  static override styles = [base, chatStyles];
  static override properties: PropertyDeclarations = {
    conversationId: { attribute: 'conversation-id', reflect: true },
    contextHref: { attribute: 'context-href' },
  };

  /** The conversation to show. */
  declare conversationId: string | null;
  /** URL pattern for the context link: `{kind}` and `{id}` are replaced, e.g. `/portal/{kind}s/{id}`. */
  declare contextHref: string | null;
  private store: ConversationStore | undefined;
  private unsubscribe: (() => void) | undefined;
  private atBottom = true;
  private heightBeforeOlder: number | undefined;
  private wantsFocus = false;

  constructor() {
    super();
    this.conversationId = null;
    this.contextHref = null;
  }

  attach(client: HubClient): (() => void)[] {
    this.bind(client);
    const onVisible = () => this.markRead();
    document.addEventListener('visibilitychange', onVisible);
    return [() => document.removeEventListener('visibilitychange', onVisible), () => this.bind(undefined)];
  }

  /** Moves focus to the conversation's heading (used when an inbox opens it), once it is shown. */
  override focus(): void {
    this.wantsFocus = true;
    this.takeFocus();
  }

  private takeFocus(): void {
    const heading = this.wantsFocus ? this.renderRoot.querySelector<HTMLElement>('h2') : null;
    if (!heading) return;
    this.wantsFocus = false;
    heading.focus();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId') && this.client && this.store?.conversationId !== this.conversationId) this.bind(this.client);
  }

  private bind(client: HubClient | undefined): void {
    this.unsubscribe?.();
    this.store?.dispose();
    this.store = undefined;
    this.atBottom = true;
    if (!client || !this.conversationId) return;
    const store = new ConversationStore(client, this.conversationId);
    this.store = store;
    this.unsubscribe = store.subscribe(() => {
      const live = store.takeLive();
      const last = live[live.length - 1];
      if (last) this.announce(this.t.newMessageFrom(last.senderName, last.body));
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
    if (list) {
      if (this.heightBeforeOlder !== undefined) {
        // Keep the message the reader was looking at in place when older ones are added above.
        list.scrollTop += list.scrollHeight - this.heightBeforeOlder;
        this.heightBeforeOlder = undefined;
      } else if (this.atBottom) {
        list.scrollTop = list.scrollHeight;
      }
    }
    this.takeFocus();
    this.markRead();
  }

  private onScroll(e: Event): void {
    const list = e.currentTarget as HTMLElement;
    this.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (list.scrollTop < 30) void this.older(list);
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
    const field = this.renderRoot.querySelector('textarea');
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
      ${this.chrome()} ${this.header(store.conversation)}
      <ol class="messages" part="messages" tabindex="0" aria-label=${t.messages} @scroll=${this.onScroll}>
        ${store.hasOlder ? html`<li class="older"><button class="link" part="button" @click=${() => this.older()}>${t.older}</button></li>` : nothing}
        ${store.messages.map((m) => this.message(m, store))} ${store.outbox.map((o) => this.outgoing(o))}
      </ol>
      ${this.renderTyping()}
      <form class="composer" part="composer" @submit=${this.submit}>
        <label class="sr-only" for="body">${t.writeMessage}</label>
        <textarea id="body" part="input" rows="2" maxlength="8000" placeholder=${t.writeMessage} @keydown=${this.keydown}></textarea>
        <button class="primary" part="button">${t.send}</button>
      </form>
    </div>`;
  }

  private header(c: Conversation | undefined) {
    if (!c) return nothing;
    const me = this.client?.user?.id;
    const names = otherNames(c, me);
    const href = c.context ? contextHref(this.contextHref, c.context) : undefined;
    const label = c.context ? `${this.t.context[c.context.kind]}` : '';
    return html`<header class="head" part="header">
      <h2 tabindex="-1">${c.subject ?? names}</h2>
      ${c.subject ? html`<p class="muted">${this.t.with}: ${names}</p>` : nothing}
      ${c.context
        ? html`<p class="context">${href ? html`<a href=${href} part="context">${this.t.openContext}: ${label}</a>` : html`${label}`}</p>`
        : nothing}
    </header>`;
  }

  private message(m: Message, store: ConversationStore) {
    const mine = m.senderId === store.me;
    const last = mine && m === lastOwn(store);
    return html`<li class="msg ${mine ? 'mine' : 'theirs'}" part="message ${mine ? 'mine' : 'theirs'}">
      <p class="meta"><span class="who">${mine ? this.t.you : m.senderName}</span> <time datetime=${m.createdAt}>${shortTime(m.createdAt, this.t)}</time></p>
      <p class="body">${m.body}</p>
      ${last && store.outbox.length === 0 ? html`<p class="receipt muted">${this.receipt(m, store)}</p>` : nothing}
    </li>`;
  }

  private receipt(m: Message, store: ConversationStore): string {
    const readers = (store.conversation?.participants ?? []).filter((p) => p.id !== store.me && (store.reads[p.id] ?? 0) >= m.seq);
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
   * Hook for a typing indicator. The hub has no typing event yet (docs/PROTOCOL.md §4), so
   * nothing is shown: a widget must not guess. When the hub adds one, subscribe to it in
   * attach() and render `this.t.typing(names)` here inside a polite live region.
   */
  protected renderTyping(): typeof nothing {
    return nothing;
  }
}

function lastOwn(store: ConversationStore): Message | undefined {
  for (let i = store.messages.length - 1; i >= 0; i--) if (store.messages[i]!.senderId === store.me) return store.messages[i];
  return undefined;
}

customElements.get('schoolhub-chat') ?? customElements.define('schoolhub-chat', SchoolhubChat);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-chat': SchoolhubChat;
  }
}
