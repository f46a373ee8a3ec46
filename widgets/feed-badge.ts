// <schoolhub-feed-badge>: the number of unread posts and mailings, for the portal's navigation
// (next to <schoolhub-unread-badge>, which counts messages). It follows the feed live: new
// items count at once, and reading them, here or on another device, takes them off.
import { css, html, nothing } from 'lit';
import type { HubClient } from './client/client.ts';
import { feedStore, type FeedStore } from './client/feed-store.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';

/**
 * @csspart badge - the round count
 * @cssprop --schoolhub-color-accent - the badge's background
 */
export class SchoolhubFeedBadge extends HubElement {
  static override styles = [
    base,
    css`
      :host {
        display: inline-block;
        vertical-align: middle;
      }
      .root {
        display: inline-block;
        background: transparent;
      }
    `,
  ];
  private store: FeedStore | undefined;

  attach(client: HubClient): (() => void)[] {
    this.store = feedStore(client);
    return [this.store.subscribe(() => this.requestUpdate())];
  }

  override render() {
    const unread = this.store?.unread;
    if (!unread?.count) return nothing;
    const shown = `${unread.count > 99 ? 99 : unread.count}${unread.more || unread.count > 99 ? '+' : ''}`;
    return html`<span class="root"><span class="count" part="badge" aria-hidden="true">${shown}</span><span class="sr-only">${this.t.unreadPosts(unread.count)}${unread.more ? '+' : ''}</span></span>`;
  }
}

customElements.get('schoolhub-feed-badge') ?? customElements.define('schoolhub-feed-badge', SchoolhubFeedBadge);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-feed-badge': SchoolhubFeedBadge;
  }
}
