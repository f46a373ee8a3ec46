// The notification channels a node's configuration gives it (docs/NOTIFICATIONS.md): the Web
// Push piece adds its PushChannel and subscriptions (HUB_VAPID_*), the e-mail piece its
// MailChannel and the directory's addresses (HUB_SMTP_URL, HUB_MAIL_FROM), each here. With none
// configured a node runs no outbox; tests hand channels to startHub (HubOptions.notify).
import type { HubConfig } from '../config.ts';
import type { Sql } from '../../storage/pool.ts';
import type { NotifyChannels } from './targets.ts';

export function configuredChannels(_config: HubConfig, _sql: Sql): NotifyChannels | undefined {
  return undefined;
}
