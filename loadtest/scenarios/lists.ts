// The lists a person reads, on a district's tables (loadtest/RESULTS.md, "Every read by keys"):
// a database filled in PostgreSQL itself (generate_series) with plans, feedback, posts,
// mailings, conversations and messages, then each storage function called as the hub calls it
// (a pool connection, prepared statements: five custom plans, then the generic one if
// PostgreSQL takes it) for four readers. The reference, in the same run: a page of 20 plans by
// their primary key, the cheapest read a page can be.
import { openPool, type Sql } from '../../storage/pool.ts';
import { migrate } from '../../storage/migrate.ts';
import { itemsPage } from '../../storage/items.ts';
import { feedbackPage } from '../../storage/development.ts';
import { feedPage } from '../../storage/feed.ts';
import { inboxPage, searchMessages, unreadTotal } from '../../storage/chat.ts';

export interface ListsParams {
  /** Plans, feedback rows and posts each; conversations are 1.24 and messages 1.12 times as many. */
  rows: number;
  /** Calls per list and reader. */
  calls: number;
}

export interface ListTiming {
  list: string;
  reader: string;
  /** Rows the last call returned. */
  rows: number;
  medianMs: number;
  maxMs: number;
  /** medianMs over the reference's median. */
  ratio: number;
}

export interface ListsResult {
  params: ListsParams;
  fillSeconds: number;
  referenceMedianMs: number;
  timings: ListTiming[];
}

/** The district's shape: 1,000 schools of 60 groups at 500,000 rows, fewer below. */
function shape(rows: number) {
  const schools = Math.max(10, Math.round(rows / 500));
  const groups = schools * 60;
  const students = schools * 100;
  return { schools, groups, students };
}

async function fill(sql: Sql, rows: number): Promise<void> {
  const { schools, groups, students } = shape(rows);
  const conversations = Math.round(rows * 0.8);
  const audiences = Math.round(rows * 0.24);
  // Spread over a year, the same in every run.
  const year = (v = 'n') => `now() - (((${v}::bigint * 7919) % 525600) * interval '1 minute')`;
  await sql.unsafe(`
    insert into items (id, kind, school_id, group_id, author_id, title, state, keys, client_key, created_at)
    select 'i' || n, case when n % 2 = 0 then 'plan' else 'assignment' end, 'sc' || (n % ${schools}), 'g' || (n % ${groups}), 'a' || (n % ${groups}),
      't', 'published', array['go:g' || (n % ${groups}), 'gs:g' || (n % ${groups}), 'gg:g' || (n % ${groups}), 'adm:sc' || (n % ${schools})],
      'k' || n, ${year()}
    from generate_series(1, ${rows}) n`);
  await sql.unsafe(`
    insert into feedback (id, item_id, school_id, group_id, student_id, author_id, body, state, keys, client_key, created_at)
    select 'f' || n, 'i' || n, 'sc' || (n % ${schools}), 'g' || (n % ${groups}), 's' || (n % ${students}), 'a', 'b', 'published',
      array['go:g' || (n % ${groups}), 'p:s' || (n % ${students}), 'cg:s' || (n % ${students}), 'cm:s' || (n % ${students}),
            'ct:s' || (n % ${students}), 'rd:sc' || (n % ${schools}), 'adm:sc' || (n % ${schools})],
      'k' || n, ${year()}
    from generate_series(1, ${rows}) n`);
  await sql.unsafe(`
    insert into posts (id, school_id, author_id, title, body, audience, keys, client_key, created_at)
    select 'po' || n, 'sc' || (n % ${schools}), 'a', 't', 'b', '{}'::jsonb,
      array['go:g' || (n % ${groups}), 'gs:g' || (n % ${groups}), 'gg:g' || (n % ${groups}), 'adm:sc' || (n % ${schools})],
      'k' || n, ${year()}
    from generate_series(1, ${rows}) n`);
  await sql.unsafe(`
    insert into mailings (id, district_id, school_ids, author_id, title, body, recipients, keys, client_key, created_at)
    select 'ma' || n, 'd1', '{sc1}', 'hoo', 't', 'b', '{}'::jsonb, array['sg:sc' || (n % ${schools})], 'mk' || n, ${year()}
    from generate_series(1, ${Math.max(10, Math.round(rows / 1000))}) n`);
  // Between two people (no keys, two read marks), of groups and of conferences (keys).
  await sql.unsafe(`
    insert into conversations (id, creator_id, client_key, direct_key, last_seq, last_message_at)
    select 'd' || n, 'p' || n, 'k' || n, 'p' || n || '|q' || n, 2, ${year()} from generate_series(1, ${conversations}) n`);
  await sql.unsafe(`
    insert into conversation_members (conversation_id, person_id, read_seq)
    select 'd' || n, w || n, 1 from generate_series(1, ${conversations}) n, unnest(array['p', 'q']) w`);
  await sql.unsafe(`
    insert into conversations (id, creator_id, client_key, audience, keys, last_seq, last_message_at)
    select 'ga' || n, 'a', 'ka' || n, '{"kind":"group"}',
      array['go:g' || (n % ${groups}), case when n % 2 = 0 then 'gs:g' else 'gg:g' end || (n % ${groups})], 3, ${year()}
    from generate_series(1, ${audiences}) n`);
  await sql.unsafe(`
    insert into conversations (id, creator_id, client_key, audience, keys, last_seq, last_message_at)
    select 'cf' || n, 'a', 'kc' || n, '{"kind":"conference"}',
      array['p:m' || (n % 5000), 'gm:g' || (n % ${groups}) || ':s' || (n % ${students})], 0, ${year()}
    from generate_series(1, ${Math.round(rows * 0.2)}) n`);
  // Messages: three in each group conversation, two in some of the others; a tenth say "utflykt".
  await sql.unsafe(`
    insert into messages (conversation_id, seq, id, sender_id, body, client_key, created_at)
    select 'ga' || c, s, 'm' || c || '_' || s, 'a',
      (array['hej', 'läxa', 'matte', 'utflykt', 'imorgon', 'svenska', 'idrott', 'lunch', 'möte', 'skola'])[1 + (c * 7 + s * 3) % 10] || ' w' || (c % 5000),
      'k' || c || '_' || s, ${year('c')}
    from generate_series(1, ${audiences}) c, generate_series(1, 3) s`);
  await sql.unsafe(`
    insert into messages (conversation_id, seq, id, sender_id, body, client_key, created_at)
    select 'd' || c, s, 'md' || c || '_' || s, 'p' || c, (array['hej', 'läxa', 'matte', 'utflykt', 'imorgon'])[1 + (c + s) % 5], 'kd' || c || '_' || s,
      ${year('c')}
    from generate_series(1, ${Math.round(conversations / 4)}) c, generate_series(1, 2) s`);
  // What autovacuum would have done by the time anyone reads (and the GIN pending lists the hub moves).
  await sql.unsafe('vacuum analyze');
}

/** Four readers: their read keys, and the person id the inbox and search read as. */
function readers(rows: number): Record<string, { person: string; keys: string[] }> {
  const { schools, groups, students } = shape(rows);
  const g = (i: number) => `g${(i * 997) % groups}`;
  const s = (i: number) => `s${(i * 37) % students}`;
  const teacher = [
    ...Array.from({ length: 7 }, (_, i) => `go:${g(i + 1)}`),
    ...Array.from({ length: 200 }, (_, i) => `ct:${s(i)}`),
    'p:t1',
  ];
  return {
    'guardian, 6 keys': { person: 'p1', keys: ['p:gu1', `cg:${s(333)}`, `gg:${g(11)}`, `gg:${g(12)}`, `gg:${g(13)}`, 'gs:none'] },
    'teacher, 208 keys': { person: 'p1', keys: teacher },
    'teacher, 608 keys': { person: 'p1', keys: [...teacher, ...Array.from({ length: 400 }, (_, i) => `cm:s${(i * 53) % students}`)] },
    'reader of 100 schools': { person: 'p1', keys: Array.from({ length: Math.min(100, schools) }, (_, i) => `adm:sc${i}`) },
  };
}

const LISTS: Record<string, (sql: Sql, person: string, keys: string[], rows: number) => Promise<unknown[]>> = {
  'plans and assignments': (sql, _p, keys) => itemsPage(sql, keys, 20, {}),
  feedback: (sql, _p, keys) => feedbackPage(sql, keys, {}, 20),
  feed: (sql, p, keys) => feedPage(sql, p, keys, 20),
  inbox: (sql, p, keys) => inboxPage(sql, p, keys, 20),
  'unread total': async (sql, p, keys) => [await unreadTotal(sql, p, keys)],
  'search, a common word': (sql, p, keys) => searchMessages(sql, p, keys, ['utflykt'], 20, {}),
  'plans of one group': (sql, _p, keys, rows) => itemsPage(sql, keys, 20, { groupId: `g${(11 * 997) % shape(rows).groups}` }),
};

async function timed(calls: number, read: () => Promise<unknown[]>): Promise<{ rows: number; medianMs: number; maxMs: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    rows = (await read()).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { rows, medianMs: times[Math.floor(calls / 2)]!, maxMs: times[calls - 1]! };
}

/** Fills the (fresh, empty) database at `url` and times every list for every reader. */
export async function measureLists(url: string, params: ListsParams): Promise<ListsResult> {
  const sql = openPool(url, { max: 2 });
  try {
    await migrate(sql);
    const t0 = performance.now();
    await fill(sql, params.rows);
    const fillSeconds = (performance.now() - t0) / 1000;
    const ids = Array.from({ length: 20 }, (_, i) => `i${1 + ((i * 7919) % params.rows)}`);
    const reference = await timed(params.calls, async () => [...(await sql`select * from items where id = any(${ids}::text[])`)]);
    const timings: ListTiming[] = [];
    for (const [list, read] of Object.entries(LISTS)) {
      for (const [reader, r] of Object.entries(readers(params.rows))) {
        const t = await timed(params.calls, () => read(sql, r.person, r.keys, params.rows));
        timings.push({ list, reader, ...t, ratio: t.medianMs / reference.medianMs });
      }
    }
    return { params, fillSeconds, referenceMedianMs: reference.medianMs, timings };
  } finally {
    await sql.end();
  }
}

export function renderLists(r: ListsResult): string {
  const lines = [
    `${r.params.rows.toLocaleString('en')} plans, feedback rows and posts; filled in ${r.fillSeconds.toFixed(0)} s; ` +
      `${r.params.calls} calls each. Reference: 20 plans by primary key, median ${r.referenceMedianMs.toFixed(2)} ms.`,
    '',
    '| list | reader | rows | median ms | slowest ms | × reference |',
    '|---|---|---|---|---|---|',
    ...r.timings.map((t) => `| ${t.list} | ${t.reader} | ${t.rows} | ${t.medianMs.toFixed(1)} | ${t.maxMs.toFixed(1)} | ${t.ratio.toFixed(1)} |`),
  ];
  return lines.join('\n');
}
