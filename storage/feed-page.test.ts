// The feed's page (storage/feed.ts feedPage) reads in one of two ways: among the newest items
// by their time index, or by the keys' index. Whichever it takes, paging through it gives
// every item the reader's keys meet, newest first, each once: for a reader who may see much,
// one whose items are rare among the others', and one between.
import { describe, expect, it } from 'vitest';
import { withFreshPool } from './test-database.ts';
import type { Sql } from './pool.ts';
import { migrate } from './migrate.ts';
import { feedPage } from './feed.ts';
import { MANY_KEYS, PAGE_WALK } from './rows.ts';

/** One item in RARE is the rare reader's: ~10 among the newest PAGE_WALK, ~30 in all. */
const RARE = Math.floor(PAGE_WALK / 10) - 1;

let sql: Sql;
withFreshPool(4, async (pool) => {
  sql = pool;
  await migrate(pool);
  // 3 × PAGE_WALK posts and a mailing every fifth, a second apart, newest first by number; every
  // seventh item shares its time with the one before, so the id decides between them.
  const t0 = Date.parse('2026-12-01T08:00:00.000Z');
  const n = 3 * PAGE_WALK;
  const at = (i: number) => new Date(t0 - (i - (i % 7 === 0 ? 1 : 0)) * 1000).toISOString();
  const keysOf = (i: number) => [i % RARE === 0 ? 'g:rare' : 'g:other', ...(i % 11 === 0 ? ['g:some'] : [])];
  const posts = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 0);
  const mailings = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 === 0);
  await pool`
    insert into posts (id, school_id, author_id, title, body, audience, keys, client_key, created_at)
    select 'post-' || i, 's-1', 'p-author', 'Post ' || i, '…', '{}'::jsonb, k, 'k' || i, t::timestamptz
    from unnest(${posts}::int[], ${posts.map(at)}::text[], ${posts.map((i) => `{${keysOf(i).join(',')}}`)}::text[]) as x(i, t, kk),
         lateral (select kk::text[] as k) y`;
  await pool`
    insert into mailings (id, district_id, school_ids, author_id, title, body, recipients, keys, client_key, created_at)
    select 'mailing-' || i, 'd-1', '{s-1}', 'p-hoo', 'Mailing ' || i, '…', '{}'::jsonb, k, 'k' || i, t::timestamptz
    from unnest(${mailings}::int[], ${mailings.map(at)}::text[], ${mailings.map((i) => `{${keysOf(i).join(',')}}`)}::text[]) as x(i, t, kk),
         lateral (select kk::text[] as k) y`;
  await pool`insert into feed_reads (person_id, item_id) values ('p-reader', ${`post-${RARE}`}), ('p-reader', 'mailing-0')`;
});

/** Every item `keys` meet, newest first, as the tables hold them. */
async function expected(keys: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from (select id, created_at from posts where keys && ${keys}::text[]
                    union all select id, created_at from mailings where keys && ${keys}::text[]) u
    order by created_at desc, id desc`;
  return rows.map((r) => r.id);
}

/** Pages through the feed `limit` at a time, as a client does with the last item's time and id. */
async function pageThrough(keys: string[], limit: number): Promise<{ ids: string[]; read: string[] }> {
  const ids: string[] = [];
  const read: string[] = [];
  let before: { at: string; id: string } | undefined;
  for (let page = 0; page < 1_000; page++) {
    const items = await feedPage(sql, 'p-reader', keys, limit, before);
    ids.push(...items.map((x) => x.id));
    read.push(...items.filter((x) => x.read).map((x) => x.id));
    if (items.length < limit) break;
    const last = items[items.length - 1]!;
    before = { at: last.createdAt, id: last.id };
  }
  return { ids, read };
}

describe('the feed page', () => {
  it('a reader who may see nearly everything: each page among the newest items', async () => {
    const keys = ['g:other', 'g:rare'];
    const want = await expected(keys);
    expect(want.length).toBe(3 * PAGE_WALK);
    const got = await pageThrough(keys, 20);
    expect(got.ids).toEqual(want);
    expect(got.read.sort()).toEqual(['mailing-0', `post-${RARE}`]);
  });

  it('a reader whose items are rare among the others\': by the keys\' index, the same order', async () => {
    const want = await expected(['g:rare']);
    // More than a page in all, fewer among the newest PAGE_WALK: the walk cannot fill a page.
    expect(want.length).toBeGreaterThan(20);
    expect(PAGE_WALK / RARE).toBeLessThan(20);
    for (const limit of [5, 20]) expect((await pageThrough(['g:rare'], limit)).ids).toEqual(want);
    expect((await pageThrough(['g:rare'], 20)).read.sort()).toEqual(['mailing-0', `post-${RARE}`]);
  });

  it('a reader between, and one who may see nothing', async () => {
    for (const keys of [['g:some'], ['g:some', 'g:rare']]) {
      const want = await expected(keys);
      expect((await pageThrough(keys, 20)).ids).toEqual(want);
      expect((await pageThrough(keys, 50)).ids).toEqual(want);
    }
    expect(await feedPage(sql, 'p-reader', ['g:none'], 20)).toEqual([]);
  });

  it('a reader of many keys (staff) pages the same', async () => {
    const keys = ['g:some', ...Array.from({ length: MANY_KEYS }, (_, i) => `st:${i}`)];
    expect((await pageThrough(keys, 20)).ids).toEqual(await expected(['g:some']));
    const all = ['g:other', 'g:rare', ...keys];
    expect((await pageThrough(all, 100)).ids).toEqual(await expected(all));
  });

  it('a page keeps what each kind carries', async () => {
    const [mailing, post] = await feedPage(sql, 'p-reader', ['g:other', 'g:rare'], 2);
    expect(mailing).toMatchObject({ kind: 'mailing', id: 'mailing-0', districtId: 'd-1', schoolIds: ['s-1'], title: 'Mailing 0', read: true });
    expect(post).toMatchObject({ kind: 'post', id: 'post-1', schoolId: 's-1', title: 'Post 1', files: [], urgent: false, read: false });
  });
});
