// What a file is, by its first bytes (never by its name or the type the client declares).
// Only the types preschool documentation needs: images a browser shows and PDF documents.
// SVG (script inside) and HTML are refused by not being here.

export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The type the bytes are, or undefined when they are none of ATTACHMENT_TYPES. */
export function sniff(bytes: Uint8Array): AttachmentType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  // RIFF, four bytes of size, WEBP.
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  return undefined;
}

/** The declared Content-Type as one of ours (parameters dropped, case folded), or undefined. */
export function declaredType(header: string): AttachmentType | undefined {
  const t = header.split(';')[0]!.trim().toLowerCase();
  // image/jpg is a common misnaming of image/jpeg.
  const normal = t === 'image/jpg' ? 'image/jpeg' : t;
  return (ATTACHMENT_TYPES as readonly string[]).includes(normal) ? (normal as AttachmentType) : undefined;
}
