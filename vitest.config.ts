import { defineConfig } from 'vitest/config';

// Tests import packages by name, so they run against the built `dist/` as users do
// (`pnpm test` builds first). Worker-thread tests need the compiled worker files.
//
// Three projects, by what a test starts (`pnpm test` runs all three):
// - unit: pure and fast, in-process only: every package's tests, except runtime's and
//   train's, where only `*-unit.test.ts` / `*-units.test.ts` files are pure. `pnpm test:fast`
//   runs only this project. A unit test must not depend on fresh module state (isolate: false).
// - runtime: the rest of packages/runtime and packages/train (worker threads, ghost runs at
//   scale, training in rank workers).
// - e2e: the built CLI run as a user runs it (test/**).
// A new package's tests land in unit by default; nothing matches no project.
const CLUSTER_PACKAGES = 'packages/{runtime,train}/test/**/*.test.ts';
const PURE_IN_CLUSTER_PACKAGES = 'packages/{runtime,train}/test/**/*-unit{,s}.test.ts';

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
          include: ['packages/!(runtime|train)/test/**/*.test.ts', PURE_IN_CLUSTER_PACKAGES],
          // Pure tests share a forked worker instead of re-importing the packages per file:
          // about a quarter less CPU (2-core machine: 34 s → 26 s user time).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'runtime', include: [CLUSTER_PACKAGES], exclude: [PURE_IN_CLUSTER_PACKAGES] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**'] },
      },
    ],
  },
});
