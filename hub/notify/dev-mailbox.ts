// The dev mailbox: in demo mode without HUB_SMTP_URL, every e-mail the hub would have sent is
// built exactly as for SMTP and kept here (the newest few hundred, in memory, on this node), and
// /demo/mailbox shows them: headers, the plain text, and the HTML in a sandboxed frame served
// with a sandbox policy of its own, so a mail's HTML can run nothing on the hub's origin.
import type { TemplatedApp } from '../uws.ts';
import type { HubCore } from '../core.ts';
import type { SentMail } from './mail-channel.ts';
import { escapeHtml } from './mail-text.ts';

export interface MailboxEntry extends SentMail {
  id: number;
  at: string;
}

/** Bounded: a demo running for days keeps the newest, never all. */
export const MAILBOX_LIMIT = 200;

export class DevMailbox {
  private readonly entries: MailboxEntry[] = [];
  private next = 1;

  constructor(private readonly limit = MAILBOX_LIMIT) {}

  add(mail: SentMail): void {
    this.entries.unshift({ ...mail, id: this.next++, at: new Date().toISOString() });
    if (this.entries.length > this.limit) this.entries.length = this.limit;
  }

  /** Newest first. */
  all(): readonly MailboxEntry[] {
    return this.entries;
  }

  get(id: number): MailboxEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }
}

export const MAILBOX_PATH = '/demo/mailbox';

const LIST_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// A mail's HTML: a unique origin (sandbox), no script, no requests, only our own frame may hold it.
const MAIL_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";

function entryHtml(e: MailboxEntry): string {
  const link = /^<(https?:\/\/[^>\s]+)>$/.exec(e.listUnsubscribe)?.[1];
  return [
    `<article aria-labelledby="m${e.id}"><h2 id="m${e.id}">${escapeHtml(e.subject)}</h2>`,
    '<dl>',
    `<dt>To</dt><dd>${escapeHtml(`${e.to.name} <${e.to.address}>`)}</dd>`,
    `<dt>Time</dt><dd>${escapeHtml(e.at)}</dd>`,
    `<dt>Language</dt><dd>${escapeHtml(e.to.language)}</dd>`,
    `<dt>List-Unsubscribe</dt><dd>${link ? `<a href="${escapeHtml(link)}">${escapeHtml(e.listUnsubscribe)}</a>` : escapeHtml(e.listUnsubscribe)}</dd>`,
    '</dl>',
    `<h3>Text</h3><pre style="white-space:pre-wrap;background:#f6f6f6;padding:8px">${escapeHtml(e.text)}</pre>`,
    `<h3>HTML</h3><iframe sandbox title="HTML of ${escapeHtml(e.subject)}" src="${MAILBOX_PATH}/${e.id}/html" style="width:100%;height:28em;border:1px solid #bbb"></iframe>`,
    e.raw === undefined ? '' : `<p><a href="${MAILBOX_PATH}/${e.id}/source">Source (as sent over SMTP)</a></p>`,
    '</article><hr>',
  ].join('\n');
}

function listPage(entries: readonly MailboxEntry[]): string {
  const body = entries.length === 0
    ? '<p>No e-mail yet. / Inga e-postmeddelanden än.</p>'
    : entries.map(entryHtml).join('\n');
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    + '<title>schoolhub dev mailbox</title></head><body style="font-family:Arial,Helvetica,sans-serif;max-width:60em;margin:1em auto;padding:0 1em">'
    + '<h1>Dev mailbox</h1><p>Every e-mail this hub would have sent (no <code>HUB_SMTP_URL</code> is set), newest first; kept in memory, the newest '
    + `${MAILBOX_LIMIT}.</p><p>${entries.length} e-mail${entries.length === 1 ? '' : 's'}.</p>\n${body}</body></html>`;
}

export function registerMailbox(app: TemplatedApp, core: Pick<HubCore, 'metrics'>, mailbox: DevMailbox): void {
  const notFound = (res: Parameters<Parameters<TemplatedApp['get']>[1]>[0]) => {
    core.metrics.http.inc({ route: MAILBOX_PATH, status: '404' });
    res.writeStatus('404 Not Found').writeHeader('content-type', 'text/plain').end('not found\n');
  };
  const entryOf = (raw: string | undefined) => (/^\d{1,9}$/.test(raw ?? '') ? mailbox.get(Number(raw)) : undefined);

  app.get(MAILBOX_PATH, (res) => {
    core.metrics.http.inc({ route: MAILBOX_PATH, status: '200' });
    res.writeStatus('200 OK').writeHeader('content-type', 'text/html; charset=utf-8').writeHeader('content-security-policy', LIST_CSP)
      .writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff').end(listPage(mailbox.all()));
  });

  app.get(`${MAILBOX_PATH}/:id/html`, (res, req) => {
    const e = entryOf(req.getParameter(0));
    if (!e) return notFound(res);
    core.metrics.http.inc({ route: MAILBOX_PATH, status: '200' });
    res.writeStatus('200 OK').writeHeader('content-type', 'text/html; charset=utf-8').writeHeader('content-security-policy', MAIL_CSP)
      .writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff').end(e.html);
  });

  app.get(`${MAILBOX_PATH}/:id/source`, (res, req) => {
    const e = entryOf(req.getParameter(0));
    if (!e?.raw) return notFound(res);
    core.metrics.http.inc({ route: MAILBOX_PATH, status: '200' });
    res.writeStatus('200 OK').writeHeader('content-type', 'text/plain; charset=utf-8').writeHeader('content-security-policy', "default-src 'none'")
      .writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff').end(e.raw);
  });
}
