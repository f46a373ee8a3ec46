// Types of hooks.mjs, for the test that calls its compiler directly.
/** The ES module esbuild makes of one TypeScript file (its path and its text). */
export function compile(file: string, source: string): Promise<string>;
