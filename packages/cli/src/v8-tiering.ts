/**
 * When V8 compiles weft's hot functions with its optimizing compiler (TurboFan).
 *
 * V8 counts the bytecode a function runs (its "interrupt budget") and, when the budget is
 * spent, asks TurboFan to compile it. With V8 11.3's default budget (67,584 bytes) a weft run
 * of a few hundred milliseconds hands ~84 functions to TurboFan (`--trace-opt`), and those
 * compilations cost more CPU than the optimized code then saves: the issue #13 sweep
 * (`bench allreduce --topology switch:8 --algo ring --mode ghost -b 4 -e 256M -f 4`) took
 * 0.41 s of CPU with the default, 0.26 s with `--no-opt` and 0.27 s with a budget of
 * 1,000,000. Longer runs still reach TurboFan, a little later, and came out cheaper too
 * (dgx-h100:nodes=2 auto ghost 8 B–1 GiB 1.61 → 1.33 s, the default data-mode job
 * 7.9 → 6.6 s; benchmarks/results/smpi.md §35), where `--no-opt` would cost them 1.6–2.8×.
 *
 * Set from inside the process (users keep typing plain `weft …`) by the CLI's entry (main.ts)
 * for the commands that simulate, before their modules load, so every function of the run —
 * and of its worker threads, which share the process's V8 flags — gets the budget when its
 * feedback is allocated. Not by runCli: a program that calls it (the lab's tests) keeps its V8. Applied only on the V8 it was measured with (Node 20's 11.x),
 * and never over a budget the user set on the command line (`node --interrupt-budget=N …`).
 */

/** Bytecode bytes a function runs before V8 considers optimizing it (V8 11.3's default: 67,584). */
export const INTERRUPT_BUDGET_BYTES = 1_000_000;

/** The commands that run simulations (no command: the main job, a bench). */
const SIMULATING_COMMANDS = new Set(['bench', 'train', 'lab']);

/**
 * The V8 flag to set for `weft args` (the CLI's arguments), or undefined to leave V8's tiering
 * alone: `weft algos`, `topo` and help do not simulate (and do not load node:v8 for it).
 */
export function tieringFlag(args: readonly string[], execArgv: readonly string[], v8Version: string): string | undefined {
  if (args.length > 0 && !SIMULATING_COMMANDS.has(args[0]!)) return undefined;
  if (!/^11\./.test(v8Version)) return undefined;
  if (execArgv.some((arg) => /^--interrupt[-_]budget(=|$)/.test(arg))) return undefined;
  return `--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`;
}

/** Sets the flag for `weft args` in this process (see the module comment); returns what it set. */
export async function applyTieringFlag(args: readonly string[]): Promise<string | undefined> {
  const flag = tieringFlag(args, process.execArgv, process.versions.v8);
  if (flag !== undefined) (await import('node:v8')).setFlagsFromString(flag);
  return flag;
}
