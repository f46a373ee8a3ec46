// Strings PostgreSQL cannot store, refused at the edge with `invalid` (issue 15 items 5, 10):
// U+0000 (text columns refuse it; the hub answered `unavailable` and clients retried forever)
// and lone UTF-16 surrogates (stored as U+FFFD, so a retry with the same clientKey looked like
// a different create and answered `conflict`). One walk over a decoded frame or HTTP body, so
// that no field of any schema, present or future, is missed.
import type { Invalid } from './frames.ts';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains U+0000, which PostgreSQL cannot store';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate, which PostgreSQL cannot store';
  return undefined;
}

type At = { up: At; key: string | number } | null;
const pathOf = (at: At): (string | number)[] => {
  const out: (string | number)[] = [];
  for (let a = at; a; a = a.up) out.unshift(a.key);
  return out;
};

/**
 * Does `value` hold a string (value or map key) that cannot be stored? Every request's frame
 * is walked, and nearly all are fine: this walk allocates nothing but its stack, and only a
 * frame it finds fault with is walked again for the path.
 */
function holdsUnstorable(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (problemOf(v)) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (problemOf(k)) return true;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

/**
 * The first string (value or map key) in `value` that cannot be stored, with its path.
 * Iterative, with paths linked upwards: a frame may nest thousands of levels deep before its
 * schema refuses it.
 */
export function unstorableString(value: unknown): Invalid | undefined {
  if (!holdsUnstorable(value)) return undefined;
  const stack: [unknown, At][] = [[value, null]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      const p = problemOf(v);
      if (p) {
        const path = pathOf(at);
        return { message: `${path.length ? path.join('.') : 'the value'} ${p}`, path };
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { up: at, key: i }]);
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      const entries = Object.entries(v);
      for (const [k] of entries) {
        const p = problemOf(k);
        if (p) return { message: `a key ${p}`, path: pathOf({ up: at, key: k }) };
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], { up: at, key: entries[i]![0] }]);
    }
  }
  return undefined;
}
