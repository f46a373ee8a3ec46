// The one look and markup of a count badge (<schoolhub-unread-badge>, <schoolhub-feed-badge>):
// a round number for the eye, and a sentence for screen readers that joins the portal link's name;
// and the element both are: one that follows a store of the page's client.
import { css, html, nothing } from 'lit';
import type { HubClient } from '../client/client.ts';
import type { Observable } from '../client/observable.ts';
import { HubElement } from './hub-element.ts';
import { base } from './styles.ts';

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

/** A badge element: follows the store `storeOf` gives for the page's client and renders again on each change. */
export abstract class CountBadge<S extends Observable> extends HubElement {
  static override styles = [base, badgeStyles];
  protected store: S | undefined;

  protected abstract storeOf(client: HubClient): S;

  attach(client: HubClient): (() => void)[] {
    this.store = this.storeOf(client);
    return [this.store.subscribe(() => this.requestUpdate())];
  }
}
