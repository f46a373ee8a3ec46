// The development widgets' pickers (a child, a child group, a school): a labelled <select>
// whose choices come from the hub's answers. The choice picks a view, never a right.
import { css, html, nothing, type TemplateResult } from 'lit';

export const pickerStyles = css`
  .pick {
    max-width: 20em;
    margin-bottom: 0.7em;
  }
`;

export interface Picker {
  /** The <select>'s id (its label points at it). */
  id: string;
  label: string;
  choices: readonly { id: string; name: string }[];
  /** The id shown as chosen. */
  selected: string | null | undefined;
  /** Hears the chosen id ('' for `all`). */
  pick: (id: string) => void;
  /** An option before the choices that stands for all of them (value ''). */
  all?: string;
}

export function renderPicker(p: Picker): TemplateResult {
  return html`<div class="pick">
    <label for=${p.id}>${p.label}</label>
    <select id=${p.id} part="input" @change=${(e: Event) => p.pick((e.target as HTMLSelectElement).value)}>
      ${p.all === undefined ? nothing : html`<option value="" ?selected=${!p.selected}>${p.all}</option>`}
      ${p.choices.map((c) => html`<option value=${c.id} ?selected=${c.id === p.selected}>${c.name}</option>`)}
    </select>
  </div>`;
}
