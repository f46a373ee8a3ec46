// E-mail for one hub node, as the configuration says: over SMTP with HUB_SMTP_URL; in demo mode
// without it, into the dev mailbox (/demo/mailbox); otherwise off. The outbox (hub/notify/) sends
// through `channel` to the people `targets` finds; the unsubscribe route works whenever links can
// be signed, so links already sent keep working after e-mail is turned off.
import nodemailer from 'nodemailer';
import type { HubConfig } from '../config.ts';
import type { HubCore } from '../core.ts';
import type { TemplatedApp } from '../uws.ts';
import type { MailTarget, Notice } from './channel.ts';
import { SmtpMailChannel, type MailTransport } from './mail-channel.ts';
import { mailTargetsOf } from './mail-targets.ts';
import { DevMailbox, registerMailbox } from './dev-mailbox.ts';
import { registerUnsubscribe } from './unsubscribe-http.ts';
import { unsubscribeKey } from './unsubscribe-token.ts';

/** An SMTP server that does not answer must not hold an outbox worker for minutes (nodemailer's defaults). */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export interface MailService {
  /** null: e-mail is off (no HUB_SMTP_URL outside demo mode, or nothing to sign unsubscribe links with). */
  channel: SmtpMailChannel | null;
  /** Where each person's e-mail goes (those with a usable address in the directory). */
  targets(personIds: readonly string[]): Promise<Map<string, MailTarget>>;
  /** Demo mode without HUB_SMTP_URL: what would have been sent. */
  mailbox: DevMailbox | undefined;
  /** The unsubscribe route, and the dev mailbox's pages. */
  register(app: TemplatedApp): void;
  close(): void;
}

export function startMail(
  config: HubConfig,
  core: HubCore,
  listeningUrl: () => string,
  linkOf?: (notice: Notice) => string | undefined,
): MailService {
  const key = unsubscribeKey(config.mail.unsubscribeSecret, config.jwtSecret);
  const mailbox = !config.mail.smtpUrl && config.demo && key ? new DevMailbox() : undefined;
  let transport: MailTransport | undefined;
  // Pooled by default: a district mailing is thousands of e-mails, not thousands of connections
  // (`?pool=false` in HUB_SMTP_URL turns it off, `?maxConnections=` sizes it).
  if (config.mail.smtpUrl) transport = nodemailer.createTransport({ url: config.mail.smtpUrl, pool: true, ...SMTP_TIMEOUTS });
  else if (mailbox) transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const channel = transport && key
    ? new SmtpMailChannel({
      transport, from: config.mail.from, unsubscribeKey: key,
      baseUrl: () => config.mail.publicUrl ?? listeningUrl(),
      ...(linkOf ? { linkOf } : {}),
      ...(mailbox ? { onSent: (m) => mailbox.add(m) } : {}),
    })
    : null;
  return {
    channel,
    mailbox,
    targets: (personIds) => mailTargetsOf(core.sql, core.directory(), personIds),
    register(app) {
      if (key) registerUnsubscribe(app, core, key);
      if (mailbox) registerMailbox(app, core, mailbox);
    },
    close() {
      channel?.close();
    },
  };
}
