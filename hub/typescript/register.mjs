// Runs the project's TypeScript in Node 20: `node --import ./hub/typescript/register.mjs FILE.ts`.
// Each .ts file outside node_modules is compiled by esbuild as it is imported (types stripped,
// tsconfig.json's compilerOptions applied, an inline source map so that stack traces name the
// .ts line). Nothing is type-checked here: `npm run typecheck` does that.
//
// Why not tsx: tsx compiles with esbuild's keepNames, which wraps every named function in a
// helper that redefines its `name`, and the wrap runs each time a closure is made. On the
// hub's message path that cost about a tenth of its CPU per message (loadtest/RESULTS.md,
// "Compiled without keepNames"). Plain JavaScript names those functions itself.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';

const tsconfig = JSON.parse(readFileSync(new URL('../../tsconfig.json', import.meta.url), 'utf8'));

process.setSourceMapsEnabled(true);
register('./hooks.mjs', { parentURL: import.meta.url, data: { compilerOptions: tsconfig.compilerOptions ?? {} } });
