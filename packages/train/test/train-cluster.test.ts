/**
 * Data-parallel training on the emulated cluster (worker threads, real gradients through
 * weft all-reduce). Kept small: 2 CPU cores are shared by everything else.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { parseTrainConfig, train, type TrainConfigInput } from '../dist/index.js';

/**
 * MNIST MLP, 8 steps of global batch 32, seed 3; a 16 KiB bucket cap gives the MLP two
 * buckets ([dense3, dense2] then [dense1]). Everything else is the config's default.
 */
function trainOn(topology: string, overrides: TrainConfigInput = {}): ReturnType<typeof train> {
  const config = parseTrainConfig({ steps: 8, globalBatch: 32, bucketMb: 1 / 64, seed: 3, ...overrides });
  return train(config, parseTopologySpec(topology), {}, { returnWeights: true });
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
    single = await trainOn('switch:1');
    expect(single.report.stepTime.exposedCommNs).toBeCloseTo(0, 6);
    expect(single.report.stepTime.scalingEfficiency).toBeCloseTo(1, 12);
  });

  for (const algorithm of ['ring', 'tree']) {
    it(`4 ranks × 8 with ${algorithm}: same weights within ${EQUIVALENCE_TOLERANCE}, bit-identical replicas`, async () => {
      const four = await trainOn('switch:4', { algorithm });
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
    const fp32 = await trainOn('switch:2');
    const bf16 = await trainOn('switch:2', { precision: 'bf16' });
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
    const common = { steps: 3, model: 'cnn' } as const;
    const data = await trainOn('switch:4', { ...common, mode: 'data' });
    const ghost = await trainOn('switch:4', { ...common, mode: 'ghost' });
    expect(ghost.report.perStep.map((s) => s.totalNs)).toEqual(data.report.perStep.map((s) => s.totalNs));
    expect(ghost.report.stepTime).toEqual(data.report.stepTime);
    expect(ghost.report.backend).toBe('none (ghost)');
    expect(ghost.report.finalLoss).toBeNull();
  });

  it('overlaps the first bucket with the rest of the backward pass', async () => {
    // Two buckets: [dense3, dense2] is ready after dense2's backward and all-reduces while
    // dense1's backward runs; so the all-reduces are busy longer than what is exposed.
    // The textbook settings (one channel, 2 MiB chunks, Simple), whose alpha-beta form is exact.
    const { report } = await trainOn('switch:4', { mode: 'ghost', steps: 1, algorithm: 'ring', protocol: 'Simple', channels: 1, chunkBytes: 2 ** 21 });
    const t = report.stepTime;
    expect(report.buckets).toBe(2);
    expect(t.commBusyNs).toBeGreaterThan(t.exposedCommNs);
    // One switch, no contention: the simulated step is the closed-form alpha-beta step
    // (46.518 us, all-reduces busy 45.789 us), to within 1 ns.
    expect(Math.abs(t.totalNs - report.predicted.totalNs)).toBeLessThan(1);
    expect(Math.abs(t.commBusyNs - report.predicted.commBusyNs)).toBeLessThan(1);
  });

  it('bf16 gradients halve the bytes (ghost mode) and so shorten a bandwidth-bound all-reduce', async () => {
    const big = { mode: 'ghost', steps: 1, model: 'synthetic:params=50M,layers=4', bucketMb: 25, globalBatch: 8 } as const;
    const fp32 = await trainOn('switch:8', { ...big, precision: 'fp32' });
    const bf16 = await trainOn('switch:8', { ...big, precision: 'bf16' });
    const ratio = bf16.report.stepTime.commBusyNs / fp32.report.stepTime.commBusyNs;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.6);
  });
});

describe('errors', () => {
  it('a diverging rank ends the run with one line naming the step', async () => {
    await expect(trainOn('switch:2', { learningRate: 1e6, steps: 20 })).rejects.toThrow(
      /^rank \d: loss is (NaN|Infinity) at step \d+: training diverged; lower --lr$/,
    );
  });

  it('refuses a batch that does not split evenly over the ranks', async () => {
    await expect(trainOn('switch:3', { globalBatch: 32 })).rejects.toThrow(
      '--global-batch 32 is not divisible by the 3 ranks; use a multiple of 3',
    );
  });
});
