// <schoolhub-post-stats item-id="…" item-title="…">: the read statistics of one post or mailing,
// for its author and the school's leaders (PROTOCOL.md, read statistics): "Läst av 18 av 24
// vårdnadshavare" per part, live (post.stats), the list of those who have not read it (by
// name, in pages) and "Påminn" with its once-a-day state. The feed shows it under the items
// the viewer may follow; to anyone else the hub answers not_found and it renders nothing.
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import type { FeedItem, PersonRef, ReadPart, ReadStats, User } from './client/protocol.ts';
import { HubElement } from './ui/hub-element.ts';
import type { Locale } from './ui/i18n.ts';
import { dateAndTime, errorText } from './ui/i18n.ts';
import { statsStrings, type StatsStrings } from './ui/post-stats-i18n.ts';
import { base } from './ui/styles.ts';

/**
 * Whether the viewer may follow the item's reads: its author, or a leader of a post's school
 * (the hub decides; this only spares the others a request that would answer not_found).
 */
export function followsReads(user: User | undefined, item: FeedItem): boolean {
  if (!user) return false;
  return item.authorId === user.id || (item.kind === 'post' && user.roles.some((r) => r.role === 'school_leader' && r.schoolId === item.schoolId));
}

/**
 * The reader's side of a reminder (post.reminder): the feed keeps the reminded items, says the
 * reminder through its live region and tags the item until it is read.
 */
export function followReminders(client: HubClient, locale: () => Locale, remind: (itemIds: ReadonlySet<string>, said: string) => void): () => void {
  const reminded = new Set<string>();
  return client.on('post.reminder', (r) => {
    reminded.add(r.itemId);
    remind(new Set(reminded), statsStrings(locale()).reminder(r.title, r.authorName));
  });
}

/** The tag on an unread item its author reminded the reader of. */
export function reminderTag(reminded: ReadonlySet<string>, item: FeedItem, locale: Locale) {
  return !item.read && reminded.has(item.id) ? html`<span class="tag">${statsStrings(locale).reminderTag}</span> ` : nothing;
}

/** Names per page of the "not read" list. */
const PAGE = 30;

interface UnreadList {
  part: ReadPart;
  people: PersonRef[];
  next: string | null;
}

/** @csspart button - buttons @csspart unread - the list of those who have not read it */
export class SchoolhubPostStats extends HubElement {
  static override styles = [
    base,
    css`
      :host { display: block; margin-top: 0.5em; }
      .parts { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3em 1em; }
      .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin-top: 0.3em; }
      ul.unread { margin: 0.3em 0 0; padding-inline-start: 1.2em; }
      .visually-hidden { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    `,
  ];
  @property({ attribute: 'item-id' }) itemId = '';
  @property({ attribute: 'item-title' }) itemTitle = '';
  @state() stats: ReadStats | undefined;
  @state() unread: UnreadList | undefined;
  @state() error = '';

  get s(): StatsStrings {
    return statsStrings(this.locale);
  }

  attach(client: HubClient): (() => void)[] {
    return [
      client.views(() => void this.load(client)),
      client.on('post.stats', (stats) => {
        if (stats.itemId !== this.itemId) return;
        this.stats = stats;
        // An open list is refreshed so that a reader who just read it leaves it.
        if (this.unread) void this.openList(this.unread.part);
      }),
    ];
  }

  private async load(client: HubClient): Promise<void> {
    if (!this.itemId) return;
    try {
      this.stats = await client.request('post.stats.get', { itemId: this.itemId });
    } catch {
      // Not the author side (not_found): nothing to show.
      this.stats = undefined;
    }
  }

  private async openList(part: ReadPart, after?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.error = '';
    try {
      const page = await client.request('post.unread.get', { itemId: this.itemId, part, limit: PAGE, ...(after ? { after } : {}) });
      const earlier = after && this.unread?.part === part ? this.unread.people : [];
      this.unread = { part, people: [...earlier, ...page.people], next: page.next };
    } catch (e) {
      this.error = errorText(e, this.t);
    }
  }

  private toggle(part: ReadPart): void {
    if (this.unread?.part === part) this.unread = undefined;
    else void this.openList(part);
  }

  private async remind(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.error = '';
    try {
      const sent = await client.request('post.remind', { itemId: this.itemId });
      this.announce(this.s.reminded(sent.recipients));
      await this.load(client);
    } catch (e) {
      this.error = errorText(e, this.t);
    }
  }

  override render() {
    const stats = this.stats;
    if (!stats) return this.chrome();
    const s = this.s;
    const t = this.t;
    const waitUntil = stats.reminder.nextAt && Date.parse(stats.reminder.nextAt) > Date.now() ? stats.reminder.nextAt : null;
    const heading = `h-${this.itemId}`;
    // A group, not a section: one per post, so as landmarks their names would repeat.
    return html`${this.chrome()}<div role="group" aria-labelledby=${heading}>
      <h4 id=${heading} class="visually-hidden">${s.heading}</h4>
      <ul class="parts">
        ${stats.parts.map((p) => html`<li>
          <span>${s.readBy(p.read, p.audience, p.part)}</span>
          ${p.read < p.audience
            ? html`<button class="link" part="button" aria-expanded=${this.unread?.part === p.part ? 'true' : 'false'} aria-controls="u-${this.itemId}"
                @click=${() => this.toggle(p.part)}>${this.unread?.part === p.part ? s.hideUnread : s.showUnread(p.part)}</button>`
            : nothing}
        </li>`)}
      </ul>
      ${this.unread ? this.list(this.unread) : nothing}
      <div class="row">
        ${stats.parts.some((p) => p.read < p.audience)
          ? html`<button part="button" aria-label=${s.remindLabel(this.itemTitle)} ?disabled=${waitUntil !== null} aria-describedby=${waitUntil ? `r-${this.itemId}` : nothing}
              @click=${() => this.remind()}>${s.remind}</button>`
          : nothing}
        ${stats.reminder.sentAt && waitUntil
          ? html`<span class="muted" id="r-${this.itemId}">${s.remindedAt(dateAndTime(stats.reminder.sentAt, t), dateAndTime(waitUntil, t))}</span>`
          : nothing}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  private list(u: UnreadList) {
    const s = this.s;
    return html`<div id="u-${this.itemId}" part="unread">
      <p class="muted">${s.unreadList(u.part)}</p>
      ${u.people.length === 0
        ? html`<p class="muted">${s.allRead}</p>`
        : html`<ul class="unread" aria-label=${s.unreadList(u.part)}>${u.people.map((p) => html`<li dir="auto">${p.name}</li>`)}</ul>`}
      ${u.next ? html`<button class="link" part="button" @click=${() => this.openList(u.part, u.next!)}>${this.t.more}</button>` : nothing}
    </div>`;
  }
}

customElements.get('schoolhub-post-stats') ?? customElements.define('schoolhub-post-stats', SchoolhubPostStats);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-post-stats': SchoolhubPostStats;
  }
}
