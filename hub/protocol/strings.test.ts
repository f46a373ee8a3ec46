// unstorableString walks every request's frame (hub/session.ts) and HTTP body (hub/http.ts):
// nothing PostgreSQL cannot store gets past it, in a value or a key, at any depth, and the
// answer names where it is.
import { describe, expect, it } from 'vitest';
import { unstorableString } from './strings.ts';

describe('unstorableString', () => {
  it('passes a frame of storable strings, numbers, nulls, bytes and nested shapes', () => {
    const frame = { type: 'message.send', body: 'Hej då 😀', n: 1, z: null, t: true, bytes: new Uint8Array([0, 0xff]), list: [[], {}, ['a', { b: 'c' }]] };
    expect(unstorableString(frame)).toBeUndefined();
  });

  it('names the path of U+0000 and of a lone surrogate, in values and in keys', () => {
    expect(unstorableString({ a: [1, { b: 'x\u0000' }] })).toEqual({ message: 'a.1.b contains U+0000, which PostgreSQL cannot store', path: ['a', 1, 'b'] });
    expect(unstorableString({ a: { b: ['ok', '\uD800'] } })).toMatchObject({ path: ['a', 'b', 1], message: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(unstorableString({ a: { ['k\uDC00']: 1 } })).toMatchObject({ path: ['a', 'k\uDC00'], message: expect.stringMatching(/^a key contains a lone/) });
    expect(unstorableString('\u0000')).toMatchObject({ path: [], message: expect.stringMatching(/^the value contains U\+0000/) });
  });

  it('answers the first in document order when there are several', () => {
    expect(unstorableString({ first: ['fine', 'x\u0000'], second: '\uD800' })).toMatchObject({ path: ['first', 1] });
  });

  it('keeps a surrogate pair, and looks at own fields only', () => {
    expect(unstorableString({ emoji: '\uD83D\uDE00' })).toBeUndefined();
    const inherited = Object.create({ bad: 'x\u0000' }) as Record<string, unknown>;
    inherited.good = 'fine';
    expect(unstorableString(inherited)).toBeUndefined();
  });

  it('walks a frame nested thousands of levels deep without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(unstorableString(deep)?.path).toHaveLength(20_000);
    let fine: unknown = 'x';
    for (let i = 0; i < 20_000; i++) fine = { a: fine };
    expect(unstorableString(fine)).toBeUndefined();
  });
});
