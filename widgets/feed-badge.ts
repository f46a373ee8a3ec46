// <schoolhub-feed-badge>: the number of unread posts and mailings, for the portal's navigation
// (next to <schoolhub-unread-badge>, which counts messages). It follows the feed live: new
// items count at once, and reading them, here or on another device, takes them off.
import type { HubClient } from './client/client.ts';
import { feedStore, type FeedStore } from './client/feed-store.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { badgeStyles, renderBadge } from './ui/badge.ts';

/**
 * @csspart badge - the round count
 * @cssprop --schoolhub-color-accent - the badge's background
 */
export class SchoolhubFeedBadge extends HubElement {
  static override styles = [base, badgeStyles];
  private store: FeedStore | undefined;

  attach(client: HubClient): (() => void)[] {
    this.store = feedStore(client);
    return [this.store.subscribe(() => this.requestUpdate())];
  }

  override render() {
    const unread = this.store?.unread;
    const n = unread?.count ?? 0;
    return renderBadge(n, `${this.t.unreadPosts(n)}${unread?.more ? '+' : ''}`, unread?.more);
  }
}

customElements.get('schoolhub-feed-badge') ?? customElements.define('schoolhub-feed-badge', SchoolhubFeedBadge);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-feed-badge': SchoolhubFeedBadge;
  }
}
