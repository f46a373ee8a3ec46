// The one place in the widgets that binds an image `src` (widgets/security.test.ts should name
// it next to ui/anchor.ts): a BlobImage, which only `BlobImage.of` makes, from a Blob whose
// type is one of the image types the hub accepts and checks by their bytes. Its URL is always
// a blob: URL of this page (URL.createObjectURL), never a string from the hub or a user, so
// nothing a user writes can become an image address. Whoever makes one revokes it.
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
