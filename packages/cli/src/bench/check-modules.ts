import type { Algorithm, PlanParams } from '@weft/collectives';
import type { BenchAlgorithm } from './config.js';

// Its own module, apart from algorithms.ts (whose resolveAlgorithms loads modules through the
// sandbox, node:worker_threads): the sweep imports this one, and the lab bundles the sweep for
// the browser.

/**
 * Proves each user module at the run's own rank count and layout too (the check matrix stops at
 * 16 ranks; ghost mode moves no bytes that would show a wrong result). Loads the checker only
 * when a module is in the list.
 */
export async function checkModulesAt(algorithms: readonly BenchAlgorithm[], nranks: number, layout: PlanParams['layout']): Promise<void> {
  const modules = algorithms.filter((entry) => entry.modulePath !== undefined && entry.algorithm !== 'auto');
  if (modules.length === 0) return;
  const { assertCheckedAt } = await import('../user-algorithm/assert-checked.js');
  for (const entry of modules) assertCheckedAt(entry.modulePath!, entry.algorithm as Algorithm, nranks, layout);
}

/** Ghost mode: a user module's schedule at each size (`perSize`), proved before any is timed (assert-checked.ts assertPlannedChecked). */
export async function checkPlannedModule(entry: BenchAlgorithm, perSize: readonly PlanParams[]): Promise<void> {
  if (entry.modulePath === undefined || entry.algorithm === 'auto') return;
  const { assertPlannedChecked } = await import('../user-algorithm/assert-checked.js');
  for (const params of perSize) assertPlannedChecked(entry.modulePath, entry.algorithm, params);
}
