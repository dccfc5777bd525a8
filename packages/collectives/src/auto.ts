/**
 * Algorithm selection as NCCL's tuner does it (src/graph/tuning.cc): predict each
 * candidate's time with the cost model and take the argmin.
 */
import { WeftInputError } from '@weft/sim';
import { listAlgorithms, resolveChannels } from './registry.js';
import type { Algorithm, CollectiveName, CostParams, PlanParams } from './types.js';

export interface AlgorithmCandidate {
  readonly name: string;
  /** NaN when unsupported. */
  readonly predictedNs: number;
  /** Why the algorithm cannot run with these params; absent when it can. */
  readonly unsupported?: string;
}

export interface AlgorithmChoice {
  readonly algorithm: Algorithm;
  /** The params it was predicted with (channels resolved: `resolveChannels`). */
  readonly params: PlanParams;
  readonly predictedNs: number;
  /** Every registered algorithm of the collective, in registry order. */
  readonly candidates: readonly AlgorithmCandidate[];
}

/**
 * The supported algorithm with the smallest predicted time. Ties (within 1e-9 relative)
 * go to the earlier algorithm in registry order, so the choice is deterministic. Throws
 * WeftInputError when no algorithm supports the params.
 */
export function chooseAlgorithm(collective: CollectiveName, params: PlanParams, cost: CostParams): AlgorithmChoice {
  const algorithms = listAlgorithms(collective);
  const candidates: AlgorithmCandidate[] = [];
  let best: { algorithm: Algorithm; params: PlanParams; predictedNs: number } | null = null;
  for (const algorithm of algorithms) {
    const own = resolveChannels(algorithm, params, cost);
    const reason = algorithm.unsupported(own);
    if (reason !== null) {
      candidates.push({ name: algorithm.name, predictedNs: Number.NaN, unsupported: reason });
      continue;
    }
    const predictedNs = algorithm.predictNs(own, cost);
    candidates.push({ name: algorithm.name, predictedNs });
    if (!Number.isFinite(predictedNs)) continue;
    if (best === null || predictedNs < best.predictedNs * (1 - 1e-9)) best = { algorithm, params: own, predictedNs };
  }
  if (best === null) {
    const reasons = candidates.map((c) => `${c.name}: ${c.unsupported ?? 'no finite prediction'}`).join('; ');
    throw new WeftInputError(
      `no ${collective} algorithm can run on ${params.nranks} ranks with count ${params.count}${reasons ? ` (${reasons})` : ''}`,
    );
  }
  return { ...best, candidates };
}
