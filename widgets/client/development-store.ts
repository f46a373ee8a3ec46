// The records a development view shows, kept live: a student's (or child's) development
// overview (`development.get`, optionally of some kinds only), or a child group's preschool
// documentation (`group.documentation.get`), or a reader's documentation dashboard
// (`documentation.dashboard`: a school's, optionally one child group's, with the goals worked
// on). Live events are taken in only when they belong to the view: the same student (a
// documentation naming them), the same child group or school, and only
// what a student and a guardian are meant to see there: published feedback and assessments,
// released (closed) conference forms, documentation. A draft never gets in, whatever arrives.
// Staff views: a student card (`student.card.get`) and a group overview (`group.overview.get`,
// feedback and assessments of the group's students). There the hub's answer and its events are
// already what the person may see (a teacher of the group sees its drafts, a mentor a
// conference's open forms), so the view takes every state; it still takes only records about
// its student or the group's students.
// Records are merged by kind and id (a newer `updatedAt` wins; a guardian of two children of
// one documentation gets it once per child: its children are merged), newest first.
import type { HubClient } from './client.ts';
import { Observable, perClient } from './observable.ts';
import { HubError, type PersonRef } from './protocol.ts';
import {
  recordOf,
  type DevelopmentEntry, type DevelopmentKind, type Documentation, type DocumentationDashboard, type GroupInfo,
} from './development-protocol.ts';

export type Source =
  | { kind: 'student'; studentId?: string; kinds?: DevelopmentKind[] }
  | { kind: 'group'; groupId: string }
  /** Without schoolId: the hub's choice among the reader's schools (the answer names it). */
  | { kind: 'dashboard'; schoolId?: string; groupId?: string }
  /** Staff: one student's card. */
  | { kind: 'card'; studentId: string; kinds?: DevelopmentKind[] }
  /** Staff: a group's overview (feedback and assessments of its students). */
  | { kind: 'overview'; groupId: string };

/** The dashboard's school, choices and goal summary: the answer without its page. */
export type DashboardSummary = Omit<DocumentationDashboard, 'documentation' | 'next'>;

const PAGE = 20;
/** Events that come together (a teacher's burst) ask for the dashboard's summary once. */
const SUMMARY_DELAY_MS = 200;

const summaryOf = ({ documentation: _d, next: _n, ...rest }: DocumentationDashboard): DashboardSummary => rest;

export const entryKey = (e: DevelopmentEntry): string => `${e.kind}:${recordOf(e).id}`;

/** Who made a record: its author, or a form's mentor (who adds and releases it). */
const makerOf = (e: DevelopmentEntry): string =>
  e.kind === 'form' ? e.form.mentorId : e.kind === 'feedback' ? e.feedback.authorId : e.kind === 'assessment' ? e.assessment.authorId : e.documentation.authorId;

/** The student a record is about; documentation names its children instead. */
const studentOf = (e: DevelopmentEntry): string | undefined =>
  e.kind === 'feedback' ? e.feedback.studentId : e.kind === 'assessment' ? e.assessment.studentId : e.kind === 'form' ? e.form.studentId : undefined;

/** Newest first by creation time (the hub's order), then by id. */
const newestFirst = (a: DevelopmentEntry, b: DevelopmentEntry) =>
  a.at !== b.at ? (a.at < b.at ? 1 : -1) : entryKey(a) < entryKey(b) ? 1 : entryKey(a) > entryKey(b) ? -1 : 0;

function mergeChildren(a: PersonRef[], b: PersonRef[]): PersonRef[] {
  const ids = new Set(a.map((c) => c.id));
  return [...a, ...b.filter((c) => !ids.has(c.id))];
}

export class DevelopmentStore extends Observable {
  /** The student the overview is about (from the hub's answer). */
  student: PersonRef | undefined;
  /** Whom the caller may choose between, when the hub says so (a guardian's children). */
  students: PersonRef[] = [];
  /** A dashboard's school, its child groups and the goals worked on (from the hub's answer). */
  dashboard: DashboardSummary | undefined;
  /** A student card's student's groups (from the hub's answer). */
  studentGroups: GroupInfo[] = [];
  /** A group overview's group and its students (from the hub's answer). */
  group: GroupInfo | undefined;
  groupStudents: PersonRef[] = [];
  entries: DevelopmentEntry[] = [];
  next: string | null = null;
  /** `choose`: the hub needs to be told which child (a guardian of several). */
  state: 'loading' | 'ready' | 'choose' | 'error' = 'loading';
  /** Why loading failed (a HubError, worded by the widget in its language). */
  error: unknown = '';
  /** `not_found`: nothing here the person may see (or no such student). */
  notFound = false;
  /** `forbidden`: staff of the school without the right to this view (`error` is the hub's reason). */
  forbidden = false;
  /** Records that arrived live (counted, for the widget's announcement). */
  arrivals = 0;
  lastArrival: DevelopmentEntry | undefined;
  /** Keys of records that arrived live: shown as new. */
  readonly fresh = new Set<string>();
  /** Events that came while loading, taken in once the page is there. */
  private pending: DevelopmentEntry[] | undefined = [];
  private generation = 0;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  private summaryAsked = 0;
  private readonly offs: (() => void)[];

  constructor(
    private readonly client: HubClient,
    readonly source: Source,
  ) {
    super();
    const take = (e: DevelopmentEntry, live: boolean) => this.take(e, live);
    this.offs = [
      client.views(() => void this.load()),
      client.on('feedback.created', ({ feedback }) => take({ kind: 'feedback', at: feedback.createdAt, feedback }, true)),
      client.on('feedback.published', ({ feedback }) => take({ kind: 'feedback', at: feedback.createdAt, feedback }, true)),
      client.on('feedback.updated', ({ feedback }) => take({ kind: 'feedback', at: feedback.createdAt, feedback }, false)),
      client.on('assessment.created', ({ assessment }) => take({ kind: 'assessment', at: assessment.createdAt, assessment }, true)),
      client.on('assessment.published', ({ assessment }) => take({ kind: 'assessment', at: assessment.createdAt, assessment }, true)),
      client.on('assessment.updated', ({ assessment }) => take({ kind: 'assessment', at: assessment.createdAt, assessment }, false)),
      // Only a conference's mentor gets these (besides the student and guardians, whose views
      // drop open forms): what they did themselves, so not news.
      client.on('form.added', ({ form }) => take({ kind: 'form', at: form.createdAt, form }, false)),
      client.on('form.filled', ({ form }) => take({ kind: 'form', at: form.createdAt, form }, false)),
      client.on('form.released', ({ form }) => take({ kind: 'form', at: form.createdAt, form }, true)),
      client.on('documentation.created', ({ documentation }) => take({ kind: 'documentation', at: documentation.createdAt, documentation }, true)),
      client.on('documentation.updated', ({ documentation }) => take({ kind: 'documentation', at: documentation.createdAt, documentation }, false)),
    ];
  }

  /**
   * Stops following the hub. For stores a widget makes for itself (a card per student opened
   * from a search), which would otherwise keep listening and reloading for the page's life.
   */
  dispose(): void {
    for (const off of this.offs.splice(0)) off();
    clearTimeout(this.summaryTimer);
    this.generation++;
  }

  async load(): Promise<void> {
    const gen = ++this.generation;
    this.pending ??= [];
    try {
      const page = await this.page();
      if (gen !== this.generation) return;
      const ids = new Set(page.entries.map(entryKey));
      // What arrived live and is not in the page stays; the page is the truth for the rest.
      const kept = this.entries.filter((e) => this.fresh.has(entryKey(e)) && !ids.has(entryKey(e)));
      this.entries = [...page.entries.filter((e) => this.shows(e)), ...kept].sort(newestFirst);
      this.next = page.next;
      this.state = 'ready';
      this.notFound = false;
      this.forbidden = false;
      const pending = this.pending ?? [];
      this.pending = undefined;
      for (const e of pending) this.take(e, true, false);
    } catch (e) {
      if (gen !== this.generation) return;
      this.pending = undefined;
      this.notFound = e instanceof HubError && e.code === 'not_found';
      this.forbidden = e instanceof HubError && e.code === 'forbidden';
      this.state = e instanceof HubError && e.code === 'invalid' && e.path[0] === 'studentId' ? 'choose' : 'error';
      this.error = e;
    }
    this.changed();
  }

  /** The next (older) page. */
  async more(): Promise<void> {
    if (!this.next) return;
    const gen = this.generation;
    const page = await this.page(this.next);
    // A reload since started over: its first page is the truth.
    if (gen !== this.generation) return;
    const known = new Set(this.entries.map(entryKey));
    this.entries = [...this.entries, ...page.entries.filter((e) => this.shows(e) && !known.has(entryKey(e)))].sort(newestFirst);
    this.next = page.next;
    this.changed();
  }

  /** Documentation the person just wrote: shown at once (not announced to them). */
  add(documentation: Documentation): void {
    this.take({ kind: 'documentation', at: documentation.createdAt, documentation }, false);
  }

  private async page(before?: string): Promise<{ entries: DevelopmentEntry[]; next: string | null }> {
    const s = this.source;
    const paging = { limit: PAGE, ...(before ? { before } : {}) };
    if (s.kind === 'group') {
      const r = await this.client.request('group.documentation.get', { groupId: s.groupId, ...paging });
      return { entries: r.documentation.map((d) => ({ kind: 'documentation', at: d.createdAt, documentation: d })), next: r.next };
    }
    if (s.kind === 'dashboard') {
      // Later pages continue the school the first one named.
      const schoolId = before ? this.dashboard?.school.id : s.schoolId;
      const r = await this.client.request('documentation.dashboard', {
        ...(schoolId ? { schoolId } : {}), ...(s.groupId ? { groupId: s.groupId } : {}), ...paging,
      });
      this.dashboard = summaryOf(r);
      return { entries: r.documentation.map((d) => ({ kind: 'documentation', at: d.createdAt, documentation: d })), next: r.next };
    }
    if (s.kind === 'card') {
      const r = await this.client.request('student.card.get', { studentId: s.studentId, ...(s.kinds ? { kinds: s.kinds } : {}), ...paging });
      this.student = { id: r.student.id, name: r.student.name };
      this.studentGroups = r.student.groups;
      return r;
    }
    if (s.kind === 'overview') {
      const r = await this.client.request('group.overview.get', { groupId: s.groupId, ...paging });
      this.group = r.group;
      this.groupStudents = r.students;
      return r;
    }
    const r = await this.client.request('development.get', {
      ...(s.studentId ? { studentId: s.studentId } : {}), ...(s.kinds ? { kinds: s.kinds } : {}), ...paging,
    });
    this.student = r.student;
    if (Array.isArray(r.students)) this.students = r.students;
    return r;
  }

  /** Whether the view shows this record: its kind, its state, and who or which group it is about. */
  private shows(e: DevelopmentEntry): boolean {
    const s = this.source;
    if (s.kind === 'group') return e.kind === 'documentation' && e.documentation.groupId === s.groupId;
    if (s.kind === 'dashboard') {
      return e.kind === 'documentation' && e.documentation.schoolId === this.dashboard?.school.id && (!s.groupId || e.documentation.groupId === s.groupId);
    }
    if (s.kind === 'overview') {
      // The overview's students as the hub last named them; any state the hub sent this person.
      const about = e.kind === 'feedback' || e.kind === 'assessment' ? studentOf(e) : undefined;
      return about !== undefined && this.groupStudents.some((p) => p.id === about);
    }
    if (s.kinds && !s.kinds.includes(e.kind)) return false;
    if (s.kind === 'card') {
      return e.kind === 'documentation' ? e.documentation.children.some((c) => c.id === s.studentId) : studentOf(e) === s.studentId;
    }
    const student = this.student?.id;
    if (!student) return false;
    switch (e.kind) {
      case 'feedback':
        return e.feedback.state === 'published' && e.feedback.studentId === student;
      case 'assessment':
        return e.assessment.state === 'published' && e.assessment.studentId === student;
      case 'form':
        return e.form.state === 'closed' && e.form.studentId === student;
      case 'documentation':
        return e.documentation.children.some((c) => c.id === student);
    }
  }

  /** Takes in a record from an event: new ones are added (and counted when `live`), known ones updated. */
  private take(e: DevelopmentEntry, live: boolean, notify = true): void {
    if (this.pending) {
      this.pending.push(e);
      return;
    }
    if (this.state !== 'ready' || !this.shows(e)) return;
    if (this.source.kind === 'dashboard') this.refreshSummary();
    const key = entryKey(e);
    const i = this.entries.findIndex((x) => entryKey(x) === key);
    if (i >= 0) {
      const old = this.entries[i]!;
      const was = recordOf(old);
      const now = recordOf(e);
      if (now.updatedAt < was.updatedAt) return;
      if (e.kind === 'documentation' && old.kind === 'documentation') {
        e = { ...e, documentation: { ...e.documentation, children: mergeChildren(old.documentation.children, e.documentation.children) } };
      }
      this.entries = this.entries.map((x, j) => (j === i ? e : x));
    } else {
      this.entries = [...this.entries, e].sort(newestFirst);
      // What the person wrote themselves (on any device) is not news to them.
      if (live && makerOf(e) !== this.client.user?.id) {
        this.fresh.add(key);
        this.arrivals++;
        this.lastArrival = e;
      }
    }
    if (notify) this.changed();
  }

  /**
   * The dashboard's goal summary, asked again after documentation came or changed: an update
   * does not say which goals it had, and the summary covers more than the pages loaded here.
   */
  private refreshSummary(): void {
    if (this.summaryTimer !== undefined) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      void this.fetchSummary();
    }, SUMMARY_DELAY_MS);
  }

  private async fetchSummary(): Promise<void> {
    const s = this.source;
    const school = this.dashboard?.school.id;
    if (s.kind !== 'dashboard' || !school) return;
    const asked = ++this.summaryAsked;
    const gen = this.generation;
    try {
      const r = await this.client.request('documentation.dashboard', { schoolId: school, ...(s.groupId ? { groupId: s.groupId } : {}), limit: 1 });
      // A reload since, or a later ask, brings a newer summary.
      if (asked !== this.summaryAsked || gen !== this.generation) return;
      this.dashboard = summaryOf(r);
      this.changed();
    } catch {
      // Offline or refused: the next event or reload asks again.
    }
  }
}

const stores = perClient((client: HubClient, key: string) => new DevelopmentStore(client, JSON.parse(key) as Source));

/** The page's store for a source (one per client and source, shared by widgets showing the same). */
export function developmentStore(client: HubClient, source: Source): DevelopmentStore {
  const key: Source =
    source.kind === 'group'
      ? { kind: 'group', groupId: source.groupId }
      : source.kind === 'dashboard'
        ? { kind: 'dashboard', ...(source.schoolId ? { schoolId: source.schoolId } : {}), ...(source.groupId ? { groupId: source.groupId } : {}) }
        : source.kind === 'card'
          ? { kind: 'card', studentId: source.studentId, ...(source.kinds ? { kinds: [...source.kinds].sort() } : {}) }
          : source.kind === 'overview'
            ? { kind: 'overview', groupId: source.groupId }
            : { kind: 'student', ...(source.studentId ? { studentId: source.studentId } : {}), ...(source.kinds ? { kinds: [...source.kinds].sort() } : {}) };
  return stores(client, JSON.stringify(key));
}
