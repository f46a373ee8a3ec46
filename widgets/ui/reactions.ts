// The reaction bar under a message or a post (issue 13): the hub's six reactions as toggle
// buttons (aria-pressed), each named by what it is, how many, and who where the hub shows them.
import { css, html, nothing, type TemplateResult } from 'lit';
import { REACTIONS, type Reaction, type Reactions } from '../client/protocol.ts';
import type { Strings } from './i18n.ts';

/** What each reaction looks like. */
export const REACTION_EMOJI: Readonly<Record<Reaction, string>> = {
  like: '👍', heart: '❤️', smile: '😊', clap: '👏', celebrate: '🎉', question: '❓',
};

export interface BarOptions {
  reactions: Reactions | undefined;
  t: Strings;
  /** What the buttons carry in `data-react` (a message's seq, a post's id), for focus. */
  key: string | number;
  /** The tab order of the buttons ("-1" inside the chat's one-stop list until its actions are opened). */
  tabindex?: '0' | '-1';
  /** The id of what the reactions are on, read with each button. */
  describedBy?: string;
  onToggle(emoji: Reaction, on: boolean): void;
  onKey?(e: KeyboardEvent): void;
}

export function reactionBar(o: BarOptions): TemplateResult {
  const { t } = o;
  const mine = new Set(o.reactions?.mine ?? []);
  return html`<div class="reactions" part="reactions" role="group" aria-label=${t.reactions}>
    ${REACTIONS.map((emoji) => {
      const count = o.reactions?.counts[emoji] ?? 0;
      const names = (o.reactions?.by?.[emoji] ?? []).map((p) => p.name).join(', ');
      const pressed = mine.has(emoji);
      return html`<button type="button" class="reaction ${count > 0 ? 'some' : ''}" part="button reaction" data-react=${o.key}
        aria-pressed=${pressed ? 'true' : 'false'} aria-label=${t.reactionLabel(t.reaction[emoji], count, names)}
        aria-describedby=${o.describedBy ?? nothing} title=${names || t.reaction[emoji]} tabindex=${o.tabindex ?? nothing}
        @keydown=${(e: KeyboardEvent) => o.onKey?.(e)} @click=${() => o.onToggle(emoji, !pressed)}>
        <span aria-hidden="true">${REACTION_EMOJI[emoji]}</span>${count > 0 ? html`<span class="count" aria-hidden="true">${count}</span>` : nothing}
      </button>`;
    })}
  </div>`;
}

export const reactionStyles = css`
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
    margin-top: 0.3em;
  }
  button.reaction {
    padding: 0.1em 0.45em;
    min-height: 1.9em;
    border-radius: 999px;
    font-size: 0.85em;
    line-height: 1.4;
  }
  button.reaction[aria-pressed='true'] {
    border-color: var(--_accent);
    background: var(--_mine);
    font-weight: 650;
  }
  button.reaction .count {
    margin-inline-start: 0.25em;
  }
`;
