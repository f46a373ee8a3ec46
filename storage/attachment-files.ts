// The bytes of uploaded attachments, one file per attachment under HUB_DATA_DIR/attachments.
// The file name is the attachment id and nothing else (never the uploader's file name), and
// ids are checked against their shape before they touch a path. A file is written under a
// temporary name and renamed into place, so a reader never sees half of one.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** `att_` and 128 random bits: unguessable, so an id cannot be probed (docs/PROTOCOL.md §8). */
export const ATTACHMENT_ID = /^att_[A-Za-z0-9_-]{22}$/;

export function newAttachmentId(): string {
  return `att_${randomBytes(16).toString('base64url')}`;
}

export class AttachmentFiles {
  private ready: Promise<unknown> | undefined;

  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ATTACHMENT_ID.test(id)) throw new Error(`not an attachment id: ${id}`);
    return path.join(this.dir, id);
  }

  async save(id: string, bytes: Uint8Array): Promise<void> {
    const target = this.file(id);
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    const temp = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      await writeFile(temp, bytes, { mode: 0o600, flag: 'wx', flush: true });
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  /** The bytes, or undefined when the file is gone. */
  async read(id: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(id));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }
}
