// Every list read by keys (storage/rows.ts pageByKeys: plans and assignments, conferences,
// feedback, assessments, forms, preschool documentation) reads in one of two ways: among the
// newest rows by their time index, or by the keys' index or a filter's. Whichever it takes,
// paging through it gives every row the reader's keys and filters meet, newest first, each once.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { itemsPage } from './items.ts';
import { feedbackPage } from './development.ts';
import { documentationPage } from './documentation.ts';
import { MANY_KEYS, PAGE_WALK, type PageBefore } from './rows.ts';

/** One row in RARE is the rare reader's: ~10 among the newest PAGE_WALK, ~30 in all. */
const RARE = Math.floor(PAGE_WALK / 10) - 1;
const N = 3 * PAGE_WALK;

let sql: Sql;
withFreshPool(4, async (pool) => {
  sql = pool;
  await migrate(pool);
  // N rows of each table, a second apart, newest first by number; every seventh shares its time
  // with the one before, so the id decides between them. Every third is in group g-3, the rest in g-0.
  const t0 = Date.parse('2026-12-01T08:00:00.000Z');
  const rows = Array.from({ length: N }, (_, i) => ({
    i,
    at: new Date(t0 - (i - (i % 7 === 0 ? 1 : 0)) * 1000).toISOString(),
    keys: `{${[i % RARE === 0 ? 'k:rare' : 'k:other', ...(i % 11 === 0 ? ['k:some'] : [])].join(',')}}`,
    group: i % 3 === 0 ? 'g-3' : 'g-0',
    kind: i % 2 === 0 ? 'plan' : 'assignment',
  }));
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  await pool`
    insert into items (id, kind, school_id, group_id, author_id, title, state, keys, client_key, created_at)
    select 'item-' || i, kind, 's-1', g, 'p-teacher', 'Item ' || i, 'published', kk::text[], 'k' || i, t::timestamptz
    from unnest(${col('i')}::int[], ${col('kind')}::text[], ${col('group')}::text[], ${col('at')}::text[], ${col('keys')}::text[]) as x(i, kind, g, t, kk)`;
  await pool`
    insert into feedback (id, item_id, school_id, group_id, student_id, author_id, body, state, keys, client_key, created_at)
    select 'fb-' || i, 'item-' || i, 's-1', g, 'p-student-' || (i % 4), 'p-teacher', 'Feedback ' || i, 'published', kk::text[], 'k' || i, t::timestamptz
    from unnest(${col('i')}::int[], ${col('group')}::text[], ${col('at')}::text[], ${col('keys')}::text[]) as x(i, g, t, kk)`;
  await pool`
    insert into documentation (id, school_id, group_id, author_id, title, body, child_ids, whole_group, keys, client_key, created_at)
    select 'doc-' || i, 's-1', g, 'p-teacher', 'Doc ' || i, '…', array['p-child-' || (i % 5)], false, kk::text[], 'k' || i, t::timestamptz
    from unnest(${col('i')}::int[], ${col('group')}::text[], ${col('at')}::text[], ${col('keys')}::text[]) as x(i, g, t, kk)`;
  await pool`analyze items, feedback, documentation`;
});

/** Every row of `table` that `keys` and `where` meet, newest first, as the table holds them. */
async function expected(table: string, keys: string[], where = sql`true`): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from ${sql(table)} where keys && ${keys}::text[] and ${where} order by created_at desc, id desc`;
  return rows.map((r) => r.id);
}

/** Pages through a list `limit` at a time, as a client does with the last row's time and id. */
async function pageThrough(page: (limit: number, before?: PageBefore) => Promise<{ id: string; createdAt: string }[]>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let before: PageBefore | undefined;
  for (let n = 0; n < 1_000; n++) {
    const rows = await page(limit, before);
    ids.push(...rows.map((x) => x.id));
    if (rows.length < limit) break;
    const last = rows[rows.length - 1]!;
    before = { at: last.createdAt, id: last.id };
  }
  return ids;
}

const items = (keys: string[], filter: { groupId?: string; kind?: 'plan' | 'assignment' } = {}) =>
  (limit: number, before?: PageBefore) => itemsPage(sql, keys, limit, filter, before);
const feedback = (keys: string[], filter: { studentIds?: string[]; groupId?: string } = {}) =>
  (limit: number, before?: PageBefore) => feedbackPage(sql, keys, filter, limit, before);
const documentation = (keys: string[], filter: { childIds?: string[]; groupId?: string } = {}) =>
  (limit: number, before?: PageBefore) => documentationPage(sql, keys, filter, limit, before);

describe('a page read by keys', () => {
  it('a reader who may see nearly everything: each page among the newest rows', async () => {
    const keys = ['k:other', 'k:rare'];
    expect(await expected('items', keys)).toHaveLength(N);
    expect(await pageThrough(items(keys), 20)).toEqual(await expected('items', keys));
    expect(await pageThrough(feedback(keys), 20)).toEqual(await expected('feedback', keys));
    expect(await pageThrough(documentation(keys), 20)).toEqual(await expected('documentation', keys));
  });

  it('a reader whose rows are rare among the others\': by the keys\' index, the same order', async () => {
    const want = await expected('items', ['k:rare']);
    // More than a page in all, fewer among the newest PAGE_WALK: the walk cannot fill a page.
    expect(want.length).toBeGreaterThan(20);
    expect(PAGE_WALK / RARE).toBeLessThan(20);
    for (const limit of [5, 20]) expect(await pageThrough(items(['k:rare']), limit)).toEqual(want);
    expect(await pageThrough(feedback(['k:rare']), 20)).toEqual(await expected('feedback', ['k:rare']));
    expect(await pageThrough(documentation(['k:rare']), 7)).toEqual(await expected('documentation', ['k:rare']));
  });

  it('a reader between, one who may see nothing (or holds no key), and one of many keys (staff)', async () => {
    for (const keys of [['k:some'], ['k:some', 'k:rare']]) {
      expect(await pageThrough(items(keys), 20)).toEqual(await expected('items', keys));
      expect(await pageThrough(feedback(keys), 50)).toEqual(await expected('feedback', keys));
    }
    for (const keys of [[], ['k:none']]) {
      expect(await itemsPage(sql, keys, 20, {})).toEqual([]);
      expect(await feedbackPage(sql, keys, { groupId: 'g-3' }, 20)).toEqual([]);
      expect(await documentationPage(sql, keys, {}, 20)).toEqual([]);
    }
    const staff = ['k:some', ...Array.from({ length: MANY_KEYS + 10 }, (_, i) => `ct:p-${i}`)];
    expect(await pageThrough(items(staff), 20)).toEqual(await expected('items', ['k:some']));
    expect(await pageThrough(feedback(staff), 20)).toEqual(await expected('feedback', ['k:some']));
  });

  it('a filter that leaves many rows (an item\'s kind) and one that names few (a group, a student, a child)', async () => {
    const all = ['k:other', 'k:rare'];
    expect(await pageThrough(items(all, { kind: 'plan' }), 20)).toEqual(await expected('items', all, sql`kind = 'plan'`));
    expect(await pageThrough(items(['k:rare'], { kind: 'assignment' }), 6)).toEqual(await expected('items', ['k:rare'], sql`kind = 'assignment'`));
    expect(await pageThrough(items(all, { groupId: 'g-3' }), 20)).toEqual(await expected('items', all, sql`group_id = 'g-3'`));
    expect(await pageThrough(items(['k:some'], { groupId: 'g-0', kind: 'plan' }), 5))
      .toEqual(await expected('items', ['k:some'], sql`group_id = 'g-0' and kind = 'plan'`));
    expect(await pageThrough(feedback(all, { studentIds: ['p-student-1', 'p-student-2'] }), 20))
      .toEqual(await expected('feedback', all, sql`student_id in ('p-student-1', 'p-student-2')`));
    expect(await pageThrough(feedback(['k:rare'], { groupId: 'g-3' }), 4)).toEqual(await expected('feedback', ['k:rare'], sql`group_id = 'g-3'`));
    expect(await pageThrough(documentation(all, { childIds: ['p-child-2'] }), 20))
      .toEqual(await expected('documentation', all, sql`child_ids && '{p-child-2}'`));
    expect(await pageThrough(documentation(['k:some'], { groupId: 'g-3', childIds: ['p-child-0', 'p-child-3'] }), 3))
      .toEqual(await expected('documentation', ['k:some'], sql`group_id = 'g-3' and child_ids && '{p-child-0,p-child-3}'`));
  });

  it('a page keeps what each list shows of its rows (feedback its item\'s kind and title)', async () => {
    const [a, b] = await feedbackPage(sql, ['k:other', 'k:rare'], {}, 2);
    expect(a).toMatchObject({ id: 'fb-0', itemId: 'item-0', itemKind: 'plan', itemTitle: 'Item 0', studentId: 'p-student-0', body: 'Feedback 0' });
    expect(b).toMatchObject({ id: 'fb-1', itemId: 'item-1', itemKind: 'assignment', itemTitle: 'Item 1', studentId: 'p-student-1' });
    const rare = await feedbackPage(sql, ['k:rare'], {}, 2);
    expect(rare).toMatchObject([{ id: 'fb-0', itemKind: 'plan' }, { id: `fb-${RARE}`, itemKind: RARE % 2 === 0 ? 'plan' : 'assignment', itemTitle: `Item ${RARE}` }]);
    const [item] = await itemsPage(sql, ['k:rare'], 1, {});
    expect(item).toMatchObject({ id: 'item-0', kind: 'plan', groupId: 'g-3', title: 'Item 0', state: 'published' });
  });
});
