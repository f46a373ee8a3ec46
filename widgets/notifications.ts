// <schoolhub-notifications>: the person's own notification preferences (notifications.get /
// notifications.set): e-mail as it comes, as an hourly or daily digest, or off; push and e-mail
// per kind; their own quiet hours; the language of e-mails and pushes. Saved whole with one
// button; a change saved on another device arrives live (notifications.changed) and replaces
// the form unless it holds unsaved edits. "Push on this device" subscribes this browser
// (client/push-device.ts) with the hub's VAPID key, asking for permission on a click only.
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { EMAIL_MODES, NOTICE_KINDS, type Preferences } from './client/notifications-protocol.ts';
import { HubError } from './client/protocol.ts';
import { disablePush, enablePush, pushState, type PushState } from './client/push-device.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText } from './ui/i18n.ts';
import { noticeStrings, type NoticeStrings } from './ui/notifications-i18n.ts';
import { base } from './ui/styles.ts';

const DEFAULT_QUIET = { start: '22:00', end: '07:00' };
const LANGUAGES = { sv: 'Svenska', en: 'English' } as const;

/** The browser's own time zone, and every zone it knows (with `current` when it is not listed). */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

const same = (a: Preferences | undefined, b: Preferences | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * @csspart container - the whole widget
 * @csspart kinds - the table of kinds and channels
 * @csspart input - the time fields and the time zone select
 * @csspart button - the save and push buttons
 * @csspart push - the "push on this device" section
 * @csspart status - the connection status line
 */
export class SchoolhubNotifications extends HubElement {
  static override styles = [
    base,
    css`
      .intro,
      .hint {
        margin: 0.3em 0 0.5em;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin: 0.6em 0;
      }
      caption {
        text-align: start;
        font-weight: 600;
        padding-bottom: 0.3em;
      }
      th,
      td {
        border-bottom: 1px solid var(--_border);
        padding: 0.45em 0.3em;
        text-align: start;
      }
      td {
        text-align: center;
        width: 4.5em;
      }
      th[scope='row'] {
        font-weight: 400;
      }
      input[type='checkbox'],
      input[type='radio'] {
        width: 1.15em;
        height: 1.15em;
        accent-color: var(--_accent);
      }
      .times {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1em;
      }
      .times > div {
        flex: 1 1 6em;
      }
      section.push {
        margin-top: 1em;
        padding-top: 0.6em;
        border-top: 1px solid var(--_border);
      }
    `,
  ];
  /** Where the portal hosts the hub's service worker script (its own origin; docs/NOTIFICATIONS.md). */
  @property({ attribute: 'service-worker-url' }) serviceWorkerUrl = '/schoolhub-sw.js';
  /** The form's preferences, with the person's edits. */
  @state() draft: Preferences | undefined;
  /** The preferences as the hub has them. */
  @state() saved: Preferences | undefined;
  @state() vapidPublicKey: string | null = null;
  @state() loadError = '';
  @state() busy = false;
  /** "Saved", or "changed on another device", until the next edit. */
  @state() done = '';
  @state() error = '';
  /** This device's push; undefined until it is known. */
  @state() push: PushState | undefined;
  @state() pushBusy = false;
  /** What the last push action came to (asking, dismissed, failed, turned on or off). */
  @state() pushNote = '';
  /** The last notifications.changed heard while this widget's own save was on its way. */
  private heardWhileSaving: Preferences | undefined;

  get n(): NoticeStrings {
    return noticeStrings(this.locale);
  }

  attach(client: HubClient): (() => void)[] {
    return [
      client.views(() => void this.load(client)),
      client.on('notifications.changed', ({ preferences }) => this.changed(preferences)),
    ];
  }

  private async load(client: HubClient): Promise<void> {
    try {
      const { preferences, vapidPublicKey } = await client.request('notifications.get', {});
      this.loadError = '';
      this.vapidPublicKey = vapidPublicKey;
      // A reload after a lost connection keeps edits not yet saved.
      if (!this.draft || same(this.draft, this.saved)) this.draft = structuredClone(preferences);
      this.saved = preferences;
      if (!this.pushBusy) this.push = await pushState(this.serviceWorkerUrl, vapidPublicKey).catch(() => 'off' as const);
    } catch (err) {
      this.loadError = errorText(err, this.t);
    }
  }

  /** Another device (or this one) saved: take it, unless the form holds edits of its own. */
  private changed(preferences: Preferences): void {
    // While this widget saves, the event may be its own save's (the answer brings the same):
    // kept, and looked at when the answer is here (save).
    if (this.busy) {
      this.heardWhileSaving = preferences;
      return;
    }
    if (same(preferences, this.saved)) return;
    if (!this.draft || same(this.draft, this.saved)) this.draft = structuredClone(preferences);
    this.saved = preferences;
    this.done = this.n.changedElsewhere;
    this.announce(this.n.changedElsewhere);
  }

  private edit(change: (p: Preferences) => void): void {
    if (!this.draft) return;
    const next = structuredClone(this.draft);
    change(next);
    this.draft = next;
    this.done = '';
    this.error = '';
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const client = this.client;
    const draft = this.draft;
    if (!client || !draft || this.busy) return;
    this.done = '';
    this.error = '';
    try {
      if (draft.quietHours && draft.quietHours.start === draft.quietHours.end) throw new Error(this.n.sameStartEnd);
      this.busy = true;
      this.heardWhileSaving = undefined;
      const { preferences } = await client.request('notifications.set', { preferences: draft });
      this.saved = preferences;
      if (same(this.draft, draft)) this.draft = structuredClone(preferences);
      this.done = this.n.saved;
      // Another device saved at the same moment: which came last is the hub's to say.
      const heard = this.heardWhileSaving;
      this.heardWhileSaving = undefined;
      if (heard && !same(heard, preferences)) void this.load(client).then(() => !same(this.saved, preferences) && (this.done = this.n.changedElsewhere));
    } catch (err) {
      this.error = errorText(err, this.t);
    } finally {
      this.busy = false;
    }
  }

  private async togglePush(): Promise<void> {
    const client = this.client;
    if (!client || this.pushBusy) return;
    const n = this.n;
    const turningOn = this.push !== 'on';
    if (turningOn && !this.vapidPublicKey) return;
    this.pushBusy = true;
    this.pushNote = turningOn ? n.asking : '';
    try {
      if (turningOn) {
        this.push = await enablePush(client, this.serviceWorkerUrl, this.vapidPublicKey!);
        this.pushNote = this.push === 'on' ? n.turnedOn : this.push === 'off' ? n.dismissed : '';
      } else {
        this.push = await disablePush(client, this.serviceWorkerUrl);
        this.pushNote = n.turnedOff;
      }
    } catch (err) {
      // The hub's refusals in the page's words; the browser's own (its push service, the
      // service worker) are English or vague, so they get one sentence of ours.
      this.pushNote = `${turningOn ? n.pushFailed : n.turnOffFailed}${err instanceof HubError ? errorText(err, this.t) : n.browserFailed}`;
      this.push = await pushState(this.serviceWorkerUrl, this.vapidPublicKey).catch(() => 'off' as const);
    } finally {
      this.pushBusy = false;
    }
  }

  override render() {
    const t = this.t;
    const n = this.n;
    const p = this.draft;
    return html`<section class="root" part="container" aria-labelledby="title">
      ${this.chrome()}
      <h2 id="title">${n.title}</h2>
      <p class="intro muted">${n.intro}</p>
      ${this.loadError ? html`<p class="error" role="alert">${t.loadFailed}${this.loadError}</p>` : nothing}
      ${p ? this.form(p) : this.loadError ? nothing : html`<p class="muted">${t.loading}</p>`}
      ${p ? this.pushSection() : nothing}
    </section>`;
  }

  private form(p: Preferences) {
    const n = this.n;
    return html`<form @submit=${this.save}>
      <fieldset>
        <legend>${n.emailLegend}</legend>
        ${EMAIL_MODES.map((m) => html`<label class="check">
          <input type="radio" name="email" value=${m} .checked=${p.email === m} @change=${() => this.edit((d) => (d.email = m))} />
          ${n.emailMode[m]}
        </label>`)}
      </fieldset>
      <table part="kinds">
        <caption>${n.kindsCaption}</caption>
        <thead><tr><th scope="col">${n.kindColumn}</th><th scope="col">${n.push}</th><th scope="col">${n.email}</th></tr></thead>
        <tbody>
          ${NOTICE_KINDS.map((k) => html`<tr>
            <th scope="row">${n.kind[k]}</th>
            ${(['push', 'email'] as const).map((ch) => html`<td>
              <input type="checkbox" role="switch" name=${`${ch}-${k}`} .checked=${p.kinds[k][ch]}
                aria-label=${n.channelFor(ch === 'push' ? n.push : n.email, n.kind[k])}
                @change=${(e: Event) => this.edit((d) => (d.kinds[k][ch] = (e.target as HTMLInputElement).checked))} />
            </td>`)}
          </tr>`)}
        </tbody>
      </table>
      <p class="hint muted">${n.kindsHint}</p>
      ${this.quietFields(p)}
      <fieldset>
        <legend>${n.languageLegend}</legend>
        ${(['sv', 'en'] as const).map((l) => html`<label class="check">
          <input type="radio" name="language" value=${l} .checked=${p.language === l} @change=${() => this.edit((d) => (d.language = l))} />
          <span lang=${l}>${LANGUAGES[l]}</span>
        </label>`)}
      </fieldset>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions"><button class="primary" part="button" ?disabled=${this.busy}>${this.busy ? n.saving : n.save}</button></div>
      <p class="done" role="status">${this.done}</p>
    </form>`;
  }

  private quietFields(p: Preferences) {
    const n = this.n;
    const q = p.quietHours;
    const set = (field: 'start' | 'end' | 'timezone') => (e: Event) =>
      this.edit((d) => {
        if (d.quietHours) d.quietHours[field] = (e.target as HTMLInputElement | HTMLSelectElement).value;
      });
    return html`<fieldset>
      <legend>${n.quietLegend}</legend>
      <label class="check">
        <input type="checkbox" role="switch" name="quiet" .checked=${q !== null}
          @change=${(e: Event) => this.edit((d) => (d.quietHours = (e.target as HTMLInputElement).checked ? { ...DEFAULT_QUIET, timezone: browserZone() } : null))} />
        ${n.quietOn}
      </label>
      ${q
        ? html`<div class="times">
              <div><label for="quiet-start">${n.from}</label>
                <input id="quiet-start" type="time" part="input" required .value=${q.start} @change=${set('start')} /></div>
              <div><label for="quiet-end">${n.to}</label>
                <input id="quiet-end" type="time" part="input" required .value=${q.end} @change=${set('end')} /></div>
            </div>
            <label for="quiet-zone">${n.timezone}</label>
            <select id="quiet-zone" part="input" @change=${set('timezone')}>
              ${zones(q.timezone).map((z) => html`<option value=${z} ?selected=${z === q.timezone}>${z.replaceAll('_', ' ')}</option>`)}
            </select>`
        : nothing}
      <p class="hint muted">${n.quietHint}</p>
    </fieldset>`;
  }

  private pushSection() {
    const n = this.n;
    const state = this.push;
    const why = state === 'unsupported' ? n.unsupported : state === 'unavailable' ? n.unavailable : state === 'denied' ? n.denied : '';
    const can = state === 'on' || state === 'off' || state === 'denied';
    return html`<section class="push" part="push" aria-labelledby="push-title">
      <h3 id="push-title">${n.pushTitle}</h3>
      ${state === 'on' || state === 'off' ? html`<p class="hint">${state === 'on' ? n.pushIsOn : n.pushIsOff}</p>` : nothing}
      ${why ? html`<p class="hint">${why}</p>` : nothing}
      ${can
        ? html`<div class="actions"><button part="button" ?disabled=${this.pushBusy} @click=${this.togglePush}>
            ${state === 'on' ? n.turnOff : n.turnOn}
          </button></div>`
        : nothing}
      <p class="done" role="status">${this.pushNote}</p>
    </section>`;
  }
}

customElements.get('schoolhub-notifications') ?? customElements.define('schoolhub-notifications', SchoolhubNotifications);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-notifications': SchoolhubNotifications;
  }
}
