// The staff views of <schoolhub-development>: a student search (students.search) that opens a
// student card (student.card.get), and the group overview (group.overview.get) of a group the
// person owns, with a picker when they own several. Both are kept live by DevelopmentStore:
// records about the card's student (or the group's students) that the hub sends arrive
// marked new and announced politely. Which views to offer comes from the welcome's roles;
// what they hold is always the hub's answer: the search lists only students whose card the
// person may open, and a refused card or overview says so.
//
// The groups of the overview: audience.get's mentor and teaching groups whose `overview` the
// hub says opens for the person (their own groups; every group of the school for its admins).
import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { HubClient } from './client/client.ts';
import { DevelopmentStore } from './client/development-store.ts';
import type { StudentRef } from './client/development-protocol.ts';
import type { PersonRef, RoleName } from './client/protocol.ts';
import type { DevStrings } from './ui/development-i18n.ts';
import { errorText, hubReason, type Strings } from './ui/i18n.ts';
import { arrivalText, renderRecords } from './ui/records.ts';
import { renderPicker } from './ui/picker.ts';
import { BoundView } from './ui/bound-view.ts';
import { DEVELOPMENT_LIMITS } from '../hub/protocol/limits.ts';

/** Roles with staff views (docs/DOMAIN.md: staff at the school). */
export const STAFF_ROLES: readonly RoleName[] = ['teacher', 'mentor', 'school_leader', 'school_admin', 'reader'];
/** Roles whose group overview the domain names (§6, §7): the groups' owners and the school admins. */
const OVERVIEW_ROLES: readonly RoleName[] = ['teacher', 'mentor', 'school_admin'];
const SEARCH_DELAY_MS = 250;
/**
 * Searching as one types starts at two characters: one letter would list (and, for protected
 * students, write to the audit log) students nobody looked for. Enter searches any query.
 */
const TYPE_AHEAD_CHARS = 2;
const SEARCH_LIMIT = 20;

export interface StaffHost extends ReactiveControllerHost {
  readonly client: HubClient | undefined;
  readonly t: Strings;
  readonly d: DevStrings;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** The portal's student: its card opens directly, without a search. */
  readonly studentId: string | null;
  /** The portal's group for the overview: no picker. */
  readonly groupId: string | null;
  readonly contextHref: string | null;
}

interface Search {
  query: string;
  /** undefined while the first answer is on its way. */
  students: StudentRef[] | undefined;
  error: string;
}

export const staffStyles = css`
  .overview {
    margin-top: 1.4em;
  }
  form.search {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em;
    align-items: end;
    margin-bottom: 0.6em;
  }
  form.search label {
    flex-basis: 100%;
    margin: 0;
  }
  form.search input {
    flex: 1 1 14em;
    width: auto;
  }
  .hits {
    margin-bottom: 0.8em;
  }
  .hits li {
    padding: 0.15em 0;
  }
  .hits button {
    font-weight: 600;
  }
`;

export class StaffView {
  /** The mentor and teaching groups offered for the overview; undefined until known. */
  private groups: PersonRef[] | undefined;
  private groupsAsked = false;
  private picked: string | null = null;
  /** The student opened from the search. */
  private opened: PersonRef | null = null;
  private search: Search | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private searches = 0;
  private readonly card: BoundView;
  private readonly overview: BoundView;

  constructor(
    private readonly host: StaffHost,
    private readonly announce: (text: string) => void,
  ) {
    const arrived = (named: boolean) => (store: DevelopmentStore, n: number) => {
      const { t, d } = this.host;
      const text = arrivalText(store, n, t, d, { named, many: d.newEntries });
      if (text) this.announce(text);
      this.host.requestUpdate();
    };
    this.card = new BoundView(arrived(false), true);
    this.overview = new BoundView(arrived(true), true);
  }

  /** The views start over (a welcome without a replay): the person's groups may have changed; ask again. */
  reload(): void {
    this.groupsAsked = false;
  }

  stop(): void {
    clearTimeout(this.searchTimer);
    this.searches++;
    this.card.clear();
    this.overview.clear();
  }

  /** Binds the card and the overview to what is to show now (from the host's willUpdate). */
  sync(client: HubClient | undefined): void {
    const studentId = this.host.studentId ?? this.opened?.id;
    this.card.bind(client, studentId === undefined ? undefined : { key: studentId, make: (c) => new DevelopmentStore(c, { kind: 'card', studentId }) });
    if (client && !this.host.groupId && !this.groupsAsked) this.askGroups(client);
    const groupId = this.groupId;
    this.overview.bind(client, groupId === undefined ? undefined : { key: groupId, make: (c) => new DevelopmentStore(c, { kind: 'overview', groupId }) });
  }

  private askGroups(client: HubClient): void {
    this.groupsAsked = true;
    if (!client.user?.roles.some((r) => OVERVIEW_ROLES.includes(r.role))) {
      this.groups = [];
      return;
    }
    client.request('audience.get', {}).then(
      (a) => (this.groups = a.posts.schools.flatMap((s) => s.groups.filter((g) => g.overview && (g.kind === 'mentor' || g.kind === 'teaching')).map(({ id, name }) => ({ id, name })))),
      () => (this.groups = []),
    ).finally(() => this.host.requestUpdate());
  }

  /** The overview's group: the portal's, the one picked, else the first of the person's. */
  private get groupId(): string | undefined {
    if (this.host.groupId) return this.host.groupId;
    return (this.groups?.find((g) => g.id === this.picked) ?? this.groups?.[0])?.id;
  }

  private onInput(e: Event): void {
    const query = (e.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    if (query.trim().length > 0 && query.trim().length < TYPE_AHEAD_CHARS) return;
    this.searchTimer = setTimeout(() => void this.find(query), SEARCH_DELAY_MS);
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    clearTimeout(this.searchTimer);
    void this.find(this.field()?.value ?? '', true);
  }

  private field(): HTMLInputElement | null {
    return this.host.renderRoot.querySelector<HTMLInputElement>('#student-q');
  }

  /** Asks the hub; only the answer to the latest question is shown. */
  private async find(raw: string, again = false): Promise<void> {
    const client = this.host.client;
    const query = raw.trim().slice(0, DEVELOPMENT_LIMITS.searchQuery);
    if (!query) {
      this.searches++;
      this.search = null;
      this.host.requestUpdate();
      return;
    }
    if (!client || (!again && query === this.search?.query)) return;
    const asked = ++this.searches;
    this.search = { query, students: this.search?.students, error: '' };
    this.host.requestUpdate();
    try {
      const { students } = await client.request('students.search', { query, limit: SEARCH_LIMIT });
      if (asked !== this.searches) return;
      this.search = { query, students, error: '' };
      this.announce(this.host.d.found(students.length));
    } catch (err) {
      if (asked !== this.searches) return;
      this.search = { query, students: [], error: `${this.host.d.searchFailed}${errorText(err, this.host.t)}` };
    }
    this.host.requestUpdate();
  }

  private clearSearch(): void {
    this.searches++;
    this.search = null;
    const field = this.field();
    if (field) field.value = '';
    this.host.requestUpdate();
  }

  /** The card takes the search's place (as a conversation takes the inbox's); the keyboard goes to its heading. */
  private open(student: PersonRef): void {
    this.opened = student;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>('#title')?.focus());
  }

  /** Back to the search as it was: the same words and students, the keyboard on the student it came from. */
  private close(): void {
    const was = this.opened;
    this.opened = null;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => {
      const field = this.field();
      if (field) field.value = this.search?.query ?? '';
      (this.host.renderRoot.querySelector<HTMLElement>(`[data-student="${CSS.escape(was?.id ?? '')}"]`) ?? field)?.focus();
    });
  }

  render(chrome: TemplateResult): TemplateResult {
    const { d } = this.host;
    const card = this.card.store;
    const searching = !this.host.studentId && !this.opened;
    // While the card loads, the name the search gave (the heading has the keyboard by then).
    const student = card?.state === 'ready' ? card.student : this.host.studentId ? undefined : this.opened;
    return html`<section class="root" part="container" aria-labelledby="title">
        ${chrome}
        <div class="bar">
          <h2 id="title" tabindex="-1">${student ? d.cardOf(student.name) : d.studentCard}</h2>
          ${this.opened && !this.host.studentId
            ? html`<button class="link" part="button" @click=${() => this.close()}>${d.closeCard}</button>`
            : nothing}
        </div>
        ${searching ? this.renderSearch() : nothing}
        ${card ? this.renderCard(card) : nothing}
      </section>
      ${this.renderOverview()}`;
  }

  private renderSearch(): TemplateResult {
    const { t, d } = this.host;
    const s = this.search;
    return html`<form class="search" role="search" aria-label=${d.studentSearch} @submit=${(e: Event) => this.onSubmit(e)}>
        <label for="student-q">${d.searchStudent}</label>
        <input id="student-q" type="search" dir="auto" part="input" maxlength=${DEVELOPMENT_LIMITS.searchQuery} autocomplete="off" aria-describedby="student-q-hint"
          @input=${(e: Event) => this.onInput(e)} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.search && this.clearSearch()} />
        <button part="button">${t.searchButton}</button>
      </form>
      <p id="student-q-hint" class="muted" ?hidden=${!!s}>${d.searchHint}</p>
      ${!s
        ? nothing
        : s.error
          ? html`<p class="error" role="alert">${s.error}</p>`
          : !s.students
            ? html`<p class="muted">${t.loading}</p>`
            : s.students.length === 0
              ? html`<p class="muted">${d.found(0)}</p>`
              : html`<ul class="hits" part="list" aria-label=${d.students}>
                  ${s.students.map(
                    (p) => html`<li>
                      <button class="link" part="button" data-student=${p.id} @click=${() => this.open(p)}>${p.name}</button>
                      <span class="muted">${p.groups.map((g) => g.name).join(', ')}</span>
                    </li>`,
                  )}
                </ul>`}`;
  }

  private renderCard(store: DevelopmentStore): TemplateResult {
    const { t, d } = this.host;
    return html`${store.state === 'ready' && store.studentGroups.length
        ? html`<p class="muted">${d.inGroups}: ${store.studentGroups.map((g) => g.name).join(', ')}</p>`
        : nothing}
      ${this.body(store, d.noCard, d.cardForbidden, false)}`;
  }

  private renderOverview(): TemplateResult | typeof nothing {
    const { d } = this.host;
    const store = this.overview.store;
    const groups = this.groups ?? [];
    if (!store) return nothing;
    const name = store.group?.name ?? groups.find((g) => g.id === this.overview.key)?.name;
    return html`<section class="root overview" part="overview" aria-labelledby="overview-title">
      <h2 id="overview-title">${name ? d.overviewOf(name) : d.groupOverview}</h2>
      ${!this.host.groupId && groups.length > 1
        ? renderPicker({ id: 'overview-group', label: d.group, choices: groups, selected: this.overview.key, pick: (id) => this.pick(id) })
        : nothing}
      ${this.body(store, d.noOverview, d.overviewForbidden, true)}
    </section>`;
  }

  private pick(id: string): void {
    this.picked = id;
    this.host.requestUpdate();
  }

  /** A store's records, or why there are none; "Visa fler" for older ones. */
  private body(store: DevelopmentStore, notFound: string, forbidden: string, named: boolean): TemplateResult {
    const { t, d } = this.host;
    return html`${store.state === 'loading'
        ? html`<p class="muted">${t.loading}</p>`
        : store.state !== 'ready'
          ? store.notFound
            ? html`<p class="muted">${notFound}</p>`
            : store.forbidden
              ? html`<p class="error">${forbidden}${hubReason(store.error, t)}</p>`
              : html`<p class="error">${t.loadFailed}${errorText(store.error, t)}</p>`
          : store.entries.length === 0
            ? html`<p class="muted">${d.nothing}</p>`
            : renderRecords(store.entries, { t, d, client: this.host.client, fresh: store.fresh, contextHref: this.host.contextHref, named })}
      ${store.state === 'ready' && store.next
        ? html`<div class="actions"><button part="button" @click=${() => store.more().catch(() => {})}>${t.more}</button></div>`
        : nothing}`;
  }
}
