// DirectoryView on its own: a second view on a hub's database with its own in-process broker,
// as another node's view would be. It hears of the hub's import only through its broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/harness.ts';
import { DirectoryView } from '../directory-view.ts';
import { MemoryBroker } from '../broker-memory.ts';
import { controlTopic, encodeControl } from '../control.ts';
import { demoBundle } from '../demo/district.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ bundle: null });
});
afterAll(async () => {
  await t?.stop();
});

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('DirectoryView', () => {
  it('lets concurrent catch-ups share one check', async () => {
    const view = await DirectoryView.load(t.hub.core.sql, new MemoryBroker(), () => {});
    const first = view.catchUp();
    expect(view.catchUp()).toBe(first);
    await first;
    const next = view.catchUp();
    expect(next).not.toBe(first);
    await next;
  });

  it('reloads on another node\'s message, ignores a malformed one, and tells its follower', async () => {
    const broker = new MemoryBroker();
    const logged: string[] = [];
    const view = await DirectoryView.load(t.hub.core.sql, broker, (m) => logged.push(m));
    let told = 0;
    await view.start({ refreshRights: async () => void told++ });
    try {
      expect((await t.importBundle(demoBundle())).status).toBe(200);
      expect(view.current.person('p-stu-ek-6')).toBeUndefined();

      await broker.publish(controlTopic('directory'), 'not json');
      expect(logged).toEqual(['ignored a malformed broker message on __directory']);

      await broker.publish(controlTopic('directory'), encodeControl('directory', 1));
      await until(() => told > 0);
      expect(view.current.person('p-stu-ek-6')).toBeDefined();
      expect(told).toBe(1);
    } finally {
      view.stop();
    }
  });

  it('runs reloads one round at a time; a reload asked during a round gets a round of its own', async () => {
    const view = await DirectoryView.load(t.hub.core.sql, new MemoryBroker(), () => {});
    const rounds: number[] = [];
    let inRound = 0;
    let most = 0;
    await view.start({
      refreshRights: async () => {
        most = Math.max(most, ++inRound);
        rounds.push(view.current.version);
        await new Promise((r) => setTimeout(r, 30));
        inRound--;
      },
    });
    try {
      const first = view.reload();
      // Asked while the first round runs: answered by the round after it, not by the first.
      const second = view.reload();
      const third = view.reload();
      expect(second).toBe(first);
      await Promise.all([first, second, third]);
      expect(rounds).toHaveLength(2);
      expect(most).toBe(1);
      expect(rounds[1]).toBeGreaterThan(rounds[0]!);
      await view.reload();
      expect(rounds).toHaveLength(3);
    } finally {
      view.stop();
    }
  });
});
