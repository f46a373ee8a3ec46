// The public face of the widgets: importing this module defines the custom elements, and
// `configure()` connects the page to a hub with a token callback. Everything else in this
// folder is internal.
export { configure, type ClientConfig } from './client/page.ts';
export type { HubClient, Status } from './client/client.ts';
export type { GetToken } from './client/token.ts';
export type {
  Contact, Conversation, FeedItem, InboxEntry, Mailing, Message, PersonRef, Post, User,
} from './client/protocol.ts';
export { SchoolhubInbox } from './inbox.ts';
export { SchoolhubChat } from './chat.ts';
export { SchoolhubFeed } from './feed.ts';
export { SchoolhubUnreadBadge } from './unread-badge.ts';
export { SchoolhubFeedBadge } from './feed-badge.ts';
export { SchoolhubScheduled } from './scheduled.ts';
// Loaded on demand (widgets/lazy.ts): only their types are exported here, the classes come
// with their chunk (`await loadWidget(tag)`, then `customElements.get(tag)`).
export type { SchoolhubDevelopment } from './development.ts';
export type { SchoolhubDocumentation } from './documentation.ts';
export type { SchoolhubNotifications } from './notifications.ts';
export { loadWidget } from './lazy.ts';
import { watchForLazyWidgets } from './lazy.ts';

watchForLazyWidgets();
