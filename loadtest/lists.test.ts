// `npm run bench:lists` (loadtest/scenarios/lists.ts) at a small size: it fills its district,
// and every reader it times reads something, so that its figures are never of empty lists.
// Its times say nothing on a shared test machine; loadtest/RESULTS.md has the real ones.
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../storage/test-database.ts';
import { measureLists, renderLists } from './scenarios/lists.ts';

describe('the lists benchmark', () => {
  it('times every list for every reader, none of them empty but the group another teaches', async () => {
    const db = await freshDatabase();
    try {
      const r = await measureLists(db.url, { rows: 5_000, calls: 2 });
      const lists = new Set(r.timings.map((t) => t.list));
      const readers = new Set(r.timings.map((t) => t.reader));
      expect(lists.size).toBe(7);
      expect(readers.size).toBe(4);
      expect(r.timings).toHaveLength(28);
      for (const t of r.timings) {
        expect(Number.isFinite(t.ratio) && t.ratio > 0).toBe(true);
        // The teachers own none of the group the guardian's child is in; everyone else reads rows.
        if (t.list === 'plans of one group' && t.reader.startsWith('teacher')) continue;
        expect({ list: t.list, reader: t.reader, read: t.rows > 0 }).toEqual({ list: t.list, reader: t.reader, read: true });
      }
      const page = r.timings.filter((t) => t.list === 'plans and assignments').map((t) => t.rows);
      expect(page).toEqual([20, 20, 20, 20]);
      expect(renderLists(r)).toContain('| inbox | teacher, 608 keys |');
    } finally {
      await db.drop();
    }
  }, 120_000);
});
