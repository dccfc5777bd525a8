/**
 * Algorithm and protocol selection as NCCL's tuner does it (src/graph/tuning.cc,
 * src/enqueue.cc topoGetAlgoInfo): predict every (algorithm, protocol) candidate's time
 * with the cost model and take the argmin.
 *
 * The candidates are NCCL's own: the algorithms that declare `protocols`, each under every
 * protocol it declares (or the one asked for, like NCCL_PROTO). A collective with no such
 * algorithm falls back to all its algorithms, with hardware timing only.
 */
import { WeftInputError } from '@weft/sim';
import { listAlgorithms, resolveDefaults } from './registry.js';
import type { ProtocolName } from './protocols.js';
import type { Algorithm, CollectiveName, CostParams, PlanParams } from './types.js';

export interface AlgorithmCandidate {
  readonly name: string;
  /** The protocol it was predicted under; absent for algorithms without protocols. */
  readonly protocol?: ProtocolName;
  /** NaN when unsupported. */
  readonly predictedNs: number;
  /** Why the algorithm cannot run with these params; absent when it can. */
  readonly unsupported?: string;
  /** The params it was predicted with (channels and protocol resolved); absent when unsupported. */
  readonly params?: PlanParams;
}

export interface AlgorithmChoice {
  readonly algorithm: Algorithm;
  /** The params it was predicted with (channels resolved: `resolveDefaults`; protocol set when it has one). */
  readonly params: PlanParams;
  readonly predictedNs: number;
  /** Every candidate considered, in registry order, protocols in NCCL's order (LL, LL128, Simple). */
  readonly candidates: readonly AlgorithmCandidate[];
}

/** The protocols `algorithm` is tried under: `only` when given (and declared), else all it declares; [undefined] without protocols. */
function protocolsToTry(algorithm: Algorithm, only: ProtocolName | undefined): readonly (ProtocolName | undefined)[] {
  if (algorithm.protocols === undefined) return [undefined];
  return only === undefined ? algorithm.protocols : [only];
}

/**
 * Every candidate's prediction for one algorithm: under each of its protocols (or `only`).
 * `only` that the algorithm does not declare is reported as unsupported.
 */
export function candidatesOf(algorithm: Algorithm, params: PlanParams, cost: CostParams, only?: ProtocolName): AlgorithmCandidate[] {
  return protocolsToTry(algorithm, only).map((protocol) => {
    const own = resolveDefaults(algorithm, protocol === undefined ? params : { ...params, protocol }, cost);
    const reason = algorithm.unsupported(own);
    const named = protocol === undefined ? {} : { protocol };
    if (reason !== null) return { name: algorithm.name, ...named, predictedNs: Number.NaN, unsupported: reason };
    return { name: algorithm.name, ...named, predictedNs: algorithm.predictNs(own, cost), params: own };
  });
}

/** The candidate with the smallest finite prediction; ties (1e-9 relative) go to the earlier one. */
export function fastest<C extends { readonly predictedNs: number; readonly params?: PlanParams }>(candidates: readonly C[]): C | null {
  let best: C | null = null;
  for (const c of candidates) {
    if (c.params === undefined || !Number.isFinite(c.predictedNs)) continue;
    if (best === null || c.predictedNs < best.predictedNs * (1 - 1e-9)) best = c;
  }
  return best;
}

/**
 * The (algorithm, protocol) with the smallest predicted time among NCCL's candidates (see
 * the header); `protocol` restricts the protocols as NCCL_PROTO does. Ties go to the
 * earlier candidate, so the choice is deterministic. Throws WeftInputError when no
 * candidate can run.
 */
export function chooseAlgorithm(collective: CollectiveName, params: PlanParams, cost: CostParams, protocol?: ProtocolName): AlgorithmChoice {
  const all = listAlgorithms(collective);
  const nccl = all.filter((a) => a.protocols !== undefined);
  const algorithms = nccl.length > 0 ? nccl : all;
  const perAlgorithm = algorithms.map((algorithm) => ({ algorithm, candidates: candidatesOf(algorithm, params, cost, protocol) }));
  const candidates = perAlgorithm.flatMap((a) => a.candidates);
  const best = fastest(candidates);
  if (best === null) {
    const reasons = candidates.map((c) => `${c.name}${c.protocol ? `/${c.protocol}` : ''}: ${c.unsupported ?? 'no finite prediction'}`).join('; ');
    throw new WeftInputError(
      `no ${collective} algorithm can run on ${params.nranks} ranks with count ${params.count}${reasons ? ` (${reasons})` : ''}`,
    );
  }
  const algorithm = perAlgorithm.find((a) => a.candidates.includes(best))!.algorithm;
  return { algorithm, params: best.params!, predictedNs: best.predictedNs, candidates };
}
