// Read keys are built and taken apart by one table (hub/audience.ts): every kind round-trips.
import { describe, expect, it } from 'vitest';
import { key, parseKey } from './audience.ts';

describe('read key kinds', () => {
  it('parseKey gives back the kind and ids of every key built', () => {
    for (const [kind, build] of Object.entries(key)) {
      if (typeof build !== 'function') continue;
      const k = build.length === 2 ? (build as (g: string, s: string) => string)('g-1', 'p-2') : (build as (id: string) => string)('x-1');
      expect(parseKey(k), k).toEqual({ kind, rest: build.length === 2 ? 'g-1:p-2' : 'x-1' });
    }
  });

  it('other strings and prototype names are no kind', () => {
    for (const k of ['all', 'constructor:x', '__proto__:x', 'toString:1', ':x', 'p', 'zz:1']) expect(parseKey(k), k).toBeUndefined();
  });
});
