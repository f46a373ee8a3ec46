// k6 is not installable in CI, so: every script passes Node's syntax check, uses only k6
// modules, no binary-frame or Node-only constructs; and the real scripts run under a small k6
// shim (lib/k6-shim.ts) against a real hub, with VUs numbered across scenarios as k6 numbers
// them: guardians read the feed and chat with the mentors the mentor VUs play, the mentors
// answer, a teacher posts, the head of operations sends a mailing, the reconnect wave is
// away while its mentors write and gets exactly that in its replay; the thresholds, judged as
// k6 judges them, pass, and fail on a run without samples. The day runs twice against the
// same hub (a second run must not reuse the first one's clientKeys).
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
    type Script = Record<string, unknown> & {
      options: { scenarios: Record<string, { exec: string; executor: string; vus?: number }>; thresholds: Record<string, string[]> };
      setup: () => unknown;
      waveStart: (data: unknown) => unknown;
      waveSteps: ((w: unknown) => void)[];
    };
    let shim: typeof import('./lib/k6-shim.ts');
    let script: Script;
    beforeAll(async () => {
      // 6 classes in one school: more mentors than the run plays, so a VU playing the wrong
      // mentor (numbered across scenarios, as k6 numbers VUs) gets no guardian's message.
      const made = await districtWithTokens({ persons: 400, secret: TEST_SECRET, issuer: 'schoolhub-dev', audience: 'schoolhub', ttlSeconds: 600 });
      tokens = made.tokens;
      t = await startTestHub({ bundle: made.bundle as never });
      dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-k6-'));
      writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify(tokens));
      shimmed(dir);
      const g = globalThis as unknown as { __ENV: Record<string, string>; open: (p: string) => string };
      g.__ENV = {
        HUB_WS: t.wsUrl, TOKENS: path.join(dir, 'tokens.json'), SESSION_S: '3', CHAT_EVERY_S: '0.3', POST_EVERY_S: '0.6',
        GUARDIANS: '4', MENTORS: '2', TEACHERS: '1', WAVE: '3', AWAY_S: '1', AWAY_MESSAGES: '3',
      };
      g.open = (p) => readFileSync(p, 'utf8');
      shim = await import(SHIM);
      script = (await import(path.join(dir, 'district-day.js'))) as Script;
    });
    afterAll(async () => {
      await t?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** One district day as k6 runs it: VUs numbered across scenarios, iterations per scenario. */
    async function day(): Promise<void> {
      shim.reset();
      const data = script.setup();
      const vus = new shim.Vus(script.options.scenarios);
      const each = (scenario: string) => Array.from({ length: script.options.scenarios[scenario]!.vus ?? 1 }, (_, i) => i);
      const run = (scenario: string, i: number) => vus.iterate(scenario, i, script[script.options.scenarios[scenario]!.exec] as (d: unknown) => void, data);
      for (const i of each('mentors')) run('mentors', i);
      for (const i of each('guardians')) run('guardians', i);
      for (const i of each('teachers')) run('teachers', i);
      await new Promise((r) => setTimeout(r, 300));
      run('mailing', 0);
      // The wave's steps one after the other, as k6's blocking connect() runs them.
      const waves = each('reconnectWave').map(async (i) => {
        const w = vus.iterate('reconnectWave', i, script.waveStart, data);
        for (const step of script.waveSteps) {
          const before = shim.closed.length;
          step(w);
          await Promise.all(shim.closed.slice(before));
        }
      });
      await Promise.all(waves);
      // Sockets opened meanwhile (the mailing) are in `closed` too.
      for (let n = 0; n !== shim.closed.length; ) {
        n = shim.closed.length;
        await Promise.all(shim.closed);
      }
    }

    it('defines its scenarios, and its thresholds fail an empty run', () => {
      for (const s of Object.values(script.options.scenarios)) expect(typeof script[s.exec]).toBe('function');
      const metrics = Object.keys(script.options.thresholds).map((k) => k.replace(/\{.*$/, ''));
      expect(new Set(metrics)).toEqual(new Set(['delivery_latency', 'deliveries', 'ws_errors', 'resume_ok', 'resume_time', 'replayed_messages', 'checks']));
      shim.reset();
      const failed = shim.evaluateThresholds(script.options.thresholds).filter((r) => !r.ok).map((r) => r.metric);
      expect(new Set(failed)).toEqual(new Set(['deliveries{kind:message}', 'deliveries{kind:post}', 'deliveries{kind:mailing}', 'replayed_messages']));
    });

    it('plays a district day that passes every threshold, twice against the same hub', async () => {
      for (const run of [1, 2]) {
        await day();
        const samples = shim.samples;
        expect(shim.problems, `run ${run}`).toEqual([]);
        expect(samples.filter((s) => s.metric === 'checks' && s.value === 0), `run ${run}`).toEqual([]);
        expect(samples.filter((s) => s.metric === 'ws_errors' && s.value === 1), `run ${run}`).toEqual([]);
        const kinds = new Set(samples.filter((s) => s.metric === 'deliveries').map((s) => s.tags?.kind));
        expect(kinds).toEqual(new Set(['message', 'post', 'mailing']));
        // Every wave VU got exactly the 3 messages written while it was away.
        expect(samples.filter((s) => s.metric === 'resume_ok').map((s) => s.value)).toEqual([1, 1, 1]);
        expect(samples.filter((s) => s.metric === 'replayed_messages').reduce((a, s) => a + s.value, 0)).toBe(9);
        expect(samples.filter((s) => s.metric === 'resume_time')).toHaveLength(3);
        // Latency percentiles depend on the machine (CI shares its cores); every other threshold must pass.
        const crossed = shim.evaluateThresholds(script.options.thresholds, 5).filter((r) => !r.ok && !r.threshold.startsWith('p('));
        expect(crossed, `run ${run}`).toEqual([]);
      }
    }, 60_000);
  });
});
