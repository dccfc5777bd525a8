/**
 * A training run's result as rows of data (then formatted by the CLI: lines, JSON, SVG).
 */
import type { TrainConfig } from './config.js';
import type { MemoryEstimate } from './model/memory.js';
import type { TrainRankResult } from './rank-program.js';
import { mean, median } from './stats.js';
import { atLeastCompute, stepBreakdown, stepSpanNs, type ComputeTiming, type PredictedStep, type StepBreakdown } from './timing.js';

export interface EpochSummary {
  /** 1-based; a last, partial epoch is reported with `partial: true`. */
  readonly epoch: number;
  readonly partial: boolean;
  /** Global step reached at the end of this epoch. */
  readonly step: number;
  /** Mean over the epoch's steps of the global-batch loss (printed `mean loss`); null in ghost mode. */
  readonly loss: number | null;
  /** Held-out accuracy measured at `step`; null when not measured. */
  readonly accuracy: number | null;
  /** Mean emulated step time over the epoch's steps (ns). */
  readonly stepNs: number;
}

/** What is known before the run starts (printed as the header). */
export interface TrainHeader {
  /** The run's settings as validated (parseTrainConfig). */
  readonly config: TrainConfig;
  readonly model: { readonly name: string; readonly dataset: string; readonly parameters: number; readonly layers: number; readonly tokensPerSample: number };
  readonly device: { readonly name: string; readonly title: string; readonly peakFlopsPerSec: number; readonly computeEfficiency: number; readonly memoryBytes: number };
  readonly topology: { readonly spec: string; readonly ranks: number };
  /** The TensorFlow.js backend every rank ran ('none (ghost)' in ghost mode). */
  readonly backend: string;
  readonly backendSkipped: readonly { readonly name: string; readonly reason: string }[];
  readonly stepsPerEpoch: number;
  readonly perRankBatch: number;
  readonly bucketCapBytes: number;
  readonly buckets: number;
  /** The largest bucket's gradient bytes: above the cap when one layer alone is (it gets a bucket of its own, as in DDP). */
  readonly largestBucketBytes: number;
  /** Bytes per gradient in a bucket (bf16: 2), which sizes the buckets. */
  readonly gradientBytesPerElement: number;
  /** Bytes per gradient the all-reduce moves: data mode always moves fp32 arrays. */
  readonly wireBytesPerElement: number;
  readonly memory: MemoryEstimate;
  readonly compute: ComputeTiming;
  /** What each bucket's all-reduce runs: algorithm/protocol, channels, chunk (bucketAllReduces). */
  readonly allReduce: string;
  /** The alpha-beta prediction of the same step (no contention), beside the simulated one. */
  readonly predicted: PredictedStep;
}

export interface TrainReport extends TrainHeader {
  /** Mean over steps. */
  readonly stepTime: StepBreakdown & {
    readonly forwardNs: number;
    readonly backwardNs: number;
    readonly optimizerNs: number;
    /** Per rank, mean over steps: the virtual time it computed (a --straggler slow=F rank: F × computeNs). */
    readonly computeNsByRank: readonly number[];
  };
  readonly perStep: readonly { readonly step: number; readonly loss: number | null; readonly totalNs: number; readonly exposedCommNs: number; readonly commBusyNs: number }[];
  readonly epochs: readonly EpochSummary[];
  /** Global-batch loss of the last step alone (printed `last-step loss`), not an epoch mean; null in ghost mode. */
  readonly finalLoss: number | null;
  readonly finalAccuracy: number | null;
  readonly replicas: { readonly identical: boolean; readonly hashes: readonly string[] };
  /** Wall-clock time of the whole run: checks, worker start-up, data loading, training. */
  readonly wallMs: number;
  /** Median wall-clock time of one step on rank 0 (start-up excluded). */
  readonly wallMsPerStep: number;
}

/** Global-batch loss of each step: the mean of the ranks' local means (equal shards). */
export function globalLosses(perRankLosses: readonly (readonly number[])[]): number[] {
  if (perRankLosses.length === 0 || perRankLosses[0]!.length === 0) return [];
  return perRankLosses[0]!.map((_, step) => perRankLosses.reduce((sum, losses) => sum + losses[step]!, 0) / perRankLosses.length);
}

export function summarizeEpochs(
  steps: number,
  stepsPerEpoch: number,
  losses: readonly number[],
  stepNs: readonly number[],
  evals: readonly { readonly step: number; readonly accuracy: number }[],
): EpochSummary[] {
  const epochs: EpochSummary[] = [];
  for (let first = 0; first < steps; first += stepsPerEpoch) {
    const end = Math.min(first + stepsPerEpoch, steps);
    const epochMean = (values: readonly number[]) => mean(values.slice(first, end));
    epochs.push({
      epoch: epochs.length + 1,
      partial: end - first < stepsPerEpoch,
      step: end,
      loss: losses.length >= end ? epochMean(losses) : null,
      accuracy: evals.find((e) => e.step === end)?.accuracy ?? null,
      stepNs: epochMean(stepNs),
    });
  }
  return epochs;
}

/** The report of a finished run from what its ranks returned (rank-ordered; a step spans the last rank's start to the last rank's end: stepSpanNs). */
export function buildReport(header: TrainHeader, results: readonly TrainRankResult[], wallMs: number): TrainReport {
  const { config, compute } = header;
  const losses = config.mode === 'data' ? globalLosses(results.map((r) => r.losses)) : [];
  const evals = results[0]!.evals;
  const perStepTotals = results[0]!.steps.map((_, step) =>
    atLeastCompute(stepSpanNs(results.map((r) => r.steps[step]!.startNs), results.map((r) => r.steps[step]!.endNs)), compute.computeNs),
  );
  const perStepBusy = results[0]!.steps.map((_, step) => Math.max(...results.map((r) => r.steps[step]!.commBusyNs)));
  const breakdown = stepBreakdown(compute.computeNs, mean(perStepTotals), mean(perStepBusy), config.globalBatch);
  const hashes = [...new Set(results.map((r) => r.weightsHash))];
  return {
    ...header,
    backend: results[0]!.backend,
    stepTime: {
      ...breakdown,
      forwardNs: compute.forwardNs,
      backwardNs: compute.backwardNs,
      optimizerNs: compute.optimizerNs,
      computeNsByRank: results.map((r) => mean(r.steps.map((s) => s.computeNs))),
    },
    perStep: perStepTotals.map((totalNs, i) => ({ step: i + 1, loss: losses[i] ?? null, totalNs, exposedCommNs: totalNs - compute.computeNs, commBusyNs: perStepBusy[i]! })),
    epochs: summarizeEpochs(config.steps, header.stepsPerEpoch, losses, perStepTotals, evals),
    finalLoss: losses.at(-1) ?? null,
    finalAccuracy: evals.at(-1)?.accuracy ?? null,
    replicas: { identical: config.mode === 'data' ? hashes.length === 1 : true, hashes },
    wallMs,
    wallMsPerStep: median(results[0]!.stepWallMs),
  };
}
