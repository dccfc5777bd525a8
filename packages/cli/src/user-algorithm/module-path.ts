/**
 * Whether an `--algo` item or `algos --check` argument names a module rather than an
 * algorithm. On its own so that a bench of built-in algorithms does not load the loader
 * (./load.ts: its zod shape, the sandbox, the checker) to ask (benchmarks/results/smpi.md §36).
 */
export function isModulePath(text: string): boolean {
  return /[\\/]/.test(text) || /\.(mjs|js)$/i.test(text);
}
