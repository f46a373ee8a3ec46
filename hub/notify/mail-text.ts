// The words of an e-mail notification: subject, plain text and HTML, in Swedish or English, for one
// notice or a digest of several. Pure: no I/O, the same input gives the same e-mail. Every text a
// person wrote (titles, bodies, names) is escaped in the HTML and flattened to one line in the
// subject, so it can neither add markup nor a header.
import type { Language, Notice, NoticeKind } from './channel.ts';

export type DigestMode = 'immediate' | 'hourly' | 'daily';

export interface MailText {
  subject: string;
  text: string;
  html: string;
}

export interface MailContent {
  /** The recipient's name as the directory has it. */
  name: string;
  language: Language;
  notices: readonly Notice[];
  digest: DigestMode;
  /** One link per kind the e-mail holds: the one-click unsubscribe of that kind. */
  unsubscribe: readonly { kind: NoticeKind; url: string }[];
  /** The portal's page of a notice, when the hub knows one (only http(s) links are used). */
  linkOf?: (notice: Notice) => string | undefined;
}

/** School times are Swedish times, whatever the server's zone. */
const TIME_ZONE = 'Europe/Stockholm';
/** Subjects longer than this are cut: mail clients show less anyway. */
const SUBJECT_MAX = 150;

/** The kinds as a sentence names them ("e-mail about …"): the e-mail and the unsubscribe pages share them. */
export const KIND_WORDS: Record<Language, Record<NoticeKind, string>> = {
  sv: { message: 'meddelanden', post: 'inlägg', mailing: 'utskick', item: 'planeringar och uppgifter', development: 'utvecklingsdokumentation' },
  en: { message: 'messages', post: 'posts', mailing: 'mailings', item: 'plans and assignments', development: 'development records' },
};

interface Words {
  hello(name: string): string;
  urgent: string;
  digestSubject(n: number, digest: DigestMode): string;
  digestIntro(digest: DigestMode): string;
  open: string;
  portal: string;
  why: string;
  stop(kind: string): string;
}

const WORDS: Record<Language, Words> = {
  sv: {
    hello: (name) => `Hej ${name}!`,
    urgent: 'Brådskande',
    digestSubject: (n, d) => (d === 'daily' ? `Dagens sammanfattning från schoolhub: ${n === 1 ? '1 ny händelse' : `${n} nya händelser`}` : n === 1 ? '1 ny händelse i schoolhub' : `${n} nya händelser i schoolhub`),
    digestIntro: (d) => (d === 'daily' ? 'Det här har hänt det senaste dygnet:' : 'Det här har hänt sedan ditt förra e-postmeddelande:'),
    open: 'Öppna',
    portal: 'Läs och svara i din skolas portal.',
    why: 'Du får det här e-postmeddelandet från schoolhub, din skolas kommunikation. Hur och när du får e-post väljer du under Aviseringar i portalen.',
    stop: (kind) => `Sluta få e-post om ${kind}`,
  },
  en: {
    hello: (name) => `Hello ${name},`,
    urgent: 'Urgent',
    digestSubject: (n, d) => (d === 'daily' ? `Your daily schoolhub summary: ${n === 1 ? '1 new notification' : `${n} new notifications`}` : n === 1 ? '1 new notification in schoolhub' : `${n} new notifications in schoolhub`),
    digestIntro: (d) => (d === 'daily' ? 'Here is what happened in the last day:' : 'Here is what happened since your last e-mail:'),
    open: 'Open',
    portal: "Read and reply in your school's portal.",
    why: "You get this e-mail from schoolhub, your school's communication. Choose how and when you get e-mail under Notifications in the portal.",
    stop: (kind) => `Stop e-mail about ${kind}`,
  },
};

/** One line for a header: no control characters (CR, LF, NUL, …) or line separators, bounded. */
export function headerText(s: string, max = SUBJECT_MAX): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** Body text: line breaks kept, every other control character dropped. */
function bodyText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r\n?/g, '\n').replace(/[\u2028\u2029]/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const httpLink = (url: string | undefined): string | undefined => (url !== undefined && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined);

function when(at: string, language: Language): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(d);
}

/** The subject: a single notice's title (marked when urgent), or the count of a digest. */
export function mailSubject(c: Pick<MailContent, 'language' | 'notices' | 'digest'>): string {
  const w = WORDS[c.language];
  const [first] = c.notices;
  const urgent = c.notices.some((n) => n.urgent) ? `${w.urgent}: ` : '';
  if (c.notices.length === 1 && first) return headerText(`${urgent}${first.title}`);
  return headerText(`${urgent}${w.digestSubject(c.notices.length, c.digest)}`);
}

export function renderMail(c: MailContent): MailText {
  const w = WORDS[c.language];
  const subject = mailSubject(c);
  const name = headerText(c.name, 200);
  const single = c.notices.length === 1;
  const items = c.notices.map((n) => ({
    title: headerText(n.title, 300),
    body: bodyText(n.body),
    when: when(n.at, c.language),
    urgent: n.urgent,
    link: httpLink(c.linkOf?.(n)),
  }));
  const stops = c.unsubscribe.map((u) => ({ label: w.stop(KIND_WORDS[c.language][u.kind]), url: u.url }));

  const text = [
    w.hello(name),
    '',
    ...(single ? [] : [w.digestIntro(c.digest), '']),
    ...items.flatMap((i) => [
      `${i.urgent ? `${w.urgent}: ` : ''}${i.title}${i.when ? ` (${i.when})` : ''}`,
      ...(i.body ? [i.body] : []),
      ...(i.link ? [`${w.open}: ${i.link}`] : []),
      '',
    ]),
    w.portal,
    '',
    '-- ',
    w.why,
    ...stops.map((s) => `${s.label}: ${s.url}`),
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = [
    '<!doctype html>',
    `<html lang="${c.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>`,
    '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">',
    `<p>${e(w.hello(name))}</p>`,
    single ? '' : `<p>${e(w.digestIntro(c.digest))}</p>`,
    ...items.map((i) => [
      '<div style="margin:0 0 16px;padding:12px;border-left:4px solid #1f5fa8;background:#f4f7fb">',
      `<p style="margin:0;font-weight:bold">${i.urgent ? `<span style="color:#a4161a">${e(w.urgent)}:</span> ` : ''}${e(i.title)}</p>`,
      i.when ? `<p style="margin:0;color:#555555;font-size:14px">${e(i.when)}</p>` : '',
      i.body ? `<p style="margin:8px 0 0;white-space:pre-wrap">${e(i.body).replace(/\n/g, '<br>')}</p>` : '',
      i.link ? `<p style="margin:8px 0 0"><a href="${e(i.link)}">${e(w.open)}</a></p>` : '',
      '</div>',
    ].join('')),
    `<p>${e(w.portal)}</p>`,
    '<hr style="border:none;border-top:1px solid #dddddd">',
    `<p style="color:#555555;font-size:13px">${e(w.why)}</p>`,
    ...stops.map((s) => `<p style="font-size:13px;margin:4px 0"><a href="${e(s.url)}" style="color:#555555">${e(s.label)}</a></p>`),
    '</body></html>',
  ].filter(Boolean).join('\n');

  return { subject, text, html };
}

/**
 * The kind the List-Unsubscribe header of an e-mail turns off: the only one, or in a digest the
 * kind most of its notices are of (ties: the order of NOTICE_KINDS). The body links each kind.
 */
export function headerKind(notices: readonly Notice[], order: readonly NoticeKind[]): NoticeKind | undefined {
  let best: NoticeKind | undefined;
  let most = 0;
  for (const kind of order) {
    const n = notices.filter((x) => x.kind === kind).length;
    if (n > most) {
      most = n;
      best = kind;
    }
  }
  return best;
}
