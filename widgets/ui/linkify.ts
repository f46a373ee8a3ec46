// URLs in what people write (posts, documentation, messages) become links, safely: the text is
// split into strings (rendered by Lit as text) and anchors made by ui/anchor.ts from a SafeLink
// (ui/links.ts: http(s) only). Nothing is ever parsed as HTML. A written link always opens in a
// new tab without opener or referrer: following it must not take the person out of the portal
// page (and its widgets) they were reading.
import type { TemplateResult } from 'lit';
import { renderLink } from './anchor.ts';
import { safeLink } from './links.ts';

/** Candidates: an http(s) scheme and everything up to whitespace, angle brackets or quotes. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than a URL ("see https://x.se/a."). */
const TRAILING = /[.,;:!?)\]}»”’]$/;

/** Cuts trailing punctuation off a URL, keeping a closing bracket that closes one inside it. */
function trimUrl(url: string): string {
  let u = url;
  while (TRAILING.test(u)) {
    const last = u.slice(-1);
    const open = { ')': '(', ']': '[', '}': '{' }[last];
    if (open && u.split(open).length > u.split(last).length - 1) break;
    u = u.slice(0, -1);
  }
  return u;
}

/**
 * `text` as Lit template parts: plain strings, and a link for each http(s) URL in it.
 * `newTab` is the words said to screen readers after each link ("opens in a new tab").
 */
export function linkify(text: string, newTab: string, base: string = document.baseURI): (string | TemplateResult)[] {
  const parts: (string | TemplateResult)[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_PATTERN)) {
    const raw = trimUrl(m[0]);
    const link = safeLink(raw, base);
    // A bare scheme ("https://") or anything the URL parser rejects stays text.
    if (!link || raw.length <= 'https://'.length) continue;
    const start = m.index;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(renderLink({ ...link, external: true }, raw, newTab));
    at = start + raw.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
