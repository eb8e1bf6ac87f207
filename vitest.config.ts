import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: browser and PostgreSQL suites run alongside unit files, so keep it modest
    maxWorkers: 2,
  },
});
