// <schoolhub-feed>: posts and mailings the person may read, newest first, with unread marks.
// Live arrivals wait behind a "3 new posts" button so the list does not move while read;
// staff get a composer whose audience picker comes from the hub (audience.get). Posts take
// reactions (counts live) and a private reply to their author, which goes to the direct
// conversation with them (shown in the <schoolhub-chat> named by `chat`, if any).
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { feedStore, type FeedStore } from './client/feed-store.ts';
import type { Audience, FeedItem, Post, Reaction } from './client/protocol.ts';
import type { SchoolhubChat } from './chat.ts';
import { newClientKey } from './client/keys.ts';
import { LIMITS } from '../hub/protocol/limits.ts';
import { reactionBar, reactionStyles } from './ui/reactions.ts';
import { base, cardList } from './ui/styles.ts';
import { filesView } from './ui/files.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText, shortTime, type Strings } from './ui/i18n.ts';
import { linkify } from './ui/linkify.ts';
import './feed-composer.ts';
import './post-answer.ts';
import { followReminders, followsReads, reminderTag } from './post-stats.ts';

/** A post longer than this (characters or lines) is collapsed behind "Visa mer". */
const LONG_CHARS = 700;
const LONG_LINES = 10;
const isLong = (body: string): boolean => body.length > LONG_CHARS || body.split('\n').length > LONG_LINES;

function audienceText(item: FeedItem, t: Strings): string {
  const r = item.kind === 'post' ? item.audience.recipients : item.recipients;
  const who = (Object.keys(t.who) as (keyof Strings['who'])[]).filter((k) => r[k]).map((k) => t.who[k]).join(', ');
  if (item.kind === 'mailing') return who;
  const where = item.audience.targets
    .map((x) => (x.kind === 'school' ? t.wholeSchool : x.kind === 'group' ? `${x.part ? `${t.part} ` : ''}${x.groupName ?? ''}` : ''))
    .filter(Boolean)
    .join(', ');
  return [where, who].filter(Boolean).join(' · ');
}

/**
 * @csspart list - the list of items
 * @csspart item - one post or mailing (also `unread`)
 * @csspart new - the "new posts" button
 * @csspart composer - the staff composer
 * @csspart reactions - the reaction bar under a post (its buttons: `reaction`)
 * @csspart input - the private reply's field
 * @csspart button - buttons
 * @csspart status - the connection status line
 */
export class SchoolhubFeed extends HubElement {
  static override styles = [
    base,
    cardList,
    reactionStyles,
    css`
      .body {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        margin-top: 0.3em;
      }
      /* About eight lines; the rest stays in the page (and for screen readers) behind "Visa mer". */
      .body.collapsed {
        max-height: 12em;
        overflow: hidden;
        mask-image: linear-gradient(to bottom, #000 70%, transparent);
      }
      .tag {
        font-size: 0.8em;
        font-weight: 700;
        color: var(--_accent);
        margin-inline-end: 0.4em;
      }
      .new {
        width: 100%;
        margin-bottom: 0.6em;
      }
      schoolhub-feed-composer {
        display: block;
        margin-bottom: 1em;
      }
      .files {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4em;
        margin-top: 0.4em;
      }
      .reply textarea {
        width: 100%;
        box-sizing: border-box;
      }
    `,
  ];

  @state() audience: Audience | undefined;
  @state() composing = false;
  /** id of a <schoolhub-chat> on the page to open a private reply's conversation in. */
  @property() chat: string | null = null;
  /** The post being answered privately. */
  @state() replying: string | null = null;
  /** Per post: what became of a reply or a reaction (sent, or why it failed). */
  @state() notes: ReadonlyMap<string, { text: string; error: boolean }> = new Map();
  /** One key per private reply, reused when it is sent again after a failure. */
  private replyKey: string | undefined;
  /** Long posts the reader opened with "Visa mer". */
  @state() expanded: ReadonlySet<string> = new Set();
  /** Unread items their author reminded the reader of (post.reminder). */
  @state() reminded: ReadonlySet<string> = new Set();
  private store: FeedStore | undefined;
  private arrivalsSeen = 0;

  private note(id: string, text: string | null, error = false): void {
    const next = new Map(this.notes);
    if (text === null) next.delete(id);
    else next.set(id, { text, error });
    this.notes = next;
  }

  private react(p: Post, emoji: Reaction, on: boolean): void {
    this.note(p.id, null);
    this.store?.react(p, emoji, on).catch((err: unknown) => this.note(p.id, `${this.t.reactFailed}: ${errorText(err, this.t)}`, true));
  }

  private startReply(p: Post): void {
    this.replying = p.id;
    this.replyKey = undefined;
    this.note(p.id, null);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>(`#reply-${CSS.escape(p.id)}`)?.focus());
  }

  private cancelReply(p: Post): void {
    this.replying = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-reply="${CSS.escape(p.id)}"]`)?.focus());
  }

  /** Sends the private reply to the post's author; the conversation opens in the named chat, if any. */
  private async sendReply(e: Event, p: Post): Promise<void> {
    e.preventDefault();
    const body = this.renderRoot.querySelector<HTMLTextAreaElement>(`#reply-${CSS.escape(p.id)}`)?.value.trim() ?? '';
    if (!body || !this.client) return;
    this.replyKey ??= newClientKey('r');
    try {
      const { conversation } = await this.client.request('message.replyPrivately', { to: { kind: 'post', id: p.id }, body, clientKey: this.replyKey });
      this.replyKey = undefined;
      this.cancelReply(p);
      this.note(p.id, this.t.replySent(p.authorName));
      this.announce(this.t.replySent(p.authorName));
      const target = this.chat ? document.getElementById(this.chat) : null;
      if (target && target.localName === 'schoolhub-chat') (target as SchoolhubChat).show(conversation.id);
    } catch (err) {
      this.note(p.id, `${this.t.failedSend}: ${errorText(err, this.t)}`, true);
    }
  }

  private replyForm(p: Post) {
    const t = this.t;
    return html`<form class="reply" @submit=${(e: Event) => this.sendReply(e, p)}>
      <label for="reply-${p.id}">${t.privateReplyTo(p.authorName)}</label>
      <textarea id="reply-${p.id}" part="input" dir="auto" rows="2" maxlength=${LIMITS.messageBody}
        @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') this.cancelReply(p); else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void this.sendReply(e, p); }}></textarea>
      <div class="actions">
        <button class="primary" part="button">${t.send}</button>
        <button type="button" part="button" @click=${() => this.cancelReply(p)}>${t.cancel}</button>
      </div>
    </form>`;
  }

  /** Reactions and the private reply under a post (not one's own: the author is who replies go to). */
  private postActions(p: Post) {
    const t = this.t;
    const own = p.authorId === this.client?.user?.id;
    const note = this.notes.get(p.id);
    return html`${reactionBar({ reactions: p.reactions, t, key: p.id, describedBy: `t-${p.id}`, onToggle: (emoji, on) => this.react(p, emoji, on) })}
      ${own ? nothing : this.replying === p.id
        ? this.replyForm(p)
        : html`<div class="actions"><button class="link" part="button" data-reply=${p.id} aria-describedby="t-${p.id}" @click=${() => this.startReply(p)}>${t.replyPrivatelyToPost}</button></div>`}
      ${note ? html`<p class=${note.error ? 'error' : 'muted'} role=${note.error ? 'alert' : nothing}>${note.text}</p>` : nothing}`;
  }

  private toggle(id: string): void {
    const next = new Set(this.expanded);
    if (!next.delete(id)) next.add(id);
    this.expanded = next;
  }

  attach(client: HubClient): (() => void)[] {
    this.store = feedStore(client);
    return [
      this.store.subscribe(() => this.changed()),
      followReminders(client, () => this.locale, (ids, said) => ((this.reminded = ids), this.announce(said))),
      client.views(() => {
        client.request('audience.get', {}).then((a) => (this.audience = a), () => {});
      }),
    ];
  }

  private changed(): void {
    const n = this.store?.arrivals.length ?? 0;
    if (n > this.arrivalsSeen) this.announce(this.t.arrived(n));
    this.arrivalsSeen = n;
    this.requestUpdate();
  }

  private showNew(): void {
    this.store?.showArrivals();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('article')?.focus());
  }

  private readAll(): void {
    // Refused or lost: the hub's marks are the truth, so show them.
    this.store?.readAll().catch(() => void this.store?.load());
  }

  private get mayCompose(): boolean {
    const a = this.audience;
    return !!a && (a.posts.schools.length > 0 || a.mailings.districts.length > 0);
  }

  override render() {
    const t = this.t;
    const store = this.store;
    const arrivals = store?.arrivals.length ?? 0;
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar">
        <h2 id="title">${t.feed}</h2>
        ${store?.unread.count
          ? html`<button class="link" part="button read-all" @click=${this.readAll}>${t.markAllRead}</button>`
          : nothing}
        ${this.mayCompose
          ? html`<button part="button" aria-expanded=${this.composing ? 'true' : 'false'} @click=${() => (this.composing = !this.composing)}>${t.newPost}</button>`
          : nothing}
      </div>
      ${this.composing && this.mayCompose
        ? html`<schoolhub-feed-composer part="composer" exportparts="input, button" lang=${this.locale} .audience=${this.audience}></schoolhub-feed-composer>`
        : nothing}
      ${arrivals ? html`<button class="new primary" part="new button" @click=${this.showNew}>${t.newItems(arrivals)}</button>` : nothing}
      ${!store || store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state === 'error'
          ? html`<p class="error">${t.loadFailed}${errorText(store.error, t)}</p>`
          : store.items.length === 0
            ? html`<p class="muted">${t.noItems}</p>`
            : html`<div class="list" part="list">${store.items.map((i) => this.item(i))}</div>`}
      ${store?.next ? html`<div class="actions"><button part="button" @click=${() => store.more()}>${t.more}</button></div>` : nothing}
    </section>`;
  }

  private item(i: FeedItem) {
    const t = this.t;
    const long = isLong(i.body);
    const open = this.expanded.has(i.id);
    return html`<article class=${i.read ? '' : 'unread'} part="item ${i.read ? '' : 'unread'}" tabindex="-1" aria-labelledby="t-${i.id}">
      <h3 id="t-${i.id}">
        ${i.read ? nothing : html`<span class="tag">${t.isNew}</span> `}${reminderTag(this.reminded, i, this.locale)}${i.kind === 'mailing' ? html`<span class="tag">${t.mailing}</span> ` : nothing}<span dir="auto">${i.title}</span>
      </h3>
      <p class="muted">
        ${t.from} ${i.authorName} · <time datetime=${i.createdAt}>${shortTime(i.createdAt, t)}</time> · ${t.to} ${audienceText(i, t)}
      </p>
      <p class="body ${long && !open ? 'collapsed' : ''}" id="b-${i.id}" dir="auto">${linkify(i.body, t.newTab)}</p>
      ${i.kind === 'post' && i.files?.length ? filesView(i.files, this.client, this.locale) : nothing}
      ${long
        ? html`<button class="link" part="button" aria-expanded=${open ? 'true' : 'false'} aria-controls="b-${i.id}" aria-describedby="t-${i.id}" @click=${() => this.toggle(i.id)}>
            ${open ? t.showLess : t.showMore}
          </button>`
        : nothing}
      ${i.kind === 'post' && i.ask ? html`<schoolhub-post-answer part="answers" lang=${this.locale} .post=${i} .own=${i.answers}></schoolhub-post-answer>` : nothing}
      ${followsReads(this.client?.user, i) ? html`<schoolhub-post-stats item-id=${i.id} item-title=${i.title} lang=${this.locale}></schoolhub-post-stats>` : nothing}
      ${i.read ? nothing : html`<div class="actions"><button class="link" part="button" aria-describedby="t-${i.id}" @click=${() => this.store?.markRead([i.id])}>${t.markRead}</button></div>`}
      ${i.kind === 'post' ? this.postActions(i) : nothing}
    </article>`;
  }
}

customElements.get('schoolhub-feed') ?? customElements.define('schoolhub-feed', SchoolhubFeed);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-feed': SchoolhubFeed;
  }
}
