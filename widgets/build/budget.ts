// A Vite plugin that prints the bundle's gzipped size and fails the build over the budget
// (issue 5: all widgets, Lit and msgpackr included, at most 60 KB gzipped).
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const BUDGET_BYTES = 60 * 1024;

export function sizeBudget(limit = BUDGET_BYTES): Plugin {
  return {
    name: 'schoolhub-size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const raw = Buffer.byteLength(file.code);
        const gz = gzipSync(file.code, { level: 9 }).byteLength;
        const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
        console.log(`[widgets] ${file.fileName}: ${kb(raw)} minified, ${kb(gz)} gzipped (budget ${kb(limit)})`);
        if (gz > limit) this.error(`${file.fileName} is ${kb(gz)} gzipped, over the budget of ${kb(limit)}`);
      }
    },
  };
}
