// The files chosen for the next message or post (the chat's paper clip, the composer's file
// field): each is uploaded as soon as it is chosen (POST /api/v1/attachments?for=…), listed with
// "Ta bort", and its id goes with the message or post. One place for both widgets.
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { HubClient } from '../client/client.ts';
import { ATTACHMENT_TYPES, uploadAttachment } from '../client/attachments.ts';
import { errorText, type Strings } from './i18n.ts';

export const ACCEPT = ATTACHMENT_TYPES.join(',');

export class FilePicker implements ReactiveController {
  files: { id: string; filename: string }[] = [];
  /** Uploads under way: the send button waits for them. */
  uploading = 0;
  error = '';

  constructor(private readonly host: ReactiveControllerHost, private readonly purpose: 'message' | 'post') {
    host.addController(this);
  }

  hostConnected(): void {}

  get ids(): string[] {
    return this.files.map((f) => f.id);
  }

  /** The file input's change: uploads each chosen file on its own; a refusal is said and the rest go on. */
  async choose(e: Event, client: HubClient | undefined, t: Strings): Promise<void> {
    const input = e.target as HTMLInputElement;
    const chosen = [...(input.files ?? [])];
    input.value = '';
    if (!client) return;
    this.error = '';
    await Promise.all(chosen.map(async (file) => {
      this.uploading++;
      this.host.requestUpdate();
      try {
        const a = await uploadAttachment(client, file, undefined, this.purpose);
        this.files = [...this.files, { id: a.id, filename: a.filename }];
      } catch (err) {
        this.error = `${t.uploadFailed(file.name)}: ${errorText(err, t)}`;
      } finally {
        this.uploading--;
        this.host.requestUpdate();
      }
    }));
  }

  /** Hands over the chosen files (they now belong to what is being sent). */
  take(): { id: string; filename: string }[] {
    const files = this.files;
    this.files = [];
    this.error = '';
    this.host.requestUpdate();
    return files;
  }

  /** The chosen files, each with its "Ta bort"; what is on its way; why one was refused. */
  render(t: Strings): TemplateResult | typeof nothing {
    if (this.files.length === 0 && this.uploading === 0 && !this.error) return nothing;
    return html`<ul class="pending-files" aria-label=${t.filesOf(this.files.length)}>
      ${this.files.map((f) => html`<li>${f.filename} <button type="button" class="link" part="button" aria-label=${t.removeFile(f.filename)}
        @click=${() => {
          this.files = this.files.filter((x) => x !== f);
          this.host.requestUpdate();
        }}>×</button></li>`)}
      ${this.uploading ? html`<li class="muted" role="status">${t.uploading}</li>` : nothing}
      ${this.error ? html`<li class="error" role="alert">${this.error}</li>` : nothing}
    </ul>`;
  }
}
