// What every table's queries share about rows. Column names arrive in camelCase (the pool's
// transform, storage/pool.ts); timestamps arrive as Date and leave storage as ISO strings.
import type postgres from 'postgres';
import type { Db, Tx } from './pool.ts';

export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
export const isoOrNull = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : iso(d));

/** A page's position: rows before (created_at, id), newest first. */
export interface PageBefore {
  at: string;
  id: string;
}

/**
 * Read keys past which `keys && $keys` is slow on any plan but the keys' GIN index: past about
 * 32 keys PostgreSQL stops taking that index, reads rows in some other order, and compares each
 * row's keys with each of the reader's (~7 µs a row at 250 keys; loadtest/RESULTS.md, "A resume
 * storm on k6"). Staff hold one key per student of their groups, so they pass it.
 */
export const MANY_KEYS = 32;

/**
 * How many of a table's newest rows a page read by keys looks through before it reads by the
 * keys' index (pageByKeys; the feed's two tables, storage/feed.ts). A reader who may see much
 * finds a page among them at once; for a reader whose rows are rare it is the cost of a few
 * milliseconds before the second read (loadtest/RESULTS.md, "Every read by keys").
 */
export const PAGE_WALK = 500;

/**
 * The rows of `walk` (a CTE of at most PAGE_WALK rows with `id`, `created_at` and `keys`, and
 * the `carry` columns) that `keys` meet, as a materialized CTE named `met` to follow `walk` in a
 * WITH, a row once per key met: the rows' keys and the reader's joined by a hash of the
 * reader's. `keys && $keys` would compare each row's keys with each of the reader's: 44–86 ms
 * over 500 rows for a teacher of 610 keys, against 2–4 ms so. Materialized, and read on its own
 * (group by), so that the join runs once whatever the plan: as `id in (...)` over the walk, a
 * generic plan that took the walk for one row ran the join once per row (132 ms a page of 1,500
 * rows), and joined back to the walk, compared every row with every match (20 ms);
 * loadtest/RESULTS.md, "Every read by keys".
 */
export function walkedRowsMeeting(db: Db, walk: string, keys: readonly string[], carry: readonly string[] = []): postgres.Fragment {
  const columns = ['id', 'created_at', ...carry].map((c) => `w.${c}`);
  return db`met as materialized (
    select ${db(columns)} from ${db(walk)} w
    cross join unnest(w.keys) as k(key) join unnest(${[...keys]}::text[]) as r(key) on r.key = k.key)`;
}

/**
 * Whether `filters` name few rows (pageByKeys' `narrow`): any filter given, on a column not in
 * `wide` (those whose filter still leaves many rows, such as an item's kind).
 */
export function namesFewRows(filters: Readonly<Record<string, FilterValue>>, wide: readonly string[] = []): boolean {
  return Object.entries(filters).some(([column, value]) => value !== undefined && value !== null && !wide.includes(column));
}

/** What pageByKeys reads: rows of `table` that `keys` may read and that meet `where`. */
export interface KeysPage {
  table: string;
  keys: readonly string[];
  /** A condition on the table's own columns, unqualified; `true` for none. */
  where: () => postgres.Fragment;
  /**
   * Whether `where` names few rows (a group's, a student's): then their own index finds them
   * at once, and looking through the table's newest rows first would only cost (~5 ms for a
   * reader of 210 keys).
   */
  narrow: boolean;
  limit: number;
  before?: PageBefore | undefined;
}

/**
 * A page of the rows `p` names, newest first by (created_at, id), before `p.before`. `select`
 * is handed the `with ... page as (...)` that names the page's ids, and runs the statement that
 * selects their rows, in that order.
 *
 * Two reads, as each is fast for a different reader, and neither is what PostgreSQL picks alone:
 * left to order by created_at under a LIMIT, it walks the time index comparing each row's keys
 * with each of the reader's until it has a page, or (past MANY_KEYS, where it misjudges how
 * many rows the keys meet) scans the whole table so: seconds on a district's tables
 * (loadtest/RESULTS.md, "Every read by keys").
 *
 * - Unless `where` is narrow: the newest PAGE_WALK rows before the cursor, by the time index,
 *   filtered. Only rows newer than every one not looked at can be in the page, so a full page
 *   from them is the page.
 * - Else every row the keys and `where` meet, by the keys' index or a filter's, then sorted.
 *   Materialized, so that the planner cannot turn it back into the walk.
 */
export async function pageByKeys<R>(db: Db, p: KeysPage, select: (page: postgres.Fragment) => Promise<R[]>): Promise<R[]> {
  if (!p.narrow) {
    const walked = await select(db`
      with walk as (
        select id, created_at, keys from (
          select * from ${db(p.table)} where ${pageBefore(db, p.before)} order by created_at desc, id desc limit ${PAGE_WALK}
        ) newest where ${p.where()}
      ), ${walkedRowsMeeting(db, 'walk', p.keys)}, page as (
        select id from met group by id, created_at order by created_at desc, id desc limit ${p.limit})`);
    if (walked.length === p.limit) return walked;
  }
  return select(db`
    with hits as materialized (
      select id, created_at from ${db(p.table)} where ${keysMeet(db, p.keys)} and ${p.where()} and ${pageBefore(db, p.before)}
    ), page as (
      select id from hits order by created_at desc, id desc limit ${p.limit})`);
}

/**
 * The condition that a row's read keys (`column`, a text[] with a GIN index) meet any of
 * `keys`. The keys reach PostgreSQL as a subquery's result, which it cannot look into when it
 * plans, so it takes its default estimate of few rows, and the index. Shown the keys
 * themselves, it adds up an estimate per key, finds past a few dozen keys that many rows must
 * match, and scans the whole table comparing each row's keys with each of the reader's:
 * 21 s on 500,000 plans for a teacher of 610 keys, 3.8 ms by the index (loadtest/RESULTS.md,
 * "Every read by keys"). Only the event log's reads choose otherwise (storage/events.ts).
 */
export function keysMeet(db: Db, keys: readonly string[], column = 'keys'): postgres.Fragment {
  return db`${db(column)} && (select ${[...keys]}::text[])`;
}

/** A row as the pool returns it: `T` with its timestamp fields `D` as Date (or null where `T` allows it). */
export type Stored<T, D extends keyof T> = Omit<T, D> & { [K in D]: null extends T[K] ? Date | null : Date };

/**
 * The condition that keeps a page's rows: those before `page` by (`at`, `id`), newest first;
 * every row when there is no page yet. `at` and `id` are the columns (or expressions) the
 * list orders by, `created_at` and `id` unless said otherwise.
 */
export function pageBefore(db: Db, page: PageBefore | undefined, at: postgres.Fragment = db`created_at`, id: postgres.Fragment = db`id`): postgres.Fragment {
  return page ? db`(${at}, ${id}) < (${page.at}::timestamptz, ${page.id}::text)` : db`true`;
}

/** What an optional filter compares a column with: absent (undefined, null) keeps every row; a list, any of its values. */
export type FilterValue = string | readonly string[] | null | undefined;

/**
 * A list's optional filters, all of which a row meets: each column (named as the query names
 * it, e.g. `f.group_id`) equals its value, or is one of the values of a list; a filter whose
 * value is absent keeps every row, and no filter at all is `true`.
 */
export function matching(db: Db, filters: Readonly<Record<string, FilterValue>>): postgres.Fragment {
  const conditions = Object.entries(filters).flatMap(([column, value]) =>
    value === undefined || value === null ? []
      : typeof value === 'string' ? [db`${db(column)} = ${value}::text`]
      : [db`${db(column)} = any(${[...value]}::text[])`]);
  return conditions.reduce((all, c) => db`${all} and ${c}`, db`true`);
}

/** The single-row lookups of a table whose rows a client creates once under its own key. */
export interface KeyedRows<T> {
  /** The row `ownerId` created with `clientKey` (a retry finds the first attempt's row). */
  byKey(db: Db, ownerId: string, clientKey: string): Promise<T | undefined>;
  byId(db: Db, id: string): Promise<T | undefined>;
  /** The row, locked for this transaction: changes to one row are applied one at a time. */
  locked(tx: Tx, id: string): Promise<T | undefined>;
  /**
   * A page of the rows `keys` may read (their keys overlap), newest first, before `before`,
   * that meet `filters` (the table's own columns, as in matching): pageByKeys.
   */
  page(db: Db, keys: string[], filters: Readonly<Record<string, FilterValue>>, limit: number, before?: PageBefore): Promise<T[]>;
}

/**
 * What a table's lookups select: `columns` (all of the table's unless said) from `from` (the
 * table alone unless said, e.g. joined to what its rows show of another), with the table's
 * own columns under `alias` when it has one.
 */
export interface RowSource {
  columns?: (db: Db) => postgres.Fragment;
  from?: (db: Db) => postgres.Fragment;
  alias?: string;
  /** Columns whose filter still leaves many rows (an item's kind): every other filter is narrow (pageByKeys). */
  wide?: readonly string[];
}

/**
 * The lookups and pages of `table`, whose creator is in column `owner`: rows of the pool's
 * shape `R` as `source` selects them, leaving storage as `row` maps them.
 */
export function keyedRows<R extends object, T>(table: string, owner: string, row: (r: R) => T, source: RowSource = {}): KeyedRows<T> {
  const { columns = (db: Db) => db`*`, from = (db: Db) => db`${db(table)}`, alias, wide = [] } = source;
  const own = (name: string) => (alias === undefined ? name : `${alias}.${name}`);
  const col = (db: Db, name: string) => db`${db(own(name))}`;
  const one = async (rows: Promise<R[]>): Promise<T | undefined> => {
    const [r] = await rows;
    return r ? row(r) : undefined;
  };
  return {
    byKey: (db, ownerId, clientKey) =>
      one(db<R[]>`select ${columns(db)} from ${from(db)} where ${col(db, owner)} = ${ownerId} and ${col(db, 'client_key')} = ${clientKey}`),
    byId: (db, id) => one(db<R[]>`select ${columns(db)} from ${from(db)} where ${col(db, 'id')} = ${id}`),
    locked: (tx, id) => one(tx<R[]>`select ${columns(tx)} from ${from(tx)} where ${col(tx, 'id')} = ${id} for update`),
    page: async (db, keys, filters, limit, before) => {
      const rows = await pageByKeys(db, { table, keys, where: () => matching(db, filters), narrow: namesFewRows(filters, wide), limit, before }, (page) => db<R[]>`
        ${page}
        select ${columns(db)} from ${from(db)} where ${col(db, 'id')} in (select id from page)
        order by ${col(db, 'created_at')} desc, ${col(db, 'id')} desc`);
      return rows.map(row);
    },
  };
}
