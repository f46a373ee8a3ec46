// Uploads the files of a documentation form (POST /api/v1/attachments), one by one, saying
// which is on its way. Files already uploaded are remembered, so that a retry after a failure
// does not send them again. A host that leaves the page stops the upload in flight.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HubClient } from '../client/client.ts';
import { AttachmentError, uploadAttachment } from '../client/attachments.ts';
import type { Attachment } from '../client/development-protocol.ts';
import type { DevStrings } from './development-i18n.ts';

export interface UploadHost extends ReactiveControllerHost {
  readonly d: DevStrings;
}

export class UploadController implements ReactiveController {
  /** Which file is on its way ("Laddar upp fil 1 av 2…"); '' when none. */
  progress = '';
  /** Uploaded files by name, size and time: a retry re-uses them. */
  private readonly done = new Map<string, Attachment>();
  /** Each upload's number: only the latest reports its progress (an older one may still finish). */
  private runs = 0;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly host: UploadHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    for (const a of this.inFlight) a.abort();
  }

  /**
   * Uploads the files not uploaded yet and returns every file's attachment id, in order. A file
   * the hub refuses for its type or size rejects with its name and the hub's reason.
   */
  async upload(client: HubClient, files: File[]): Promise<string[]> {
    const d = this.host.d;
    const run = ++this.runs;
    const aborter = new AbortController();
    this.inFlight.add(aborter);
    const ids: string[] = [];
    try {
      for (const [i, f] of files.entries()) {
        const key = `${f.name}|${f.size}|${f.lastModified}`;
        let a = this.done.get(key);
        if (!a) {
          if (run === this.runs) this.report(d.uploading(i + 1, files.length));
          a = await uploadAttachment(client, f, aborter.signal).catch((err: unknown) => {
            // Say which file, in the page's language (the hub's reason is English).
            if (err instanceof AttachmentError && (err.status === 413 || err.status === 415)) throw new Error(d.badFile(f.name));
            throw err;
          });
          this.done.set(key, a);
        }
        ids.push(a.id);
      }
      return ids;
    } finally {
      this.inFlight.delete(aborter);
      if (run === this.runs) this.report('');
    }
  }

  /** The uploads belong to what was saved (or given up): the next form starts afresh. */
  forget(): void {
    this.runs++;
    this.done.clear();
    this.report('');
  }

  private report(progress: string): void {
    this.progress = progress;
    this.host.requestUpdate();
  }
}
