// An upload counts its uploader's unlinked uploads (the per-person quota), and retention looks
// for the day-old ones: both by the attachments_unlinked index (migration 023), never by every
// attachment the person or the district ever kept. Counted as storage/exports-by-person.test.ts does.
import { describe, expect, it } from 'vitest';
import { withCountedReads } from './test-database.ts';
import type { Sql } from './pool.ts';
import { expireUnlinkedAttachmentBatch, pendingUploadsOf } from './documentation.ts';

const LINKED = 20_000;

let sql: Sql;
const readBy = withCountedReads(async (pool) => {
  sql = pool;
  // Years of one teacher's photos in their posts; and three uploads not yet used, one a day old.
  await sql`
    insert into posts (id, school_id, author_id, title, body, audience, keys, client_key)
    select 'po' || n, 'sc', 'p-teacher', 't', 'b', '{}'::jsonb, '{}', 'k' || n from generate_series(1, 100) n`;
  await sql`
    insert into attachments (id, owner_id, content_type, size, filename, sha256, post_id, created_at)
    select 'a' || n, 'p-teacher', 'image/jpeg', 1000, 'f.jpg', 'x', 'po' || (1 + n % 100), now() - interval '2 days' from generate_series(1, ${LINKED}) n`;
  await sql`
    insert into attachments (id, owner_id, content_type, size, filename, sha256, created_at)
    values ('u1', 'p-teacher', 'image/jpeg', 10, 'f.jpg', 'x', now()), ('u2', 'p-teacher', 'image/jpeg', 20, 'f.jpg', 'x', now()),
           ('u3', 'p-teacher', 'image/jpeg', 30, 'f.jpg', 'x', now() - interval '2 days'), ('u4', 'p-other', 'image/jpeg', 40, 'f.jpg', 'x', now())`;
  await sql`vacuum analyze attachments`;
}, 60_000);

describe('uploads not yet used', () => {
  it("count the uploader's own by an index", async () => {
    expect(await pendingUploadsOf(sql, 'p-teacher')).toEqual({ files: 3, bytes: 60 });
    expect(await readBy('attachments', () => pendingUploadsOf(sql, 'p-teacher'))).toBeLessThan(LINKED / 100);
  });

  it('are found by retention by an index, and only the day-old ones go', async () => {
    const noHolds = { items: [], persons: [], personKeys: [], conversations: [] };
    const cutoff = new Date(Date.now() - 86_400_000).toISOString();
    const gone = await expireUnlinkedAttachmentBatch(sql, cutoff, noHolds, 100);
    expect(gone).toEqual(['u3']);
    expect(await readBy('attachments', () => expireUnlinkedAttachmentBatch(sql, cutoff, noHolds, 100))).toBeLessThan(LINKED / 100);
    expect(await pendingUploadsOf(sql, 'p-teacher')).toEqual({ files: 2, bytes: 30 });
  });
});
