/**
 * Predict mode and the prediction printed beside every run: the step in closed form with
 * the alpha-beta cost of each bucket's all-reduce (see predictStep in timing.ts).
 */
import { getAlgorithm } from '@weft/collectives';
import { alphaBetaCost, type Topology } from '@weft/fabric';
import type { TrainConfig } from './config.js';
import type { Bucket } from './model/buckets.js';
import type { TrainRankResult } from './rank-program.js';
import { predictStep, type ComputeTiming, type PredictedStep } from './timing.js';
import { planParams, wireCount } from './wire.js';

/** The alpha-beta prediction of the step, one cost lookup per bucket size. */
export function predict(config: TrainConfig, topology: Topology, timing: ComputeTiming, buckets: readonly Bucket[]): PredictedStep {
  const algorithm = getAlgorithm('allReduce', config.algorithm);
  const cost = alphaBetaCost(topology);
  const byCount = new Map<number, number>();
  const allReduceNs = (count: number): number => {
    if (topology.ranks.length === 1) return 0;
    let ns = byCount.get(count);
    if (ns === undefined) byCount.set(count, (ns = algorithm.predictNs(planParams(config, topology, wireCount(count, config)), cost)));
    return ns;
  };
  return predictStep(timing, buckets, allReduceNs);
}

/** Predict mode: every step takes the predicted time on every rank; nothing trains. */
export function predictedResults(config: TrainConfig, nranks: number, predicted: PredictedStep): TrainRankResult[] {
  const steps = Array.from({ length: config.steps }, (_, i) => ({
    startNs: i * predicted.totalNs,
    backwardEndNs: Number.NaN,
    commEndNs: Number.NaN,
    endNs: (i + 1) * predicted.totalNs,
    commBusyNs: predicted.commBusyNs,
    computeNs: predicted.totalNs - predicted.exposedCommNs,
  }));
  const result: TrainRankResult = { rank: 0, backend: 'none (predict)', losses: [], steps, stepWallMs: [0], evals: [], weightsHash: '', bucketCount: 0 };
  return Array.from({ length: nranks }, (_, rank) => ({ ...result, rank }));
}
