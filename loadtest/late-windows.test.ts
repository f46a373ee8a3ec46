// lateWindows (loadtest/lib/control.ts) tells a stall from spread-out waits in the bench's report.
import { describe, expect, it } from 'vitest';
import { lateWindows } from './lib/control.ts';

describe('lateWindows', () => {
  // 1,000 sends a second for 2 s: 20 windows of 100 ms.
  const sentAt = Array.from({ length: 2_000 }, (_, i) => 5_000 + i);

  it('one stall that held every delivery for 50 ms shows as one window', () => {
    const ms = sentAt.map((t) => (t >= 5_700 && t < 5_750 ? 60 : 3));
    expect(lateWindows(sentAt, ms, 60)).toEqual({ late: 1, of: 20 });
  });

  it('waits spread over the run show in many windows', () => {
    const ms = sentAt.map((_, i) => (i % 100 === 7 ? 40 : 3));
    expect(lateWindows(sentAt, ms, 40)).toEqual({ late: 20, of: 20 });
  });

  it('nothing sent: no windows', () => {
    expect(lateWindows([], [], 1)).toEqual({ late: 0, of: 0 });
  });
});
