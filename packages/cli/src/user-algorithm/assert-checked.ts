import type { Algorithm, PlanParams } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { checkPlanned, checkUserAlgorithmAt, RUN_CHECK_MAX_RANKS, type UserCheck } from './check.js';

/*
 * The one line that refuses a module whose check failed. Its own module, free of the loader
 * (load.ts, sandbox.ts: node:worker_threads): the sweep imports it, and the lab bundles the
 * sweep for the browser.
 */

/** A failed check as the one line that refuses the module. */
export function assertPassed(check: UserCheck, flag: string, path: string, algorithm: Algorithm): asserts check is Extract<UserCheck, { ok: true }> {
  if (!check.ok) throw new WeftInputError(`${flag}: '${path}': ${algorithm.collective}/${algorithm.name} is ${check.error}`);
}

/** The run's own rank count and layout, proved before the run (check.ts checkUserAlgorithmAt). */
export function assertCheckedAt(path: string, algorithm: Algorithm, nranks: number, layout: PlanParams['layout']): void {
  assertPassed(checkUserAlgorithmAt(algorithm, nranks, layout), '--algo', path, algorithm);
}

/** The schedule a ghost run will simulate, planned and proved at the run's own size (check.ts checkPlanned), to RUN_CHECK_MAX_RANKS as the run-size check. */
export function assertPlannedChecked(path: string, algorithm: Algorithm, params: PlanParams): void {
  if (params.nranks > RUN_CHECK_MAX_RANKS) return;
  assertPassed(checkPlanned(algorithm, params), '--algo', path, algorithm);
}
