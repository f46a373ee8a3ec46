import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{hub,storage,widgets,loadtest}/**/*.test.ts'],
    // Integration suites share one PostgreSQL and start real hubs: run files one at a time
    // so that two suites never race on the same database or ports.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ['./hub/testing/global-setup.ts'],
  },
});
