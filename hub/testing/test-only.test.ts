// Test support lives in testing/ and e2e/ folders, and production code never imports it: a
// fixture or a test harness that a hub module imports would ship, and its shortcuts with it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRODUCTION_ROOTS = ['hub', 'storage', 'widgets'];
const isTestSupport = (rel: string) => /(^|\/)(testing|e2e)\//.test(rel) || rel.endsWith('.test.ts') || rel.startsWith('loadtest/');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sources(rel));
    } else if (/\.(ts|js)$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

const production = PRODUCTION_ROOTS.flatMap((d) => sources(d)).filter((f) => !isTestSupport(f));

describe('test support stays out of production code', () => {
  it('finds the production sources', () => {
    expect(production).toContain('hub/node.ts');
  });

  it('no production module imports from a testing/ or e2e/ folder, a test file or loadtest/', () => {
    const bad: string[] = [];
    for (const file of production) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
        if (isTestSupport(target)) bad.push(`${file} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('fixtures live in a testing/ folder', () => {
    expect(production.filter((f) => /fixture/i.test(path.basename(f)))).toEqual([]);
  });
});
