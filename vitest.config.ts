import { defineConfig } from 'vitest/config';

// One runner for the whole repo: unit specs sit next to their code (*.spec.ts), integration tests
// that start the real server live in apps/server/test.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
