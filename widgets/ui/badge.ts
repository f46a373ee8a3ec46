// The one look and markup of a count badge (<schoolhub-unread-badge>, <schoolhub-feed-badge>):
// a round number for the eye, and a sentence for screen readers that joins the portal link's name.
import { css, html, nothing } from 'lit';

export const badgeStyles = css`
  :host {
    display: inline-block;
    vertical-align: middle;
  }
  .root {
    display: inline-block;
    background: transparent;
  }
`;

/** Nothing at zero; "99+" above 99 (or when `more` says the count is a lower bound). */
export function renderBadge(count: number, spoken: string, more = false) {
  if (count <= 0) return nothing;
  const shown = `${Math.min(count, 99)}${more || count > 99 ? '+' : ''}`;
  return html`<span class="root"><span class="count" part="badge" aria-hidden="true">${shown}</span><span class="sr-only">${spoken}</span></span>`;
}
