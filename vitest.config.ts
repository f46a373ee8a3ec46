import { configDefaults, defineConfig } from 'vitest/config';

// Which project a test file belongs to follows from where it lives (README, "Tests"), so a new
// test lands in the right one without editing this file:
//   browser      widgets/e2e/ (Chromium, the built bundle) and widgets/security.test.ts (the bundle)
//   integration  hub/e2e/, storage/, loadtest/ and any *.hub.test.ts: real PostgreSQL, Redis,
//                hubs and processes
//   serial       the integration files that measure time or hold many connections (below)
//   unit         everything else: no I/O, and hub/testing/no-io.ts makes sure of it
const BROWSER = ['widgets/e2e/**/*.test.ts', 'widgets/security.test.ts'];
const INTEGRATION = ['hub/e2e/**/*.test.ts', 'storage/**/*.test.ts', 'loadtest/**/*.test.ts', '{hub,widgets}/**/*.hub.test.ts'];
// Token buckets refilling at 1/s (limits), process kills and drain deadlines (faults, cluster)
// and 1,200 sockets at once (storm) would flake, or starve the files beside them, when they
// share two cores with other files: these run one at a time, after everything else. So do the
// browser suites that restart a hub behind a proxy and wait for the page to come back
// (reconnect, restore): under a loaded machine their reconnect backoff outlasts the waits; and
// chat-features, whose search test clicks in a chat that 60 live messages are still re-rendering.
const SERIAL = ['hub/e2e/{limits,faults,cluster,storm,notify-nodes,stall}.test.ts', 'widgets/e2e/{reconnect,restore,chat-features}.test.ts'];
const ALL = ['{hub,storage,widgets,loadtest}/**/*.test.ts'];

// Every test hub has a database of its own and listens on port 0, multi-node tests use a
// random Redis prefix, and each file runs in a process of its own (isolate): files run in
// parallel. Two workers fit a 2-core machine: run one at a time, the suite used about 40% of
// a core, the rest is waiting on PostgreSQL, sockets and Chromium. Projects that run together
// must have the same maxWorkers, so all parallel projects share this one.
const WORKERS = 2;

const shared = {
  testTimeout: 30_000,
  hookTimeout: 120_000,
  exclude: [...configDefaults.exclude],
};
// Finds the PostgreSQL server the tests use and provides its URL to the files.
const POSTGRES = './hub/testing/global-setup.ts';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure modules only, and the files that fake timers restore them: one module graph per
        // worker (isolate: false) halves the CPU the run takes. A unit test that changes
        // module state must put it back.
        test: {
          ...shared, name: 'unit', include: ALL, exclude: [...shared.exclude, ...BROWSER, ...INTEGRATION],
          maxWorkers: WORKERS, setupFiles: ['./hub/testing/no-io.ts'], isolate: false,
        },
      },
      {
        test: {
          ...shared, name: 'integration', include: INTEGRATION, exclude: [...shared.exclude, ...SERIAL],
          maxWorkers: WORKERS, globalSetup: [POSTGRES],
        },
      },
      {
        test: {
          ...shared, name: 'browser', include: BROWSER, exclude: [...shared.exclude, ...SERIAL],
          maxWorkers: WORKERS, globalSetup: [POSTGRES, './widgets/e2e/support/global-setup.ts'],
        },
      },
      {
        // fileParallelism: false puts this project in a group of its own that runs last.
        test: { ...shared, name: 'serial', include: SERIAL, fileParallelism: false, globalSetup: [POSTGRES, './widgets/e2e/support/global-setup.ts'] },
      },
    ],
  },
});
