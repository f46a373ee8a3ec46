// <schoolhub-unread-badge>: the number of unread messages, for the portal's navigation bar.
// Put it inside the portal's own link; its text ("3 unread messages") joins the link's name.
import type { HubClient } from './client/client.ts';
import { inboxStore, type InboxStore } from './client/inbox-store.ts';
import { CountBadge, renderBadge } from './ui/badge.ts';

/**
 * @csspart badge - the round count
 * @cssprop --schoolhub-color-accent - the badge's background
 */
export class SchoolhubUnreadBadge extends CountBadge<InboxStore> {
  protected storeOf(client: HubClient): InboxStore {
    return inboxStore(client);
  }

  override render() {
    const n = this.store?.unreadTotal ?? 0;
    return renderBadge(n, this.t.unreadMessages(n));
  }
}

customElements.get('schoolhub-unread-badge') ?? customElements.define('schoolhub-unread-badge', SchoolhubUnreadBadge);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-unread-badge': SchoolhubUnreadBadge;
  }
}
