// The one place in the widgets that binds an `href` (widgets/security.test.ts checks it): a
// SafeLink from ui/links.ts, so only http(s). A link to another site opens in a new tab,
// without an opener and without a referrer, and says so to screen readers.
import { html, nothing, type TemplateResult } from 'lit';
import type { SafeLink } from './links.ts';

/** An anchor for a safe link; `newTab` is the words for "opens in a new tab" (said to screen readers). */
export function renderLink(link: SafeLink, text: string, newTab: string, part?: string): TemplateResult {
  return link.external
    ? html`<a href=${link.href} part=${part ?? nothing} target="_blank" rel="noopener noreferrer">${text}<span class="sr-only"> (${newTab})</span></a>`
    : html`<a href=${link.href} part=${part ?? nothing}>${text}</a>`;
}
