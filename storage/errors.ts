// What a PostgreSQL failure means for the caller: one place for the three questions the hub asks.

/** Reported by PostgreSQL itself (it aborts the transaction it happened in). */
export function isSqlError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && 'severity' in e;
}

/** A unique violation: a concurrent retry with the same clientKey won the race. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';
}

/** The server is unreachable or went away: nothing was written; the client may retry. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|CONNECTION_|CONNECT_TIMEOUT)/.test(code) || code.startsWith('57P') || code.startsWith('08'));
}
