/**
 * What is checked before a run starts, each failure one line naming the flag to change:
 * the batch splits over the ranks, data mode fits the data set and this machine, the
 * algorithm runs on this layout.
 */
import { totalmem } from 'node:os';
import type { Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import type { TrainConfig } from './config.js';
import { SYNTHETIC_SAMPLES } from './data/dataset.js';
import { MNIST_TEST_COUNT } from './data/mnist.js';
import { parameterCount, type ModelSpec } from './model/spec.js';

const MNIST_TOTAL = 10_000;

/** Training samples per epoch, known without loading the data. */
export function trainCountOf(spec: ModelSpec): number {
  return spec.dataset === 'mnist' ? MNIST_TOTAL - MNIST_TEST_COUNT : SYNTHETIC_SAMPLES;
}

/** Bytes data mode holds per rank on this machine: weights, gradients, buckets, velocity. */
function hostBytesPerRank(spec: ModelSpec, momentum: number): number {
  return parameterCount(spec) * 4 * (momentum > 0 ? 4 : 3);
}

export function checkBatch(config: TrainConfig, spec: ModelSpec, nranks: number): void {
  const { globalBatch } = config;
  if (globalBatch % nranks !== 0) {
    throw new WeftInputError(`--global-batch ${globalBatch} is not divisible by the ${nranks} ranks; use a multiple of ${nranks}`);
  }
  if (config.mode !== 'data') return;
  const trainCount = trainCountOf(spec);
  if (globalBatch > trainCount) {
    throw new WeftInputError(`--global-batch ${globalBatch} exceeds the ${trainCount} training samples of ${spec.name}; use at most ${trainCount}`);
  }
  const hostBytes = hostBytesPerRank(spec, config.momentum) * nranks;
  if (hostBytes > totalmem() / 2) {
    throw new WeftInputError(
      `--model ${spec.name} on ${nranks} ranks needs ${(hostBytes / 1e9).toFixed(1)} GB of this machine's memory in data mode (half is ${(totalmem() / 2e9).toFixed(1)} GB); use --mode ghost to time it without tensors`,
    );
  }
}

