// The e-mail channel: renders a notice (or a digest of several) and hands it to nodemailer, over
// SMTP (HUB_SMTP_URL) or, in the dev mailbox, to a transport that only builds the message. What
// the SMTP server answered becomes a SendOutcome for the outbox: a temporary refusal (4xx) or a
// connection that failed is tried again, a permanent refusal (5xx) of this e-mail is not.
import { createHash } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import { NOTICE_KINDS } from '../../storage/notification-preferences.ts';
import type { MailChannel, MailTarget, Notice, NoticeKind, SendOutcome } from './channel.ts';
import { headerKind, headerText, renderMail, type DigestMode, type MailContent } from './mail-text.ts';
import { isMailAddress } from './mail-targets.ts';
import { signUnsubscribe } from './unsubscribe-token.ts';

/** The path of the one-click unsubscribe route (hub/notify/unsubscribe-http.ts). */
export const UNSUBSCRIBE_PATH = '/mail/unsubscribe';

/** What the channel needs of a nodemailer transporter (SMTP, pool or stream). */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<{ message?: unknown }>;
  close(): void;
}

export interface MailChannelOptions {
  transport: MailTransport;
  /** HUB_MAIL_FROM. */
  from: string;
  /** Signs the unsubscribe links. */
  unsubscribeKey: Uint8Array;
  /** The hub's public address (HUB_PUBLIC_URL, or where it listens in dev), without a trailing slash. */
  baseUrl: () => string;
  /** The portal's page of a notice, when known. */
  linkOf?: (notice: Notice) => string | undefined;
  /** Every message as built, with what it was built from (the dev mailbox keeps them). */
  onSent?: (sent: SentMail) => void;
}

export interface SentMail {
  to: MailTarget;
  subject: string;
  text: string;
  html: string;
  listUnsubscribe: string;
  /** The whole message as the transport made it, when it made one (stream transport). */
  raw: string | undefined;
}

/** How an SMTP failure is seen by the outbox. */
export function smtpOutcome(e: unknown): SendOutcome {
  const err = (e ?? {}) as { code?: string; responseCode?: number; command?: string; message?: string };
  const reason = headerText(String(err.message ?? e), 300);
  // The server's verdict on this envelope or this message: 4xx later, 5xx never.
  if (typeof err.responseCode === 'number' && ['MAIL FROM', 'RCPT TO', 'DATA'].includes(err.command ?? '')) {
    if (err.responseCode >= 500) return { status: 'failed', reason };
    if (err.responseCode >= 400) return { status: 'retry', reason };
  }
  // Nodemailer refusing the message itself (a bad address, an empty message): the same next time.
  if ((err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && err.responseCode === undefined) return { status: 'failed', reason };
  // Anything else is the way to the server (refused, timed out, TLS, a greeting or login the
  // server refused): not this e-mail's fault, so it waits for the server, within the outbox's tries.
  return { status: 'retry', reason };
}

/** The Message-ID of a send: the same notices give the same id, so a repeat after a lost reply can be recognised. */
function messageId(notices: readonly Notice[], from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'schoolhub.invalid';
  const hash = createHash('sha256').update(notices.map((n) => n.id).sort().join('\n')).digest('base64url').slice(0, 32);
  return `<${hash}@${domain}>`;
}

export class SmtpMailChannel implements MailChannel {
  constructor(private readonly opts: MailChannelOptions) {}

  async unsubscribeUrl(target: MailTarget, kind: NoticeKind): Promise<string> {
    const token = await signUnsubscribe(this.opts.unsubscribeKey, { personId: target.personId, kind, language: target.language });
    return `${this.opts.baseUrl()}${UNSUBSCRIBE_PATH}?token=${token}`;
  }

  async send(target: MailTarget, notices: readonly Notice[], digest: DigestMode): Promise<SendOutcome> {
    if (notices.length === 0) return { status: 'failed', reason: 'no notices to send' };
    if (!isMailAddress(target.address)) return { status: 'failed', reason: 'not a usable e-mail address' };
    const kinds = NOTICE_KINDS.filter((k) => notices.some((n) => n.kind === k));
    const unsubscribe = await Promise.all(kinds.map(async (kind) => ({ kind, url: await this.unsubscribeUrl(target, kind) })));
    const content: MailContent = { name: target.name, language: target.language, notices, digest, unsubscribe, ...(this.opts.linkOf ? { linkOf: this.opts.linkOf } : {}) };
    const mail = renderMail(content);
    const oneClick = unsubscribe.find((u) => u.kind === headerKind(notices, NOTICE_KINDS))!;
    const message: SendMailOptions = {
      from: this.opts.from,
      // An address object: nodemailer encodes the name (RFC 2047) and quotes it, never splices it.
      to: { name: headerText(target.name, 200), address: target.address },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageId(notices, this.opts.from),
      list: { unsubscribe: { url: oneClick.url } },
      headers: {
        // RFC 8058: a POST of this body to the List-Unsubscribe URL unsubscribes, no page in between.
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        // RFC 3834: no out-of-office replies to notifications.
        'Auto-Submitted': 'auto-generated',
      },
      // Nothing of ours reads files or URLs into a message; say so to nodemailer as well.
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    let info: { message?: unknown };
    try {
      info = await this.opts.transport.sendMail(message);
    } catch (e) {
      return smtpOutcome(e);
    }
    this.opts.onSent?.({
      to: target, subject: mail.subject, text: mail.text, html: mail.html, listUnsubscribe: `<${oneClick.url}>`,
      raw: Buffer.isBuffer(info.message) ? info.message.toString('utf8') : undefined,
    });
    return { status: 'sent' };
  }

  close(): void {
    this.opts.transport.close();
  }
}
