// postgres.js's pool queues, as storage/patch-postgres.mjs patches them: a queue that is never
// emptied (the open queue of a pool with idle connections) must not keep a slot per item that
// ever passed through it. The cost it had (CPU per query growing with every query made) is a
// benchmark's to show (loadtest/RESULTS.md); here, that the patched queue is still a queue.
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Queue<T> {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  pop(): T | undefined;
  remove(x: T): T | null;
}

const root = path.dirname(createRequire(import.meta.url).resolve('postgres'));
const file = path.join(root, 'queue.js');
const { default: makeQueue } = (await import(file)) as { default: <T>(initial?: T[]) => Queue<T> };

describe('postgres.js pool queue (patched)', () => {
  it('is patched', () => {
    expect(readFileSync(file, 'utf8')).toContain('/* schoolhub-patch */');
  });

  it('stays first in, first out through many shifts while items stay queued, and forgets what left', () => {
    const q = makeQueue<number>();
    // Like the open queue: a few items always queued, one shifted and another pushed per step.
    for (let i = 0; i < 5; i++) q.push(i);
    let next = 0;
    for (let i = 5; i < 20_000; i++) {
      expect(q.shift()).toBe(next++);
      // What move() does after a shift: remove it from the queue it just left (not there).
      expect(q.remove(next - 1)).toBeNull();
      q.push(i);
      expect(q.length).toBe(5);
    }
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([19_995, 19_996, 19_997, 19_998, 19_999, undefined]);
    expect(q.length).toBe(0);
  });

  it('removes an item from the middle, before and after the queue drops its dead slots', () => {
    const q = makeQueue<string>();
    for (let i = 0; i < 100; i++) q.push(`c${i}`);
    for (let i = 0; i < 70; i++) q.shift(); // past 64: the dead slots are dropped
    expect(q.remove('c80')).toBe('c80');
    expect(q.remove('c10')).toBeNull(); // shifted before
    expect(q.length).toBe(29);
    const rest: (string | undefined)[] = [];
    while (q.length) rest.push(q.shift());
    expect(rest).toEqual(Array.from({ length: 30 }, (_, i) => `c${70 + i}`).filter((c) => c !== 'c80'));
  });

  // The pool takes its next connection from the open queue's end (last in, first out).
  it('pops the last item, after shifts and removes too, and is empty after the last', () => {
    const q = makeQueue<string>();
    expect(q.pop()).toBeUndefined();
    for (let i = 0; i < 80; i++) q.push(`c${i}`);
    for (let i = 0; i < 70; i++) q.shift(); // past 64: the dead slots are dropped
    expect(q.pop()).toBe('c79');
    expect(q.remove('c78')).toBe('c78');
    expect(q.pop()).toBe('c77');
    q.push('new');
    expect(q.pop()).toBe('new');
    expect(q.length).toBe(7);
    expect(q.shift()).toBe('c70');
    const rest: (string | undefined)[] = [];
    while (q.length) rest.push(q.pop());
    expect(rest).toEqual(['c76', 'c75', 'c74', 'c73', 'c72', 'c71']);
    expect([q.pop(), q.shift(), q.length]).toEqual([undefined, undefined, 0]);
    // Emptied by pop, it queues afresh.
    q.push('a');
    q.push('b');
    expect([q.shift(), q.pop(), q.length]).toEqual(['a', 'b', 0]);
  });
});
