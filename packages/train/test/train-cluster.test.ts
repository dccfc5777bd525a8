/**
 * Data-parallel training on the emulated cluster (worker threads, real gradients through
 * weft all-reduce). Kept small: 2 CPU cores are shared by everything else.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { deviceProfile, parseModelSpec, train, type TrainOptions } from '../dist/index.js';

function options(overrides: Partial<TrainOptions> & { topology: string }): TrainOptions {
  const { topology, ...rest } = overrides;
  return {
    model: parseModelSpec('mlp'),
    topology: parseTopologySpec(topology),
    network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1 },
    mode: 'data',
    algorithm: 'ring',
    steps: 8,
    globalBatch: 32,
    // 16 KiB: two buckets for the MLP ([dense3, dense2] then [dense1]).
    bucketCapBytes: 16 * 1024,
    channels: 1,
    chunkBytes: 2 * 2 ** 20,
    device: deviceProfile('h100'),
    precision: 'fp32',
    backend: 'auto',
    seed: 3,
    learningRate: 0.1,
    momentum: 0.9,
    ...rest,
  };
}

function maxAbsDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = 0;
  a.forEach((tensor, i) => tensor.forEach((value, j) => (max = Math.max(max, Math.abs(value - b[i]![j]!)))));
  return max;
}

/**
 * 4 ranks × 8 samples and 1 rank × 32 samples see the same 32 samples per step; only the
 * order of float additions differs (per-rank means, divided by 4, summed by the
 * all-reduce, vs one mean over 32). Weights stay below 0.5 in magnitude, where one float32
 * ulp is 3e-8; after 8 steps the replicas agree to 1e-6 (about 30 ulps). Averaging wrongly
 * (a sum instead of a mean, or a missing shard) moves weights by ~1e-2.
 */
const EQUIVALENCE_TOLERANCE = 1e-6;

describe('N ranks with batch b train like one rank with batch N·b', () => {
  let single: Awaited<ReturnType<typeof train>>;
  it('one rank, global batch 32', async () => {
    single = await train(options({ topology: 'switch:1', returnWeights: true }));
    expect(single.report.stepTime.exposedCommNs).toBeCloseTo(0, 6);
    expect(single.report.stepTime.scalingEfficiency).toBeCloseTo(1, 12);
  });

  for (const algorithm of ['ring', 'tree']) {
    it(`4 ranks × 8 with ${algorithm}: same weights within ${EQUIVALENCE_TOLERANCE}, bit-identical replicas`, async () => {
      const four = await train(options({ topology: 'switch:4', algorithm, returnWeights: true }));
      expect(four.report.buckets).toBe(2);
      expect(four.report.replicas).toEqual({ identical: true, hashes: [expect.stringMatching(/^[0-9a-f]{64}$/)] });
      const difference = maxAbsDifference(four.weights!, single.weights!);
      expect(difference).toBeLessThanOrEqual(EQUIVALENCE_TOLERANCE);
      // The runs did move the weights: the check is not vacuous.
      expect(four.report.perStep[0]!.loss! - four.report.finalLoss!).toBeGreaterThan(0.3);
      expect(four.report.finalLoss!).toBeCloseTo(single.report.finalLoss!, 5);
    });
  }
});

describe('bf16 gradients in data mode', () => {
  it('keep replicas bit-identical and train about as well as fp32', async () => {
    const fp32 = await train(options({ topology: 'switch:2', returnWeights: true }));
    const bf16 = await train(options({ topology: 'switch:2', precision: 'bf16', returnWeights: true }));
    expect(bf16.report.replicas.identical).toBe(true);
    expect(bf16.report.wireBytesPerElement).toBe(4);
    // Rounding every gradient to 8 mantissa bits changes the weights (so the path ran)…
    expect(maxAbsDifference(bf16.weights!, fp32.weights!)).toBeGreaterThan(1e-6);
    // …but not the learning: same loss within 2%.
    expect(Math.abs(bf16.report.finalLoss! - fp32.report.finalLoss!) / fp32.report.finalLoss!).toBeLessThan(0.02);
  });
});

describe('emulated step time', () => {
  it('is the same in ghost mode as in data mode (simulated time never depends on payload)', async () => {
    const common = { topology: 'switch:4', steps: 3, model: parseModelSpec('cnn') } as const;
    const data = await train(options({ ...common, mode: 'data' }));
    const ghost = await train(options({ ...common, mode: 'ghost' }));
    expect(ghost.report.perStep.map((s) => s.totalNs)).toEqual(data.report.perStep.map((s) => s.totalNs));
    expect(ghost.report.stepTime).toEqual(data.report.stepTime);
    expect(ghost.report.backend).toBe('none (ghost)');
    expect(ghost.report.finalLoss).toBeNull();
  });

  it('overlaps the first bucket with the rest of the backward pass', async () => {
    // Two buckets: [dense3, dense2] is ready after dense2's backward and all-reduces while
    // dense1's backward runs; so the all-reduces are busy longer than what is exposed.
    const { report } = await train(options({ topology: 'switch:4', mode: 'ghost', steps: 1 }));
    const t = report.stepTime;
    expect(t.totalNs).toBeCloseTo(t.computeNs + t.exposedCommNs, 6);
    expect(t.commBusyNs).toBeGreaterThan(t.exposedCommNs);
    expect(t.scalingEfficiency).toBeCloseTo(t.computeNs / t.totalNs, 12);
  });

  it('bf16 gradients halve the bytes (ghost mode) and so shorten a bandwidth-bound all-reduce', async () => {
    const big = { topology: 'switch:8', mode: 'ghost' as const, steps: 1, model: parseModelSpec('synthetic:params=50M,layers=4'), bucketCapBytes: 25 * 2 ** 20, globalBatch: 8 };
    const fp32 = await train(options({ ...big, precision: 'fp32' }));
    const bf16 = await train(options({ ...big, precision: 'bf16' }));
    const ratio = bf16.report.stepTime.commBusyNs / fp32.report.stepTime.commBusyNs;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.6);
  });
});

describe('errors', () => {
  it('a diverging rank ends the run with one line naming the step', async () => {
    await expect(train(options({ topology: 'switch:2', learningRate: 1e9, steps: 20 }))).rejects.toThrow(
      /^rank \d: loss is (NaN|Infinity) at step \d+: training diverged; lower --lr$/,
    );
  });

  it('refuses a batch that does not split evenly over the ranks', async () => {
    await expect(train(options({ topology: 'switch:3', globalBatch: 32 }))).rejects.toThrow(
      '--global-batch 32 is not divisible by the 3 ranks; use a multiple of 3',
    );
  });
});
