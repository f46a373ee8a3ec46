// Global setup of the `browser` project: the widget bundle is built once, before the files
// start in parallel, so that two files never build into dist/widgets/ at the same time.
import { ensureBundle } from './bundle.ts';

export async function setup(): Promise<void> {
  await ensureBundle();
}
