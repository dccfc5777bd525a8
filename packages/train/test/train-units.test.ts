/**
 * The training arithmetic that needs no cluster: FLOPs, parameter counts, buckets, memory,
 * bf16 rounding, compute timing and the scaling formulas — each against a hand-computed
 * answer stated in the test.
 */
import { describe, expect, it } from 'vitest';
import {
  assertFitsDevice, cnnSpec, computeTiming, deviceProfile, estimateMemory, mlpSpec, modelVariables, parameterCount, parseCount,
  parseModelSpec, parseTrainConfig, planBuckets, roundToBf16InPlace, stepBreakdown, stepFlops, TRAIN_DEFAULTS,
} from '../dist/index.js';
import { RankError } from '@weft/runtime/core';
import { asUserError } from '../dist/rank-errors.js';
import { hostBytesOf } from '../dist/checks.js';

describe('models', () => {
  it('counts parameters: MLP 784-128-64-10 and the small CNN', () => {
    // (784·128 + 128) + (128·64 + 64) + (64·10 + 10)
    expect(parameterCount(mlpSpec())).toBe(100_480 + 8_256 + 650);
    // conv1 3·3·1·8 + 8, conv2 3·3·8·16 + 16, dense 7·7·16·10 + 10
    expect(parameterCount(cnnSpec())).toBe(80 + 1_168 + 7_850);
  });

  it('sizes a synthetic model to the requested parameter count', () => {
    const spec = parseModelSpec('synthetic:params=1e9,layers=24,seq=2048');
    const params = parameterCount(spec);
    // width d with 24·(d² + d) ≈ 1e9: d = 6454 → 24·(6454² + 6454) = 999,853,680
    expect(params).toBe(999_853_680);
    expect(spec.tokensPerSample).toBe(2048);
  });

  it('rejects unknown models and malformed synthetic parameters in one line', () => {
    expect(() => parseModelSpec('resnet')).toThrow(/^--model: unknown model 'resnet'; accepted: mlp, cnn, synthetic/);
    expect(() => parseModelSpec('synthetic')).toThrow(/needs parameters/);
    expect(() => parseModelSpec('synthetic:layers=4')).toThrow(/lacks params=N/);
    expect(() => parseModelSpec('synthetic:params=abc')).toThrow(/'abc' is not a count/);
    expect(() => parseModelSpec('synthetic:params=10,layers=8')).toThrow(/too small/);
    expect(parseCount('x', '1.5B')).toBe(1_500_000_000);
    expect(parseCount('x', '125M')).toBe(125_000_000);
  });
});

describe('FLOPs', () => {
  it('counts convolution multiply-accumulates over every output position', () => {
    const flops = stepFlops(cnnSpec(), 4);
    // conv1: 2·28·28·8·(3·3·1); conv2: 2·14·14·16·(3·3·8); pools and flatten 0; dense 2·784·10
    expect(flops.forwardFlopsPerLayer).toEqual([4 * 112_896, 0, 4 * 451_584, 0, 0, 4 * 15_680]);
    expect(flops.forwardFlops).toBe(4 * 580_160);
    expect(flops.backwardFlops).toBe(2 * flops.forwardFlops);
  });

  it('gives dense layers 2·params·tokens forward (biases excluded)', () => {
    const spec = parseModelSpec('synthetic:params=1000000,layers=4,seq=16');
    const weights = modelVariables(spec).filter((v) => v.name.endsWith('kernel')).reduce((s, v) => s + v.count, 0);
    expect(stepFlops(spec, 3).forwardFlops).toBe(2 * weights * 3 * 16);
  });
});

describe('compute timing', () => {
  it('is FLOPs over sustained peak, plus the memory-bound optimizer', () => {
    const device = deviceProfile('h100', 0.5);
    const timing = computeTiming(mlpSpec(), 10, device, 'fp32', true);
    const forwardFlops = 10 * 2 * (784 * 128 + 128 * 64 + 64 * 10);
    expect(timing.forwardFlops).toBe(forwardFlops);
    expect(timing.forwardNs).toBeCloseTo((forwardFlops / (66.9e12 * 0.5)) * 1e9, 9);
    expect(timing.backwardNs).toBeCloseTo(2 * timing.forwardNs, 9);
    // SGD with momentum touches 20 B per parameter at 3.35 TB/s.
    expect(timing.optimizerNs).toBeCloseTo(((109_386 * 20) / 3.35e12) * 1e9, 9);
    expect(timing.computeNs).toBeCloseTo(timing.forwardNs + timing.backwardNs + timing.optimizerNs, 9);
  });

  it('runs bf16 at the tensor-core peak', () => {
    const fp32 = computeTiming(mlpSpec(), 10, deviceProfile('h100'), 'fp32', false);
    const bf16 = computeTiming(mlpSpec(), 10, deviceProfile('h100'), 'bf16', false);
    expect(fp32.forwardNs / bf16.forwardNs).toBeCloseTo(989.4 / 66.9, 9);
  });
});

describe('scaling arithmetic', () => {
  it('exposed comm = total − compute; efficiency = compute / total', () => {
    // 30 us of compute, 40 us per step, all-reduces busy 25 us (15 of them hidden), 8 samples.
    const b = stepBreakdown(30_000, 40_000, 25_000, 8);
    expect(b.exposedCommNs).toBe(10_000);
    expect(b.scalingEfficiency).toBe(0.75);
    expect(b.samplesPerSec).toBeCloseTo(8 / 40e-6, 6);
  });

  it('is 100% when nothing is exposed', () => {
    expect(stepBreakdown(30_000, 30_000, 12_000, 8).scalingEfficiency).toBe(1);
  });
});

describe('gradient buckets (DDP order)', () => {
  const variables = modelVariables(mlpSpec());

  it('fills buckets in reverse layer order until each reaches the cap', () => {
    // 1024 fp32 elements: [dense3 bias 10, kernel 640, dense2 bias 64, kernel 8192] reaches it
    // only with dense2's kernel; dense1's bias and kernel make the second bucket.
    const buckets = planBuckets(variables, 4096, 4);
    expect(buckets.map((b) => b.entries.map((e) => variables[e.variableIndex]!.name))).toEqual([
      ['dense3/bias', 'dense3/kernel', 'dense2/bias', 'dense2/kernel'],
      ['dense1/bias', 'dense1/kernel'],
    ]);
    expect(buckets.map((b) => b.count)).toEqual([10 + 640 + 64 + 8192, 128 + 100_352]);
    expect(buckets.map((b) => b.readyAfterLayer)).toEqual([1, 0]);
  });

  it('makes one bucket for a large cap and one per tensor for a tiny one', () => {
    expect(planBuckets(variables, 1e9, 4)).toHaveLength(1);
    expect(planBuckets(variables, 1, 4)).toHaveLength(6);
  });

  it('holds twice the elements per bucket at 2 bytes (bf16)', () => {
    // 1400 B cap = 350 fp32 elements: reached by dense3's kernel (10 + 640).
    // As bf16 it is 700 elements: 650 is not enough, dense2's bias (64) closes it.
    expect(planBuckets(variables, 1400, 4)[0]!.count).toBe(10 + 640);
    expect(planBuckets(variables, 1400, 2)[0]!.count).toBe(10 + 640 + 64);
  });
});

describe('bf16 rounding', () => {
  it('rounds to nearest, ties to even, keeping 8 mantissa bits', () => {
    const values = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -9, -2.5, 65_504, Number.POSITIVE_INFINITY]);
    roundToBf16InPlace(values);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even → 1.
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even → 1 + 2^-6.
    expect([...values]).toEqual([1, 1, 1 + 2 ** -6, 1, -2.5, 65_536, Number.POSITIVE_INFINITY]);
    const nan = new Float32Array([Number.NaN]);
    roundToBf16InPlace(nan);
    expect(Number.isNaN(nan[0])).toBe(true);
  });
});

describe('device memory', () => {
  it('adds weights, gradients, buckets, momentum and activations', () => {
    const spec = parseModelSpec('synthetic:params=1e9,layers=24,seq=1');
    const p = parameterCount(spec);
    const m = estimateMemory(spec, 1, 'fp32', true);
    expect(m.weightsBytes).toBe(4 * p);
    expect(m.gradientsBytes + m.bucketBytes + m.optimizerStateBytes).toBe(12 * p);
    // 24 layers, each keeping input and output (6454 each) for one token, 4 B.
    expect(m.activationsBytes).toBe(24 * 2 * 6454 * 4);
    expect(() => assertFitsDevice(spec, m, deviceProfile('h100'))).not.toThrow();
  });

  it('refuses a model whose state exceeds the device, naming both sizes', () => {
    const spec = parseModelSpec('synthetic:params=6B');
    const m = estimateMemory(spec, 1, 'fp32', true);
    expect(() => assertFitsDevice(spec, m, deviceProfile('h100'))).toThrow(
      /^--model synthetic:params=6B does not fit h100 memory: needs 96\.0 GB per rank .* but the device has 80\.0 GB/,
    );
    // bf16 weights + fp32 master + bf16 grads and buckets + momentum: 16 B/param — still 96 GB.
    expect(() => assertFitsDevice(spec, estimateMemory(spec, 1, 'bf16', true), deviceProfile('h100'))).toThrow(/does not fit/);
    expect(() => assertFitsDevice(spec, m, deviceProfile('b200'))).not.toThrow();
  });
});

describe('train config', () => {
  it('fills defaults and reads numbers and names given as flag text', () => {
    // The all-reduce defaults are NCCL's: its choice of algorithm, channels and chunk.
    expect(TRAIN_DEFAULTS).toMatchObject({ model: 'mlp', mode: 'data', algorithm: 'auto', steps: 200, globalBatch: 64, bucketMb: 25, channels: 'auto', chunkBytes: 'auto', network: 'maxMin', seed: 1 });
    const config = parseTrainConfig({ steps: '12', learningRate: '0.05', mode: 'GHOST', network: 'alphabeta', device: 'B200', channels: 'AUTO', chunkBytes: 65536 });
    expect(config).toMatchObject({ steps: 12, learningRate: 0.05, mode: 'ghost', network: 'alphaBeta', device: 'b200', channels: 'auto', chunkBytes: 65536 });
    expect(() => parseTrainConfig({ channels: '65' })).toThrow(/^channels: '65' is not accepted; use auto or a whole number from 1 to 64$/);
  });

  it('accepts only listed names: Object.prototype keys are not names', () => {
    for (const key of ['mode', 'device', 'backend', 'precision', 'network', 'routing', 'algorithm'] as const) {
      expect(() => parseTrainConfig({ [key]: 'constructor' })).toThrow(new RegExp(`^${key}: 'constructor' is not accepted; use one of `));
    }
  });

  it('names the bad value and what is accepted, in the caller\'s words', () => {
    const flags = (key: string) => ({ steps: '--steps', learningRate: '--lr' })[key] ?? key;
    expect(() => parseTrainConfig({ steps: '1e3' }, flags)).toThrow("--steps: '1e3' is not accepted; use a whole number from 1 to 1000000");
    expect(() => parseTrainConfig({ steps: 2.5 }, flags)).toThrow("--steps: '2.5' is not accepted; use a whole number from 1 to 1000000");
    expect(() => parseTrainConfig({ learningRate: '0' }, flags)).toThrow("--lr: '0' is not accepted; use a number > 0 and <= 1000000");
    expect(() => parseTrainConfig({ momentum: 0 })).not.toThrow();
    expect(() => parseTrainConfig({ model: 'resnet' })).toThrow(/^--model: unknown model 'resnet'; accepted: mlp, cnn, synthetic/);
    expect(() => parseTrainConfig({ epochs: 3 } as never)).toThrow('unknown setting(s) epochs');
  });
});

describe('rank failures', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('turns a rank\'s WeftInputError or DivergedError into one line, by the cause\'s class name', () => {
    const message = 'rank 1: loss is NaN at step 3: training diverged; lower --lr';
    expect(asUserError(new RankError(1, 'rank 1', message, undefined, named('DivergedError', message)))?.message).toBe(message);
    expect(asUserError(new RankError(0, 'rank 0', 'bad\nmore', undefined, named('WeftInputError', 'bad\nmore')))?.message).toBe('bad');
    // A user-error class name inside another error's text does not count.
    expect(asUserError(new RankError(1, 'rank 1', 'DivergedError: no', undefined, named('TypeError', 'DivergedError: no')))).toBeUndefined();
    expect(asUserError(new Error(message))).toBeUndefined();
    // Without the rank's error as cause there is nothing to decide by: internal.
    expect(asUserError(new RankError(0, 'rank 0', 'bad', 'WeftInputError: bad'))).toBeUndefined();
  });
});

describe('host memory of a data-mode run', () => {
  it('is at most 12 % above the peak RSS measured at 2 to 16 ranks and never below it (train.md §8); one thread per ranksPerWorker ranks', () => {
    const config = parseTrainConfig({ model: 'mlp' });
    const measuredMb: [number, number][] = [[2, 545], [4, 866], [8, 1375], [16, 2707]];
    for (const [ranks, mb] of measuredMb) {
      const estimateMb = hostBytesOf(config, mlpSpec(), ranks).totalBytes / 1e6;
      expect(estimateMb).toBeGreaterThanOrEqual(mb);
      expect(estimateMb).toBeLessThanOrEqual(mb * 1.12);
    }
    expect(hostBytesOf(parseTrainConfig({ model: 'mlp', ranksPerWorker: 4 }), mlpSpec(), 16).threads).toBe(4);
  });
});

describe('the model step on tfjs', () => {
  it('tidy hands back tensors, never their data (tidy walks a returned Float32Array key by key: 10× the step on 2M parameters), and leaks none', async () => {
    const { loadBackend } = await import('../dist/index.js');
    const { TfModel, initialWeights } = await import('../dist/model/tf-model.js');
    const { tf } = await loadBackend('cpu');
    const returned: unknown[] = [];
    const recording = new Proxy(tf, {
      get: (target, key) => (key === 'tidy' ? (fn: () => unknown) => { const out = tf.tidy(fn as never); returned.push(out); return out; } : Reflect.get(target, key)),
    });
    const spec = mlpSpec();
    const model = new TfModel(recording, spec);
    const weights = initialWeights(spec, 1);
    const samples = 4;
    const batch = { samples, inputs: new Float32Array(samples * 784).fill(0.5), labels: Int32Array.from([1, 2, 3, 4]) };
    const before = tf.memory().numTensors;
    const { loss, gradients } = model.lossAndGradients(weights, batch);
    model.accuracy(weights, batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(loss)).toBe(true);
    expect(gradients.map((g) => g.length)).toEqual(weights.map((w) => w.length));
    expect(returned).toHaveLength(2);
    const dataIn = (value: unknown): boolean =>
      ArrayBuffer.isView(value) || (typeof value === 'object' && value !== null && !(value instanceof tf.Tensor) && Object.values(value).some(dataIn));
    for (const value of returned) expect(dataIn(value)).toBe(false);
  });
});

describe('MNIST split', () => {
  it('lives in SharedArrayBuffers, so the rank workers share the coordinator\'s parsed copy (each parsed 21 MB of JSON, ~1 s of CPU and 100 MB per worker)', async () => {
    const { loadMnist } = await import('../dist/data/mnist.js');
    const { train, test } = loadMnist();
    for (const images of [train, test]) {
      expect(images.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(images.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    expect(train.count + test.count).toBe(10_000);
    expect(test.count).toBe(1000);
  });
});
