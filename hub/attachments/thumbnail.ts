// An image's thumbnail, made once when it is uploaded (sharp: libvips, prebuilt for this
// platform in its npm package, nothing downloaded at install). What the widgets show inline; the
// full image opens on request. WebP, at most 320 px on its longer side, turned upright by its
// EXIF orientation (which the thumbnail then no longer carries), the first frame of a GIF.
import sharp from 'sharp';

export const THUMBNAIL = { side: 320, quality: 72 } as const;

/**
 * Pixels an upload may have (width × height): a 10 MiB file can declare a gigapixel image that
 * would take gigabytes to decode. 50 megapixels is beyond any phone camera.
 */
const MAX_PIXELS = 50_000_000;

export interface Thumbnail {
  bytes: Buffer;
  /** The original's size, upright. */
  width: number;
  height: number;
}

/** Undefined when the bytes (which passed the type sniff) are not an image libvips can read. */
export async function makeThumbnail(image: Buffer): Promise<Thumbnail | undefined> {
  try {
    const source = sharp(image, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    const meta = await source.metadata();
    // Orientations 5–8 are quarter turns: the upright image is the other way round.
    const turned = (meta.orientation ?? 1) >= 5;
    const width = (turned ? meta.height : meta.width) ?? 0;
    const height = (turned ? meta.width : meta.height) ?? 0;
    const bytes = await source
      .rotate()
      .resize(THUMBNAIL.side, THUMBNAIL.side, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: THUMBNAIL.quality })
      .toBuffer();
    return { bytes, width, height };
  } catch {
    return undefined;
  }
}
