// The one-click unsubscribe route (RFC 8058). The link in an e-mail's List-Unsubscribe header and
// body carries a signed token (hub/notify/unsubscribe-token.ts). A POST with the body
// `List-Unsubscribe=One-Click` (what mail providers send, and what the confirm page's button
// sends) turns that kind of e-mail off for that person. A GET only shows the confirm page: mail
// scanners open links, and opening a link must change nothing. A token that is not ours, was
// changed or has expired gets a page that says so, and nothing is changed.
import type { HttpResponse, TemplatedApp } from '../uws.ts';
import type { HubCore } from '../core.ts';
import { internalError, readBody, type Aborted } from '../http.ts';
import { turnOffEmailKind } from '../../storage/notification-preferences.ts';
import { personExists } from '../../storage/directory.ts';
import type { Language } from './channel.ts';
import { KIND_WORDS, escapeHtml } from './mail-text.ts';
import { verifyUnsubscribe, type VerifyResult } from './unsubscribe-token.ts';
import { UNSUBSCRIBE_PATH } from './mail-channel.ts';

/** The one-click body is 26 bytes; a browser's form adds nothing much. */
const BODY_LIMIT = 1024;

// No script at all; the form posts only back here; the page never sits in a frame, and the
// token in its URL is never sent on as a Referer.
const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex',
};

const TEXT = {
  sv: {
    confirmTitle: 'Avsluta e-post',
    confirm: (k: string) => `Vill du sluta få e-post från schoolhub om ${k}? Andra aviseringar fortsätter som förut.`,
    button: (k: string) => `Sluta få e-post om ${k}`,
    doneTitle: 'Klart',
    done: (k: string) => `Du får inte längre e-post om ${k}. Du kan slå på det igen under Aviseringar i din skolas portal.`,
  },
  en: {
    confirmTitle: 'Unsubscribe',
    confirm: (k: string) => `Stop e-mail from schoolhub about ${k}? Other notifications go on as before.`,
    button: (k: string) => `Stop e-mail about ${k}`,
    doneTitle: 'Done',
    done: (k: string) => `You will no longer get e-mail about ${k}. You can turn it on again under Notifications in your school's portal.`,
  },
};

// A token that did not verify says nothing of the person's language: both.
const REFUSED = {
  invalid: 'Länken fungerar inte: den är ofullständig eller har ändrats. Ingenting har ändrats. Du kan välja vilken e-post du får under Aviseringar i din skolas portal. / This link does not work: it is incomplete or was changed. Nothing was changed. Choose which e-mail you get under Notifications in your school\'s portal.',
  expired: 'Länken har gått ut. Ingenting har ändrats. Du kan välja vilken e-post du får under Aviseringar i din skolas portal. / This link has expired. Nothing was changed. Choose which e-mail you get under Notifications in your school\'s portal.',
};

/**
 * Whether a body is RFC 8058's `List-Unsubscribe=One-Click`, in either encoding the RFC names:
 * multipart/form-data (what it recommends) or application/x-www-form-urlencoded.
 */
export function isOneClick(contentType: string, body: string): boolean {
  if (/^multipart\/form-data/i.test(contentType)) {
    return /content-disposition:\s*form-data;\s*name="?List-Unsubscribe"?\s*\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
}

function page(lang: Language | 'sv-en', title: string, body: string): string {
  return `<!doctype html><html lang="${lang === 'sv-en' ? 'sv' : lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`
    + `<title>${escapeHtml(title)}</title></head><body style="font-family:Arial,Helvetica,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.5">`
    + `<h1 style="font-size:1.4em">${escapeHtml(title)}</h1>${body}</body></html>`;
}

function answer(core: Pick<HubCore, 'metrics'>, res: HttpResponse, aborted: Aborted, status: string, html: string): void {
  core.metrics.http.inc({ route: UNSUBSCRIBE_PATH, status: status.slice(0, 3) });
  if (aborted.v) return;
  res.cork(() => {
    res.writeStatus(status);
    for (const [k, v] of Object.entries(PAGE_HEADERS)) res.writeHeader(k, v);
    res.end(html);
  });
}

function refused(core: Pick<HubCore, 'metrics'>, res: HttpResponse, aborted: Aborted, result: Extract<VerifyResult, { ok: false }>): void {
  answer(core, res, aborted, '400 Bad Request', page('sv-en', 'schoolhub', `<p>${escapeHtml(REFUSED[result.reason])}</p>`));
}

/** Registers GET (the confirm page) and POST (one click) of UNSUBSCRIBE_PATH. */
export function registerUnsubscribe(app: TemplatedApp, core: HubCore, key: Uint8Array): void {
  // A link only the hub could sign, for someone the directory never held, is refused all the
  // same: no preferences row is made for a person who does not exist.
  const check = async (token: string): Promise<VerifyResult> => {
    const result = await verifyUnsubscribe(key, token);
    if (result.ok && !(await personExists(core.sql, result.unsubscribe.personId))) return { ok: false, reason: 'invalid' };
    return result;
  };

  app.get(UNSUBSCRIBE_PATH, (res, req) => {
    if (!core.withinHttpLimit(res, req, UNSUBSCRIBE_PATH)) return;
    const token = req.getQuery('token') ?? '';
    const aborted: Aborted = { v: false };
    res.onAborted(() => (aborted.v = true));
    void (async () => {
      const result = await check(token);
      if (!result.ok) return refused(core, res, aborted, result);
      const { language, kind } = result.unsubscribe;
      const t = TEXT[language];
      const k = KIND_WORDS[language][kind];
      // The form posts to this same URL (token and all) with the RFC 8058 body.
      const form = `<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">`
        + '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        + `<button type="submit" style="font-size:1em;padding:.5em 1em">${escapeHtml(t.button(k))}</button></form>`;
      answer(core, res, aborted, '200 OK', page(language, t.confirmTitle, `<p>${escapeHtml(t.confirm(k))}</p>${form}`));
    })().catch((e: unknown) => internalError(core, res, aborted, UNSUBSCRIBE_PATH, e));
  });

  app.post(UNSUBSCRIBE_PATH, (res, req) => {
    if (!core.withinHttpLimit(res, req, UNSUBSCRIBE_PATH)) return;
    const token = req.getQuery('token') ?? '';
    const contentType = req.getHeader('content-type');
    const aborted: Aborted = { v: false };
    res.onAborted(() => {
      aborted.v = true;
      aborted.onAbort?.();
    });
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(res, BODY_LIMIT, aborted);
      } catch (e) {
        const status = (e as { status?: string }).status ?? '400 Bad Request';
        return answer(core, res, aborted, status, page('sv-en', 'schoolhub', '<p>Ogiltig begäran. / Invalid request.</p>'));
      }
      if (!isOneClick(contentType, body.toString('utf8'))) {
        return answer(core, res, aborted, '400 Bad Request', page('sv-en', 'schoolhub', '<p>Ogiltig begäran: väntade List-Unsubscribe=One-Click. Ingenting har ändrats. / Invalid request: expected List-Unsubscribe=One-Click. Nothing was changed.</p>'));
      }
      const result = await check(token);
      if (!result.ok) return refused(core, res, aborted, result);
      const { personId, kind, language } = result.unsubscribe;
      await turnOffEmailKind(core.sql, personId, kind);
      const t = TEXT[language];
      answer(core, res, aborted, '200 OK', page(language, t.doneTitle, `<p>${escapeHtml(t.done(KIND_WORDS[language][kind]))}</p>`));
    })().catch((e: unknown) => internalError(core, res, aborted, UNSUBSCRIBE_PATH, e));
  });
}
