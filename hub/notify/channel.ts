// What a notification channel (Web Push, e-mail) is handed and what it answers. The outbox
// (hub/notify/) decides who is told of what and when, by the same read keys and rules as live
// delivery; a channel only delivers what it is given and says how that went.
import type { Language, NoticeKind } from '../../storage/notification-preferences.ts';

export type { Language, NoticeKind };

/** What a school lets a lock screen show: everything, only who it is from, or nothing. */
export type LockScreen = 'full' | 'sender' | 'none';

/**
 * One thing to tell one person. Its texts are already in the person's language and already
 * cut to what they may see and their school's lock-screen choice allows: a channel never
 * looks anything up and never adds a name.
 */
export interface Notice {
  /** The outbox row: the key that makes a send happen at most once. */
  id: string;
  /** The event it comes from (its cursor). */
  eventId: string;
  kind: NoticeKind;
  urgent: boolean;
  /** When the thing happened (ISO 8601). */
  at: string;
  /** What a click opens in the portal. */
  target: { kind: 'conversation' | 'post' | 'mailing' | 'item' | 'development'; id: string };
  title: string;
  body: string;
}

export interface PushTarget {
  /** The stored subscription (device); deleted when the push service says it is gone. */
  subscriptionId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface MailTarget {
  personId: string;
  name: string;
  address: string;
  language: Language;
}

/** How a send went. `retry` honours the service's Retry-After when it gave one. */
export type SendOutcome =
  | { status: 'sent' }
  | { status: 'retry'; afterMs?: number; reason: string }
  | { status: 'gone'; reason: string }
  | { status: 'failed'; reason: string };

export interface PushChannel {
  send(target: PushTarget, notice: Notice): Promise<SendOutcome>;
}

export interface MailChannel {
  /** One e-mail: a single notice (immediate, urgent) or a digest of several, in `target.language`. */
  send(target: MailTarget, notices: readonly Notice[], digest: 'immediate' | 'hourly' | 'daily'): Promise<SendOutcome>;
}
