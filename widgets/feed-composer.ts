// <schoolhub-feed-composer>: the feed's form for staff. Its audience picker offers exactly
// what the hub's audience.get answered (the groups a teacher owns, the whole school for
// leaders and admins, staff only for leaders, districts for a head of operations); the
// hub checks the rules again on post.create and mailing.create.
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { feedStore } from './client/feed-store.ts';
import { newClientKey } from './client/keys.ts';
import type { Audience, Recipients, RequestFields, Target } from './client/protocol.ts';
import { HubElement } from './ui/hub-element.ts';
import { ACCEPT, FilePicker } from './ui/file-picker.ts';
import { dateAndTime, errorText } from './ui/i18n.ts';
import { LIMITS } from '../hub/protocol/limits.ts';
import { fits, lengthNote } from './ui/length.ts';
import { scheduledStore } from './client/scheduled-store.ts';
import { localInputValue } from './scheduled.ts';
import { SCHEDULE_LIMITS } from '../hub/protocol/limits.ts';
import type { AskDraft } from './client/answers-protocol.ts';
import { answerStrings } from './ui/answer-i18n.ts';

type AskKind = 'none' | AskDraft['kind'];

/** The post's ask from the form (acknowledge, RSVP), or undefined; throws the widget's own words when the choices are too few. */
function askOf(data: FormData, twoOptions: string): AskDraft | undefined {
  const kind = String(data.get('ask') ?? 'none') as AskKind;
  if (kind === 'none') return undefined;
  const at = String(data.get('deadline') ?? '');
  const deadline = at ? { deadline: new Date(at).toISOString() } : {};
  if (kind === 'ack') return { kind, ...deadline };
  const options = data.getAll('option').map((o) => String(o).trim()).filter(Boolean);
  if (options.length < 2 || new Set(options.map((o) => o.toLowerCase())).size !== options.length) throw new Error(twoOptions);
  return { kind, options, ...deadline };
}

type Mode = 'post' | 'mailing';

function recipientsOf(data: FormData): Recipients {
  const who = data.getAll('who');
  return { students: who.includes('students'), guardians: who.includes('guardians'), staff: who.includes('staff') };
}

const reachesAnyone = (r: Recipients): boolean => r.students || r.guardians || r.staff;

/** @fires schoolhub-published - {kind, id}: the post or mailing is stored and on its way */
export class SchoolhubFeedComposer extends HubElement {
  @property({ attribute: false }) audience: Audience | undefined;
  @state() mode: Mode = 'post';
  /** The school (posts) or district (mailings) chosen in the select. */
  @state() selectedId = '';
  @state() error = '';
  @state() busy = false;
  /** What was published last ("Inlägget är publicerat."), shown until the next action. */
  @state() done = '';
  /** The title's and body's lengths, counted against the hub's limits. */
  @state() lengths = { title: 0, body: 0 };
  /** "Publicera senare" is ticked: the form asks for a time and schedules. */
  @state() later = false;
  /** What the post asks of its readers: the options show for a choice. */
  @state() askKind: AskKind = 'none';
  /** Images and PDFs for the post; a scheduled post takes none. */
  private readonly picker = new FilePicker(this, 'post');
  private clientKey = newClientKey('p');

  /** Any edit: count the text fields, and the last confirmation has been read. */
  private edited(e: Event): void {
    this.done = '';
    const field = e.target;
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) {
      if (field.name === 'title' || field.name === 'body') this.lengths = { ...this.lengths, [field.name]: field.value.length };
    }
  }

  private get tooLong(): boolean {
    return !fits(this.lengths.title, LIMITS.title) || !fits(this.lengths.body, LIMITS.postBody);
  }

  attach(): (() => void)[] {
    return [];
  }

  private get modes(): Mode[] {
    const a = this.audience;
    return [...(a?.posts.schools.length ? ['post' as const] : []), ...(a?.mailings.districts.length ? ['mailing' as const] : [])];
  }

  private fileFields() {
    const t = this.t;
    return html`<label for="files">${t.attachFiles}</label>
      <input id="files" type="file" multiple part="input" accept=${ACCEPT} @change=${(e: Event) => this.picker.choose(e, this.client, t)} />
      ${this.picker.render(t)}`;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const client = this.client;
    const form = e.target as HTMLFormElement;
    if (!client || this.busy || this.tooLong) return;
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim();
    const body = String(data.get('body') ?? '').trim();
    const recipients = recipientsOf(data);
    // A datetime-local value is the browser's local time; the hub gets it as an instant.
    const publishAt = this.later && data.get('publishAt') ? new Date(String(data.get('publishAt'))).toISOString() : undefined;
    this.error = '';
    this.done = '';
    try {
      this.busy = true;
      const mode = this.modes.includes(this.mode) ? this.mode : this.modes[0];
      if (mode === 'mailing') await this.mailing(client, data, title, body, recipients, publishAt);
      else await this.post(client, data, title, body, recipients, publishAt);
      this.clientKey = newClientKey('p');
      form.reset();
      this.lengths = { title: 0, body: 0 };
      this.later = false;
      this.askKind = 'none';
      // Visible to everyone (role=status also says it once to screen readers).
      this.done = publishAt ? this.t.scheduledFor(dateAndTime(publishAt, this.t)) : mode === 'mailing' ? this.t.publishedMailing : this.t.publishedPost;
    } catch (err) {
      this.error = errorText(err, this.t);
    } finally {
      this.busy = false;
    }
  }

  private async post(client: HubClient, data: FormData, title: string, body: string, recipients: Recipients, publishAt: string | undefined): Promise<void> {
    const schoolId = String(data.get('school') ?? '');
    const targets: Target[] = data.getAll('target').map((v) => {
      const groupId = String(v).replace(/^group:/, '');
      if (v === 'school') return { kind: 'school' };
      const members = data.getAll(`member:${groupId}`).map(String);
      return members.length ? { kind: 'group', groupId, memberIds: members } : { kind: 'group', groupId };
    });
    if (targets.length === 0 || !reachesAnyone(recipients)) throw new Error(this.t.chooseTarget);
    const ask = askOf(data, answerStrings(this.locale).twoOptions);
    const attachmentIds = this.picker.ids;
    await this.publish(client, 'post.create', {
      schoolId, title, body, audience: { targets, recipients }, ...(ask ? { ask } : {}), ...(attachmentIds.length && !publishAt ? { attachmentIds } : {}), clientKey: this.clientKey,
    }, publishAt);
    this.picker.take();
  }

  private async mailing(client: HubClient, data: FormData, title: string, body: string, recipients: Recipients, publishAt: string | undefined): Promise<void> {
    const districtId = String(data.get('district') ?? '');
    const schoolIds = data.getAll('schools').map(String);
    if (schoolIds.length === 0 || !reachesAnyone(recipients)) throw new Error(this.t.chooseTarget);
    await this.publish(client, 'mailing.create', { districtId, schoolIds, title, body, recipients, clientKey: this.clientKey }, publishAt);
  }

  /** Schedules the post or mailing for `publishAt`; without one, sends it, shows it at once and says it is published. */
  private async publish<T extends 'post.create' | 'mailing.create'>(client: HubClient, type: T, fields: RequestFields<T>, publishAt: string | undefined): Promise<void> {
    if (publishAt) {
      await scheduledStore(client).schedule(type, fields, publishAt);
      return;
    }
    const answer = await client.request(type, fields);
    const [kind, item] = 'post' in answer ? (['post', answer.post] as const) : (['mailing', answer.mailing] as const);
    feedStore(client).add(item, kind);
    this.dispatchEvent(new CustomEvent('schoolhub-published', { detail: { kind, id: item.id }, bubbles: true, composed: true }));
  }

  override render() {
    const t = this.t;
    const modes = this.modes;
    const mode = modes.includes(this.mode) ? this.mode : modes[0];
    if (!mode) return nothing;
    return html`<form class="root" part="container composer" @submit=${this.submit} @input=${this.edited} @change=${this.edited}>
      <h3>${mode === 'post' ? t.newPost : t.newMailing}</h3>
      ${modes.length > 1
        ? html`<label for="mode">${t.kind}</label>
            <select id="mode" part="input" @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as Mode)}>
              <option value="post" ?selected=${mode === 'post'}>${t.newPost}</option>
              <option value="mailing" ?selected=${mode === 'mailing'}>${t.newMailing}</option>
            </select>`
        : nothing}
      ${mode === 'post' ? this.postFields() : this.mailingFields()}
      <label for="title">${t.title}</label>
      <input id="title" name="title" type="text" dir="auto" part="input" required data-maxlength=${LIMITS.title}
        aria-invalid=${fits(this.lengths.title, LIMITS.title) ? 'false' : 'true'} aria-describedby="title-count" />
      ${lengthNote(this.lengths.title, LIMITS.title, t, 'title-count')}
      <label for="text">${t.body}</label>
      <textarea id="text" name="body" dir="auto" part="input" required data-maxlength=${LIMITS.postBody}
        aria-invalid=${fits(this.lengths.body, LIMITS.postBody) ? 'false' : 'true'} aria-describedby="text-count"></textarea>
      ${lengthNote(this.lengths.body, LIMITS.postBody, t, 'text-count')}
      ${mode === 'post' ? this.askFields() : nothing}
      ${mode === 'post' && !this.later ? this.fileFields() : nothing}
      <label class="check"><input type="checkbox" name="later" .checked=${this.later} @change=${(e: Event) => (this.later = (e.target as HTMLInputElement).checked)} /> ${t.publishLater}</label>
      ${this.later
        ? html`<label for="publish-at">${t.publishAt}</label>
            <input id="publish-at" name="publishAt" type="datetime-local" part="input" required
              min=${localInputValue(new Date(Date.now() + SCHEDULE_LIMITS.minAheadMs + 60_000).toISOString())}
              max=${localInputValue(new Date(Date.now() + SCHEDULE_LIMITS.maxAheadMs - 86_400_000).toISOString())} />`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions"><button class="primary" part="button" ?disabled=${this.busy || this.tooLong || this.picker.uploading > 0}>${this.later ? t.schedule : t.publish}</button></div>
      <p class="done" role="status">${this.done}</p>
    </form>
    <schoolhub-scheduled lang=${this.locale} exportparts="input, button"></schoolhub-scheduled>`;
  }

  private postFields() {
    const t = this.t;
    return this.audienceFields({
      name: 'school', label: t.school, choices: this.audience?.posts.schools ?? [], legend: t.targets, staff: (school) => school.staff,
      targets: (school) => html`
        ${school.wholeSchool ? html`<label class="check"><input type="checkbox" name="target" value="school" /> ${school.name}: ${t.wholeSchool}</label>` : nothing}
        ${school.groups.map(
          (g) => html`<label class="check"><input type="checkbox" name="target" value="group:${g.id}" /> ${g.name}</label>
            ${g.members.length
              ? html`<details>
                  <summary class="muted">${t.chooseMembers}</summary>
                  ${g.members.map((m) => html`<label class="check"><input type="checkbox" name="member:${g.id}" value=${m.id} /> ${m.name}</label>`)}
                </details>`
              : nothing}`,
        )}`,
    });
  }

  /** Acknowledge and RSVP: nothing, "I have read this", or 2–5 answers of the author's; a deadline. */
  private askFields() {
    const a = answerStrings(this.locale);
    const kinds: [AskKind, string][] = [['none', a.askNone], ['ack', a.askAck], ['choice', a.askChoice]];
    return html`<fieldset>
      <legend>${a.ask}</legend>
      ${kinds.map(([k, label]) => html`<label class="check"><input type="radio" name="ask" .value=${k} .checked=${this.askKind === k}
          @change=${() => (this.askKind = k)} /> ${label}</label>`)}
      ${this.askKind === 'choice'
        ? Array.from({ length: LIMITS.askOptions }, (_, i) => html`<label for="option-${i}">${a.option(i + 1)}</label>
            <input id="option-${i}" name="option" type="text" dir="auto" part="input" maxlength=${LIMITS.askOption} .value=${a.defaultOptions[i] ?? ''} />`)
        : nothing}
      ${this.askKind === 'none'
        ? nothing
        : html`<label for="deadline">${a.askDeadline}</label><input id="deadline" name="deadline" type="datetime-local" part="input" />`}
    </fieldset>`;
  }

  private mailingFields() {
    const t = this.t;
    return this.audienceFields({
      name: 'district', label: t.district, choices: this.audience?.mailings.districts ?? [], legend: t.schools, staff: () => true,
      targets: (district) =>
        district.schools.map((s) => html`<label class="check"><input type="checkbox" name="schools" value=${s.id} /> ${s.name}</label>`),
    });
  }

  /**
   * Whom a post or mailing goes to: where (a school, a district: the one picked last, else the
   * first; a <select> when there is a choice, else a hidden field), the targets within it, and
   * who of them receive it.
   */
  private audienceFields<T extends { id: string; name: string }>(a: {
    name: 'school' | 'district';
    label: string;
    choices: readonly T[];
    legend: string;
    targets: (chosen: T) => unknown;
    /** Whether staff may be among the receivers. */
    staff: (chosen: T) => boolean;
  }) {
    const chosen = a.choices.find((c) => c.id === this.selectedId) ?? a.choices[0];
    if (!chosen) return nothing;
    return html`
      ${a.choices.length > 1
        ? html`<label for=${a.name}>${a.label}</label>
            <select id=${a.name} name=${a.name} part="input" @change=${(e: Event) => (this.selectedId = (e.target as HTMLSelectElement).value)}>
              ${a.choices.map((c) => html`<option value=${c.id} ?selected=${c === chosen}>${c.name}</option>`)}
            </select>`
        : html`<input type="hidden" name=${a.name} .value=${chosen.id} />`}
      <fieldset>
        <legend>${a.legend}</legend>
        ${a.targets(chosen)}
      </fieldset>
      ${this.who(a.staff(chosen))}`;
  }

  private who(staff: boolean) {
    const t = this.t;
    return html`<fieldset>
      <legend>${t.sendTo}</legend>
      <label class="check"><input type="checkbox" name="who" value="students" /> ${t.who.students}</label>
      <label class="check"><input type="checkbox" name="who" value="guardians" /> ${t.who.guardians}</label>
      ${staff ? html`<label class="check"><input type="checkbox" name="who" value="staff" /> ${t.who.staff}</label>` : nothing}
    </fieldset>`;
  }
}

customElements.get('schoolhub-feed-composer') ?? customElements.define('schoolhub-feed-composer', SchoolhubFeedComposer);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-feed-composer': SchoolhubFeedComposer;
  }
}
