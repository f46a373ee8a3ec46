// What every table's queries share about rows. Column names arrive in camelCase (the pool's
// transform, storage/pool.ts); timestamps arrive as Date and leave storage as ISO strings.

export const iso = (d: unknown): string => (d instanceof Date ? d : new Date(String(d))).toISOString();
export const isoOrNull = (d: unknown): string | null => (d === null || d === undefined ? null : iso(d));

/** A page's position: rows before (created_at, id), newest first. */
export interface PageBefore {
  at: string;
  id: string;
}
