// A hub process's own metrics, as an operator reads them from /metrics: its garbage-collection
// pauses and its heap, and the young generation bounded by NODE_OPTIONS as the README's
// Operating section suggests for nodes that do not send notifications.
import { describe, expect, it } from 'vitest';
import { freshDatabase, TEST_ADMIN, TEST_SECRET } from '../testing/harness.ts';
import { seriesValue } from '../testing/metrics-text.ts';
import { startNodeProcess } from '../testing/processes.ts';

const MB = 1024 * 1024;

/** The young generation's size and the count of minor GC pauses a hub process reports. */
async function youngGeneration(env: Record<string, string>): Promise<{ bytes: number; minorPauses: number }> {
  const db = await freshDatabase();
  // HUB_DEMO=1: the demo district is imported at start, which allocates tens of MB: enough for
  // V8 to grow its young generation to its default bound.
  const node = await startNodeProcess({ DATABASE_URL: db.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, HUB_DEMO: '1', ...env });
  try {
    // Requests until the node has collected its young generation at least once since it started
    // counting (with V8's default, the import may have left it nearly empty).
    let text = '';
    for (let i = 0; i < 100; i++) {
      await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${node.url}/demo/token?as=p-mentor-ek`)).text()));
      text = await (await fetch(`${node.url}/metrics`)).text();
      if ((seriesValue(text, 'schoolhub_gc_pause_seconds_count', { kind: 'minor' }) ?? 0) > 0) break;
    }
    return {
      bytes: Number(seriesValue(text, 'schoolhub_heap_space_bytes', { space: 'new_space' })),
      minorPauses: seriesValue(text, 'schoolhub_gc_pause_seconds_count', { kind: 'minor' }) ?? 0,
    };
  } finally {
    node.kill('SIGINT');
    await node.exited;
    await db.drop();
  }
}

describe("a hub process's own metrics", () => {
  it('counts its GC pauses from its start, and shows its young generation at V8 defaults', async () => {
    const { bytes, minorPauses } = await youngGeneration({});
    expect(minorPauses).toBeGreaterThan(0);
    expect(bytes).toBeGreaterThan(8 * MB);
  });

  it('shows the young generation bounded to 8 MB by NODE_OPTIONS=--max-semi-space-size=4', async () => {
    const { bytes, minorPauses } = await youngGeneration({ NODE_OPTIONS: '--max-semi-space-size=4' });
    expect(minorPauses).toBeGreaterThan(0);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(8 * MB);
  });
});
