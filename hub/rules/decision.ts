// What a rule answers: allowed, or denied with a reason a person can read.
// `conflict`: the thing's state does not allow it now (publishing a closed assignment).
export type Denial = { ok: false; code: 'forbidden' | 'not_found' | 'invalid' | 'conflict'; reason: string; path?: (string | number)[] };
export type Decision = { ok: true } | Denial;

export const ALLOW: Decision = Object.freeze({ ok: true });

export function deny(reason: string, code: Denial['code'] = 'forbidden', path?: (string | number)[]): Denial {
  return path ? { ok: false, code, reason, path } : { ok: false, code, reason };
}

/** The first denial of a list of decisions, or ALLOW. */
export function all(decisions: Iterable<Decision>): Decision {
  for (const d of decisions) if (!d.ok) return d;
  return ALLOW;
}
