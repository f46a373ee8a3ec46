// The sequencer's rules, with the log of PostgreSQL as a list in memory: ids commit out of
// order, some never commit, ticks arrive ahead or are lost. What the real log answers
// (eventsFinal, migration 020) is tested in storage/events.test.ts and hub/e2e/stall.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { Sequencer, type Envelope, type LoggedEvent, type Tick } from './sequencer.ts';

interface Harness {
  seq: Sequencer;
  delivered: number[];
  /** The log: committed events, and how far it is final. */
  log: LoggedEvent[];
  final: { at: number };
}

const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.seq.stop();
});

function harness(start = 0, listening = (t: string) => t !== 'p:nobody', holeMs = 5): Harness {
  const delivered: number[] = [];
  const log: LoggedEvent[] = [];
  const final = { at: start };
  const seq = new Sequencer({
    isLocal: listening,
    deliver: (env) => delivered.push(env.id),
    loadFinal: async (after, limit) => {
      const events = log.filter((e) => e.id > after && e.id <= final.at).sort((a, b) => a.id - b.id).slice(0, limit);
      return { events, reached: events.length === limit ? events[events.length - 1]!.id : Math.max(after, final.at) };
    },
    topicsFor: (keys) => keys,
    log: () => {},
    holeMs,
  }, start);
  const h = { seq, delivered, log, final };
  harnesses.push(h);
  return h;
}

const tick = (id: number, topics = ['p:x']): Tick => ({ id, topics, node: 'other' });
const env = (id: number): Envelope => ({ id, name: 'e', data: {}, at: 0, node: 'other' });
const both = (h: Harness, id: number, topics = ['p:x']) => {
  h.seq.offerPayload(env(id));
  h.seq.offerTick(tick(id, topics));
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sequencer', () => {
  it('delivers in id order when ids commit out of order, and waits for the one still committing', async () => {
    const h = harness();
    both(h, 2);
    both(h, 3);
    expect(h.delivered).toEqual([]);
    // PostgreSQL says 1 is not final yet (its transaction is open): nothing moves.
    h.log.push({ id: 2, name: 'e', keys: ['p:x'], data: {} }, { id: 3, name: 'e', keys: ['p:x'], data: {} });
    await sleep(40);
    expect(h.delivered).toEqual([]);
    both(h, 1);
    expect(h.delivered).toEqual([1, 2, 3]);
    expect(h.seq.watermark).toBe(3);
  });

  it('an id whose transaction rolled back is passed once PostgreSQL says it is final', async () => {
    const h = harness();
    both(h, 2);
    h.log.push({ id: 2, name: 'e', keys: ['p:x'], data: {} });
    await sleep(30);
    expect(h.delivered).toEqual([]);
    h.final.at = 2; // 1 rolled back: final, with no row
    await expect.poll(() => h.delivered, { timeout: 2_000, interval: 5 }).toEqual([2]);
    expect(h.seq.stats.filled).toBe(1);
  });

  it('a tick lost in the broker is filled from PostgreSQL, with what the log holds', async () => {
    const h = harness(10);
    h.log.push({ id: 11, name: 'e', keys: ['p:x'], data: {} }, { id: 12, name: 'e', keys: ['p:x'], data: {} });
    h.final.at = 12;
    both(h, 12); // 11's tick never comes
    await expect.poll(() => h.delivered, { timeout: 2_000, interval: 5 }).toEqual([11, 12]);
  });

  it('ticks nobody here listens to move the watermark on without a payload', () => {
    const h = harness();
    h.seq.offerTick(tick(1, ['p:nobody']));
    both(h, 2);
    expect(h.delivered).toEqual([2]);
    expect(h.seq.watermark).toBe(2);
  });

  it('waits for the payload of a tick it listens to; nothing twice when the broker and PostgreSQL both bring it', async () => {
    const h = harness();
    h.seq.offerTick(tick(1));
    expect(h.delivered).toEqual([]);
    h.seq.offerPayload(env(1));
    h.seq.offerPayload(env(1));
    h.seq.offerTick(tick(1));
    expect(h.delivered).toEqual([1]);
    h.log.push({ id: 1, name: 'e', keys: ['p:x'], data: {} });
    h.final.at = 1;
    await h.seq.poll();
    expect(h.delivered).toEqual([1]);
  });

  it('poll catches up with the log when no tick came at all (the broker down), in pages', async () => {
    const h = harness();
    for (let id = 1; id <= 2_500; id++) if (id % 7 !== 0) h.log.push({ id, name: 'e', keys: ['p:x'], data: {} });
    h.final.at = 2_500;
    await h.seq.poll();
    expect(h.seq.watermark).toBe(2_500);
    expect(h.delivered).toEqual(h.log.map((e) => e.id));
  });

  it('a hole that its tick closes within the wait costs no read of PostgreSQL', async () => {
    const h = harness(0, undefined, 60);
    both(h, 2);
    await sleep(20);
    both(h, 1); // committed a moment after 2: the usual case with commits side by side
    expect(h.delivered).toEqual([1, 2]);
    await sleep(80);
    expect(h.seq.stats.fills).toBe(0);
  });

  it('a new hole gets the whole wait, not what was left of the one before', async () => {
    const h = harness(0, undefined, 60);
    both(h, 2); // hole at 1
    await sleep(40);
    both(h, 1); // closed; at once a new hole at 3
    both(h, 4);
    await sleep(40); // 80 ms after the first hole opened, 40 after the second
    expect(h.seq.stats.fills).toBe(0);
    h.log.push({ id: 4, name: 'e', keys: ['p:x'], data: {} });
    h.final.at = 4; // 3 rolled back
    await expect.poll(() => h.delivered, { timeout: 2_000, interval: 5 }).toEqual([1, 2, 4]);
    expect(h.seq.stats.fills).toBe(1);
  });
});
