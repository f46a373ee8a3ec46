// The notification channels a node's configuration gives it (docs/NOTIFICATIONS.md): e-mail as
// hub/notify/mail.ts set it up (SMTP, or the dev mailbox in demo mode; off otherwise) with the
// directory's addresses; Web Push joins here with its PushChannel and subscriptions. With no
// channel a node runs no outbox; tests hand channels to startHub (HubOptions.notify).
import type { MailService } from './mail.ts';
import type { NotifyChannels } from './targets.ts';

export function configuredChannels(mail: MailService): NotifyChannels | undefined {
  if (!mail.channel) return undefined;
  return {
    mail: mail.channel,
    targets: {
      pushTargets: async () => new Map(),
      mailTargets: (personIds) => mail.targets(personIds),
      removePushTarget: async () => {},
    },
  };
}
