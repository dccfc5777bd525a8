import type { Algorithm } from '@weft/collectives';
import { assertPassed } from './assert-checked.js';
import { checkUserAlgorithm } from './check.js';
import { loadUserAlgorithm } from './load.js';

export { isModulePath } from './module-path.js';
export { CHECK_MATRIX, checkUserAlgorithm } from './check.js';

/**
 * Loads the algorithm `path` exports and proves it over the check matrix; any problem is
 * one line naming `flag` and the path; `timeoutMs` bounds each call into it (./sandbox.ts). Returns the algorithm and how many cases it passed.
 */
export async function loadCheckedAlgorithm(path: string, flag: string, timeoutMs?: number): Promise<{ algorithm: Algorithm; cases: number; ranks: readonly number[] }> {
  const algorithm = await loadUserAlgorithm(path, flag, timeoutMs);
  const check = checkUserAlgorithm(algorithm);
  assertPassed(check, flag, path, algorithm);
  return { algorithm, cases: check.cases, ranks: check.ranks };
}

export { assertCheckedAt } from './assert-checked.js';
