// The two tables of codes (docs/PROTOCOL.md §6 and §7). Error codes answer one request and leave the
// connection open; close codes end the connection and say whether to come back.

export const ERROR_CODES = [
  'invalid', // the frame or a field is wrong; `path` names the field
  'unauthenticated', // no valid session yet
  'forbidden', // the rules do not allow it
  'not_found', // no such thing, or not one you may see (the same answer: no probing)
  'conflict', // the same clientKey was used for something else
  'rate_limited', // too many requests; retry later
  'too_large', // the frame or a field is over its limit
  'unavailable', // storage or broker down; nothing was written; retry with the same clientKey
  'refused', // push.subscribe: the endpoint is not one the hub will send to (docs/SECURITY.md), or another device's
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const CLOSE = {
  /** No `hello` within 10 s. Reconnect and send hello first. */
  NO_HELLO: 4001,
  /** The first frame was not a valid `hello`. Fix the client. */
  BAD_FIRST_FRAME: 4002,
  /** Token invalid or expired. Get a fresh token, then reconnect. */
  TOKEN: 4003,
  /** Too many frames. Reconnect after a backoff. */
  RATE_LIMIT: 4008,
  /** Too slow to read: the send buffer filled up. Reconnect with the cursor. */
  SLOW_READER: 4009,
  /** Frame over 1 MiB (LIMITS.hardFrameBytes): the hub closes with 1009 (hub/session.ts). */
  TOO_LARGE: 1009,
  /** Node shutting down: reconnect elsewhere with the cursor. */
  GOING_AWAY: 1001,
} as const;
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
  }
}
