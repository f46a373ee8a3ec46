// The one form that writes preschool documentation, for <schoolhub-documentation>: new
// documentation in a child group (documentation.create, the "Ny dokumentation" composer) or a
// change to a record (documentation.update, the form a record's "Redigera" opens). Title, text,
// goals (one per line) and files; a new one names its children (none: the whole group), a
// change lists the record's attachments to take off. Files are checked here (type, size)
// before the UploadController sends them; the hub decides on every upload and save, and its
// reason is shown in the form.
import { css, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { HubClient } from './client/client.ts';
import type { Attachment, Documentation } from './client/development-protocol.ts';
import { ATTACHMENT_TYPES } from './client/attachments.ts';
import { newClientKey } from './client/keys.ts';
import type { AudienceGroup } from './client/protocol.ts';
import { ATTACHMENT_BYTES, DEVELOPMENT_LIMITS } from '../hub/protocol/limits.ts';
import { fileSize } from './ui/development-i18n.ts';
import { errorText, type Strings } from './ui/i18n.ts';
import { UploadController, type UploadHost } from './ui/upload-controller.ts';
import { fits, lengthNote } from './ui/length.ts';

export const editorStyles = css`
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
`;

export interface EditorHost extends UploadHost {
  readonly client: HubClient | undefined;
  readonly t: Strings;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** What the editor writes: new documentation in a child group, or a change to a record. */
export type Draft = { kind: 'new'; group: AudienceGroup } | { kind: 'change'; doc: Documentation };

interface Hooks {
  announce(text: string): void;
  /** The hub stored it (a change: `doc` is the record as it is now). */
  stored(doc: Documentation): void;
}

export class DocumentationEditor {
  /** The new documentation's form is open (kind `new`). */
  open = false;
  /** The record being changed (kind `change`), one at a time, or null. */
  private target: string | null = null;
  /** A change's text as it was when the form opened. */
  private was = { title: '', body: '', goals: '' };
  /** A change's attachments to take off. */
  private removed: string[] = [];
  private busy = false;
  private error = '';
  /** The title's and text's lengths, counted against the hub's limits (ui/length.ts: never cut). */
  private lengths = { title: 0, body: 0 };
  /** One per documentation written (a retry sends the same, so nothing is stored twice). */
  private clientKey = newClientKey('d');
  /** A change's form opened or closed: a save still on its way no longer writes into it. */
  private session = 0;
  private readonly uploads: UploadController;
  /** The ids in the form: `doc-…` for new documentation, `edit-…` for a change. */
  private readonly prefix: 'doc' | 'edit';

  constructor(
    private readonly host: EditorHost,
    private readonly kind: Draft['kind'],
    private readonly hooks: Hooks,
  ) {
    this.uploads = new UploadController(host);
    this.prefix = kind === 'new' ? 'doc' : 'edit';
  }

  /** Opens or closes the new documentation's form; opened, the keyboard goes to its title. */
  toggle(): void {
    this.open = !this.open;
    this.error = '';
    this.lengths = { title: 0, body: 0 };
    this.host.requestUpdate();
    if (this.open) this.focus(`#${this.prefix}-title`);
  }

  /** After a record of a group the person writes in: its "Redigera" button, or this form. */
  action(doc: Documentation): TemplateResult {
    if (this.target === doc.id) return this.render({ kind: 'change', doc });
    return html`<div class="actions">
      <button part="button" data-edit=${doc.id} aria-label=${this.host.d.editOf(doc.title)} @click=${() => this.change(doc)}>${this.host.t.edit}</button>
    </div>`;
  }

  private change(doc: Documentation): void {
    this.session++;
    this.target = doc.id;
    this.was = { title: doc.title, body: doc.body, goals: doc.goals.join('\n') };
    this.lengths = { title: doc.title.length, body: doc.body.length };
    this.removed = [];
    this.busy = false;
    this.error = '';
    this.uploads.forget();
    this.focus(`#${this.prefix}-title`);
  }

  /** Closes a change's form and gives the keyboard back to the record's "Redigera". */
  private close(): void {
    const id = this.target;
    this.session++;
    this.target = null;
    this.uploads.forget();
    if (id) this.focus(`[data-edit="${CSS.escape(id)}"]`);
  }

  private cancel(): void {
    if (this.kind === 'new') this.toggle();
    else this.close();
  }

  private focus(selector: string): void {
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  private toggleRemoved(a: Attachment): void {
    const gone = this.removed.includes(a.id);
    this.removed = gone ? this.removed.filter((x) => x !== a.id) : [...this.removed, a.id];
    this.hooks.announce(gone ? this.host.d.fileKept(a.filename) : this.host.d.fileRemoved(a.filename));
    this.host.requestUpdate();
  }

  private count(e: Event): void {
    const field = e.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
    if (field.name !== 'title' && field.name !== 'body') return;
    this.lengths = { ...this.lengths, [field.name]: field.value.length };
    this.host.requestUpdate();
  }

  private get tooLong(): boolean {
    return !fits(this.lengths.title, DEVELOPMENT_LIMITS.title) || !fits(this.lengths.body, DEVELOPMENT_LIMITS.documentationBody);
  }

  private async save(ev: Event, draft: Draft): Promise<void> {
    ev.preventDefault();
    const client = this.host.client;
    const form = ev.target as HTMLFormElement;
    if (!client || this.busy || this.tooLong) return;
    const d = this.host.d;
    const session = this.session;
    const live = () => session === this.session;
    const set = (patch: { busy?: boolean; error?: string }) => {
      if (!live()) return;
      this.busy = patch.busy ?? this.busy;
      this.error = patch.error ?? this.error;
      this.host.requestUpdate();
    };
    const data = new FormData(form);
    const files = [...(form.querySelector<HTMLInputElement>('input[type="file"]')?.files ?? [])];
    const bad = files.find((f) => !ATTACHMENT_TYPES.includes(f.type) || f.size > ATTACHMENT_BYTES || f.size === 0);
    // A change keeps what is on the record now (the render's record: another teacher's change included) and not taken off.
    const kept = draft.kind === 'change' ? draft.doc.attachments.filter((a) => !this.removed.includes(a.id)).map((a) => a.id) : [];
    const max = DEVELOPMENT_LIMITS.attachments;
    if (bad) return set({ error: d.badFile(bad.name) });
    if (draft.kind === 'change' && kept.length + files.length > max) return set({ error: d.tooManyFiles(max) });
    set({ busy: true, error: '' });
    try {
      const attachmentIds = [...kept, ...(await this.uploads.upload(client, files))];
      const title = String(data.get('title') ?? '').trim();
      const body = String(data.get('body') ?? '').trim();
      const goals = String(data.get('goals') ?? '').split('\n').map((g) => g.trim()).filter(Boolean);
      if (draft.kind === 'change') {
        const { documentation } = await client.request('documentation.update', { documentationId: draft.doc.id, title, body, goals, attachmentIds });
        this.hooks.stored(documentation);
        this.hooks.announce(d.changesSaved);
        if (live()) this.close();
      } else {
        const childIds = data.getAll('child').map(String);
        const { documentation } = await client.request('documentation.create', {
          groupId: draft.group.id,
          ...(childIds.length ? { childIds } : {}),
          title,
          body,
          ...(goals.length ? { goals } : {}),
          ...(attachmentIds.length ? { attachmentIds } : {}),
          clientKey: this.clientKey,
        });
        this.clientKey = newClientKey('d');
        this.uploads.forget();
        form.reset();
        this.lengths = { title: 0, body: 0 };
        this.open = false;
        this.host.requestUpdate();
        this.hooks.stored(documentation);
        this.hooks.announce(d.saved);
      }
    } catch (err) {
      set({ error: errorText(err, this.host.t) });
    } finally {
      set({ busy: false });
    }
  }

  render(draft: Draft): TemplateResult {
    const { t, d } = this.host;
    const id = (name: string) => `${this.prefix}-${name}`;
    const was = draft.kind === 'change' ? this.was : { title: '', body: '', goals: '' };
    const escape = (k: KeyboardEvent) => k.key === 'Escape' && draft.kind === 'change' && this.close();
    return html`<form part="composer" @submit=${(e: Event) => this.save(e, draft)} @input=${(e: Event) => this.count(e)} @keydown=${escape} aria-labelledby=${id('heading')}>
      ${draft.kind === 'change'
        ? html`<h4 id=${id('heading')}>${d.editing(was.title)}</h4>`
        : html`<h3 id=${id('heading')}>${d.newDocumentation}: ${draft.group.name}</h3>`}
      <label for=${id('title')}>${t.title}</label>
      <input id=${id('title')} name="title" type="text" dir="auto" part="input" required data-maxlength=${DEVELOPMENT_LIMITS.title} .value=${was.title}
        aria-invalid=${fits(this.lengths.title, DEVELOPMENT_LIMITS.title) ? 'false' : 'true'} aria-describedby=${id('title-count')} />
      ${lengthNote(this.lengths.title, DEVELOPMENT_LIMITS.title, t, id('title-count'))}
      <label for=${id('body')}>${t.body}</label>
      <textarea id=${id('body')} name="body" dir="auto" part="input" required data-maxlength=${DEVELOPMENT_LIMITS.documentationBody} .value=${was.body}
        aria-invalid=${fits(this.lengths.body, DEVELOPMENT_LIMITS.documentationBody) ? 'false' : 'true'} aria-describedby=${id('body-count')}></textarea>
      ${lengthNote(this.lengths.body, DEVELOPMENT_LIMITS.documentationBody, t, id('body-count'))}
      <label for=${id('goals')}>${d.goalsInput}</label>
      <textarea id=${id('goals')} name="goals" dir="auto" part="input" rows="2" .value=${was.goals}></textarea>
      ${draft.kind === 'change' ? this.attachments(draft.doc) : html`${this.children(draft.group)}${this.files(d.files)}`}
      <p class="muted" role="status">${this.uploads.progress}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button class="primary" part="button" ?disabled=${this.busy || this.tooLong}>${draft.kind === 'change' ? t.save : t.publish}</button>
        <button type="button" part="button" @click=${() => this.cancel()}>${t.cancel}</button>
      </div>
    </form>`;
  }

  /** New documentation: which of the group's children it is about. */
  private children(group: AudienceGroup): TemplateResult | typeof nothing {
    const d = this.host.d;
    if (!group.members.length) return nothing;
    return html`<fieldset>
      <legend>${d.whichChildren}</legend>
      <p class="muted">${d.noneIsAll}</p>
      ${group.members.map((m) => html`<label class="check"><input type="checkbox" name="child" value=${m.id} /> ${m.name}</label>`)}
    </fieldset>`;
  }

  /** A change: the record's attachments, each to take off (or keep again), and files to add. */
  private attachments(doc: Documentation): TemplateResult {
    const { t, d } = this.host;
    return html`<fieldset>
      <legend>${d.attachments}</legend>
      ${doc.attachments.length
        ? html`<ul class="files">
            ${repeat(doc.attachments, (a) => a.id, (a) => {
              const gone = this.removed.includes(a.id);
              return html`<li class=${gone ? 'gone' : ''}>
                <span class="name">${a.filename}</span>
                <span class="muted">${fileSize(a.size, t.locale)}${gone ? ` · ${d.removedOnSave}` : ''}</span>
                <button type="button" part="button" aria-label=${gone ? d.keepFileNamed(a.filename) : d.removeFileNamed(a.filename)}
                  @click=${() => this.toggleRemoved(a)}>${gone ? d.keepFile : d.removeFile}</button>
              </li>`;
            })}
          </ul>`
        : html`<p class="muted">${d.noAttachments}</p>`}
      ${this.files(d.addFiles)}
    </fieldset>`;
  }

  private files(label: string): TemplateResult {
    const id = (name: string) => `${this.prefix}-${name}`;
    return html`<label for=${id('files')}>${label}</label>
      <input id=${id('files')} type="file" part="input" multiple accept=${ATTACHMENT_TYPES.join(',')} aria-describedby=${id('files-hint')} />
      <p id=${id('files-hint')} class="muted">${this.host.d.filesHint}</p>`;
  }
}
