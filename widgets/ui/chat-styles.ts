// The chat's own layout: a scrolling list of bubbles and a composer under it.
import { css } from 'lit';

export const chatStyles = css`
  .head {
    margin-bottom: 0.5em;
  }
  .head h2:focus {
    outline: none;
  }
  .head h2:focus-visible {
    outline: 3px solid var(--_focus);
  }
  .messages {
    position: relative;
    max-height: var(--schoolhub-chat-height, 26em);
    min-height: 6em;
    overflow-y: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5em;
    display: flex;
    flex-direction: column;
    gap: 0.5em;
  }
  .older {
    align-self: center;
  }
  .msg {
    max-width: 85%;
    padding: 0.4em 0.7em;
    border-radius: var(--_radius);
    background: var(--_subtle);
    align-self: flex-start;
  }
  .msg.mine {
    background: var(--_mine);
    align-self: flex-end;
  }
  .msg.failed {
    border: 2px solid var(--_danger);
  }
  .meta {
    font-size: 0.85em;
    color: var(--_muted);
  }
  .who {
    font-weight: 650;
    color: var(--_text);
  }
  .body {
    white-space: pre-wrap;
  }
  .receipt {
    font-size: 0.85em;
    text-align: end;
  }
  .composer {
    display: flex;
    gap: 0.5em;
    align-items: flex-end;
    margin-top: 0.5em;
  }
  /* The paper clip: a label for the (visually hidden, still focusable) file input. */
  .composer .attach {
    cursor: pointer;
    padding: 0.45em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .composer .attach:focus-within {
    outline: 2px solid var(--_focus, var(--_accent));
    outline-offset: 2px;
  }
  .pending-files {
    list-style: none;
    margin: 0.3em 0 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.3em 1em;
    font-size: 0.9em;
  }
  .files {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em;
    margin-top: 0.3em;
  }
  .composer textarea {
    flex: 1;
    min-height: 2.6em;
  }
  .context {
    margin-top: 0.2em;
  }
  .length {
    font-size: 0.85em;
    text-align: end;
    margin-top: 0.2em;
  }
  .msg.found {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .msg:focus {
    outline: none;
  }
  .msg:focus-visible,
  .msg.found:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 1px;
  }
  .tombstone {
    font-style: italic;
    color: var(--_muted);
  }
  .edited {
    font-style: italic;
  }
  .quiet {
    font-size: 0.85em;
    color: var(--_muted);
    border-top: 1px solid var(--_border);
    margin-top: 0.3em;
    padding-top: 0.2em;
  }
  .change {
    font-size: 0.85em;
    text-align: end;
  }
  .change button {
    font-size: inherit;
  }
  .change span {
    color: var(--_text);
  }
  button.danger {
    color: var(--_danger);
  }
  .edit textarea {
    min-height: 3em;
    margin-top: 0.2em;
  }
  .edit .actions {
    margin-top: 0.3em;
  }
  .typing {
    min-height: 1.45em;
    font-size: 0.85em;
    color: var(--_muted);
    margin-top: 0.25em;
  }
`;
