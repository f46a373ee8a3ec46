// The module hooks of register.mjs (they run on Node's loader thread): a .ts or .mts file of
// the project is read and compiled by esbuild into an ES module. Everything else, and any
// file under node_modules, goes to Node's own loader.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TYPESCRIPT = /\.m?ts$/;

/** tsconfig.json's compilerOptions (useDefineForClassFields, experimentalDecorators, ...). */
let compilerOptions = {};

export function initialize(data) {
  compilerOptions = data?.compilerOptions ?? {};
}

/** The ES module esbuild makes of one TypeScript file, with an inline source map. */
export async function compile(file, source) {
  const out = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    // Mappings only, as tsx made them: a stack trace needs no copy of the source in memory.
    sourcemap: 'inline',
    sourcesContent: false,
    sourcefile: file,
    tsconfigRaw: { compilerOptions },
  });
  return out.code;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (!TYPESCRIPT.test(file)) return nextLoad(url, context);
  const source = await compile(file, await readFile(file, 'utf8'));
  return { format: 'module', source, shortCircuit: true };
}
