// newId: ids from a pool of random words, refilled from the CSPRNG as it runs out.
import { describe, expect, it } from 'vitest';
import { newId } from './context.ts';

describe('newId', () => {
  it('gives distinct ids of prefix, time and randomness, across many refills of its pool', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('msg'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(id).toMatch(/^msg_[0-9a-z]{10,}$/);
    // The random part differs from one id to the next, not only the time.
    const tails = new Set(ids.map((id) => id.slice(4 + Date.now().toString(36).length)));
    expect(tails.size).toBeGreaterThan(4_990);
  });
});
