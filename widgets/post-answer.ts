// <schoolhub-post-answer>: acknowledge and RSVP under a post that asks (docs/PROTOCOL.md
// "Answers to a post"). A family answers, once per child: a radio group of the author's answers
// or an "I have read this" button, with the deadline; after it the controls are closed. The
// author side (the author, the school's leadership) sees the tally and who answered what,
// live. Which of the two the viewer gets is the hub's answer (post.answers.get `scope`).
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { HubError, type Post } from './client/protocol.ts';
import type { Answer, AnswerLine, Ask, OwnAnswer, Tally } from './client/answers-protocol.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText, shortTime } from './ui/i18n.ts';
import { answerStrings, type AnswerStrings } from './ui/answer-i18n.ts';

const sameLine = (a: AnswerLine, b: AnswerLine) => a.personId === b.personId && a.forId === b.forId;

/** The tally of the lines the widget holds (the hub's, recounted after each live change). */
export function tallyOf(ask: Ask, lines: readonly AnswerLine[]): Tally {
  const counts = new Array<number>(ask.kind === 'ack' ? 1 : ask.options.length).fill(0);
  let waiting = 0;
  for (const l of lines) {
    if (l.answer === null) waiting++;
    else counts[l.answer === 'ack' ? 0 : l.answer]! += 1;
  }
  return { counts, answered: lines.length - waiting, waiting };
}

/**
 * @csspart answers - the whole block
 * @csspart button - buttons
 * @csspart tally - the author side's summary
 */
export class SchoolhubPostAnswer extends HubElement {
  static override styles = [
    HubElement.styles,
    css`
      :host {
        display: block;
        margin-top: 0.6em;
      }
      fieldset {
        margin: 0.4em 0;
      }
      .options {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em 1.2em;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin-top: 0.4em;
      }
      th,
      td {
        text-align: start;
        padding: 0.2em 0.5em 0.2em 0;
        border-bottom: 1px solid #ddd;
      }
    `,
  ];
  /** The post (with its ask). */
  @property({ attribute: false }) post: Post | undefined;
  /** The viewer's own answers as feed.get gave them; empty or absent: ask the hub. */
  @property({ attribute: false }) own: OwnAnswer[] | undefined;
  /** The author side's lines, when the hub shows every answer to the viewer. */
  @state() all: AnswerLine[] | undefined;
  @state() mine: OwnAnswer[] | undefined;
  @state() error = '';
  /** The child whose answer was saved last (the status line under their controls). */
  @state() saved = '';
  /** An answer is on its way (the acknowledgement button waits for it). */
  @state() busy = false;

  get a(): AnswerStrings {
    return answerStrings(this.locale);
  }

  /** The post the answers shown are for: the feed reuses this element for another post as its list changes. */
  private shownFor: string | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  attach(client: HubClient): (() => void)[] {
    this.closeAtDeadline();
    return [
      () => clearTimeout(this.deadlineTimer),
      client.views(() => void this.load(client)),
      client.on('post.answered', ({ postId, answer }) => {
        if (postId !== this.post?.id || !this.mine) return;
        this.mine = this.mine.map((m) => (m.forId === answer.forId ? answer : m));
      }),
      client.on('post.answers.changed', ({ postId, answer }) => {
        if (postId !== this.post?.id || !this.all) return;
        const known = this.all.some((l) => sameLine(l, answer));
        this.all = known ? this.all.map((l) => (sameLine(l, answer) ? answer : l)) : [...this.all, answer];
        if (answer.personName) this.announce(this.a.newAnswer(answer.personName));
      }),
    ];
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('post') && this.post?.id !== this.shownFor) {
      // Another post (or the first): nothing of the last one stays; its answers are asked anew.
      this.shownFor = this.post?.id;
      this.all = undefined;
      this.mine = undefined;
      this.error = '';
      this.saved = '';
      this.closeAtDeadline();
      if (this.client?.status === 'online') void this.load(this.client);
    } else if (changed.has('own') && this.own?.length) {
      this.mine = this.own;
    }
  }

  /** Closes the controls when the deadline passes with the page open (timers past ~24 days overflow). */
  private closeAtDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const left = Date.parse(this.post?.ask?.deadline ?? '') - Date.now();
    if (left > 0 && left < 2 ** 31 - 1) this.deadlineTimer = setTimeout(() => this.requestUpdate(), left + 50);
  }

  private async load(client: HubClient): Promise<void> {
    const post = this.post;
    if (!post?.ask) return;
    if (this.own?.length) {
      this.mine = this.own;
      return;
    }
    try {
      const r = await client.request('post.answers.get', { postId: post.id });
      if (this.post?.id !== post.id) return; // the element shows another post by now
      if (r.scope === 'all') this.all = r.answers;
      else this.mine = r.answers;
    } catch {
      // Neither asked nor on the author side (a teacher of the group reads the post): nothing to show.
    }
  }

  private get closed(): boolean {
    const d = this.post?.ask?.deadline;
    return !!d && Date.parse(d) <= Date.now();
  }

  /** The latest answer chosen per child, not yet sent; and the children whose answer is on its way. */
  private wanted = new Map<string, Answer>();
  private sending = new Set<string>();

  /**
   * Saves the child's answer. Choices made while one is on its way (arrow keys move through a
   * radio group, choosing as they go) are not dropped: the latest is sent after it, in order.
   */
  private async answer(forId: string, answer: Answer): Promise<void> {
    const client = this.client;
    const post = this.post;
    if (!client || !post) return;
    this.wanted.set(forId, answer);
    if (this.sending.has(forId)) return;
    this.sending.add(forId);
    this.busy = true;
    this.error = '';
    this.saved = '';
    try {
      for (let next = this.wanted.get(forId); next !== undefined; next = this.wanted.get(forId)) {
        this.wanted.delete(forId);
        const r = await client.request('post.answer', { postId: post.id, childId: forId, answer: next });
        this.mine = (this.mine ?? []).map((m) => (m.forId === forId ? r.answer : m));
      }
      this.saved = forId;
    } catch (e) {
      this.wanted.delete(forId);
      // The hub's clock said the deadline has passed: say so in words, and close the controls.
      this.error = e instanceof HubError && e.code === 'conflict' ? this.a.closed : errorText(e, this.t);
    } finally {
      this.sending.delete(forId);
      this.busy = this.sending.size > 0;
    }
  }

  override render() {
    const ask = this.post?.ask;
    if (!ask || (!this.all && !this.mine?.length)) return nothing;
    const a = this.a;
    const closed = this.closed;
    return html`<section part="answers" aria-label=${a.answers}>
      ${ask.deadline
        ? html`<p class=${closed ? 'error' : 'muted'}>${closed ? a.closed : a.deadline(shortTime(ask.deadline, this.t))}</p>`
        : nothing}
      ${this.all ? this.tally(ask, this.all) : (this.mine ?? []).map((m) => this.controls(ask, m, closed))}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    </section>`;
  }

  private controls(ask: Ask, m: OwnAnswer, closed: boolean) {
    const a = this.a;
    const self = m.forId === this.client?.user?.id;
    const label = self ? a.yourAnswer : a.answerFor(m.forName);
    const status = html`<p class="done" role="status">${this.saved === m.forId ? a.saved : ''}</p>`;
    const when = m.answeredAt ? html`<span class="muted">${a.answeredAt(shortTime(m.answeredAt, this.t))}</span>` : nothing;
    if (ask.kind === 'ack') {
      return html`<div>
        ${m.answer === 'ack'
          ? html`<p><strong>${a.acknowledged}</strong>${self ? nothing : html` (${m.forName})`} ${when}</p>`
          : html`<button class="primary" part="button" ?disabled=${closed || this.sending.has(m.forId)} @click=${() => this.answer(m.forId, 'ack')}>
              ${self ? a.acknowledge : a.acknowledgeFor(m.forName)}
            </button>`}
        ${status}
      </div>`;
    }
    // A native radio group: arrow keys move and choose, Tab leaves it; each choice is saved.
    return html`<fieldset ?disabled=${closed}>
      <legend>${label}</legend>
      <div class="options">
        ${ask.options.map(
          (o, i) => html`<label class="check"><input type="radio" name="answer-${this.post?.id}-${m.forId}" .value=${String(i)}
              .checked=${m.answer === i} @change=${() => this.answer(m.forId, i)} /> <span dir="auto">${o}</span></label>`,
        )}
      </div>
      ${when}
      ${status}
    </fieldset>`;
  }

  private tally(ask: Ask, lines: readonly AnswerLine[]) {
    const a = this.a;
    const t = tallyOf(ask, lines);
    const option = (x: Answer | null) => (x === null ? a.notAnswered : x === 'ack' ? a.acknowledged : ask.kind === 'choice' ? ask.options[x] ?? '' : '');
    const labels = ask.kind === 'ack' ? [a.acknowledged] : ask.options;
    return html`<h4>${a.tally}</h4>
      <p part="tally">
        ${labels.map((l, i) => html`<span dir="auto">${l}</span>: ${t.counts[i] ?? 0} · `)}${a.notAnswered}: ${t.waiting}
      </p>
      <details>
        <summary>${a.whoAnswered}</summary>
        <table>
          <thead><tr><th scope="col">${a.columns.for}</th><th scope="col">${a.columns.who}</th><th scope="col">${a.columns.answer}</th></tr></thead>
          <tbody>
            ${lines.map(
              (l) => html`<tr>
                <td>${l.forName ?? a.hidden}</td>
                <td>${l.as === 'self' ? '–' : l.personName ?? a.hidden}</td>
                <td dir="auto">${option(l.answer)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </details>`;
  }
}

customElements.get('schoolhub-post-answer') ?? customElements.define('schoolhub-post-answer', SchoolhubPostAnswer);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-post-answer': SchoolhubPostAnswer;
  }
}
