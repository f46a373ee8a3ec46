// Opaque page cursors for lists ordered by (time, id), newest first.
import { RequestError } from '../protocol/codes.ts';

export function encodePageCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
}

export function decodePageCursor(cursor: string, path: (string | number)[]): { at: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const at = text.slice(0, bar);
  if (bar < 0 || Number.isNaN(Date.parse(at))) throw new RequestError('invalid', 'not a page cursor from this hub', path);
  return { at, id: text.slice(bar + 1) };
}

/** Where a requested page starts (`before` of the request); none: the newest. */
export function pageBefore(before: string | undefined): { at: string; id: string } | undefined {
  return before === undefined ? undefined : decodePageCursor(before, ['before']);
}

/** The cursor of the page after `rows`: only a full page may have more after its last row. */
export function nextCursor(rows: readonly { createdAt: string; id: string }[], limit: number): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last ? encodePageCursor(last.createdAt, last.id) : null;
}

/**
 * One page of a list the caller reads by their keys: `load` gets the request's `limit` (30
 * unless asked) rows before its cursor, newest first; `canRead` keeps those the caller may
 * see. The next cursor goes by the rows loaded, so a page the rule thins still pages on.
 */
export async function readPage<R extends { createdAt: string; id: string }>(
  req: { limit?: number | undefined; before?: string | undefined },
  load: (limit: number, before: { at: string; id: string } | undefined) => Promise<R[]>,
  canRead: (row: R) => boolean = () => true,
): Promise<{ shown: R[]; next: string | null }> {
  const limit = req.limit ?? 30;
  const rows = await load(limit, pageBefore(req.before));
  return { shown: rows.filter(canRead), next: nextCursor(rows, limit) };
}
