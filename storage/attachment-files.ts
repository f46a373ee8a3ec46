// The bytes of uploaded attachments, one file per attachment under HUB_DATA_DIR/attachments.
// The file name is the attachment id and nothing else (never the uploader's file name), and
// ids are checked against their shape before they touch a path. A file is written under a
// temporary name and renamed into place, so a reader never sees half of one.
import { mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
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

  private made(): Promise<unknown> {
    return (this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }));
  }

  /** Bytes an unprivileged writer may still use on the folder's file system. */
  async freeBytes(): Promise<number> {
    await this.made();
    const s = await statfs(this.dir);
    return s.bavail * s.bsize;
  }

  async save(id: string, bytes: Uint8Array): Promise<void> {
    const target = this.file(id);
    await this.made();
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

  /**
   * Names of files last written before `before`: attachment files (by id) and temporary
   * `.part` files left by an interrupted upload. For the retention job's sweep of files whose
   * row is gone (a node that stopped between deleting a row and its file).
   */
  async olderThan(before: Date): Promise<{ ids: string[]; parts: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return { ids: [], parts: [] };
      throw e;
    }
    const out = { ids: [] as string[], parts: [] as string[] };
    for (const name of names) {
      const isId = ATTACHMENT_ID.test(name);
      const isPart = !isId && /^att_[A-Za-z0-9_-]{22}\.[0-9a-f]{8}\.part$/.test(name);
      if (!isId && !isPart) continue;
      const s = await stat(path.join(this.dir, name)).catch(() => undefined);
      if (!s || s.mtime >= before) continue;
      (isId ? out.ids : out.parts).push(name);
    }
    return out;
  }

  /** Removes a temporary file named by `olderThan`. */
  async removePart(name: string): Promise<void> {
    if (!/^att_[A-Za-z0-9_-]{22}\.[0-9a-f]{8}\.part$/.test(name)) throw new Error(`not a temporary attachment file: ${name}`);
    await rm(path.join(this.dir, name), { force: true });
  }
}
