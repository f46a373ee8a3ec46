// Reactions as the stores keep them (PROTOCOL.md `reaction.changed`): every event carries the
// target's counts; `by` (who reacted) and `mine` (the person's own) only where the hub gives
// them. One change can reach a person twice (the counts, and the names or their own), so what
// an event leaves out is kept from before.
import type { Reactions } from './protocol.ts';

export function mergeReactions(had: Reactions | undefined, next: Reactions): Reactions {
  const out: Reactions = { counts: next.counts };
  const by = next.by ?? had?.by;
  const mine = next.mine ?? had?.mine;
  if (by) out.by = by;
  if (mine) out.mine = mine;
  return out;
}
