/**
 * Predict mode and the prediction printed beside every run: the step in closed form with
 * the alpha-beta cost of each bucket's all-reduce (see predictStep in timing.ts).
 */
import type { Topology } from '@weft/fabric';
import type { BucketAllReduce } from './bucket-all-reduce.js';
import type { TrainConfig } from './config.js';
import type { Bucket } from './model/buckets.js';
import type { TrainRankResult } from './rank-program.js';
import { predictStep, type ComputeTiming, type PredictedStep } from './timing.js';

/** The alpha-beta prediction of the step from each bucket size's all-reduce (bucketAllReduces). */
export function predict(topology: Topology, timing: ComputeTiming, buckets: readonly Bucket[], allReduces: ReadonlyMap<number, BucketAllReduce>): PredictedStep {
  const oneRank = topology.ranks.length === 1;
  return predictStep(timing, buckets, (count) => (oneRank ? 0 : allReduces.get(count)!.predictedNs));
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
