// <schoolhub-inbox>: the person's conversations, most recent first, with unread counts, the
// context and the last message, kept live. Opening a conversation fires `schoolhub-open`;
// unless the portal handles it, the inbox drives the <schoolhub-chat> named by its `chat`
// attribute, or shows the conversation itself.
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import type { HubClient } from './client/client.ts';
import { inboxStore, type InboxStore } from './client/inbox-store.ts';
import type { InboxEntry } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { shortTime } from './ui/i18n.ts';
import { otherNames } from './ui/people.ts';
import './chat.ts';
import './new-conversation.ts';

/** The chat's parts, styled through the inbox when the inbox shows a conversation itself. */
const CHAT_PARTS = 'header, messages, message, mine, theirs, pending, failed, composer, input, button, context, status';

/**
 * @fires schoolhub-open - {conversationId}, cancelable: the person opened a conversation
 * @csspart list - the list of conversations
 * @csspart item - one conversation (also `unread`)
 * @csspart badge - an unread count
 * @csspart button - buttons
 * @csspart status - the connection status line
 */
export class SchoolhubInbox extends HubElement {
  static override styles = [
    base,
    css`
      .list li + li {
        border-top: 1px solid var(--_border);
      }
      .item {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.1em 0.6em;
        width: 100%;
        text-align: start;
        border: none;
        border-radius: 0;
        background: transparent;
        color: var(--_text);
        padding: 0.55em 0.4em;
      }
      .item:hover {
        background: var(--_subtle);
      }
      .item.unread .name {
        font-weight: 700;
      }
      .item .last {
        grid-column: 1 / -1;
        color: var(--_muted);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
    `,
  ];
  static override properties: PropertyDeclarations = {
    chat: {},
    contextHref: { attribute: 'context-href' },
    open: { state: true },
    composing: { state: true },
  };

  /** id of a <schoolhub-chat> on the page to show opened conversations in. */
  declare chat: string | null;
  declare contextHref: string | null;
  /** The conversation shown inside the inbox (when no `chat` is named). */
  declare open: string | null;
  declare composing: boolean;
  private store: InboxStore | undefined;
  /** The conversation last opened, wherever it is shown: its messages are not announced here. */
  private selected: string | null = null;

  constructor() {
    super();
    this.chat = null;
    this.contextHref = null;
    this.open = null;
    this.composing = false;
  }

  attach(client: HubClient): (() => void)[] {
    this.store = inboxStore(client);
    return [
      this.store.subscribe(() => this.requestUpdate()),
      client.on('message.created', ({ message: m }) => {
        if (m.senderId !== client.user?.id && m.conversationId !== this.selected) this.announce(this.t.newMessageFrom(m.senderName, m.body));
      }),
    ];
  }

  /** Opens a conversation: the portal may take over (preventDefault), else a chat shows it. */
  openConversation(conversationId: string): void {
    this.selected = conversationId;
    this.composing = false;
    const ev = new CustomEvent('schoolhub-open', { detail: { conversationId }, bubbles: true, composed: true, cancelable: true });
    if (!this.dispatchEvent(ev)) return;
    const target = this.chat ? document.getElementById(this.chat) : null;
    if (target && target.localName === 'schoolhub-chat') {
      target.setAttribute('conversation-id', conversationId);
      requestAnimationFrame(() => target.focus());
      return;
    }
    this.open = conversationId;
    void this.updateComplete.then(() => this.renderRoot.querySelector('schoolhub-chat')?.focus());
  }

  private back(): void {
    const was = this.open;
    this.open = null;
    this.selected = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-id="${CSS.escape(was ?? '')}"]`)?.focus());
  }

  override render() {
    const t = this.t;
    const lang = this.locale;
    if (this.open) {
      return html`<div class="root" part="container">
        <button class="link" part="button" @click=${this.back}>← ${t.back}</button>
        <schoolhub-chat lang=${lang} conversation-id=${this.open} context-href=${this.contextHref ?? nothing} exportparts=${CHAT_PARTS}></schoolhub-chat>
      </div>`;
    }
    if (this.composing) {
      return html`<div class="root" part="container">
        <schoolhub-new-conversation
          lang=${lang}
          exportparts="input, button, status"
          @schoolhub-started=${(e: CustomEvent<{ conversationId: string }>) => this.openConversation(e.detail.conversationId)}
          @schoolhub-cancel=${() => (this.composing = false)}
        ></schoolhub-new-conversation>
      </div>`;
    }
    const store = this.store;
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar">
        <h2 id="title">${t.inbox}</h2>
        <button part="button" @click=${() => (this.composing = true)}>${t.newConversation}</button>
      </div>
      ${!store || store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state === 'error'
          ? html`<p class="error">${t.loadFailed}${store.error}</p>`
          : store.conversations.length === 0
            ? html`<p class="muted">${t.noConversations}</p>`
            : html`<ul class="list" part="list" aria-label=${t.conversations}>
                ${store.conversations.map((c) => html`<li>${this.item(c)}</li>`)}
              </ul>`}
      ${store?.next ? html`<div class="actions"><button part="button" @click=${() => store.more()}>${t.more}</button></div>` : nothing}
    </section>`;
  }

  private item(c: InboxEntry) {
    const t = this.t;
    const me = this.client?.user?.id;
    const last = c.lastMessage;
    const title = c.subject ?? otherNames(c, me);
    return html`<button class="item ${c.unread ? 'unread' : ''}" part="item ${c.unread ? 'unread' : ''}" data-id=${c.id}
      @click=${() => this.openConversation(c.id)}>
      <span class="name">${title}</span>
      <span>${c.unread ? html`<span class="count" part="badge" aria-hidden="true">${c.unread}</span><span class="sr-only">${t.unread(c.unread)}</span>` : nothing}
        <time class="muted" datetime=${c.lastActivityAt}>${shortTime(c.lastActivityAt, t)}</time></span>
      ${c.context ? html`<span class="muted">${t.context[c.context.kind]}</span>` : nothing}
      <span class="last">${last ? `${last.senderId === me ? t.you : last.senderName}: ${last.body}` : c.subject ? otherNames(c, me) : ''}</span>
    </button>`;
  }
}

customElements.get('schoolhub-inbox') ?? customElements.define('schoolhub-inbox', SchoolhubInbox);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-inbox': SchoolhubInbox;
  }
}
