import type { Algorithm } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import type { PlanParams } from '@weft/collectives';
import { checkUserAlgorithm, checkUserAlgorithmAt, type UserCheck } from './check.js';
import { loadUserAlgorithm } from './load.js';

export { isModulePath } from './module-path.js';
export { CHECK_MATRIX, checkUserAlgorithm } from './check.js';

/**
 * Loads the algorithm `path` exports and proves it over the check matrix; any problem is
 * one line naming `flag` and the path; `timeoutMs` bounds each call into it (./sandbox.ts). Returns the algorithm and how many cases it passed.
 */
export async function loadCheckedAlgorithm(path: string, flag: string, timeoutMs?: number): Promise<{ algorithm: Algorithm; cases: number }> {
  const algorithm = await loadUserAlgorithm(path, flag, timeoutMs);
  const check = checkUserAlgorithm(algorithm);
  assertPassed(check, flag, path, algorithm);
  return { algorithm, cases: check.cases };
}

/** A failed check as the one line that refuses the module. */
function assertPassed(check: UserCheck, flag: string, path: string, algorithm: Algorithm): asserts check is Extract<UserCheck, { ok: true }> {
  if (!check.ok) throw new WeftInputError(`${flag}: '${path}': ${algorithm.collective}/${algorithm.name} is ${check.error}`);
}

/** The run's own rank count and layout, proved before the run (check.ts checkUserAlgorithmAt). */
export function assertCheckedAt(path: string, algorithm: Algorithm, nranks: number, layout: PlanParams['layout']): void {
  assertPassed(checkUserAlgorithmAt(algorithm, nranks, layout), '--algo', path, algorithm);
}
