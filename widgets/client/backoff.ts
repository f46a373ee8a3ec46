// Reconnect delays: exponential backoff with full jitter, as PROTOCOL.md §5 asks. Full jitter
// (a random wait between 0 and the cap) spreads a whole school's reconnects after a node
// restart instead of bringing them back in waves.

export const BACKOFF = { baseMs: 500, maxMs: 30_000 } as const;

/** The wait before reconnect attempt `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * cap);
}
