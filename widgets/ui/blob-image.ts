// The one place in the widgets that binds an image `src`, and the one besides ui/anchor.ts that
// binds an `href` (a download of the image; widgets/security.test.ts checks both): a BlobImage,
// which only `BlobImage.of` makes, from a Blob whose type is one of the image types the hub
// accepts and checks by their bytes. Its URL is always a blob: URL of this page
// (URL.createObjectURL), never a string from the hub or a user, so nothing a user writes can
// become an image or download address. Whoever makes one revokes it.
import { html, type TemplateResult } from 'lit';
import { IMAGE_TYPES } from '../client/attachments.ts';

export class BlobImage {
  private constructor(readonly url: string) {}

  /** An object URL for an image blob; undefined for anything that is not an accepted image type. */
  static of(blob: Blob): BlobImage | undefined {
    if (!IMAGE_TYPES.includes(blob.type)) return undefined;
    const url = URL.createObjectURL(blob);
    return url.startsWith('blob:') ? new BlobImage(url) : undefined;
  }

  revoke(): void {
    URL.revokeObjectURL(this.url);
  }
}

/** An <img> of a BlobImage with its alternative text. */
export function renderImage(image: BlobImage, alt: string): TemplateResult {
  return html`<img src=${image.url} alt=${alt} part="image" decoding="async" />`;
}

/** A link that saves a BlobImage under `filename` (the name it was uploaded with). */
export function renderDownload(image: BlobImage, filename: string, text: string): TemplateResult {
  return html`<a href=${image.url} download=${filename} part="button">${text}</a>`;
}
