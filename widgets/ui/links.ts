// Every link the widgets make goes through here (and is rendered by ui/anchor.ts, the only
// place that binds an `href`: widgets/security.test.ts checks it). A link is made only from an http(s) URL
// (resolved against the page, so a portal's relative pattern works); `javascript:`, `data:`
// and everything else give no link at all. A link to another site opens in a new tab without
// an opener and without a referrer (the page's URL can name a conversation).
import type { Context } from '../client/protocol.ts';

export interface SafeLink {
  href: string;
  /** On another origin than the page: opens in a new tab, rel="noopener noreferrer". */
  external: boolean;
}

/** `raw` as a link if it is http(s), else undefined. */
export function safeLink(raw: string | null | undefined, base: string = document.baseURI): SafeLink | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  let external = true;
  try {
    external = url.origin !== new URL(base).origin;
  } catch {
    // A base without an origin: treat the link as leading elsewhere.
  }
  return { href: url.href, external };
}

/**
 * The portal's link for a conversation's context from a `context-href` pattern: `{kind}` and
 * `{id}` are replaced (URL-encoded). Only http(s) links come out.
 */
export function contextHref(pattern: string | null, context: Pick<Context, 'kind' | 'id'>, base: string = document.baseURI): string | undefined {
  if (!pattern) return undefined;
  const raw = pattern.replace(/\{kind\}/g, encodeURIComponent(context.kind)).replace(/\{id\}/g, encodeURIComponent(context.id));
  return safeLink(raw, base)?.href;
}

/** The link for a context: the hub's `link` when it is a safe one, else the portal's pattern. */
export function contextLink(context: Context, pattern: string | null, base: string = document.baseURI): SafeLink | undefined {
  return safeLink(context.link, base) ?? safeLink(contextHref(pattern, context, base), base);
}
