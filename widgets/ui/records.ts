// How the development widgets show one record: feedback, an assessment, a released conference
// form, preschool documentation (with its images). Every text from the hub (titles, bodies,
// names, goals, answers, file names) goes through Lit text bindings only. Staff views get
// records in every state the hub shows them: drafts and open conferences' forms are tagged.
import { css, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { HubClient } from '../client/client.ts';
import { IMAGE_TYPES } from '../client/attachments.ts';
import type { Assessment, ConferenceForm, DevelopmentEntry, Documentation, Feedback, FormSide } from '../client/development-protocol.ts';
import { entryKey, type DevelopmentStore } from '../client/development-store.ts';
import { longDate, type DevStrings } from './development-i18n.ts';
import type { Strings } from './i18n.ts';
import { contextHref, safeLink } from './links.ts';
import { linkify } from './linkify.ts';
import { renderLink } from './anchor.ts';
import { cardList } from './styles.ts';
import '../attachment-view.ts';

export interface RecordContext {
  t: Strings;
  d: DevStrings;
  client: HubClient | undefined;
  /** Keys of records that arrived live (marked "new"). */
  fresh: ReadonlySet<string>;
  /** The portal's page pattern for plans and assignments (`{kind}`, `{id}`), as in the chat. */
  contextHref: string | null;
  /** Name the student in each heading (a group overview: records of many students). */
  named?: boolean;
  /** What follows a record (the documentation widget: its teachers' edit action or form). */
  action?: (e: DevelopmentEntry) => unknown;
}

export const recordStyles = [
  cardList,
  css`
    .kind {
      font-size: 0.85em;
      font-weight: 700;
      color: var(--_accent);
    }
    .tag {
      margin-inline-end: 0.4em;
      padding: 0 0.35em;
      border-radius: 4px;
      background: var(--_accent);
      color: var(--_on-accent);
    }
    .tag.state {
      background: var(--_subtle);
      color: var(--_text);
      border: 1px dashed var(--_border);
    }
    .body {
      white-space: pre-wrap;
      margin-top: 0.3em;
    }
    h4 {
      font-size: 0.95em;
      font-weight: 650;
      margin: 0.7em 0 0.2em;
    }
    dl {
      margin: 0;
    }
    dt {
      font-weight: 600;
      margin-top: 0.4em;
    }
    dd {
      margin: 0;
    }
    .pre {
      white-space: pre-wrap;
    }
    .goals {
      list-style: disc;
      padding-inline-start: 1.3em;
    }
    .level strong {
      font-size: 1.15em;
    }
    .media {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
      margin-top: 0.6em;
    }
    .media schoolhub-attachment {
      max-width: min(100%, 24em);
    }
  `,
];

const SIDES: FormSide[] = ['student', 'guardian', 'mentor'];

/** A record's heading text: what it is about. */
export function recordTitle(e: DevelopmentEntry, t: Strings, d: DevStrings): string {
  switch (e.kind) {
    case 'feedback':
      return `${t.context[e.feedback.itemKind]}: ${e.feedback.itemTitle ?? e.feedback.groupName ?? ''}`;
    case 'assessment':
      return e.assessment.subject || (e.assessment.groupName ?? d.kind.assessment);
    case 'form':
      return e.form.title;
    case 'documentation':
      return e.documentation.title;
  }
}

/** The student a record is about (documentation: the children it names). */
export function recordStudent(e: DevelopmentEntry): string {
  switch (e.kind) {
    case 'feedback':
      return e.feedback.studentName;
    case 'assessment':
      return e.assessment.studentName;
    case 'form':
      return e.form.studentName;
    case 'documentation':
      return e.documentation.children.map((c) => c.name).join(', ');
  }
}

/** "Återkoppling: Uppgift: Bråk" (`named`: "Återkoppling: Elsa Andersson – Uppgift: Bråk"), for announcements. */
export function recordLabel(e: DevelopmentEntry, t: Strings, d: DevStrings, named = false): string {
  const title = recordTitle(e, t, d);
  return `${d.kind[e.kind]}: ${named ? d.aboutStudent(recordStudent(e), title) : title}`;
}

/**
 * What to announce when `n` records arrived live in `store`: the one by its label, several by
 * their number (`many`, by default "n new entries in the development overview"); else nothing.
 */
export function arrivalText(
  store: DevelopmentStore, n: number, t: Strings, d: DevStrings,
  { named = false, many = d.arrivedMany }: { named?: boolean; many?: (n: number) => string } = {},
): string | undefined {
  if (n <= 0 || !store.lastArrival) return undefined;
  return n === 1 ? d.arrived(recordLabel(store.lastArrival, t, d, named)) : many(n);
}

/** A draft, or a form of a conference not yet closed: said before the kind (staff views only get these). */
function stateTag(e: DevelopmentEntry, d: DevStrings): string | null {
  if (e.kind === 'form') return e.form.state === 'open' ? d.inProgress : null;
  if (e.kind === 'documentation') return null;
  return (e.kind === 'feedback' ? e.feedback.state : e.assessment.state) === 'draft' ? d.draft : null;
}

/** A list of records, keyed so that live arrivals never re-render (or re-fetch the images of) the others. */
/**
 * A student's or child group's view (the development and documentation widgets): its records,
 * or why there are none (`notFound`: the hub knows nothing to show here; `empty`: nothing yet),
 * and "Visa fler" for older ones.
 */
export function renderView(store: DevelopmentStore | undefined, c: Omit<RecordContext, 'fresh'>, texts: { notFound: string; empty: string }): TemplateResult {
  const { t, d } = c;
  return html`${!store || store.state === 'loading'
      ? html`<p class="muted">${t.loading}</p>`
      : store.state === 'choose'
        ? html`<p class="muted">${d.severalChildren}</p>`
        : store.state === 'error'
          ? html`<p class=${store.notFound ? 'muted' : 'error'}>${store.notFound ? texts.notFound : `${t.loadFailed}${store.error}`}</p>`
          : store.entries.length === 0
            ? html`<p class="muted">${texts.empty}</p>`
            : renderRecords(store.entries, { ...c, fresh: store.fresh })}
    ${store?.state === 'ready' && store.next
      ? html`<div class="actions"><button part="button" @click=${() => store.more().catch(() => {})}>${t.more}</button></div>`
      : nothing}`;
}

export function renderRecords(entries: DevelopmentEntry[], c: RecordContext): TemplateResult {
  return html`<div class="list" part="list">${repeat(entries, entryKey, (e) => renderRecord(e, c))}</div>`;
}

function renderRecord(e: DevelopmentEntry, c: RecordContext): TemplateResult {
  const { t, d } = c;
  const key = entryKey(e);
  const fresh = c.fresh.has(key);
  const id = `r-${key.replace(/[^\w-]/g, '_')}`;
  const state = stateTag(e, d);
  const title = recordTitle(e, t, d);
  return html`<article class=${fresh ? 'fresh' : ''} part="item${fresh ? ' new' : ''}${state ? ' draft' : ''}" tabindex="-1" aria-labelledby=${id}>
    <p class="kind">${fresh ? html`<span class="tag">${t.isNew}</span> ` : nothing}${state ? html`<span class="tag state">${state}</span> ` : nothing}${d.kind[e.kind]}</p>
    <h3 id=${id} dir="auto">${c.named ? d.aboutStudent(recordStudent(e), title) : title}</h3>
    ${e.kind === 'feedback'
      ? feedback(e.feedback, c)
      : e.kind === 'assessment'
        ? assessment(e.assessment, c)
        : e.kind === 'form'
          ? form(e.form, c)
          : documentation(e.documentation, c)}
    ${c.action ? c.action(e) : nothing}
  </article>`;
}

function byline(c: RecordContext, parts: (string | null)[], iso: string | null): TemplateResult {
  const text = parts.filter(Boolean).join(' · ');
  return html`<p class="muted">${text}${iso ? html` · <time datetime=${iso}>${longDate(iso, c.t.locale)}</time>` : nothing}</p>`;
}

function feedback(f: Feedback, c: RecordContext): TemplateResult {
  const { t } = c;
  const link = safeLink(contextHref(c.contextHref, { kind: f.itemKind, id: f.itemId }));
  return html`${byline(c, [f.groupName, `${t.from} ${f.authorName}`], f.publishedAt ?? f.updatedAt)}
    <p class="body" dir="auto">${linkify(f.body, t.newTab)}</p>
    ${link ? html`<p>${renderLink(link, t.openContext[f.itemKind], t.newTab)}</p>` : nothing}`;
}

function assessment(a: Assessment, c: RecordContext): TemplateResult {
  const { t, d } = c;
  return html`${byline(c, [a.groupName !== a.subject ? a.groupName : null, `${t.from} ${a.authorName}`], a.publishedAt ?? a.updatedAt)}
    ${a.level ? html`<p class="level">${d.level}: <strong>${a.level}</strong></p>` : nothing}
    ${a.text ? html`<p class="body" dir="auto">${linkify(a.text, t.newTab)}</p>` : nothing}`;
}

function form(f: ConferenceForm, c: RecordContext): TemplateResult {
  const { t, d } = c;
  const sides = SIDES.filter((s) => f.fields.some((x) => x.side === s));
  return html`${byline(c, [d.conference(f.mentorName)], f.updatedAt)}
    ${sides.map(
      (s) => html`<h4>${d.side[s]}</h4>
        <dl>
          ${f.fields
            .filter((x) => x.side === s)
            .map(
              (x) =>
                html`<dt>${x.label}</dt><dd>${x.answer
                    ? html`<span class="pre" dir="auto">${x.answer.value}</span>${s === 'guardian'
                          ? html`<br /><span class="muted">${d.answeredBy(x.answer.by?.name ?? t.someone)}</span>`
                          : nothing}`
                    : html`<span class="muted">${d.noAnswer}</span>`}</dd>`,
            )}
        </dl>`,
    )}`;
}

export function documentation(doc: Documentation, c: RecordContext): TemplateResult {
  const { t, d } = c;
  const names = doc.children.map((x) => x.name).join(', ');
  const about = doc.wholeGroup ? (names ? `${names} (${d.wholeGroup})` : d.wholeGroup) : names;
  const images = doc.attachments.filter((a) => IMAGE_TYPES.includes(a.contentType));
  return html`${byline(c, [doc.groupName, `${t.from} ${doc.authorName}`], doc.createdAt)}
    ${about ? html`<p class="muted">${d.about}: ${about}</p>` : nothing}
    <p class="body" dir="auto">${linkify(doc.body, t.newTab)}</p>
    ${doc.goals.length
      ? html`<h4>${d.goals}</h4>
          <ul class="goals">
            ${doc.goals.map((g) => html`<li dir="auto">${g}</li>`)}
          </ul>`
      : nothing}
    ${doc.attachments.length
      ? html`<div class="media">
          ${repeat(
            doc.attachments,
            (a) => a.id,
            (a) => html`<schoolhub-attachment
              .attachment=${a}
              .client=${c.client}
              .strings=${d}
              locale=${t.locale}
              alt=${d.image(images.indexOf(a) + 1, images.length, doc.title)}
              exportparts="image, button"
            ></schoolhub-attachment>`,
          )}
        </div>`
      : nothing}`;
}
