// What every table's queries share about rows. Column names arrive in camelCase (the pool's
// transform, storage/pool.ts); timestamps arrive as Date and leave storage as ISO strings.

export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
export const isoOrNull = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : iso(d));

/** A page's position: rows before (created_at, id), newest first. */
export interface PageBefore {
  at: string;
  id: string;
}

/** A row as the pool returns it: `T` with its timestamp fields `D` as Date (or null where `T` allows it). */
export type Stored<T, D extends keyof T> = Omit<T, D> & { [K in D]: null extends T[K] ? Date | null : Date };
