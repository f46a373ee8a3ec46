// The k6 scenarios cannot run here (k6 is not installable), so: every script passes Node's
// syntax check, uses only k6 modules, no binary-frame or Node-only constructs; and the real
// scripts run under a small k6 shim (lib/k6-shim.ts) against a real hub: a guardian reads
// the feed and chats with the mentor, the mentor answers, a teacher posts, the head of
// operations sends a mailing, and the receivers record delivery latencies without errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET, startTestHub, type TestHub } from '../hub/testing/harness.ts';
import { districtWithTokens, type TokenFile } from './tokens.ts';

const K6_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'k6');
const SHIM = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'k6-shim.ts');
const scripts = readdirSync(K6_DIR).filter((f) => f.endsWith('.js'));
const K6_MODULES = new Set(['k6', 'k6/ws', 'k6/data', 'k6/metrics', 'k6/execution', 'k6/experimental/websockets', 'k6/websockets']);

/** Copies the scripts to `dir` with the k6 imports pointed at the shim. */
function shimmed(dir: string): void {
  for (const f of scripts) {
    const src = readFileSync(path.join(K6_DIR, f), 'utf8')
      .replace(/import (\w+) from 'k6\/(ws|execution)';/g, (_m, name: string, mod: string) => `import { ${mod} as ${name} } from '${SHIM}';`)
      .replace(/from 'k6(\/[\w/]+)?';/g, `from '${SHIM}';`);
    writeFileSync(path.join(dir, f), src);
  }
}

describe('k6 scenarios', () => {
  it('pass the Node syntax check and use only k6 modules, text frames and plain ES2015', () => {
    expect(scripts).toContain('district-day.js');
    for (const f of scripts) {
      const file = path.join(K6_DIR, f);
      execFileSync(process.execPath, ['--check', file]);
      const src = readFileSync(file, 'utf8');
      const code = src.replace(/\/\/.*$/gm, '');
      for (const m of src.matchAll(/from '([^']+)'/g)) expect(K6_MODULES.has(m[1]!) || m[1]!.startsWith('./')).toBe(true);
      // Binary frames in k6 are ArrayBuffer; the scripts send none at all (JSON subprotocol).
      expect(code).not.toMatch(/Uint8Array|sendBinary|binaryType/);
      // k6's JavaScript engine is not Node: no require, no optional chaining or nullish coalescing.
      expect(code).not.toMatch(/\brequire\(|\?\.|\?\?/);
    }
  });

  describe('under a k6 shim, against a real hub', () => {
    let t: TestHub;
    let dir: string;
    let tokens: TokenFile;
    beforeAll(async () => {
      const made = await districtWithTokens({ persons: 120, secret: TEST_SECRET, issuer: 'schoolhub-dev', audience: 'schoolhub', ttlSeconds: 600 });
      tokens = made.tokens;
      t = await startTestHub({ bundle: made.bundle as never });
      dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-k6-'));
      writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify(tokens));
      shimmed(dir);
    });
    afterAll(async () => {
      await t?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('runs a guardian, a mentor, a teacher and the head of operations without errors', async () => {
      const g = globalThis as unknown as { __ENV: Record<string, string>; open: (p: string) => string };
      g.__ENV = { HUB_WS: t.wsUrl, TOKENS: path.join(dir, 'tokens.json'), SESSION_S: '3', CHAT_EVERY_S: '0.3', POST_EVERY_S: '0.6' };
      g.open = (p) => readFileSync(p, 'utf8');
      const shim = await import(SHIM);
      const script = (await import(path.join(dir, 'district-day.js'))) as Record<string, unknown> & { options: { scenarios: Record<string, { exec: string }>; thresholds: Record<string, string[]> } };

      for (const s of Object.values(script.options.scenarios)) expect(typeof script[s.exec]).toBe('function');
      const metrics = Object.keys(script.options.thresholds).map((k) => k.replace(/\{.*$/, ''));
      expect(new Set(metrics)).toEqual(new Set(['delivery_latency', 'ws_errors', 'resume_ok', 'resume_time', 'checks']));

      // The first guardian's child is in the first class: its mentor is the first mentor and
      // the first teacher's first group is that class's first subject.
      const run = (fn: string, vuIndex: number) => {
        shim.execution.vu.idInTest = vuIndex + 1;
        (script[fn] as () => void)();
      };
      expect(tokens.guardians[0]!.mentorId).toBe(tokens.mentors[0]!.id);
      run('mentor', 0);
      run('guardian', 0);
      run('teacher', 0);
      await new Promise((r) => setTimeout(r, 300));
      run('headOfOperations', 0);
      await Promise.all(shim.closed);

      const samples = shim.samples as { metric: string; value: number; tags?: Record<string, string> }[];
      expect(shim.problems).toEqual([]);
      expect(samples.filter((s) => s.metric === 'checks' && s.value === 0)).toEqual([]);
      expect(samples.filter((s) => s.metric === 'ws_errors' && s.value === 1)).toEqual([]);
      const kinds = new Set(samples.filter((s) => s.metric === 'delivery_latency').map((s) => s.tags?.kind));
      expect(kinds).toEqual(new Set(['message', 'post', 'mailing']));
    }, 30_000);
  });
});
