import { defineConfig } from 'vitest/config';

// Tests import packages by name, so they run against the built `dist/` as users do
// (`pnpm test` builds first). Worker-thread tests need the compiled worker files.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
