// <schoolhub-new-conversation>: the inbox's "new conversation" form. The recipient picker
// offers exactly what the hub's contacts.get answers (the rules are the hub's, never the
// browser's): people, and for a mentor their mentor groups as a whole (students or
// guardians); the hub checks again when the conversation starts.
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { newClientKey } from './client/keys.ts';
import type { Contact, ContactGroup, GroupRef } from './client/protocol.ts';
import { base } from './ui/styles.ts';
import { HubElement } from './ui/hub-element.ts';
import { errorText } from './ui/i18n.ts';
import { LIMITS } from '../hub/protocol/limits.ts';
import { lengthNote, lengthOf, nearLimit } from './ui/length.ts';

/**
 * @fires schoolhub-started - {conversationId}: the conversation exists (and the first message is on its way)
 * @fires schoolhub-cancel - the person closed the form
 */
export class SchoolhubNewConversation extends HubElement {
  static override styles = [
    base,
    css`
      .people {
        max-height: 14em;
        overflow-y: auto;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.3em 0.6em;
        margin-top: 0.4em;
      }
      .length {
        font-size: 0.85em;
        text-align: end;
      }
    `,
  ];

  @state() contacts: Contact[] | undefined;
  /** Groups whose whole-group conversation the person may start (empty unless a mentor). */
  @state() groups: ContactGroup[] = [];
  /** The whole group chosen instead of people; undefined: the people checked below. */
  @state() target: { groupId: string; audience: GroupRef['audience'] } | undefined;
  @state() chosen: Map<string, Contact> = new Map();
  @state() error = '';
  @state() busy = false;
  /** The first message's length, for the counter and refusing what is too long. */
  @state() bodyLength = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** One key per attempt at this form, so that a retry after a lost answer starts nothing twice. */
  private clientKey = newClientKey('c');

  attach(client: HubClient): (() => void)[] {
    void this.search(client, '');
    return [() => clearTimeout(this.searchTimer)];
  }

  private async search(client: HubClient, query: string): Promise<void> {
    try {
      const { contacts, groups } = await client.request('contacts.get', query ? { query, limit: 50 } : { limit: 50 });
      this.contacts = contacts;
      this.groups = groups;
    } catch (e) {
      this.error = errorText(e, this.t);
    }
  }

  private onQuery(e: Event): void {
    const query = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.client && void this.search(this.client, query), 250);
  }

  private toggle(c: Contact, on: boolean): void {
    const next = new Map(this.chosen);
    if (on) next.set(c.id, c);
    else next.delete(c.id);
    this.chosen = next;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const client = this.client;
    if (!client || this.busy) return;
    const target = this.target;
    if (!target && this.chosen.size === 0) {
      this.error = this.t.chooseRecipient;
      return;
    }
    const form = e.target as HTMLFormElement;
    const subject = (form.elements.namedItem('subject') as HTMLInputElement).value.trim();
    const body = (form.elements.namedItem('message') as HTMLTextAreaElement).value.trim();
    if (body.length > LIMITS.messageBody) return;
    this.busy = true;
    this.error = '';
    try {
      // A whole group's members come from the hub's directory, never from a list sent here.
      const whom = target ? { groupId: target.groupId, audience: target.audience } : { participantIds: [...this.chosen.keys()] };
      const { conversation } = await client.request('conversation.start', { ...whom, clientKey: this.clientKey, ...(subject ? { subject } : {}) });
      if (body) {
        await client.request('message.send', { conversationId: conversation.id, body, clientKey: `${this.clientKey}-1` });
      }
      this.clientKey = newClientKey('c');
      this.dispatchEvent(new CustomEvent('schoolhub-started', { detail: { conversationId: conversation.id }, bubbles: true, composed: true }));
    } catch (err) {
      // `forbidden` carries the school's reason (e.g. the setting for teachers and guardians).
      this.error = errorText(err, this.t);
    } finally {
      this.busy = false;
    }
  }

  private relation(c: Contact): string {
    return c.about?.length ? this.t.guardianOf(c.about.map((a) => a.name).join(', ')) : this.t.relation[c.relation];
  }

  /** People or a whole group: one radio group, so arrow keys move between the choices. */
  private renderTargets() {
    const t = this.t;
    const target = this.target;
    return html`<fieldset>
      <legend>${t.conversationWith}</legend>
      <label class="check"
        ><input type="radio" name="target" .checked=${target === undefined} @change=${() => (this.target = undefined)} />
        <span>${t.chosenPeople}</span></label
      >
      ${this.groups.flatMap((g) =>
        g.audiences.map(
          (audience) => html`<label class="check"
            ><input
              type="radio"
              name="target"
              .checked=${target?.groupId === g.id && target.audience === audience}
              @change=${() => (this.target = { groupId: g.id, audience })}
            />
            <span>${t.wholeGroupOption(g.name, t.who[audience])}</span></label
          >`,
        ),
      )}
    </fieldset>`;
  }

  override render() {
    const t = this.t;
    const contacts = this.contacts;
    // With a whole group chosen, the people picker does not apply.
    const picking = this.target !== undefined;
    return html`<form class="root" part="container" @submit=${this.submit}>
      ${this.chrome()}
      <h2>${t.newConversation}</h2>
      ${this.groups.length > 0 ? this.renderTargets() : nothing}
      <label for="q">${t.searchPeople}</label>
      <input id="q" type="search" part="input" dir="auto" autocomplete="off" ?disabled=${picking} @input=${this.onQuery} />
      <fieldset ?disabled=${picking}>
        <legend>${t.recipients}</legend>
        ${contacts === undefined
          ? html`<p class="muted">${t.loading}</p>`
          : html`<div class="people">
              ${contacts.length === 0 && this.chosen.size === 0 ? html`<p class="muted">${t.noContacts}</p>` : nothing}
              ${[...this.chosen.values(), ...contacts.filter((c) => !this.chosen.has(c.id))].map(
                (c) => html`<label class="check"
                  ><input type="checkbox" .checked=${this.chosen.has(c.id)} @change=${(e: Event) => this.toggle(c, (e.target as HTMLInputElement).checked)} />
                  <span><bdi>${c.name}</bdi> <span class="muted">· ${this.relation(c)}</span></span></label
                >`,
              )}
            </div>`}
      </fieldset>
      <label for="subject">${t.subject}</label>
      <input id="subject" name="subject" type="text" part="input" dir="auto" maxlength=${LIMITS.title} />
      <label for="message">${t.firstMessage}</label>
      <textarea id="message" name="message" part="input" dir="auto" data-limit=${LIMITS.messageBody}
        aria-invalid=${this.bodyLength > LIMITS.messageBody ? 'true' : 'false'} aria-describedby=${nearLimit(this.bodyLength, LIMITS.messageBody) ? 'message-length' : nothing}
        @input=${(e: Event) => (this.bodyLength = lengthOf((e.target as HTMLTextAreaElement).value))}></textarea>
      ${lengthNote(this.bodyLength, LIMITS.messageBody, t, 'message-length')}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button class="primary" part="button" ?disabled=${this.busy || this.bodyLength > LIMITS.messageBody}>${t.start}</button>
        <button type="button" part="button" @click=${() => this.dispatchEvent(new CustomEvent('schoolhub-cancel', { bubbles: true, composed: true }))}>${t.cancel}</button>
      </div>
    </form>`;
  }
}

customElements.get('schoolhub-new-conversation') ?? customElements.define('schoolhub-new-conversation', SchoolhubNewConversation);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-new-conversation': SchoolhubNewConversation;
  }
}
