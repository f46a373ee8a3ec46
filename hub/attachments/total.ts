// All attachments' bytes, for HUB_ATTACHMENTS_MAX_BYTES. Summing them is a scan of the
// attachments table (170 ms at a million rows: loadtest/RESULTS.md, "An upload without a scan
// of every attachment"), so a node reads the sum at most once every MAX_AGE_MS and adds what
// it stores itself meanwhile. Another node's uploads and any deletion show at the next read:
// the bound may be passed by what the other nodes store within that time, and a file deleted
// makes room only then. It guards a disk of many gigabytes, not an exact quota.
import { attachmentsTotalBytes } from '../../storage/documentation.ts';
import type { Sql } from '../../storage/pool.ts';

export const MAX_AGE_MS = 10_000;

export class AttachmentTotal {
  private read: { bytes: number; at: number } | undefined;
  private reading: Promise<void> | undefined;
  /** Bytes this node stored since the last read began (they may or may not be in it: counted again until the next). */
  private since = 0;

  constructor(private readonly sql: Sql, private readonly maxAgeMs = MAX_AGE_MS) {}

  async bytes(): Promise<number> {
    const fresh = this.read && Date.now() - this.read.at < this.maxAgeMs;
    if (!fresh) {
      // One read at a time: uploads arriving meanwhile wait for it.
      this.reading ??= (async () => {
        const at = Date.now();
        const since = this.since;
        try {
          this.read = { bytes: await attachmentsTotalBytes(this.sql), at };
          this.since -= since;
        } finally {
          this.reading = undefined;
        }
      })();
      await this.reading;
    }
    return this.read!.bytes + this.since;
  }

  /** A file this node stored (after its row was inserted). */
  added(bytes: number): void {
    this.since += bytes;
  }
}
