// What a PostgreSQL failure means for the caller: the one place that decides it.

/** Reported by PostgreSQL itself (it aborts the transaction it happened in). */
export function isSqlError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && 'severity' in e;
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * PostgreSQL rolled the transaction back to resolve a conflict with another one: a deadlock
 * (40P01) or a serialization failure (40001). Nothing of it was kept, and the same work run
 * again normally goes through.
 */
export function isConflictRollback(e: unknown): boolean {
  const code = isSqlError(e) ? codeOf(e) : undefined;
  return code === '40P01' || code === '40001';
}

/**
 * Not run because an earlier statement of its transaction failed (25P02): from PostgreSQL with a
 * Sync of its own, or from the patched postgres.js for a statement its pipeline skipped
 * (storage/patch-postgres.mjs). The transaction is aborted; nothing of it is kept.
 */
export function isInFailedTransaction(e: unknown): boolean {
  return isSqlError(e) && codeOf(e) === '25P02';
}

/** A unique violation: a concurrent retry with the same clientKey won the race. */
export function isUniqueViolation(e: unknown): boolean {
  return codeOf(e) === '23505';
}

/** The server is unreachable or went away: nothing was written; the client may retry. */
export function isConnectionError(e: unknown): boolean {
  const code = codeOf(e);
  return typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|CONNECTION_|CONNECT_TIMEOUT)/.test(code) || code.startsWith('57P') || code.startsWith('08'));
}

/**
 * PostgreSQL refused the values themselves: the same request fails every time, so it is
 * `invalid`, never `unavailable` (which tells a client to retry). Class 22 is every data
 * exception (untranslatable or NUL characters 22P05/22021, too long 22001, out of range 22003,
 * datetimes 22007/22008, bad text representation 22P02, ...). Class 23 is integrity, except the
 * unique violation that idempotent creates resolve themselves (23505 is a race, not bad data).
 * Class 54 is a program limit reached by a value (54000: index row or tsvector too large).
 * Not here: 40 (serialization, deadlock), 53 (resources), 57 (cancelled, shutdown), 08, XX:
 * those pass, and a retry can succeed.
 */
export function isBadData(e: unknown): boolean {
  if (!isSqlError(e)) return false;
  const code = codeOf(e)!;
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code.startsWith('54');
}

/**
 * COMMIT was handed to the connection and its answer never came: the transaction may have
 * committed. Only a retry with the same clientKey tells, and it returns the stored item once.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(override readonly cause: unknown) {
    super('the connection was lost after COMMIT was sent; the transaction may have committed');
  }
}

/**
 * The database did not answer within the deadline of a commit (storage/events.ts
 * COMMIT_DEADLINE_MS): the connection was discarded. `committing` says whether COMMIT had been
 * sent; if so the transaction may still have committed, and it is thrown inside
 * CommitOutcomeUnknown. A connection error to everyone else (code CONNECTION_DEADLINE).
 */
export class StorageDeadline extends Error {
  readonly code = 'CONNECTION_DEADLINE';
  constructor(readonly what: string, readonly ms: number) {
    super(`the database did not answer within ${ms} ms (${what})`);
  }
}

/**
 * The COMMIT was answered ROLLBACK: a statement sent without waiting for its answer failed
 * and aborted the transaction (storage/events.ts). Nothing was written; that statement's own
 * promise holds the reason.
 */
export class TransactionRolledBack extends Error {
  constructor() {
    super('a statement of the transaction failed; COMMIT rolled it back');
  }
}

/** How a failed write is answered: what the client is told, and whether to retry. */
export type StorageFailure =
  | { code: 'invalid'; message: string }
  | { code: 'unavailable'; message: string; logged: boolean };

/** A failure nobody foresaw: whether the write took effect is not known. */
export const UNFORESEEN_FAILURE = 'the hub could not do this now; this may have been stored; retry with the same clientKey';

export function storageFailure(e: unknown): StorageFailure {
  if (isBadData(e)) return { code: 'invalid', message: `storage refused a value of this request (SQLSTATE ${codeOf(e)})` };
  if (e instanceof CommitOutcomeUnknown) {
    return {
      code: 'unavailable',
      message: e.cause instanceof StorageDeadline
        ? 'storage did not answer the commit in time; this may have been stored; retry with the same clientKey'
        : 'storage connection lost while committing; this may have been stored; retry with the same clientKey',
      logged: false,
    };
  }
  if (e instanceof StorageDeadline) return { code: 'unavailable', message: 'storage did not answer in time; nothing was written; retry with the same clientKey', logged: false };
  if (isConnectionError(e)) return { code: 'unavailable', message: 'storage is unavailable; nothing was written; retry with the same clientKey', logged: false };
  return { code: 'unavailable', message: UNFORESEEN_FAILURE, logged: true };
}
