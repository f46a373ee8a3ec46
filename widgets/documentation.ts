// <schoolhub-documentation>: preschool documentation with its images and the curriculum goals
// worked on, kept live (documentation.created, documentation.updated), new arrivals marked and
// announced politely. Images are fetched with the page's token and shown as blob: URLs.
//   - A guardian (or anyone without child groups of their own) sees what concerns their child
//     (development.get, documentation only; `student-id` names the child, else a "Barn" picker
//     offers the children the hub lists).
//   - Teachers of child groups (audience.get marks them `documentation`; `group-id` fixes
//     one) see the group's documentation (group.documentation.get), with a "Ny dokumentation"
//     composer and a "Redigera" form on each record (documentation-editor.ts).
//   - A school's reader without child groups of their own gets the dashboard
//     (documentation.dashboard, documentation-dashboard.ts).
// This element decides what to show, follows it in a store and lists it; the hub decides on
// every read, upload and save.
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { developmentStore, type DashboardSummary, type Source } from './client/development-store.ts';
import type { DevelopmentEntry, Documentation } from './client/development-protocol.ts';
import type { AudienceGroup } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { devStrings, type DevStrings } from './ui/development-i18n.ts';
import { arrivalText, recordStyles, renderView } from './ui/records.ts';
import { pickerStyles, renderPicker } from './ui/picker.ts';
import { BoundView } from './ui/bound-view.ts';
import { DocumentationEditor, editorStyles } from './documentation-editor.ts';
import { dashboardStyles, renderDashboard } from './documentation-dashboard.ts';

/**
 * @fires schoolhub-published - {kind: "documentation", id}: the composer's documentation is stored and on its way
 * @csspart list - the list of documentation
 * @csspart item - one documentation (also `new` when it arrived live)
 * @csspart image - an image
 * @csspart composer - the staff composer (and the form that edits a record)
 * @csspart summary - the reader's dashboard: the curriculum goals worked on
 * @csspart input - fields
 * @csspart button - buttons
 * @csspart status - the connection status line
 */
export class SchoolhubDocumentation extends HubElement {
  static override styles = [
    base,
    recordStyles,
    editorStyles,
    dashboardStyles,
    pickerStyles,
  ];

  /** The child whose documentation a guardian sees (else their only child). */
  @property({ attribute: 'student-id' }) studentId: string | null = null;
  /** The child group to show (staff). */
  @property({ attribute: 'group-id' }) groupId: string | null = null;
  /** The child groups the person may post to (audience.get); undefined until known. */
  @state() groups: AudienceGroup[] | undefined;
  /** The child group picked in the widget. */
  @state() chosen: string | null = null;
  /** A guardian's chosen child, when the portal names none and they have several. */
  @state() child: string | null = null;
  /** The reader's dashboard: the school picked (null: the hub's first) and the child group filter ('' all). */
  @state() school: string | null = null;
  @state() filter = '';
  /** The dashboard's last answer, so that its pickers stay while another filter loads. */
  private lastDashboard: DashboardSummary | undefined;
  /** The children the hub last listed (development.get `students`), so the picker stays while one loads. */
  private listedChildren: { id: string; name: string }[] = [];
  /** What is shown, keyed by its source as JSON. */
  private readonly view = new BoundView((store, n) => {
    if (store.dashboard) this.lastDashboard = store.dashboard;
    if (store.students.length > 0) this.listedChildren = store.students;
    const text = arrivalText(store, n, this.t, this.d);
    if (text) this.announce(text);
    this.requestUpdate();
  }, false);
  /** "Ny dokumentation": the composer of the group shown. */
  private readonly composer = new DocumentationEditor(this, 'new', {
    announce: (text) => this.announce(text),
    stored: (doc) => this.published(doc),
  });
  /** "Redigera": the form that changes a record, one at a time. */
  private readonly editor = new DocumentationEditor(this, 'change', {
    announce: (text) => this.announce(text),
    stored: (doc) => this.view.store?.add(doc),
  });

  get d(): DevStrings {
    return devStrings(this.locale);
  }

  attach(client: HubClient): (() => void)[] {
    return [
      client.views(() => {
        client.request('audience.get', {}).then(
          (a) => (this.groups = a.posts.schools.flatMap((s) => s.groups.filter((g) => g.kind === 'preschool' && g.documentation))),
          () => (this.groups = []),
        );
      }),
      () => this.view.clear(),
    ];
  }

  /**
   * What to show: a named group, a named child, the person's child groups, the dashboard of a
   * school's reader, else their child.
   */
  private get source(): Source | undefined {
    if (this.groupId) return { kind: 'group', groupId: this.groupId };
    if (this.studentId) return { kind: 'student', studentId: this.studentId, kinds: ['documentation'] };
    if (!this.groups) return undefined;
    const group = this.groups.find((g) => g.id === this.chosen) ?? this.groups[0];
    if (group) return { kind: 'group', groupId: group.id };
    // The welcome's roles say who is a reader; the hub decides what the dashboard holds.
    if (this.client?.user?.roles.some((r) => r.role === 'reader')) {
      return { kind: 'dashboard', ...(this.school ? { schoolId: this.school } : {}), ...(this.filter ? { groupId: this.filter } : {}) };
    }
    return { kind: 'student', kinds: ['documentation'], ...(this.child ? { studentId: this.child } : {}) };
  }

  /** The group shown, when the person may write in it (it is among their groups). */
  private get writable(): AudienceGroup | undefined {
    const s = this.source;
    return s?.kind === 'group' ? this.groups?.find((g) => g.id === s.groupId) : undefined;
  }

  protected override willUpdate(): void {
    const s = this.source;
    this.view.bind(this.client, s && { key: JSON.stringify(s), make: (client) => developmentStore(client, s) });
  }

  /** The composer's documentation is stored: listed at once, announced to the portal, the keyboard back on "Ny dokumentation". */
  private published(doc: Documentation): void {
    this.view.store?.add(doc);
    this.dispatchEvent(new CustomEvent('schoolhub-published', { detail: { kind: 'documentation', id: doc.id }, bubbles: true, composed: true }));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.bar button')?.focus());
  }

  override render() {
    const t = this.t;
    const d = this.d;
    const store = this.view.store;
    const groups = this.groups ?? [];
    const source = this.source;
    const writable = this.writable;
    const student = source?.kind === 'student' && store?.state === 'ready' ? store.student : undefined;
    const dashboard = source?.kind === 'dashboard' ? (store?.dashboard ?? this.lastDashboard) : undefined;
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <div class="bar">
        <h2 id="title">${student ? d.documentationOf(student.name) : dashboard ? d.dashboardOf(dashboard.school.name) : d.documentation}</h2>
        ${writable
          ? html`<button part="button" aria-expanded=${this.composer.open ? 'true' : 'false'} @click=${() => this.composer.toggle()}>${d.newDocumentation}</button>`
          : nothing}
      </div>
      ${!this.groupId && !this.studentId && groups.length > 1
        ? renderPicker({
            id: 'group', label: d.childGroup, choices: groups,
            selected: source?.kind === 'group' ? source.groupId : undefined,
            pick: (id) => (this.chosen = id),
          })
        : nothing}
      ${source?.kind === 'student' && !this.studentId && this.listedChildren.length > 1
        ? renderPicker({ id: 'child', label: d.child, choices: this.listedChildren, selected: this.child ?? student?.id, pick: (id) => (this.child = id || null) })
        : nothing}
      ${writable && this.composer.open ? this.composer.render({ kind: 'new', group: writable }) : nothing}
      ${dashboard
        ? renderDashboard(dashboard, store?.state === 'ready' ? store.dashboard : undefined, d, {
            filter: this.filter,
            pickSchool: (id) => {
              this.school = id;
              this.filter = '';
            },
            pickGroup: (id) => (this.filter = id),
          })
        : nothing}
      ${renderView(
        store,
        {
          t, d, client: this.client, contextHref: null,
          ...(writable ? { action: (e: DevelopmentEntry) => (e.kind === 'documentation' ? this.editor.action(e.documentation) : nothing) } : {}),
        },
        { notFound: d.noDocumentationHere, empty: d.noDocumentation },
      )}
    </section>`;
  }
}

customElements.get('schoolhub-documentation') ?? customElements.define('schoolhub-documentation', SchoolhubDocumentation);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-documentation': SchoolhubDocumentation;
  }
}
