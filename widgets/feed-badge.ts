// <schoolhub-feed-badge>: the number of unread posts and mailings, for the portal's navigation
// (next to <schoolhub-unread-badge>, which counts messages). It follows the feed live: new
// items count at once, and reading them, here or on another device, takes them off.
import type { HubClient } from './client/client.ts';
import { feedStore, type FeedStore } from './client/feed-store.ts';
import { CountBadge, renderBadge } from './ui/badge.ts';

/**
 * @csspart badge - the round count
 * @cssprop --schoolhub-color-accent - the badge's background
 */
export class SchoolhubFeedBadge extends CountBadge<FeedStore> {
  protected storeOf(client: HubClient): FeedStore {
    return feedStore(client);
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
