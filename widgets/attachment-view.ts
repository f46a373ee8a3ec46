// <schoolhub-attachment>: one attachment of a documentation, inside the development and
// documentation widgets (internal). An image is fetched with the page's token and shown as a
// blob: URL with its alternative text; the URL is revoked when the element leaves the page or
// shows another attachment. The image is a button that opens it full size in a modal dialog
// (Escape or "Stäng" close it and give focus back), with a link that downloads it under its
// file name. A PDF is a button that fetches it and opens it in a new tab.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from './client/client.ts';
import { AttachmentError, IMAGE_TYPES, fetchAttachment } from './client/attachments.ts';
import type { Attachment } from './client/development-protocol.ts';
import { BlobImage, renderDownload, renderImage } from './ui/blob-image.ts';
import { base } from './ui/styles.ts';
import { fileSize, type DevStrings } from './ui/development-i18n.ts';

export class SchoolhubAttachment extends LitElement {
  static override styles = [
    base,
    css`
      :host {
        display: inline-block;
        max-width: 100%;
      }
      img {
        display: block;
        max-width: 100%;
        max-height: var(--schoolhub-image-height, 20em);
        border-radius: var(--_radius);
      }
      .thumb {
        display: block;
        padding: 0;
        border: 0;
        background: none;
        cursor: zoom-in;
      }
      dialog {
        max-width: 96vw;
        max-height: 96vh;
        padding: 0.6em;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        color: var(--_text);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.7);
      }
      dialog img {
        max-width: calc(96vw - 2em);
        max-height: calc(96vh - 5em);
        margin-top: 0.5em;
        image-rendering: auto;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5em 1em;
        align-items: center;
        justify-content: space-between;
      }
      .ph {
        display: block;
        min-width: 8em;
        padding: 1.5em 1em;
        border: 1px dashed var(--_border);
        border-radius: var(--_radius);
        color: var(--_muted);
        font-size: 0.9em;
      }
    `,
  ];

  @property({ attribute: false }) attachment: Attachment | undefined;
  @property({ attribute: false }) client: HubClient | undefined;
  @property({ attribute: false }) strings: DevStrings | undefined;
  /** The image's alternative text. */
  @property() alt = '';
  @property() locale = 'sv-SE';
  @state() image: BlobImage | undefined;
  /** The full-size image, when `image` is the thumbnail the hub made on upload (fetched on opening). */
  @state() full: BlobImage | undefined;
  @state() failed = '';
  /** The full-size dialog is open (its image is in the page only then). */
  @state() large = false;
  private loaded: string | undefined;
  private abort: AbortController | undefined;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;

  private get isImage(): boolean {
    return !!this.attachment && IMAGE_TYPES.includes(this.attachment.contentType);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved within the page (a list re-ordered): keep the image.
    clearTimeout(this.releaseTimer);
    if (this.hasUpdated) this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => this.release(), 0);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('attachment') || changed.has('client')) this.load();
  }

  private release(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.image?.revoke();
    this.image = undefined;
    this.full?.revoke();
    this.full = undefined;
    this.loaded = undefined;
  }

  private load(): void {
    const a = this.attachment;
    const client = this.client;
    if (!a || !client || !this.isImage || !this.isConnected) return;
    if (this.loaded === a.id) return;
    this.release();
    this.failed = '';
    this.loaded = a.id;
    const abort = (this.abort = new AbortController());
    // The thumbnail inline when the hub made one (a few kilobytes instead of a photo).
    fetchAttachment(client, a, abort.signal, a.thumbnailUrl !== undefined).then(
      (blob) => {
        if (abort.signal.aborted || this.loaded !== a.id) return;
        const image = BlobImage.of(blob);
        if (image) this.image = image;
        else this.failed = this.strings?.imageFailed ?? '';
      },
      (e: unknown) => {
        if (abort.signal.aborted || this.loaded !== a.id) return;
        this.failed = this.strings?.imageFailed ?? '';
      },
    );
  }

  /** Opens a non-image attachment (a PDF, of the type the hub checked) in a new tab. */
  private async open(): Promise<void> {
    const a = this.attachment;
    const client = this.client;
    if (!a || !client) return;
    // The tab is opened at the click (no popup blocker), then pointed at the file.
    const tab = window.open('', '_blank');
    try {
      const blob = await fetchAttachment(client, a);
      if (blob.type !== 'application/pdf') throw new Error(this.strings?.imageFailed);
      const url = URL.createObjectURL(blob);
      if (tab) tab.location.replace(url);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      tab?.close();
      this.failed = this.strings?.imageFailed ?? '';
    }
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Opens the image full size; the browser keeps focus inside until it closes. */
  private async show(): Promise<void> {
    this.large = true;
    const a = this.attachment;
    if (a?.thumbnailUrl !== undefined && !this.full && this.client) {
      fetchAttachment(this.client, a).then((blob) => {
        if (this.attachment?.id !== a.id) return;
        this.full = BlobImage.of(blob);
      }, () => {});
    }
    await this.updateComplete;
    this.dialog?.showModal();
  }

  /** Closed by Escape, "Stäng" or a click beside the image: focus goes back to the thumbnail. */
  private closed(): void {
    this.large = false;
    this.renderRoot.querySelector<HTMLButtonElement>('.thumb')?.focus();
  }

  private backdrop(e: MouseEvent): void {
    if (e.target === this.dialog) this.dialog?.close();
  }

  override render() {
    const a = this.attachment;
    const t = this.strings;
    if (!a || !t) return nothing;
    if (!this.isImage) {
      return html`<button part="button" @click=${this.open}>${t.openFile(a.filename)} (PDF, ${fileSize(a.size, this.locale)})</button>${this.failed
          ? html` <span class="error">${this.failed}</span>`
          : nothing}`;
    }
    if (this.image) {
      return html`<button class="thumb" type="button" aria-haspopup="dialog" @click=${this.show}>${renderImage(this.image, this.alt)}</button>
        <dialog aria-label=${this.alt} @close=${this.closed} @click=${this.backdrop}>
          ${this.large
            ? html`<div class="bar">
                  ${renderDownload(this.full ?? this.image, a.filename, t.download(a.filename))}
                  <button type="button" part="button" @click=${() => this.dialog?.close()}>${t.close}</button>
                </div>
                ${renderImage(this.full ?? this.image, this.alt)}`
            : nothing}
        </dialog>`;
    }
    return html`<span class="ph ${this.failed ? 'error' : ''}" role="img" aria-label=${this.failed ? `${this.alt}: ${this.failed}` : `${this.alt}: ${t.imageLoading}`}
      >${this.failed || t.imageLoading}</span
    >`;
  }
}

customElements.get('schoolhub-attachment') ?? customElements.define('schoolhub-attachment', SchoolhubAttachment);

declare global {
  interface HTMLElementTagNameMap {
    'schoolhub-attachment': SchoolhubAttachment;
  }
}
