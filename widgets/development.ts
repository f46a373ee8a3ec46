// <schoolhub-development>: a student's or child's development overview, for the student and
// the guardians (development.get): published feedback and assessments, conference forms once
// the conference is closed, preschool documentation about the child. New records arrive live
// (feedback.published, assessment.published, form.released, documentation.created, and their
// updates), are marked new and announced politely. A guardian of several children picks the
// child when the hub lists them; `student-id` fixes one.
import { css, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { HubClient } from './client/client.ts';
import { developmentStore, type DevelopmentStore } from './client/development-store.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { devStrings, type DevStrings } from './ui/development-i18n.ts';
import { recordLabel, recordStyles, renderRecords } from './ui/records.ts';

/**
 * @csspart list - the list of records
 * @csspart item - one record (also `new` when it arrived live)
 * @csspart image - an image of a documentation
 * @csspart input - the child picker
 * @csspart button - buttons
 * @csspart status - the connection status line
 */
export class SchoolhubDevelopment extends HubElement {
  static override styles = [
    base,
    recordStyles,
    css`
      .pick {
        max-width: 20em;
        margin-bottom: 0.7em;
      }
    `,
  ];
  static override properties: PropertyDeclarations = {
    studentId: { attribute: 'student-id' },
    contextHref: { attribute: 'context-href' },
    chosen: { state: true },
  };

  /** The student (or child) to show; without it the person themself, or their only child. */
  declare studentId: string | null;
  /** The portal's page pattern for plans and assignments (`{kind}`, `{id}`), as in the chat. */
  declare contextHref: string | null;
  /** The child picked in the widget's own picker. */
  declare chosen: string | null;
  private store: DevelopmentStore | undefined;
  private off: (() => void) | undefined;
  private arrivalsSeen = 0;

  constructor() {
    super();
    this.studentId = null;
    this.contextHref = null;
    this.chosen = null;
  }

  get d(): DevStrings {
    return devStrings(this.locale);
  }

  attach(client: HubClient): (() => void)[] {
    this.bind(client);
    return [() => this.bind(undefined)];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('studentId') || changed.has('chosen')) && this.client && this.hasUpdated) this.bind(this.client);
  }

  private bind(client: HubClient | undefined): void {
    this.off?.();
    this.off = undefined;
    this.store = undefined;
    if (!client) return;
    const studentId = this.studentId ?? this.chosen ?? undefined;
    const store = (this.store = developmentStore(client, { kind: 'student', ...(studentId ? { studentId } : {}) }));
    this.arrivalsSeen = store.arrivals;
    this.off = store.subscribe(() => this.changed());
    this.requestUpdate();
  }

  private changed(): void {
    const store = this.store;
    if (!store) return;
    const n = store.arrivals - this.arrivalsSeen;
    if (n > 0 && store.lastArrival) this.announce(n === 1 ? this.d.arrived(recordLabel(store.lastArrival, this.t, this.d)) : this.d.arrivedMany(n));
    this.arrivalsSeen = store.arrivals;
    this.requestUpdate();
  }

  private pick(e: Event): void {
    this.chosen = (e.target as HTMLSelectElement).value || null;
  }

  override render() {
    const t = this.t;
    const d = this.d;
    const store = this.store;
    const student = store?.state === 'ready' ? store.student : undefined;
    const students = store?.students ?? [];
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar"><h2 id="title">${student ? d.developmentOf(student.name) : d.development}</h2></div>
      ${!this.studentId && students.length > 1
        ? html`<div class="pick">
            <label for="child">${d.child}</label>
            <select id="child" part="input" @change=${this.pick}>
              ${students.map((s) => html`<option value=${s.id} ?selected=${s.id === (this.chosen ?? student?.id)}>${s.name}</option>`)}
            </select>
          </div>`
        : nothing}
      ${!store || store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state === 'choose'
          ? html`<p class="muted">${d.severalChildren}</p>`
          : store.state === 'error'
            ? html`<p class=${store.notFound ? 'muted' : 'error'}>${store.notFound ? d.notFound : `${t.loadFailed}${store.error}`}</p>`
            : store.entries.length === 0
              ? html`<p class="muted">${d.nothing}</p>`
              : renderRecords(store.entries, { t, d, client: this.client, fresh: store.fresh, contextHref: this.contextHref })}
      ${store?.state === 'ready' && store.next
        ? html`<div class="actions"><button part="button" @click=${() => store.more().catch(() => {})}>${t.more}</button></div>`
        : nothing}
    </section>`;
  }
}

customElements.get('schoolhub-development') ?? customElements.define('schoolhub-development', SchoolhubDevelopment);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-development': SchoolhubDevelopment;
  }
}
