// <schoolhub-inbox>: the person's conversations, most recent first, with unread counts, what
// they are about (the plan's, assignment's or conference's title) and the last message, kept
// live; a search over the person's own messages (messages.search) whose hits open the
// conversation at the message. Opening a conversation fires `schoolhub-open`; unless the
// portal handles it, the inbox drives the <schoolhub-chat> named by its `chat` attribute, or
// shows the conversation itself.
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { inboxStore, type InboxStore } from './client/inbox-store.ts';
import { HubError, type Conversation, type InboxEntry, type Message } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText, shortTime } from './ui/i18n.ts';
import { contextLabel, conversationTitle, otherNames, senderLabel, titledByContext } from './ui/people.ts';
import type { SchoolhubChat } from './chat.ts';
import './chat.ts';
import './new-conversation.ts';
import { LIMITS } from '../hub/protocol/limits.ts';

interface Search {
  query: string;
  results: { message: Message; conversation: Conversation }[];
  next: string | null;
  busy: boolean;
  error: string;
}

/** The chat's parts, styled through the inbox when the inbox shows a conversation itself. */
const CHAT_PARTS = 'header, messages, message, mine, theirs, pending, failed, deleted, quiet, typing, composer, counter, input, button, context, status';

/**
 * @fires schoolhub-open - {conversationId, seq?}, cancelable: the person opened a conversation (at message `seq`, from a search hit)
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
      .item .about {
        grid-column: 1 / -1;
      }
      .bar-actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4em;
      }
      #title:focus {
        outline: none;
      }
      .search {
        display: flex;
        gap: 0.4em;
        margin-bottom: 0.6em;
      }
      .search input {
        flex: 1;
      }
      .hits .last {
        white-space: normal;
      }
    `,
  ];

  /** id of a <schoolhub-chat> on the page to show opened conversations in. */
  @property() chat: string | null = null;
  @property({ attribute: 'context-href' }) contextHref: string | null = null;
  /** The conversation shown inside the inbox (when no `chat` is named). */
  @state() open: string | null = null;
  /** The message the conversation shown inside was opened at (a search hit). */
  @state() openSeq: number | null = null;
  @state() composing = false;
  /** The search being shown, if any. */
  @state() search: Search | null = null;
  @state() readingAll = false;
  @state() readAllError = '';
  private store: InboxStore | undefined;
  /** The conversation last opened, wherever it is shown: its messages are not announced here. */
  private selected: string | null = null;

  attach(client: HubClient): (() => void)[] {
    this.store = inboxStore(client);
    return [
      this.store.subscribe(() => this.requestUpdate()),
      client.on('message.created', ({ message: m }) => {
        const me = client.user?.id;
        if ((m.senderId === null || m.senderId !== me) && m.conversationId !== this.selected) this.announce(this.t.newMessageFrom(senderLabel(m, me, this.t), m.body));
      }),
    ];
  }

  private async readAll(): Promise<void> {
    if (!this.store) return;
    this.readingAll = true;
    this.readAllError = '';
    try {
      await this.store.readAll();
      this.announce(this.t.allRead);
      // The button goes with the last unread message: keep focus in the inbox.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#title')?.focus();
    } catch (err) {
      this.readAllError = `${this.t.changeFailed}: ${errorText(err, this.t)}`;
    } finally {
      this.readingAll = false;
    }
  }

  /** Opens a conversation (at message `seq`): the portal may take over (preventDefault), else a chat shows it. */
  openConversation(conversationId: string, seq?: number): void {
    this.selected = conversationId;
    this.composing = false;
    const detail = seq === undefined ? { conversationId } : { conversationId, seq };
    const ev = new CustomEvent('schoolhub-open', { detail, bubbles: true, composed: true, cancelable: true });
    if (!this.dispatchEvent(ev)) return;
    const target = this.chat ? document.getElementById(this.chat) : null;
    if (target && target.localName === 'schoolhub-chat') {
      (target as SchoolhubChat).show(conversationId, seq);
      requestAnimationFrame(() => target.focus());
      return;
    }
    this.open = conversationId;
    this.openSeq = seq ?? null;
    void this.updateComplete.then(() => this.renderRoot.querySelector('schoolhub-chat')?.focus());
  }

  private back(): void {
    const was = this.open;
    this.open = null;
    this.openSeq = null;
    this.selected = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-id="${CSS.escape(was ?? '')}"]`)?.focus());
  }

  /** Searches the person's own messages (the hub decides which conversations those are). */
  private async find(e: Event, more = false): Promise<void> {
    e.preventDefault();
    const client = this.client;
    const field = this.renderRoot.querySelector<HTMLInputElement>('#q');
    const query = more ? (this.search?.query ?? '') : (field?.value.trim() ?? '');
    if (!client || !query || this.search?.busy) return;
    const before = more ? this.search?.next : undefined;
    const kept = more ? (this.search?.results ?? []) : [];
    this.search = { query, results: kept, next: null, busy: true, error: '' };
    try {
      const page = await client.request('messages.search', { query, limit: 20, ...(before ? { before } : {}) });
      this.search = { query, results: [...kept, ...page.results], next: page.next, busy: false, error: '' };
      if (!more) this.announce(this.t.hits(page.results.length));
    } catch (err) {
      const error = err instanceof HubError && err.code === 'invalid' ? this.t.searchWords : `${this.t.loadFailed}${errorText(err, this.t)}`;
      this.search = { query, results: kept, next: null, busy: false, error };
    }
  }

  private clearSearch(): void {
    this.search = null;
    const field = this.renderRoot.querySelector<HTMLInputElement>('#q');
    if (field) {
      field.value = '';
      field.focus();
    }
  }

  override render() {
    const t = this.t;
    const lang = this.locale;
    if (this.open) {
      return html`<div class="root" part="container">
        <button class="link" part="button" @click=${this.back}>← ${t.back}</button>
        <schoolhub-chat lang=${lang} conversation-id=${this.open} message-seq=${this.openSeq ?? nothing}
          context-href=${this.contextHref ?? nothing} exportparts=${CHAT_PARTS}></schoolhub-chat>
      </div>`;
    }
    if (this.composing) {
      return html`<div class="root" part="container">
        <schoolhub-new-conversation
          lang=${lang}
          exportparts="input, button, status, counter"
          @schoolhub-started=${(e: CustomEvent<{ conversationId: string }>) => this.openConversation(e.detail.conversationId)}
          @schoolhub-cancel=${() => (this.composing = false)}
        ></schoolhub-new-conversation>
      </div>`;
    }
    const store = this.store;
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar">
        <h2 id="title" tabindex="-1">${t.inbox}</h2>
        <span class="bar-actions">
          ${store && store.unreadTotal > 0
            ? html`<button part="button" ?disabled=${this.readingAll} @click=${this.readAll}>${t.markAllRead}</button>`
            : nothing}
          <button part="button" @click=${() => (this.composing = true)}>${t.newConversation}</button>
        </span>
      </div>
      ${this.readAllError ? html`<p class="error" role="alert">${this.readAllError}</p>` : nothing}
      <form class="search" role="search" aria-label=${t.messageSearch} @submit=${(e: Event) => this.find(e)}>
        <label class="sr-only" for="q">${t.search}</label>
        <input id="q" type="search" part="input" dir="auto" maxlength=${LIMITS.searchQuery} autocomplete="off" placeholder=${t.search}
          @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.search && this.clearSearch()} />
        <button part="button">${t.searchButton}</button>
      </form>
      ${this.search
        ? this.results(this.search)
        : !store || store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state === 'error'
          ? html`<p class="error">${t.loadFailed}${errorText(store.error, t)}</p>`
          : store.conversations.length === 0
            ? html`<p class="muted">${t.noConversations}</p>`
            : html`<ul class="list" part="list" aria-label=${t.conversations}>
                ${store.conversations.map((c) => html`<li>${this.item(c)}</li>`)}
              </ul>`}
      ${store?.next && !this.search ? html`<div class="actions"><button part="button" @click=${() => store.more()}>${t.more}</button></div>` : nothing}
    </section>`;
  }

  private results(search: Search) {
    const t = this.t;
    const me = this.client?.user?.id;
    return html`<div class="bar">
        <h3 id="hits">${t.searchResults}</h3>
        <button class="link" part="button" @click=${this.clearSearch}>${t.clearSearch}</button>
      </div>
      ${search.error
        ? html`<p class="error" role="alert">${search.error}</p>`
        : search.busy && search.results.length === 0
          ? html`<p class="muted">${t.loading}</p>`
          : search.results.length === 0
            ? html`<p class="muted">${t.hits(0)}</p>`
            : html`<ul class="list hits" part="list" aria-labelledby="hits">
                ${search.results.map(({ message: m, conversation: c }) => html`<li>
                  <button class="item" part="item" data-id=${c.id} @click=${() => this.openConversation(c.id, m.seq)}>
                    <span class="name" dir="auto">${conversationTitle({ ...c, context: m.context ?? c.context }, me, t)}</span>
                    <time class="muted" datetime=${m.createdAt}>${shortTime(m.createdAt, t)}</time>
                    ${(c.subject || c.group) && (m.context ?? c.context)
                      ? html`<span class="about muted">${contextLabel((m.context ?? c.context)!, t)}</span>`
                      : nothing}
                    <span class="last" dir="auto"><bdi>${senderLabel(m, me, t)}</bdi>: ${m.body}</span>
                  </button>
                </li>`)}
              </ul>`}
      ${search.next && !search.error
        ? html`<div class="actions"><button part="button" ?disabled=${search.busy} @click=${(e: Event) => this.find(e, true)}>${t.more}</button></div>`
        : nothing}`;
  }

  private item(c: InboxEntry) {
    const t = this.t;
    const me = this.client?.user?.id;
    const last = c.lastMessage;
    const shown = { ...c, context: last?.context ?? c.context };
    // Under the title: what it is about, or, when the title says that, who is in it.
    const about = titledByContext(shown) ? otherNames(c, me) : shown.context ? contextLabel(shown.context, t) : '';
    return html`<button class="item ${c.unread ? 'unread' : ''}" part="item ${c.unread ? 'unread' : ''}" data-id=${c.id}
      @click=${() => this.openConversation(c.id)}>
      <span class="name" dir="auto">${conversationTitle(shown, me, t)}</span>
      <span>${c.unread ? html`<span class="count" part="badge" aria-hidden="true">${c.unread}</span><span class="sr-only">${t.unread(c.unread)}</span>` : nothing}
        <time class="muted" datetime=${c.lastActivityAt}>${shortTime(c.lastActivityAt, t)}</time></span>
      ${about ? html`<span class="about muted" dir="auto">${about}</span>` : nothing}
      <span class="last" dir="auto">${last
        ? html`<bdi>${senderLabel(last, me, t)}</bdi>: ${last.deleted ? t.deletedMessage : last.body}`
        : c.subject || c.group ? otherNames(c, me) : ''}</span>
    </button>`;
  }
}

customElements.get('schoolhub-inbox') ?? customElements.define('schoolhub-inbox', SchoolhubInbox);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-inbox': SchoolhubInbox;
  }
}
