// <schoolhub-scheduled>: the author's posts and mailings set to be published later, soonest
// first, each with "change time" and "cancel"; those the hub could not publish at their time
// stay with the reason. The feed's composer shows it under its form; a portal may place it on
// its own. Live on every device of the author (scheduled.changed).
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import type { Scheduled } from './client/protocol.ts';
import { scheduledStore, type ScheduledStore } from './client/scheduled-store.ts';
import { HubElement } from './ui/hub-element.ts';
import { dateAndTime, errorText } from './ui/i18n.ts';
import { base } from './ui/styles.ts';

/** The value of a datetime-local input for an ISO time, in the browser's time zone. */
export function localInputValue(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** @csspart button - buttons @csspart input - the time field */
export class SchoolhubScheduled extends HubElement {
  static override styles = [
    base,
    css`
      ul { list-style: none; margin: 0; padding: 0; }
      li { padding: 0.5em 0; border-top: 1px solid var(--_line, #ddd); }
      .when { display: block; font-size: 0.9em; }
      .failed { color: var(--_danger, #b00020); }
      .row { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: end; margin-top: 0.3em; }
    `,
  ];
  /** The item whose time is being changed. */
  @state() editing = '';
  @state() error = '';
  private store: ScheduledStore | undefined;

  attach(client: HubClient): (() => void)[] {
    this.store = scheduledStore(client);
    void this.store.load();
    return [this.store.subscribe(() => this.requestUpdate())];
  }

  private async act(what: () => Promise<void>, done: string): Promise<void> {
    this.error = '';
    try {
      await what();
      this.editing = '';
      if (done) this.announce(done);
    } catch (e) {
      this.error = errorText(e, this.t);
    }
  }

  private reschedule(e: Event, s: Scheduled): void {
    e.preventDefault();
    const value = new FormData(e.target as HTMLFormElement).get('publishAt');
    if (!value) return;
    const at = new Date(String(value)).toISOString();
    void this.act(() => this.store!.reschedule(s.id, at), this.t.scheduledFor(dateAndTime(at, this.t)));
  }

  override render() {
    const t = this.t;
    const items = this.store?.items ?? [];
    // The live region stays when the list empties: "cancelled" is said after the last item left.
    if (items.length === 0) return this.chrome();
    return html`${this.chrome()}<section aria-labelledby="scheduled-heading">
      <h3 id="scheduled-heading">${t.scheduledList}</h3>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <ul>
        ${items.map((s) => html`<li>
          <strong dir="auto">${s.item.title}</strong>
          <span class="when">${t.scheduledKind[s.kind]} · ${dateAndTime(s.publishAt, t)}</span>
          ${s.state === 'failed' ? html`<span class="when failed">${t.notPublished}: ${s.failure ?? ''}</span>` : nothing}
          ${s.state === 'pending' ? this.controls(s) : nothing}
        </li>`)}
      </ul>
    </section>`;
  }

  private controls(s: Scheduled) {
    const t = this.t;
    if (this.editing === s.id) {
      return html`<form class="row" @submit=${(e: Event) => this.reschedule(e, s)}>
        <label>${t.newTime(s.item.title)}
          <input name="publishAt" type="datetime-local" part="input" required .value=${localInputValue(s.publishAt)} /></label>
        <button class="primary" part="button">${t.save}</button>
        <button type="button" part="button" @click=${() => (this.editing = '')}>${t.cancelShort}</button>
      </form>`;
    }
    return html`<div class="row">
      <button type="button" part="button" @click=${() => (this.editing = s.id)}>${t.changeTime}</button>
      <button type="button" part="button" aria-label=${t.cancelPublication(s.item.title)}
        @click=${() => this.act(() => this.store!.cancel(s.id), t.publicationCancelled(s.item.title))}>${t.cancelShort}</button>
    </div>`;
  }
}

customElements.get('schoolhub-scheduled') ?? customElements.define('schoolhub-scheduled', SchoolhubScheduled);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-scheduled': SchoolhubScheduled;
  }
}
