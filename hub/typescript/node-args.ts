// The Node flag that runs the project's TypeScript (register.mjs), for code that starts Node
// processes of its own: the bench's servers and load generator, the multi-node tests' hubs.
import { fileURLToPath, pathToFileURL } from 'node:url';

const REGISTER_FILE = fileURLToPath(new URL('./register.mjs', import.meta.url));

/** `node ...TYPESCRIPT_IMPORT script.ts` */
export const TYPESCRIPT_IMPORT: readonly string[] = ['--import', pathToFileURL(REGISTER_FILE).href];
