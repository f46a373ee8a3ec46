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
   * that meet `filters` (the table's own columns, as in matching).
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
}

/**
 * The lookups and pages of `table`, whose creator is in column `owner`: rows of the pool's
 * shape `R` as `source` selects them, leaving storage as `row` maps them.
 */
export function keyedRows<R extends object, T>(table: string, owner: string, row: (r: R) => T, source: RowSource = {}): KeyedRows<T> {
  const { columns = (db: Db) => db`*`, from = (db: Db) => db`${db(table)}`, alias } = source;
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
      const mine = Object.fromEntries(Object.entries(filters).map(([name, value]) => [own(name), value]));
      const rows = await db<R[]>`
        select ${columns(db)} from ${from(db)}
        where ${col(db, 'keys')} && ${keys}::text[] and ${matching(db, mine)}
          and ${pageBefore(db, before, col(db, 'created_at'), col(db, 'id'))}
        order by ${col(db, 'created_at')} desc, ${col(db, 'id')} desc
        limit ${limit}`;
      return rows.map(row);
    },
  };
}
