// <schoolhub-documentation>: preschool documentation with its images and the curriculum goals
// worked on, kept live (documentation.created, documentation.updated), new arrivals marked and
// announced politely. Images are fetched with the page's token and shown as blob: URLs.
//   - A guardian (or anyone without child groups of their own) sees what concerns their child
//     (development.get, documentation only; `student-id` names the child, else a "Barn" picker
//     offers the children the hub lists).
//   - Teachers of child groups (audience.get marks them `documentation`; `group-id` fixes
//     one) see the group's documentation (group.documentation.get) and get a composer: title,
//     text, goals, children, images and PDFs (uploaded with POST /api/v1/attachments). The hub
//     decides on every upload and create; its reason is shown when it refuses. Each record has
//     a "Redigera" action: title, text, goals and its attachments (remove one, add files),
//     saved with documentation.update.
//   - A school's reader without child groups of their own gets the dashboard
//     (documentation.dashboard): the school's documentation with a child group filter (and a
//     school picker when they read several), and the curriculum goals worked on, counted.
import { css, html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { HubClient } from './client/client.ts';
import { developmentStore, type DashboardSummary, type DevelopmentStore, type Source } from './client/development-store.ts';
import type { Attachment, DevelopmentEntry, Documentation } from './client/development-protocol.ts';
import { ATTACHMENT_TYPES, AttachmentError, uploadAttachment } from './client/attachments.ts';
import { ATTACHMENT_BYTES, DEVELOPMENT_LIMITS } from '../hub/protocol/limits.ts';
import { newClientKey } from './client/keys.ts';
import type { AudienceGroup } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { devStrings, fileSize, type DevStrings } from './ui/development-i18n.ts';
import { recordLabel, recordStyles, renderRecords } from './ui/records.ts';

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
    css`
      .pick {
        max-width: 20em;
        margin-bottom: 0.7em;
      }
      form {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.4em 0.8em 0.8em;
        margin-bottom: 1em;
      }
      input[type='file'] {
        display: block;
        max-width: 100%;
      }
      article form {
        margin: 0.7em 0 0;
      }
      .files {
        list-style: none;
        padding: 0;
        margin: 0 0 0.5em;
      }
      .files li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.2em 0.6em;
        padding: 0.15em 0;
      }
      .files .gone .name {
        text-decoration: line-through;
      }
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1em;
      }
      .summary {
        margin-bottom: 1em;
      }
      .summary table {
        border-collapse: collapse;
      }
      .summary th,
      .summary td {
        text-align: start;
        padding: 0.2em 1em 0.2em 0;
        border-bottom: 1px solid var(--_border);
      }
      .summary td:last-child {
        text-align: end;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];
  static override properties: PropertyDeclarations = {
    studentId: { attribute: 'student-id' },
    groupId: { attribute: 'group-id' },
    groups: { state: true },
    chosen: { state: true },
    child: { state: true },
    composing: { state: true },
    busy: { state: true },
    error: { state: true },
    progress: { state: true },
    school: { state: true },
    filter: { state: true },
    editing: { state: true },
  };

  /** The child whose documentation a guardian sees (else their only child). */
  declare studentId: string | null;
  /** The child group to show (staff). */
  declare groupId: string | null;
  /** The child groups the person may post to (audience.get); undefined until known. */
  declare groups: AudienceGroup[] | undefined;
  /** The child group picked in the widget. */
  declare chosen: string | null;
  /** A guardian's chosen child, when the portal names none and they have several. */
  declare child: string | null;
  declare composing: boolean;
  declare busy: boolean;
  declare error: string;
  declare progress: string;
  /** The reader's dashboard: the school picked (null: the hub's first) and the child group filter ('' all). */
  declare school: string | null;
  declare filter: string;
  /** The dashboard's last answer, so that its pickers stay while another filter loads. */
  private lastDashboard: DashboardSummary | undefined;
  /** The children the hub last listed (development.get `students`), so the picker stays while one loads. */
  private listedChildren: { id: string; name: string }[] = [];
  private store: DevelopmentStore | undefined;
  private off: (() => void) | undefined;
  private arrivalsSeen = 0;
  private clientKey = newClientKey('d');
  /** Files already uploaded for the documentation being written (a retry does not upload them again). */
  private uploaded = new Map<string, Attachment>();
  /** The record being edited (one at a time), or null. */
  declare editing: Editing | null;
  /** Files already uploaded for the edit (as `uploaded`, for the edit form). */
  private editUploaded = new Map<string, Attachment>();

  constructor() {
    super();
    this.studentId = null;
    this.groupId = null;
    this.groups = undefined;
    this.chosen = null;
    this.child = null;
    this.composing = false;
    this.busy = false;
    this.error = '';
    this.progress = '';
    this.school = null;
    this.filter = '';
    this.editing = null;
  }

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
      () => this.bind(undefined),
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

  /** The source bound to, as JSON. */
  private bound: string | undefined;

  protected override willUpdate(): void {
    const s = this.source;
    const want = this.client && s ? JSON.stringify(s) : undefined;
    if (want !== this.bound) this.bind(this.client);
  }

  private bind(client: HubClient | undefined): void {
    this.off?.();
    this.off = undefined;
    this.store = undefined;
    this.bound = undefined;
    const s = this.source;
    if (!client || !s) return;
    this.bound = JSON.stringify(s);
    const store = (this.store = developmentStore(client, s));
    this.arrivalsSeen = store.arrivals;
    this.off = store.subscribe(() => this.changed());
  }

  private changed(): void {
    const store = this.store;
    if (!store) return;
    if (store.dashboard) this.lastDashboard = store.dashboard;
    if (store.students.length > 0) this.listedChildren = store.students;
    const n = store.arrivals - this.arrivalsSeen;
    if (n > 0 && store.lastArrival) this.announce(n === 1 ? this.d.arrived(recordLabel(store.lastArrival, this.t, this.d)) : this.d.arrivedMany(n));
    this.arrivalsSeen = store.arrivals;
    this.requestUpdate();
  }

  private toggle(): void {
    this.composing = !this.composing;
    this.error = '';
    if (this.composing) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#doc-title')?.focus());
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const client = this.client;
    const group = this.writable;
    const form = e.target as HTMLFormElement;
    if (!client || !group || this.busy) return;
    const d = this.d;
    const data = new FormData(form);
    const files = filesOf(form);
    const bad = badFile(files);
    this.error = '';
    if (bad) {
      this.error = d.badFile(bad.name);
      return;
    }
    this.busy = true;
    try {
      const attachmentIds = await this.upload(client, files, this.uploaded, (p) => (this.progress = p));
      this.progress = '';
      const goals = goalsOf(data);
      const childIds = data.getAll('child').map(String);
      const { documentation } = await client.request('documentation.create', {
        groupId: group.id,
        ...(childIds.length ? { childIds } : {}),
        title: String(data.get('title') ?? '').trim(),
        body: String(data.get('body') ?? '').trim(),
        ...(goals.length ? { goals } : {}),
        ...(attachmentIds.length ? { attachmentIds } : {}),
        clientKey: this.clientKey,
      });
      this.store?.add(documentation);
      this.clientKey = newClientKey('d');
      this.uploaded.clear();
      form.reset();
      this.composing = false;
      this.announce(d.saved);
      this.dispatchEvent(new CustomEvent('schoolhub-published', { detail: { kind: 'documentation', id: documentation.id }, bubbles: true, composed: true }));
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.bar button')?.focus());
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
      this.progress = '';
    }
  }

  /**
   * Uploads the files (those in `cache` from an earlier try are not sent again) and returns
   * their ids in order; `progress` hears which file is on its way.
   */
  private async upload(client: HubClient, files: File[], cache: Map<string, Attachment>, progress: (text: string) => void): Promise<string[]> {
    const d = this.d;
    const ids: string[] = [];
    for (const [i, f] of files.entries()) {
      const key = `${f.name}|${f.size}|${f.lastModified}`;
      let a = cache.get(key);
      if (!a) {
        progress(d.uploading(i + 1, files.length));
        a = await uploadAttachment(client, f).catch((err: unknown) => {
          // A type or size the hub refused: say which file, in the page's language, with the hub's reason.
          if (err instanceof AttachmentError && (err.status === 413 || err.status === 415)) throw new Error(`${d.badFile(f.name)} (${err.message})`);
          throw err;
        });
        cache.set(key, a);
      }
      ids.push(a.id);
    }
    return ids;
  }

  private openEdit(doc: Documentation): void {
    this.editing = { id: doc.id, title: doc.title, body: doc.body, goals: doc.goals.join('\n'), removed: [], busy: false, error: '', progress: '' };
    this.editUploaded.clear();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#edit-title')?.focus());
  }

  /** Closes the edit form and gives focus back to the record's edit button. */
  private closeEdit(): void {
    const id = this.editing?.id;
    this.editing = null;
    this.editUploaded.clear();
    if (id) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-edit="${CSS.escape(id)}"]`)?.focus());
  }

  private toggleRemoved(a: Attachment): void {
    const e = this.editing;
    if (!e) return;
    const gone = e.removed.includes(a.id);
    this.editing = { ...e, removed: gone ? e.removed.filter((x) => x !== a.id) : [...e.removed, a.id] };
    this.announce(gone ? this.d.fileKept(a.filename) : this.d.fileRemoved(a.filename));
  }

  private async saveEdit(ev: Event): Promise<void> {
    ev.preventDefault();
    const client = this.client;
    const e = this.editing;
    const form = ev.target as HTMLFormElement;
    if (!client || !e || e.busy) return;
    const d = this.d;
    const set = (patch: Partial<Editing>) => {
      if (this.editing?.id === e.id) this.editing = { ...this.editing, ...patch };
    };
    const data = new FormData(form);
    const files = filesOf(form);
    const bad = badFile(files);
    // The record as it is now (another teacher may have changed it meanwhile): what is on it and not taken off stays.
    const now = this.store?.entries.find((x): x is Extract<DevelopmentEntry, { kind: 'documentation' }> => x.kind === 'documentation' && x.documentation.id === e.id);
    const kept = (now?.documentation.attachments ?? []).filter((a) => !e.removed.includes(a.id)).map((a) => a.id);
    if (bad) return set({ error: d.badFile(bad.name) });
    if (kept.length + files.length > DEVELOPMENT_LIMITS.attachments) return set({ error: d.tooManyFiles(DEVELOPMENT_LIMITS.attachments) });
    set({ busy: true, error: '' });
    try {
      const added = await this.upload(client, files, this.editUploaded, (progress) => set({ progress }));
      set({ progress: '' });
      const { documentation } = await client.request('documentation.update', {
        documentationId: e.id,
        title: String(data.get('title') ?? '').trim(),
        body: String(data.get('body') ?? '').trim(),
        goals: goalsOf(data),
        attachmentIds: [...kept, ...added],
      });
      this.store?.add(documentation);
      this.announce(d.changesSaved);
      if (this.editing?.id === e.id) this.closeEdit();
    } catch (err) {
      set({ busy: false, progress: '', error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** After each record of a group the person writes in: the edit button, or the edit form. */
  private recordAction(entry: DevelopmentEntry) {
    if (entry.kind !== 'documentation') return nothing;
    const doc = entry.documentation;
    if (this.editing?.id === doc.id) return this.editor(doc, this.editing);
    return html`<div class="actions">
      <button part="button" data-edit=${doc.id} aria-label=${this.d.editOf(doc.title)} @click=${() => this.openEdit(doc)}>${this.t.edit}</button>
    </div>`;
  }

  private editor(doc: Documentation, e: Editing) {
    const t = this.t;
    const d = this.d;
    return html`<form part="composer" @submit=${this.saveEdit} @keydown=${(k: KeyboardEvent) => k.key === 'Escape' && this.closeEdit()} aria-labelledby="edit-heading">
      <h4 id="edit-heading">${d.editing(e.title)}</h4>
      <label for="edit-title">${t.title}</label>
      <input id="edit-title" name="title" type="text" part="input" required maxlength=${DEVELOPMENT_LIMITS.title} .value=${e.title} />
      <label for="edit-body">${t.body}</label>
      <textarea id="edit-body" name="body" part="input" required maxlength=${DEVELOPMENT_LIMITS.documentationBody} .value=${e.body}></textarea>
      <label for="edit-goals">${d.goalsInput}</label>
      <textarea id="edit-goals" name="goals" part="input" rows="2" .value=${e.goals}></textarea>
      <fieldset>
        <legend>${d.attachments}</legend>
        ${doc.attachments.length
          ? html`<ul class="files">
              ${repeat(doc.attachments, (a) => a.id, (a) => {
                const gone = e.removed.includes(a.id);
                return html`<li class=${gone ? 'gone' : ''}>
                  <span class="name">${a.filename}</span>
                  <span class="muted">${fileSize(a.size, t.locale)}${gone ? ` · ${d.removedOnSave}` : ''}</span>
                  <button type="button" part="button" aria-label=${gone ? d.keepFileNamed(a.filename) : d.removeFileNamed(a.filename)}
                    @click=${() => this.toggleRemoved(a)}>${gone ? d.keepFile : d.removeFile}</button>
                </li>`;
              })}
            </ul>`
          : html`<p class="muted">${d.noAttachments}</p>`}
        <label for="edit-files">${d.addFiles}</label>
        <input id="edit-files" type="file" part="input" multiple accept=${ATTACHMENT_TYPES.join(',')} aria-describedby="edit-files-hint" />
        <p id="edit-files-hint" class="muted">${d.filesHint}</p>
      </fieldset>
      <p class="muted" role="status">${e.progress}</p>
      ${e.error ? html`<p class="error" role="alert">${e.error}</p>` : nothing}
      <div class="actions">
        <button class="primary" part="button" ?disabled=${e.busy}>${t.save}</button>
        <button type="button" part="button" @click=${this.closeEdit}>${t.cancel}</button>
      </div>
    </form>`;
  }

  override render() {
    const t = this.t;
    const d = this.d;
    const store = this.store;
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
          ? html`<button part="button" aria-expanded=${this.composing ? 'true' : 'false'} @click=${this.toggle}>${d.newDocumentation}</button>`
          : nothing}
      </div>
      ${!this.groupId && !this.studentId && groups.length > 1
        ? html`<div class="pick">
            <label for="group">${d.childGroup}</label>
            <select id="group" part="input" @change=${(e: Event) => (this.chosen = (e.target as HTMLSelectElement).value)}>
              ${groups.map((g) => html`<option value=${g.id} ?selected=${source?.kind === 'group' && g.id === source.groupId}>${g.name}</option>`)}
            </select>
          </div>`
        : nothing}
      ${source?.kind === 'student' && !this.studentId && this.listedChildren.length > 1
        ? html`<div class="pick">
            <label for="child">${d.child}</label>
            <select id="child" part="input" @change=${(e: Event) => (this.child = (e.target as HTMLSelectElement).value || null)}>
              ${this.listedChildren.map((c) => html`<option value=${c.id} ?selected=${c.id === (this.child ?? student?.id)}>${c.name}</option>`)}
            </select>
          </div>`
        : nothing}
      ${writable && this.composing ? this.composer(writable) : nothing}
      ${dashboard ? this.dashboardHead(dashboard, store?.state === 'ready' ? store.dashboard : undefined) : nothing}
      ${!store || store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state === 'choose'
          ? html`<p class="muted">${d.severalChildren}</p>`
          : store.state === 'error'
            ? html`<p class=${store.notFound ? 'muted' : 'error'}>${store.notFound ? d.noDocumentationHere : `${t.loadFailed}${store.error}`}</p>`
            : store.entries.length === 0
              ? html`<p class="muted">${d.noDocumentation}</p>`
              : renderRecords(store.entries, {
                  t, d, client: this.client, fresh: store.fresh, contextHref: null,
                  ...(writable ? { action: (e: DevelopmentEntry) => this.recordAction(e) } : {}),
                })}
      ${store?.state === 'ready' && store.next
        ? html`<div class="actions"><button part="button" @click=${() => store.more().catch(() => {})}>${t.more}</button></div>`
        : nothing}
    </section>`;
  }

  /** The dashboard's pickers (school, child group) and, once loaded, its goal summary. */
  private dashboardHead(dash: DashboardSummary, loaded: DashboardSummary | undefined) {
    const d = this.d;
    const pickSchool = (e: Event) => {
      this.school = (e.target as HTMLSelectElement).value;
      this.filter = '';
    };
    return html`<div class="filters">
        ${dash.schools.length > 1
          ? html`<div class="pick">
              <label for="dash-school">${d.school}</label>
              <select id="dash-school" part="input" @change=${pickSchool}>
                ${dash.schools.map((s) => html`<option value=${s.id} ?selected=${s.id === dash.school.id}>${s.name}</option>`)}
              </select>
            </div>`
          : nothing}
        ${dash.groups.length > 0
          ? html`<div class="pick">
              <label for="dash-group">${d.childGroup}</label>
              <select id="dash-group" part="input" @change=${(e: Event) => (this.filter = (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${!this.filter}>${d.allGroups}</option>
                ${dash.groups.map((g) => html`<option value=${g.id} ?selected=${g.id === this.filter}>${g.name}</option>`)}
              </select>
            </div>`
          : nothing}
      </div>
      ${loaded
        ? html`<section class="summary" part="summary" aria-labelledby="goals-title">
            <h3 id="goals-title">${d.goalsWorkedOn}</h3>
            <p class="muted">${d.inDocumentations(loaded.total)}</p>
            ${loaded.goals.length
              ? html`<table>
                  <thead><tr><th scope="col">${d.goal}</th><th scope="col">${d.goalCount}</th></tr></thead>
                  <tbody>${loaded.goals.map((g) => html`<tr><td>${g.goal}</td><td>${g.count}</td></tr>`)}</tbody>
                </table>`
              : html`<p class="muted">${d.noGoals}</p>`}
          </section>`
        : nothing}`;
  }

  private composer(group: AudienceGroup) {
    const t = this.t;
    const d = this.d;
    return html`<form part="composer" @submit=${this.submit} aria-labelledby="doc-new">
      <h3 id="doc-new">${d.newDocumentation}: ${group.name}</h3>
      <label for="doc-title">${t.title}</label>
      <input id="doc-title" name="title" type="text" part="input" required maxlength=${DEVELOPMENT_LIMITS.title} />
      <label for="doc-body">${t.body}</label>
      <textarea id="doc-body" name="body" part="input" required maxlength=${DEVELOPMENT_LIMITS.documentationBody}></textarea>
      <label for="doc-goals">${d.goalsInput}</label>
      <textarea id="doc-goals" name="goals" part="input" rows="2"></textarea>
      ${group.members.length
        ? html`<fieldset>
            <legend>${d.whichChildren}</legend>
            <p class="muted">${d.noneIsAll}</p>
            ${group.members.map((m) => html`<label class="check"><input type="checkbox" name="child" value=${m.id} /> ${m.name}</label>`)}
          </fieldset>`
        : nothing}
      <label for="doc-files">${d.files}</label>
      <input id="doc-files" type="file" part="input" multiple accept=${ATTACHMENT_TYPES.join(',')} aria-describedby="doc-files-hint" />
      <p id="doc-files-hint" class="muted">${d.filesHint}</p>
      <p class="muted" role="status">${this.progress}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button class="primary" part="button" ?disabled=${this.busy}>${t.publish}</button>
        <button type="button" part="button" @click=${this.toggle}>${t.cancel}</button>
      </div>
    </form>`;
  }
}

/** The record being edited: the text as it was when the form opened, the attachments taken off, and the save's progress. */
interface Editing {
  id: string;
  title: string;
  body: string;
  goals: string;
  removed: string[];
  busy: boolean;
  error: string;
  progress: string;
}

function filesOf(form: HTMLFormElement): File[] {
  return [...(form.querySelector<HTMLInputElement>('input[type="file"]')?.files ?? [])];
}

/** The first file the hub would refuse for its type or size (checked here to say so before uploading). */
function badFile(files: File[]): File | undefined {
  return files.find((f) => !ATTACHMENT_TYPES.includes(f.type) || f.size > ATTACHMENT_BYTES || f.size === 0);
}

/** One goal per line of the form's "goals" field, blank lines left out. */
function goalsOf(data: FormData): string[] {
  return String(data.get('goals') ?? '').split('\n').map((g) => g.trim()).filter(Boolean);
}

customElements.get('schoolhub-documentation') ?? customElements.define('schoolhub-documentation', SchoolhubDocumentation);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-documentation': SchoolhubDocumentation;
  }
}
