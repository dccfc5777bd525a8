/**
 * Training data as every rank sees it: a fixed global order per epoch (seeded), cut into
 * global batches, each cut into equal per-rank shards. One rank with batch N·b walks the
 * same samples in the same order as N ranks with batch b — the basis of the equivalence
 * test.
 */
import { createRng, mixSeed, permutation } from '../rng.js';
import type { ModelSpec } from '../model/spec.js';
import { loadMnist, MNIST_PIXELS, type LabelledImages } from './mnist.js';

/** Synthetic "dataset" size: samples are generated from (seed, index) on demand. */
export const SYNTHETIC_SAMPLES = 8192;

export interface Batch {
  readonly samples: number;
  /** samples × tokensPerSample × input elements. */
  readonly inputs: Float32Array;
  /** Class labels (softmax cross-entropy), one per sample. */
  readonly labels?: Int32Array;
  /** Regression targets (mean squared error), samples × tokensPerSample × outputSize. */
  readonly targets?: Float32Array;
}

export interface Dataset {
  readonly trainCount: number;
  batch(indices: ArrayLike<number>): Batch;
  /** Held-out set for accuracy, if the dataset has labels. */
  readonly test?: Batch;
}

function imagesBatch(images: LabelledImages, indices: ArrayLike<number>): Batch {
  const inputs = new Float32Array(indices.length * MNIST_PIXELS);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    inputs.set(images.pixels.subarray(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = images.labels[row]!;
  }
  return { samples: indices.length, inputs, labels };
}

function mnistDataset(): Dataset {
  const { train, test } = loadMnist();
  return {
    trainCount: train.count,
    batch: (indices) => imagesBatch(train, indices),
    test: { samples: test.count, inputs: test.pixels, labels: test.labels },
  };
}

/** Uniform [-1, 1) inputs and targets; each sample from its own seeded stream. */
function syntheticDataset(spec: ModelSpec, seed: number): Dataset {
  const inputElements = spec.inputShape.reduce((a, b) => a * b, 1) * spec.tokensPerSample;
  const targetElements = spec.outputSize * spec.tokensPerSample;
  return {
    trainCount: SYNTHETIC_SAMPLES,
    batch(indices) {
      const inputs = new Float32Array(indices.length * inputElements);
      const targets = new Float32Array(indices.length * targetElements);
      for (let i = 0; i < indices.length; i++) {
        const rng = createRng(mixSeed(seed, indices[i]!, 0x5a));
        for (let j = 0; j < inputElements; j++) inputs[i * inputElements + j] = rng() * 2 - 1;
        for (let j = 0; j < targetElements; j++) targets[i * targetElements + j] = rng() * 2 - 1;
      }
      return { samples: indices.length, inputs, targets };
    },
  };
}

export function openDataset(spec: ModelSpec, seed: number): Dataset {
  return spec.dataset === 'mnist' ? mnistDataset() : syntheticDataset(spec, seed);
}

/** Whole global batches per epoch; the remainder of an epoch is dropped (drop_last). */
export function stepsPerEpoch(trainCount: number, globalBatch: number): number {
  return Math.floor(trainCount / globalBatch);
}

/**
 * The sample indices rank `rank` trains on at global step `step`: the epoch's seeded
 * permutation, global batch `step mod stepsPerEpoch`, shard `rank`.
 */
export class DataOrder {
  private epoch = -1;
  private order: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly trainCount: number,
    private readonly globalBatch: number,
    private readonly seed: number,
  ) {}

  get stepsPerEpoch(): number {
    return stepsPerEpoch(this.trainCount, this.globalBatch);
  }

  shard(step: number, rank: number, nranks: number): Uint32Array {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.epoch) {
      this.order = permutation(this.trainCount, mixSeed(this.seed, epoch));
      this.epoch = epoch;
    }
    const perRank = this.globalBatch / nranks;
    const start = (step % this.stepsPerEpoch) * this.globalBatch + rank * perRank;
    return this.order.subarray(start, start + perRank);
  }
}
