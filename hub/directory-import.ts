// The directory import (POST /api/v1/directory/import, docs/DIRECTORY-IMPORT.md): the bundle
// flattened and checked by hub/directory/import.ts, then written by storage/directory.ts in
// one transaction, all or nothing.
import type { Sql } from '../storage/pool.ts';
import { importDirectory, loadDirectoryRows, UnknownReferenceError, type ImportResult } from '../storage/directory.ts';
import type { Bundle } from './directory/schema.ts';
import type { DirectoryRecords } from './directory/build.ts';
import { directoryRecordsFrom, ImportReferenceError, prepareImport, unknownReference } from './directory/import.ts';

export { ImportReferenceError, type ImportResult };

/** Imports a validated bundle; throws ImportReferenceError (nothing written) for a duplicate or a dangling reference. */
export async function importBundle(sql: Sql, bundle: Bundle): Promise<ImportResult> {
  const prepared = prepareImport(bundle);
  try {
    return await importDirectory(sql, prepared);
  } catch (e) {
    if (e instanceof UnknownReferenceError) throw unknownReference(e.reference);
    throw e;
  }
}

/** The active records and guardian blocks, shaped for buildDirectory. */
export async function loadDirectoryRecords(sql: Sql): Promise<DirectoryRecords> {
  const stored = await loadDirectoryRows(sql);
  return directoryRecordsFrom(stored.rows, stored.guardianBlocks);
}
