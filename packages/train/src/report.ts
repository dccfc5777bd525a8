/**
 * A training run's result as rows of data (then formatted by the CLI: lines, JSON, SVG).
 */
import type { DeviceProfile, Precision } from './device/profiles.js';
import type { MemoryEstimate } from './model/memory.js';
import type { ComputeTiming, PredictedStep, StepBreakdown } from './timing.js';

export interface EpochSummary {
  /** 1-based; a last, partial epoch is reported with `partial: true`. */
  readonly epoch: number;
  readonly partial: boolean;
  /** Global step reached at the end of this epoch. */
  readonly step: number;
  /** Mean over the epoch's steps of the global-batch loss; null in ghost mode. */
  readonly loss: number | null;
  /** Held-out accuracy measured at `step`; null when not measured. */
  readonly accuracy: number | null;
  /** Mean emulated step time over the epoch's steps (ns). */
  readonly stepNs: number;
}

/** What is known before the run starts (printed as the header). */
export type TrainHeader = Omit<TrainReport, 'stepTime' | 'perStep' | 'epochs' | 'finalLoss' | 'finalAccuracy' | 'replicas' | 'wallMs' | 'wallMsPerStep'>;

export interface TrainReport {
  readonly model: { readonly name: string; readonly dataset: string; readonly parameters: number; readonly layers: number; readonly tokensPerSample: number };
  readonly device: { readonly name: string; readonly title: string; readonly peakFlopsPerSec: number; readonly computeEfficiency: number; readonly memoryBytes: number };
  readonly precision: Precision;
  readonly topology: { readonly spec: string; readonly ranks: number };
  readonly algorithm: string;
  readonly channels: number;
  readonly chunkBytes: number;
  readonly network: { readonly model: string; readonly routing: string; readonly qps: number; readonly seed: number };
  readonly mode: 'data' | 'ghost' | 'predict';
  /** The TensorFlow.js backend every rank ran ('none (ghost)' in ghost mode). */
  readonly backend: string;
  readonly backendSkipped: readonly { readonly name: string; readonly reason: string }[];
  readonly steps: number;
  readonly stepsPerEpoch: number;
  readonly globalBatch: number;
  readonly perRankBatch: number;
  readonly learningRate: number;
  readonly momentum: number;
  readonly seed: number;
  readonly bucketCapBytes: number;
  readonly buckets: number;
  /** Bytes per gradient in a bucket (bf16: 2), which sizes the buckets. */
  readonly gradientBytesPerElement: number;
  /** Bytes per gradient the all-reduce moves: data mode always moves fp32 arrays. */
  readonly wireBytesPerElement: number;
  readonly memory: MemoryEstimate;
  readonly compute: ComputeTiming;
  /** The alpha-beta prediction of the same step (no contention), beside the simulated one. */
  readonly predicted: PredictedStep;
  /** Mean over steps. */
  readonly stepTime: StepBreakdown & { readonly forwardNs: number; readonly backwardNs: number; readonly optimizerNs: number };
  readonly perStep: readonly { readonly step: number; readonly loss: number | null; readonly totalNs: number; readonly exposedCommNs: number; readonly commBusyNs: number }[];
  readonly epochs: readonly EpochSummary[];
  readonly finalLoss: number | null;
  readonly finalAccuracy: number | null;
  readonly replicas: { readonly identical: boolean; readonly hashes: readonly string[] };
  /** Wall-clock time of the whole run: checks, worker start-up, data loading, training. */
  readonly wallMs: number;
  /** Median wall-clock time of one step on rank 0 (start-up excluded). */
  readonly wallMsPerStep: number;
}

export function peakFor(device: DeviceProfile, precision: Precision): number {
  return device.peakFlopsPerSec[precision];
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
    const mean = (values: readonly number[]) => values.slice(first, end).reduce((a, b) => a + b, 0) / (end - first);
    epochs.push({
      epoch: epochs.length + 1,
      partial: end - first < stepsPerEpoch,
      step: end,
      loss: losses.length >= end ? mean(losses) : null,
      accuracy: evals.find((e) => e.step === end)?.accuracy ?? null,
      stepNs: mean(stepNs),
    });
  }
  return epochs;
}
