import { defineConfig } from 'vitest/config';

// Tests import packages by name, so they run against the built `dist/` as users do
// (`pnpm test` builds first). Worker-thread tests need the compiled worker files.
//
// Three projects, by what a test starts:
// - unit: pure and fast, in-process only (sim, fabric, collectives, and `*-unit(s).test.ts`
//   files in runtime and train). `pnpm test:fast` runs only these.
// - runtime: clusters (worker threads, or ghost runs at scale) in packages/runtime, train.
// - e2e: the built CLI run as a user runs it (test/**).
const PURE_IN_RUNTIME_PACKAGES = 'packages/{runtime,train}/test/**/*-unit{,s}.test.ts';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/{sim,fabric,collectives}/test/**/*.test.ts', PURE_IN_RUNTIME_PACKAGES],
        },
      },
      {
        extends: true,
        test: {
          name: 'runtime',
          include: ['packages/{runtime,train}/test/**/*.test.ts'],
          exclude: [PURE_IN_RUNTIME_PACKAGES],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**'] },
      },
    ],
  },
});
