// Shared look of every widget. Theming goes through the --schoolhub-* custom properties and
// the documented ::part names; the root resets everything the page could leak in through
// inheritance (font, colour, spacing, text transforms), so hostile portal CSS stays outside.
import { css } from 'lit';

export const base = css`
  :host {
    display: block;
    --_font: var(--schoolhub-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_size: var(--schoolhub-font-size, 15px);
    --_text: var(--schoolhub-color-text, #1b1f24);
    --_bg: var(--schoolhub-color-bg, #ffffff);
    --_muted: var(--schoolhub-color-muted, #57606a);
    --_border: var(--schoolhub-color-border, #8c959f);
    --_subtle: var(--schoolhub-color-subtle, #f3f5f7);
    --_accent: var(--schoolhub-color-accent, #0b5cad);
    --_on-accent: var(--schoolhub-color-on-accent, #ffffff);
    --_mine: var(--schoolhub-color-mine, #e3eefa);
    --_danger: var(--schoolhub-color-danger, #b42318);
    --_focus: var(--schoolhub-color-focus, #0b5cad);
    --_radius: var(--schoolhub-radius, 8px);
  }
  :host([hidden]) {
    display: none;
  }
  .root {
    all: initial;
    display: block;
    box-sizing: border-box;
    font-family: var(--_font);
    font-size: var(--_size);
    line-height: 1.45;
    color: var(--_text);
    background: var(--_bg);
    text-align: start;
    overflow-wrap: anywhere;
  }
  .root *,
  .root *::before,
  .root *::after {
    box-sizing: border-box;
  }
  h2,
  h3,
  p,
  ul,
  ol {
    margin: 0;
    padding: 0;
  }
  h2 {
    font-size: 1.2em;
    font-weight: 650;
  }
  h3 {
    font-size: 1.05em;
    font-weight: 650;
  }
  ul,
  ol {
    list-style: none;
  }
  /* Long words wrap anywhere (above), but a column header is a word to read whole: its
     column widens instead ("Dokumenta|tioner" at 320 px). */
  th {
    overflow-wrap: normal;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    letter-spacing: inherit;
    text-transform: none;
    margin: 0;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_accent);
    padding: 0.35em 0.8em;
    min-height: 2.2em;
  }
  button.primary {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  button.link {
    border: none;
    background: none;
    padding: 0.2em 0.3em;
    min-height: 0;
    text-decoration: underline;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  input[type='text'],
  input[type='search'],
  input[type='time'],
  select,
  textarea {
    display: block;
    width: 100%;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    padding: 0.4em 0.55em;
  }
  textarea {
    resize: vertical;
    min-height: 4.5em;
  }
  label {
    display: block;
    font-weight: 600;
    margin: 0.5em 0 0.2em;
  }
  label.check {
    display: flex;
    gap: 0.45em;
    align-items: baseline;
    font-weight: 400;
    margin: 0.2em 0;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin: 0.6em 0;
    padding: 0.3em 0.7em 0.6em;
  }
  legend {
    font-weight: 600;
    padding: 0 0.3em;
  }
  a {
    color: var(--_accent);
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .error {
    color: var(--_danger);
  }
  /* A field's count near its limit (ui/length.ts). */
  .length {
    margin: 0.2em 0 0;
    font-size: 0.85em;
  }
  /* A confirmation ("Inlägget är publicerat."), visible until the next action. */
  .done:not(:empty) {
    margin: 0.5em 0 0;
    padding: 0.35em 0.7em;
    border-radius: var(--_radius);
    background: var(--_subtle);
    border-inline-start: 4px solid var(--_accent);
  }
  .status:not(:empty) {
    margin: 0 0 0.5em;
    padding: 0.35em 0.7em;
    border-radius: var(--_radius);
    background: var(--_subtle);
    color: var(--_text);
    border-inline-start: 4px solid var(--_accent);
  }
  .count {
    display: inline-block;
    min-width: 1.6em;
    padding: 0 0.45em;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: 0.85em;
    font-weight: 700;
    text-align: center;
    line-height: 1.6;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .bar {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5em;
    flex-wrap: wrap;
    margin-bottom: 0.6em;
  }
  .actions {
    display: flex;
    gap: 0.5em;
    flex-wrap: wrap;
    margin-top: 0.6em;
  }
  @media (prefers-reduced-motion: no-preference) {
    button {
      transition: background-color 0.15s, color 0.15s;
    }
  }
`;

/**
 * A vertical list of cards (feed items, development records). A card the reader has not seen
 * yet (`unread` in the feed, `fresh` for a record that arrived live) carries an accent edge.
 */
export const cardList = css`
  .list {
    display: flex;
    flex-direction: column;
    gap: 0.7em;
  }
  article {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.6em 0.8em;
  }
  article.unread,
  article.fresh {
    border-inline-start: 5px solid var(--_accent);
  }
`;
