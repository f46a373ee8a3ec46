// The notification channels a node's configuration gives it (docs/NOTIFICATIONS.md): e-mail as
// hub/notify/mail.ts set it up (SMTP, or the dev mailbox in demo mode; off otherwise) with the
// directory's addresses, and Web Push when VAPID keys are configured (generated in dev mode),
// to the devices people subscribed (push.subscribe). With no channel a node runs no outbox;
// tests hand channels to startHub (HubOptions.notify).
import type { Sql } from '../../storage/pool.ts';
import { deletePushSubscription, pushSubscriptionsOf } from '../../storage/push-subscriptions.ts';
import type { PushConfig } from '../config.ts';
import type { PushTarget } from './channel.ts';
import type { MailService } from './mail.ts';
import { WebPushChannel } from './push-channel.ts';
import type { NotifyChannels } from './targets.ts';

export interface ConfiguredChannels extends NotifyChannels {
  /** Closes what the channels hold open (push's keep-alive agents). */
  close(): void;
}

export function configuredChannels(sql: Sql, mail: MailService, push: PushConfig): ConfiguredChannels | undefined {
  const webPush = WebPushChannel.fromConfig(push);
  if (!mail.channel && !webPush) return undefined;
  return {
    mail: mail.channel ?? undefined,
    push: webPush ?? undefined,
    targets: {
      pushTargets: async (personIds) => {
        const rows = await pushSubscriptionsOf(sql, personIds);
        return new Map([...rows].map(([person, subs]) => [person, subs.map((s): PushTarget => ({ subscriptionId: s.id, endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }))]));
      },
      mailTargets: (personIds) => mail.targets(personIds),
      removePushTarget: async (subscriptionId) => void (await deletePushSubscription(sql, subscriptionId)),
    },
    close: () => webPush?.close(),
  };
}
