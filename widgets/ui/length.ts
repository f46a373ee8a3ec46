// A field's length against the hub's limit, shown instead of a `maxlength`: a maxlength cuts a
// paste silently (10,000 characters became 8,000 and the reader got 8,000), so the widgets let
// the text in, count it near the limit, and refuse to send it while it is too long.
import { html, nothing, type TemplateResult } from 'lit';
import type { Strings } from './i18n.ts';

/** From this share of the limit on, the count shows. */
const NEAR = 0.9;

/** Whether a text of `length` characters fits `max`. */
export const fits = (length: number, max: number): boolean => length <= max;

/** The count near or over the limit (id for the field's aria-describedby); nothing well below it. */
export function lengthNote(id: string, length: number, max: number, t: Strings): TemplateResult | typeof nothing {
  if (length < max * NEAR) return nothing;
  const over = length - max;
  return html`<p id=${id} class="length ${over > 0 ? 'error' : 'muted'}">${length} / ${max}${over > 0 ? html` – ${t.tooLong(over)}` : nothing}</p>`;
}
