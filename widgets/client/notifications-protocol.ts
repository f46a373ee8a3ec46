// Notification preferences and Web Push subscriptions as the widgets see them (docs/PROTOCOL.md,
// "Notifications"). Kept apart from protocol.ts, whose `Requests` and `HubEvents` extend these,
// as the development records' are.

/** The kinds a person can be notified of, in the order the widget lists them. */
export const NOTICE_KINDS = ['message', 'post', 'mailing', 'item', 'development'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const EMAIL_MODES = ['immediate', 'hourly', 'daily', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export interface Preferences {
  email: EmailMode;
  kinds: Record<NoticeKind, { push: boolean; email: boolean }>;
  /** 'HH:MM' local time in `timezone` (IANA); start after end wraps midnight. null: none of their own. */
  quietHours: { start: string; end: string; timezone: string } | null;
  /** The language of the person's e-mails and push notifications. */
  language: 'sv' | 'en';
}

export interface NotificationRequests {
  'notifications.get': [Record<string, never>, { preferences: Preferences; vapidPublicKey: string | null }];
  'notifications.set': [{ preferences: Preferences }, { preferences: Preferences }];
  /** One subscription per device (its endpoint), belonging to the person of the connection. */
  'push.subscribe': [{ endpoint: string; keys: { p256dh: string; auth: string }; label?: string }, { deviceId: string }];
  'push.unsubscribe': [{ endpoint: string }, Record<string, never>];
}

export interface NotificationEvents {
  /** The person's preferences changed (on any of their devices): their own devices only. */
  'notifications.changed': { preferences: Preferences };
}
