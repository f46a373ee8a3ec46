// The push-send measurement (loadtest/scenarios/push-sends.ts) at a small size: every push is
// sent and received, and the figures it reports are consistent. The numbers themselves are
// the bench's (loadtest/push-bench.ts); a shared 2-core test machine says nothing about them.
import { describe, expect, it } from 'vitest';
import { measurePushSends } from './scenarios/push-sends.ts';

describe('push sends per second per core', () => {
  it('sends to every subscription through the real channel and reports CPU per push', async () => {
    const r = await measurePushSends({ subscriptions: 300, concurrency: 16 });
    expect(r.failed).toEqual({});
    expect(r.sent).toBe(300);
    expect(r.received).toBe(300);
    expect(r.cpuMicrosPerPush).toBeGreaterThan(0);
    expect(r.encryptMicrosPerPush).toBeGreaterThan(0);
    expect(r.encryptMicrosPerPush).toBeLessThan(r.cpuMicrosPerPush);
    expect(r.pushesPerCoreSecond).toBeCloseTo(1e6 / r.cpuMicrosPerPush, 5);
  }, 120_000);
});
