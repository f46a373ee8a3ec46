// <schoolhub-development>: a student's or child's development overview, for the student and
// the guardians (development.get): published feedback and assessments, conference forms once
// the conference is closed, preschool documentation about the child. New records arrive live
// (feedback.published, assessment.published, form.released, documentation.created, and their
// updates), are marked new and announced politely. A guardian of several children picks the
// child when the hub lists them; `student-id` fixes one.
// Staff (the welcome's roles: teacher, mentor, school leader, school admin, reader; `mode`
// says otherwise) get the staff views instead (development-staff.ts): a student search that
// opens a student card, and the group overview of a group they own.
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { developmentStore } from './client/development-store.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { devStrings, type DevStrings } from './ui/development-i18n.ts';
import { arrivalText, recordStyles, renderView } from './ui/records.ts';
import { pickerStyles, renderPicker } from './ui/picker.ts';
import { BoundView } from './ui/bound-view.ts';
import { STAFF_ROLES, StaffView, staffStyles } from './development-staff.ts';

/**
 * @csspart container - the view (staff: the student search and card)
 * @csspart overview - staff: the group overview
 * @csspart list - the list of records (staff: also the search's students)
 * @csspart item - one record (also `new` when it arrived live, `draft` for a draft or a form of a conference still open)
 * @csspart image - an image of a documentation
 * @csspart input - the child picker (staff: the search field, the group picker)
 * @csspart button - buttons
 * @csspart status - the connection status line
 */
export class SchoolhubDevelopment extends HubElement {
  static override styles = [
    base,
    recordStyles,
    staffStyles,
    pickerStyles,
  ];

  /** The student (or child) to show; without it the person themself, or their only child. Staff: the student whose card opens. */
  @property({ attribute: 'student-id' }) studentId: string | null = null;
  /** Staff: the group whose overview to show (no picker). */
  @property({ attribute: 'group-id' }) groupId: string | null = null;
  /** `overview` (the person's own or their child's) or `staff`; without it the welcome's roles decide. */
  @property({ attribute: 'mode' }) mode: string | null = null;
  /** The portal's page pattern for plans and assignments (`{kind}`, `{id}`), as in the chat. */
  @property({ attribute: 'context-href' }) contextHref: string | null = null;
  /** The child picked in the widget's own picker. */
  @state() chosen: string | null = null;
  /** The student overview, keyed by its student ('' the hub's choice). */
  private readonly view = new BoundView((store, n) => {
    const text = arrivalText(store, n, this.t, this.d);
    if (text) this.announce(text);
    this.requestUpdate();
  }, false);
  private readonly staffView = new StaffView(this, (text) => this.announce(text));

  get d(): DevStrings {
    return devStrings(this.locale);
  }

  /**
   * Whether to show the staff views: `mode` when set, else whether the welcome's roles hold a
   * staff role (undefined before the welcome). It picks the view, never a right: the hub answers
   * every request by its own rules.
   */
  private get staff(): boolean | undefined {
    if (this.mode === 'staff' || this.mode === 'overview') return this.mode === 'staff';
    const user = this.client?.user;
    return user ? user.roles.some((r) => STAFF_ROLES.includes(r.role)) : undefined;
  }

  attach(client: HubClient): (() => void)[] {
    return [
      client.views(() => {
        this.staffView.reload();
        this.requestUpdate();
      }),
      () => {
        this.view.clear();
        this.staffView.stop();
      },
    ];
  }

  protected override willUpdate(): void {
    const staff = this.staff;
    const studentId = this.studentId ?? this.chosen;
    this.view.bind(this.client, staff === false ? { key: studentId ?? '', make: (client) => developmentStore(client, { kind: 'student', ...(studentId ? { studentId } : {}) }) } : undefined);
    this.staffView.sync(staff ? this.client : undefined);
  }

  override render() {
    if (this.staff) return this.staffView.render(this.chrome());
    const t = this.t;
    const d = this.d;
    const store = this.view.store;
    const student = store?.state === 'ready' ? store.student : undefined;
    const students = store?.students ?? [];
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar"><h2 id="title">${student ? d.developmentOf(student.name) : d.development}</h2></div>
      ${!this.studentId && students.length > 1
        ? renderPicker({ id: 'child', label: d.child, choices: students, selected: this.chosen ?? student?.id, pick: (id) => (this.chosen = id || null) })
        : nothing}
      ${renderView(store, { t, d, client: this.client, contextHref: this.contextHref }, { notFound: d.notFound, empty: d.nothing })}
    </section>`;
  }
}

customElements.get('schoolhub-development') ?? customElements.define('schoolhub-development', SchoolhubDevelopment);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-development': SchoolhubDevelopment;
  }
}
