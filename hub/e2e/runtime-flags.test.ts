// Every way of starting a hub passes hub/runtime-flags.ts's flags, and a hub started so runs
// with them: its young generation stays within the bound, as its /metrics shows an operator.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUB_NODE_FLAGS } from '../runtime-flags.ts';
import { freshDatabase, TEST_ADMIN, TEST_SECRET } from '../testing/harness.ts';
import { startNodeProcess } from '../testing/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = ['--import', 'tsx', 'hub/main.ts'];

describe("the hub's Node.js flags", () => {
  it('npm start passes them', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(['node', ...HUB_NODE_FLAGS, ...ENTRY].join(' '));
  });

  it("the Dockerfile's command passes them", () => {
    const cmd = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').match(/^CMD (\[.*\])$/m);
    expect(cmd, 'the Dockerfile has an exec-form CMD').not.toBeNull();
    expect(JSON.parse(cmd![1]!)).toEqual(['node', ...HUB_NODE_FLAGS, ...ENTRY]);
  });

  it('a hub process started with them keeps its young generation within 2 × 4 MB, and counts its GC pauses', async () => {
    const db = await freshDatabase();
    // HUB_DEMO=1: the demo district is imported at start, which allocates tens of MB, enough for
    // V8's own default to have grown the young generation past the bound.
    const node = await startNodeProcess({ DATABASE_URL: db.url, HUB_JWT_SECRET: TEST_SECRET, HUB_ADMIN_TOKEN: TEST_ADMIN, HUB_DEMO: '1' });
    try {
      for (let i = 0; i < 20; i++) await (await fetch(`${node.url}/demo/`)).text();
      const text = await (await fetch(`${node.url}/metrics`)).text();
      const young = Number(text.match(/^schoolhub_heap_space_bytes\{space="new_space"\} (\d+)$/m)?.[1]);
      expect(young).toBeGreaterThan(0);
      expect(young).toBeLessThanOrEqual(2 * 4 * 1024 * 1024);
      expect(Number(text.match(/^schoolhub_gc_pause_seconds_count\{kind="minor"\} (\d+)$/m)?.[1])).toBeGreaterThan(0);
    } finally {
      node.kill('SIGINT');
      await node.exited;
      await db.drop();
    }
  });
});
