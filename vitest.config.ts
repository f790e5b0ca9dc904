import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end files start real server processes with several workers each; two files at a
    // time keeps a 2-core machine responsive.
    maxWorkers: 2,
    globalSetup: ['test/setup/buildOnce.ts'],
  },
});
