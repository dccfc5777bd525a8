/**
 * Emulated compute time of one step and the scaling arithmetic built on it.
 *
 * Compute = forward + backward (from FLOPs at the device's sustained rate) + optimizer
 * (memory-bound: bytes the update touches / HBM bandwidth). Communication comes from the
 * fabric, in virtual time, while the rank program runs.
 */
import { computeTimeNs, type DeviceProfile, type Precision } from './device/profiles.js';
import { stepFlops } from './model/flops.js';
import { parameterCount, type ModelSpec } from './model/spec.js';

export interface ComputeTiming {
  readonly forwardNs: number;
  /** Per layer, model order; the backward pass runs them last to first. */
  readonly backwardNsPerLayer: readonly number[];
  readonly backwardNs: number;
  readonly optimizerNs: number;
  /** forward + backward + optimizer: the step time of one rank alone (no communication). */
  readonly computeNs: number;
  readonly forwardFlops: number;
  readonly backwardFlops: number;
}

/**
 * Bytes the optimizer touches per parameter: read weight and gradient, write weight
 * (4 + 4 + 4 in fp32; in bf16 mixed precision read the fp32 master, the bf16 gradient,
 * write the master and the bf16 copy: 4 + 2 + 4 + 2 — the same 12); momentum adds a read
 * and a write of the fp32 velocity (8).
 */
export function optimizerBytesPerParam(momentum: boolean): number {
  return 12 + (momentum ? 8 : 0);
}

export function computeTiming(spec: ModelSpec, samplesPerRank: number, device: DeviceProfile, precision: Precision, momentum: boolean): ComputeTiming {
  const flops = stepFlops(spec, samplesPerRank);
  const forwardNs = computeTimeNs(flops.forwardFlops, device, precision);
  const backwardNsPerLayer = flops.backwardFlopsPerLayer.map((f) => computeTimeNs(f, device, precision));
  const backwardNs = backwardNsPerLayer.reduce((a, b) => a + b, 0);
  const optimizerNs = ((parameterCount(spec) * optimizerBytesPerParam(momentum)) / device.memoryBandwidthBytesPerSec) * 1e9;
  return {
    forwardNs,
    backwardNsPerLayer,
    backwardNs,
    optimizerNs,
    computeNs: forwardNs + backwardNs + optimizerNs,
    forwardFlops: flops.forwardFlops,
    backwardFlops: flops.backwardFlops,
  };
}

export interface StepBreakdown {
  readonly computeNs: number;
  /** Step time not hidden behind computation: total − compute. */
  readonly exposedCommNs: number;
  readonly totalNs: number;
  /** Time at least one bucket all-reduce was in flight (overlapped or not). */
  readonly commBusyNs: number;
  /**
   * Weak-scaling efficiency against one rank with the same per-rank batch: that rank's
   * step is pure compute, so efficiency = (N·b / total) / (N · b / compute) = compute / total.
   */
  readonly scalingEfficiency: number;
  readonly samplesPerSec: number;
}

/**
 * A step's time, no shorter than its compute: the emulated step sums the same forward, backward
 * and optimizer times in another order than computeNs does, so on one rank (nothing to overlap)
 * the two differ in the last bits and a step came out 4.5e-13 ns under its compute ("exposed
 * comm -0.0 ns", efficiency 1.0000000000000002). A shortfall within 1e-9 of the compute is that
 * rounding; a larger one is left to show.
 */
/**
 * One step's time over all ranks: from the last rank's start of it to the last rank's end of it.
 * The max over ranks of each rank's own span (what this was) counts a skew between ranks in every
 * step: after a straggler's one late start, ranks alternate 68 and 102 µs steps whose period stays
 * 85 µs, and the report said 102 µs a step for a run only 30 µs longer in all (hostile.md §24).
 * Without skew the two are equal.
 */
export function stepSpanNs(startsNs: readonly number[], endsNs: readonly number[]): number {
  return Math.max(...endsNs) - Math.max(...startsNs);
}

export function atLeastCompute(totalNs: number, computeNs: number): number {
  return totalNs < computeNs && computeNs - totalNs <= 1e-9 * computeNs ? computeNs : totalNs;
}

export function stepBreakdown(computeNs: number, stepNs: number, commBusyNs: number, globalBatch: number): StepBreakdown {
  const totalNs = atLeastCompute(stepNs, computeNs);
  return {
    computeNs,
    exposedCommNs: totalNs - computeNs,
    totalNs,
    commBusyNs,
    scalingEfficiency: totalNs > 0 ? computeNs / totalNs : 1,
    samplesPerSec: totalNs > 0 ? globalBatch / (totalNs * 1e-9) : 0,
  };
}

/** Ready layer and element count of each bucket, in launch order. */
export interface BucketShape {
  readonly readyAfterLayer: number;
  readonly count: number;
}

export interface PredictedStep {
  readonly totalNs: number;
  readonly exposedCommNs: number;
  readonly commBusyNs: number;
  readonly scalingEfficiency: number;
}

/**
 * The step the rank program emulates, computed in closed form with the alpha-beta cost of
 * each bucket's all-reduce (no contention, no simulation): bucket k starts at
 * max(its gradients ready, bucket k−1 done) and takes allReduceNs(k); the optimizer
 * starts when both the backward pass and the last bucket are done. Printed beside the
 * simulated time (a large gap is a finding), and usable where simulating is too slow.
 */
export function predictStep(timing: ComputeTiming, buckets: readonly BucketShape[], allReduceNs: (count: number) => number): PredictedStep {
  let nowNs = timing.forwardNs;
  let commFreeNs = 0;
  let commBusyNs = 0;
  let next = 0;
  for (let layer = timing.backwardNsPerLayer.length - 1; layer >= 0; layer--) {
    nowNs += timing.backwardNsPerLayer[layer]!;
    while (next < buckets.length && buckets[next]!.readyAfterLayer >= layer) {
      const durationNs = allReduceNs(buckets[next++]!.count);
      commFreeNs = Math.max(nowNs, commFreeNs) + durationNs;
      commBusyNs += durationNs;
    }
  }
  const totalNs = atLeastCompute(Math.max(nowNs, commFreeNs) + timing.optimizerNs, timing.computeNs);
  return { totalNs, exposedCommNs: totalNs - timing.computeNs, commBusyNs, scalingEfficiency: timing.computeNs / totalNs };
}
