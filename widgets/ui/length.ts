// A text box's length against the hub's limit (hub/protocol/limits.ts). Fields carry no
// maxlength, which would cut a paste silently: one may type or paste past the limit, a counter
// shows from near it on (in error style when over), and sending is refused with the reason.
import { html, nothing } from 'lit';
import type { Strings } from './i18n.ts';

/** The counter shows from this share of the limit on. */
const NEAR = 0.9;

/** Length as the hub counts it: the trimmed text, in UTF-16 code units (zod's max). */
export const lengthOf = (text: string): number => text.trim().length;

/** Whether a text of `length` characters fits `max`. */
export const fits = (length: number, max: number): boolean => length <= max;

/** Whether the counter shows: its id is then the field's aria-describedby. */
export const nearLimit = (length: number, max: number): boolean => length >= max * NEAR;

/**
 * The counter (`id`), and, when over the limit, the reason sending is refused: said once,
 * when it appears, rather than on every keystroke.
 */
export function lengthNote(length: number, max: number, t: Strings, id: string) {
  if (!nearLimit(length, max)) return nothing;
  const over = length > max;
  return html`<p id=${id} class="length ${over ? 'error' : 'muted'}" part="counter">${t.charsLeft(max - length)}</p>
    ${over ? html`<p class="error" role="alert">${t.tooLong(max)}</p>` : nothing}`;
}
