// Where a person is reached: their push devices and their e-mail address, as the push and mail
// pieces store them (push subscriptions, directory e-mail addresses). The outbox asks through
// this interface only, so that it does not depend on those tables; hub/node.ts is handed one.
import type { MailChannel, MailTarget, PushChannel, PushTarget } from './channel.ts';

export interface NotifyTargets {
  /** Each person's push devices now (a person without any is left out). */
  pushTargets(personIds: readonly string[]): Promise<Map<string, PushTarget[]>>;
  /** Each person's e-mail address now (a person without one is left out). */
  mailTargets(personIds: readonly string[]): Promise<Map<string, MailTarget>>;
  /** The push service said that the device is gone (404, 410): forget its subscription. */
  removePushTarget(subscriptionId: string): Promise<void>;
}

/** What the outbox sends through: a channel left out is not used (no rows are made for it). */
export interface NotifyChannels {
  push?: PushChannel | undefined;
  mail?: MailChannel | undefined;
  targets: NotifyTargets;
}
