// <schoolhub-chat conversation-id="…">: one conversation. Older messages load on scroll (and
// newer ones, when it was opened at a search hit), sends show at once as pending (or failed,
// with a retry that reuses the clientKey), one's own messages can be edited and deleted
// within the hub's window (a deleted one stays as a tombstone), read receipts come from the
// hub's read marks, typing indicators come and go politely, and a context header links to
// the plan, assignment or conference. In a whole-group conversation only the mentors write:
// they see who reads it, in words; the others get "reply privately" on each message instead.
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { ConversationStore, type Outgoing } from './client/conversation-store.ts';
import { HubError, type Message, type Reaction } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText, shortTime } from './ui/i18n.ts';
import { contextLabel, conversationTitle, nameList, otherNames, senderLabel, titledByContext } from './ui/people.ts';
import { contextLink } from './ui/links.ts';
import { renderLink } from './ui/anchor.ts';
import { linkify } from './ui/linkify.ts';
import { chatStyles } from './ui/chat-styles.ts';
import { reactionBar, reactionStyles } from './ui/reactions.ts';
import { LIMITS } from '../hub/protocol/limits.ts';
import { newClientKey } from './client/keys.ts';
import { lengthNote, lengthOf, nearLimit } from './ui/length.ts';
import { ACCEPT, FilePicker } from './ui/file-picker.ts';
import { filesView } from './ui/files.ts';

/**
 * @csspart header - title, participants and context
 * @csspart context - the context line (plan, assignment, conference) with its link
 * @csspart messages - the scrolling list
 * @csspart message - one message (also `mine` or `theirs`, `pending` or `failed`, `deleted`)
 * @csspart quiet - the "answers during school hours" note under a message
 * @csspart quote - what a private reply answers
 * @csspart reactions - the reaction bar under a message (its buttons: `reaction`)
 * @csspart audience - who reads a whole-group conversation, or (for those who only read it) how to answer
 * @csspart typing - the typing indicator
 * @csspart composer - the form at the bottom
 * @csspart counter - the length counter near the limit
 * @csspart input - text fields
 * @csspart button - buttons
 * @csspart status - the connection status line
 * @cssprop --schoolhub-chat-height - height of the message list (default 26em)
 */
export class SchoolhubChat extends HubElement {
  static override styles = [base, chatStyles, reactionStyles];

  /** The conversation to show. */
  @property({ attribute: 'conversation-id', reflect: true }) conversationId: string | null = null;
  /** URL pattern for the context link when the hub gives none: `{kind}` and `{id}` are replaced, e.g. `/portal/{kind}s/{id}`. */
  @property({ attribute: 'context-href' }) contextHref: string | null = null;
  /** The message to open the conversation at (e.g. a search hit), by its seq. */
  @property({ attribute: 'message-seq', type: Number }) messageSeq: number | null = null;
  /** The seq of the message being edited. */
  @state() editing: number | null = null;
  /** The seq of the message whose deletion is being confirmed. */
  @state() confirming: number | null = null;
  @state() changeError: { seq: number; text: string } | null = null;
  /** The seq of the group message being answered privately, and why sending it failed. */
  @state() replying: number | null = null;
  @state() replyError: string | null = null;
  /** One key per private reply, reused when it is sent again after a failure. */
  private replyKey: string | undefined;
  /** The composer's and the editor's text lengths, for the counter and refusing what is too long. */
  @state() draftLength = 0;
  /** Files chosen for the next message (the paper clip). */
  private readonly picker = new FilePicker(this, 'message');
  /**
   * The message list is one tab stop (roving tabindex): `active` is the seq of the message that
   * holds it (the newest when unset); arrow keys move it. `actionsFor` is the message whose
   * edit and delete buttons are in the tab order, after Enter on it.
   */
  @state() active: number | null = null;
  @state() actionsFor: number | null = null;
  @state() editLength = 0;
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

  /** Moves focus to the composer, or to the message it was opened at, once shown. */
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
    // Opened to write: the composer, not the heading (or every message's buttons) first.
    const composer = this.renderRoot.querySelector<HTMLElement>('#body');
    if (!composer) return;
    this.wantsFocus = false;
    composer.focus();
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
    this.active = this.actionsFor = null;
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
    // Text, files or both; not while a file is still on its way.
    if (!field || (!body && this.picker.files.length === 0) || this.picker.uploading > 0 || !this.store || body.length > LIMITS.messageBody) return;
    this.store.send(body, this.picker.take());
    field.value = '';
    this.draftLength = 0;
    this.atBottom = true;
  }

  private keydown(e: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) this.submit(e);
  }

  private input(e: Event): void {
    const value = (e.target as HTMLTextAreaElement).value;
    this.draftLength = lengthOf(value);
    this.store?.typed(value.trim() !== '');
  }

  /** Opens message `m`'s change: its editor or the question whether to delete it; one at a time. */
  private openChange(change: 'edit' | 'remove', m: Message): void {
    this.editing = change === 'edit' ? m.seq : null;
    this.editLength = lengthOf(m.body);
    this.confirming = change === 'remove' ? m.seq : null;
    this.changeError = null;
    this.focusAfter = change === 'edit' ? '#edit' : '#confirm-remove';
  }

  /** Closes it, and gives focus back to the button that opened it. */
  private closeChange(change: 'edit' | 'remove', seq: number): void {
    if (change === 'edit') this.editing = null;
    else this.confirming = null;
    this.actionsFor = this.active = seq;
    this.focusAfter = `[data-${change}="${seq}"]`;
  }

  private showChangeError(m: Message, err: unknown): void {
    this.changeError = { seq: m.seq, text: `${this.t.changeFailed}: ${errorText(err, this.t)}` };
  }

  private async saveEdit(e: Event, m: Message): Promise<void> {
    e.preventDefault();
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('#edit');
    const body = field?.value.trim() ?? '';
    if (!this.store || !body || body.length > LIMITS.messageBody) return;
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
      this.actionsFor = null;
      this.active = m.seq;
      this.focusAfter = `li[data-seq="${m.seq}"]`;
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
      const text = store.error instanceof HubError && store.error.code === 'not_found' ? t.noSuchConversation : t.loadFailed + errorText(store.error, t);
      return html`<div class="root" part="container">${this.chrome()}<p class="error" role="alert">${text}</p></div>`;
    }
    return html`<div class="root" part="container">
      ${this.chrome()} ${this.header(store)}
      <p class="sr-only" id="list-hint">${t.listHint}</p>
      <ol class="messages" part="messages" aria-label=${t.messages} @scroll=${this.onScroll} @keydown=${this.listKey}
        @focusin=${this.listFocus} @focusout=${this.listBlur}>
        ${store.hasOlder ? html`<li class="older"><button class="link" part="button" @click=${() => this.older()}>${t.older}</button></li>` : nothing}
        ${store.messages.map((m) => this.message(m, store))}
        ${store.hasNewer
          ? html`<li class="older"><button class="link" part="button" @click=${() => store.loadNewer()}>${t.newer}</button></li>`
          : store.outbox.map((o) => this.outgoing(o))}
      </ol>
      ${this.renderTyping(store)}
      ${this.composer(store)}
    </div>`;
  }

  /**
   * In a whole-group conversation only the mentors write (docs/DOMAIN.md §3): they are told in
   * words who reads what they send; everyone else gets no composer, only how to answer.
   */
  private composer(store: ConversationStore) {
    const t = this.t;
    const group = store.conversation?.group;
    if (group && !mayWriteTo(group, store.me)) return html`<p class="audience muted" part="audience">${t.onlyMentorsWrite}</p>`;
    const tooLong = this.draftLength > LIMITS.messageBody;
    const describedBy = [group ? 'audience' : '', nearLimit(this.draftLength, LIMITS.messageBody) ? 'body-length' : ''].filter(Boolean).join(' ');
    return html`${group ? html`<p class="audience muted" part="audience" id="audience">${t.audienceLine(group.name ?? t.group, group.audience)}</p>` : nothing}
      <form class="composer" part="composer" @submit=${this.submit}>
        <label class="sr-only" for="body">${t.writeMessage}</label>
        <textarea id="body" part="input" dir="auto" rows="2" data-limit=${LIMITS.messageBody} placeholder=${t.writeMessage}
          aria-invalid=${tooLong ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
          @keydown=${this.keydown} @input=${this.input} @blur=${() => this.store?.stopTyping()}></textarea>
        <label class="attach" part="button" title=${t.attachFiles}><span aria-hidden="true">📎</span><span class="sr-only">${t.attachFiles}</span>
          <input class="sr-only" type="file" multiple accept=${ACCEPT} @change=${(e: Event) => this.picker.choose(e, this.client, t)} /></label>
        <button class="primary" part="button" ?disabled=${tooLong || this.picker.uploading > 0}>${t.send}</button>
      </form>
      ${this.picker.render(t)}
      ${lengthNote(this.draftLength, LIMITS.messageBody, t, 'body-length')}`;
  }

  /** A reaction on or off; a refusal is said under the message. */
  private react(m: Message, emoji: Reaction, on: boolean): void {
    this.changeError = null;
    this.store?.react(m, emoji, on).catch((err: unknown) => {
      this.changeError = { seq: m.seq, text: `${this.t.reactFailed}: ${errorText(err, this.t)}` };
    });
  }

  private startReply(m: Message): void {
    this.replying = m.seq;
    this.replyError = null;
    this.replyKey = undefined;
    this.focusAfter = '#reply';
  }

  /** Sends the private reply, then opens the direct conversation it went to. */
  private async sendReply(e: Event, m: Message): Promise<void> {
    e.preventDefault();
    const body = this.renderRoot.querySelector<HTMLTextAreaElement>('#reply')?.value.trim() ?? '';
    if (!body || !this.client) return;
    this.replyKey ??= newClientKey('r');
    try {
      const { conversation } = await this.client.request('message.replyPrivately', { to: { kind: 'message', id: m.id }, body, clientKey: this.replyKey });
      this.replying = null;
      this.replyKey = undefined;
      this.show(conversation.id);
      this.focus();
    } catch (err) {
      this.replyError = `${this.t.failedSend}: ${errorText(err, this.t)}`;
    }
  }

  private replyForm(m: Message) {
    const t = this.t;
    const cancel = () => {
      this.replying = null;
      this.focusAfter = `[data-reply="${m.seq}"]`;
    };
    return html`<form class="edit reply" @submit=${(e: Event) => this.sendReply(e, m)}>
      <label for="reply">${t.privateReplyTo(m.senderName ?? t.someone)}</label>
      <textarea id="reply" part="input" dir="auto" rows="2" maxlength=${LIMITS.messageBody}
        @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') cancel(); else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void this.sendReply(e, m); }}></textarea>
      <div class="actions">
        <button class="primary" part="button">${t.send}</button>
        <button type="button" part="button" @click=${cancel}>${t.cancel}</button>
      </div>
      ${this.replyError ? html`<p class="error" role="alert">${this.replyError}</p>` : nothing}
    </form>`;
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
      <h2 tabindex="-1" dir="auto">${conversationTitle(shown, me, t)}</h2>
      ${who ? html`<p class="muted">${t.with}: <bdi>${who}</bdi></p>` : nothing}
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
    const stop = m.seq === this.activeSeq(store);
    return html`<li class="msg ${side} ${m.deleted ? 'deleted' : ''} ${found ? 'found' : ''}" part="message ${side}${m.deleted ? ' deleted' : ''}"
      data-seq=${m.seq} tabindex=${stop ? '0' : '-1'} aria-describedby=${stop ? 'list-hint' : nothing}>
      <p class="meta">
        <bdi class="who">${senderLabel(m, store.me, t)}</bdi> <time datetime=${m.createdAt}>${shortTime(m.createdAt, t)}</time>${m.editedAt && !m.deleted
          ? html` <span class="edited">(${t.edited})</span>`
          : nothing}
      </p>
      ${m.deleted
        ? html`<p class="body tombstone">${t.deletedMessage}</p>`
        : this.editing === m.seq
          ? this.editForm(m)
          : html`<p class="body" id="b-${m.seq}" dir="auto">${linkify(m.body, t.newTab)}</p>`}
      ${m.replyTo && !m.deleted ? html`<p class="quote muted" part="quote">${t.replyingTo} ${m.replyTo.title ?? t.group}: ”${m.replyTo.excerpt}”</p>` : nothing}
      ${!m.deleted && m.files?.length ? filesView(m.files, this.client, this.locale) : nothing}
      ${m.quietHours && !m.deleted ? html`<p class="quiet" part="quiet">${t.quietHours}</p>` : nothing}
      ${store.mayChange(m) && this.editing !== m.seq ? this.changeButtons(m) : nothing}
      ${m.deleted ? nothing : reactionBar({
        reactions: m.reactions, t, key: m.seq, describedBy: `b-${m.seq}`,
        // In the tab order only after Enter on the message, like its other actions.
        tabindex: this.actionsFor === m.seq ? '0' : '-1',
        onKey: (e) => this.actionKey(e, m.seq),
        onToggle: (emoji, on) => this.react(m, emoji, on),
      })}
      ${this.mayReplyPrivately(m, store)
        ? this.replying === m.seq
          ? this.replyForm(m)
          : html`<p class="change"><button class="link" part="button" data-reply=${m.seq} aria-describedby="b-${m.seq}" @click=${() => this.startReply(m)}>${t.replyPrivately}</button></p>`
        : nothing}
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
      ${mine && !m.deleted && m === lastOwn(store) && store.outbox.length === 0 ? html`<p class="receipt muted">${this.receipt(m, store)}</p>` : nothing}
    </li>`;
  }

  /** A family member answers a mentor's group message privately (the author must be shown to them). */
  private mayReplyPrivately(m: Message, store: ConversationStore): boolean {
    const group = store.conversation?.group;
    return !!group && !mayWriteTo(group, store.me) && !m.deleted && m.senderId !== null && m.senderId !== store.me;
  }

  /** The message that holds the list's tab stop: the one moved to, else the newest. */
  private activeSeq(store: ConversationStore): number | undefined {
    const active = this.active;
    if (active !== null && store.messages.some((m) => m.seq === active)) return active;
    return store.messages[store.messages.length - 1]?.seq;
  }

  /** Arrow keys, Home and End move between messages; Enter (or the menu key) opens one's own message's actions. */
  private listKey(e: KeyboardEvent): void {
    const li = (e.target as HTMLElement).closest<HTMLElement>('li.msg[data-seq]');
    if (!li || e.target !== li || !this.store) return;
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>('li.msg[data-seq]')];
    const i = items.indexOf(li);
    const to = e.key === 'ArrowUp' ? i - 1 : e.key === 'ArrowDown' ? i + 1 : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : undefined;
    if (to !== undefined) {
      e.preventDefault();
      const next = items[Math.max(0, Math.min(items.length - 1, to))];
      if (!next) return;
      this.active = Number(next.dataset.seq);
      this.actionsFor = null;
      next.focus();
      if (to < 0 && this.store.hasOlder) void this.older();
      return;
    }
    if (e.key === 'Enter' || e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      const m = this.store.messages.find((x) => x.seq === Number(li.dataset.seq));
      if (!m || m.deleted) return;
      e.preventDefault();
      this.actionsFor = m.seq;
      // One's own message opens at "edit"; any other at its reactions.
      this.focusAfter = this.store.mayChange(m) ? `[data-edit="${m.seq}"]` : `[data-react="${m.seq}"]`;
    } else if (e.key === 'Escape' && this.actionsFor !== null) {
      this.actionsFor = null;
    }
  }

  /** Focus on a message (by click or search hit) makes it the tab stop. */
  private listFocus(e: FocusEvent): void {
    const li = (e.target as HTMLElement).closest<HTMLElement>('li.msg[data-seq]');
    if (li) this.active = Number(li.dataset.seq);
  }

  /** Leaving a message's actions takes them out of the tab order again. */
  private listBlur(e: FocusEvent): void {
    const to = e.relatedTarget as HTMLElement | null;
    const seq = this.actionsFor;
    if (seq === null || this.editing === seq || this.confirming === seq) return;
    if (!to || !to.closest(`li[data-seq="${seq}"]`)) this.actionsFor = null;
  }

  /** Escape in a message's actions goes back to the message. */
  private actionKey(e: KeyboardEvent, seq: number): void {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    this.actionsFor = null;
    this.focusAfter = `li[data-seq="${seq}"]`;
  }

  private changeButtons(m: Message) {
    const t = this.t;
    // In the tab order only after Enter on the message: the list stays one tab stop.
    const tab = this.actionsFor === m.seq ? '0' : '-1';
    if (this.confirming === m.seq) {
      return html`<p class="change"><span>${t.confirmRemove}</span>
        <button id="confirm-remove" class="link danger" part="button" @click=${() => this.removeMessage(m)}>${t.remove}</button>
        <button class="link" part="button" @click=${() => this.closeChange('remove', m.seq)}>${t.cancel}</button></p>`;
    }
    return html`<p class="change">
      <button class="link" part="button" data-edit=${m.seq} tabindex=${tab} aria-describedby="b-${m.seq}"
        @keydown=${(e: KeyboardEvent) => this.actionKey(e, m.seq)} @click=${() => this.openChange('edit', m)}>${t.edit}</button>
      <button class="link" part="button" data-remove=${m.seq} tabindex=${tab} aria-describedby="b-${m.seq}"
        @keydown=${(e: KeyboardEvent) => this.actionKey(e, m.seq)} @click=${() => this.openChange('remove', m)}>${t.remove}</button>
    </p>`;
  }

  private editForm(m: Message) {
    const t = this.t;
    const tooLong = this.editLength > LIMITS.messageBody;
    return html`<form class="edit" @submit=${(e: Event) => this.saveEdit(e, m)}>
      <label class="sr-only" for="edit">${t.editMessage}</label>
      <textarea id="edit" part="input" dir="auto" rows="2" data-limit=${LIMITS.messageBody} .value=${m.body}
        aria-invalid=${tooLong ? 'true' : 'false'} aria-describedby=${nearLimit(this.editLength, LIMITS.messageBody) ? 'edit-length' : nothing}
        @input=${(e: Event) => (this.editLength = lengthOf((e.target as HTMLTextAreaElement).value))}
        @keydown=${(e: KeyboardEvent) => this.editKey(e, m)}></textarea>
      ${lengthNote(this.editLength, LIMITS.messageBody, t, 'edit-length')}
      <div class="actions">
        <button class="primary" part="button" ?disabled=${tooLong}>${t.save}</button>
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
      <p class="body" dir="auto">${o.body}</p>
      ${o.state === 'pending'
        ? html`<p class="receipt muted">${online ? this.t.sending : this.t.waiting}</p>`
        : html`<p class="receipt error">${this.t.failedSend}: ${errorText(o.error, this.t)}
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

/** May `me` write to this whole-group conversation? Only its mentors (an older hub says nothing: yes). */
function mayWriteTo(group: { mentorIds?: string[] }, me: string | undefined): boolean {
  return group.mentorIds === undefined || (me !== undefined && group.mentorIds.includes(me));
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
