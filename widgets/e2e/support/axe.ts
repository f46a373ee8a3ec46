// Runs axe-core inside a page (WCAG 2.0/2.1 A and AA rules, open shadow roots included) and
// returns the serious and critical violations, each with the elements it found; or, with
// allViolations, every violation of any impact, best practices included (one h1, unique
// landmark names).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

async function run(page: Page, tags: string[]): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (values) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  }, tags);
}

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function seriousViolations(page: Page): Promise<Violation[]> {
  return (await run(page, WCAG)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function allViolations(page: Page): Promise<Violation[]> {
  return run(page, [...WCAG, 'best-practice']);
}

/**
 * The two tests a browser suite ends with, as they were written out in each: `axeName`, no
 * serious or critical violation on each of `pages()` (read when the test runs), then 'the
 * pages raised no errors'. `axeTimeoutMs` for many or large pages (the test's default otherwise).
 */
export function itEndsClean(pages: () => Page[], problems: readonly string[], axeName = 'axe-core finds no serious or critical violation', axeTimeoutMs?: number): void {
  it(axeName, { timeout: axeTimeoutMs }, async () => {
    for (const page of pages()) expect(await seriousViolations(page)).toEqual([]);
  });

  it('the pages raised no errors', () => {
    expect(problems).toEqual([]);
  });
}
