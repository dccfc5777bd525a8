/**
 * What is checked before a run starts, each failure one line naming the flag to change:
 * the batch splits over the ranks, data mode fits the data set and this machine, the
 * algorithm runs on this layout.
 */
import { totalmem } from 'node:os';
import type { Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import type { BackendName } from './backend.js';
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
function tensorBytesPerRank(spec: ModelSpec, momentum: number): number {
  return parameterCount(spec) * 4 * (momentum > 0 ? 4 : 3);
}

/**
 * Resident memory of one data-mode worker thread before its tensors: V8's isolate,
 * TensorFlow.js and its backend. Measured (benchmarks/results/train.md §8) as the peak RSS
 * of `weft train --model mlp --ranks N --steps 2` (wasm backend, one rank per thread), the
 * larger of two runs, at N = 2, 4, 8, 16: 545, 866, 1375, 2707 MB; 8 → 16 ranks adds
 * 166 MB a thread, a least-squares line through the four 154. With 160 MB a thread and the base below, the
 * estimate is 1–10 % above each of those peaks; longer runs peak a little higher (mlp, 4
 * ranks, 20 steps: 927 MB, 6 % above; cnn, 16 ranks, 200 steps: 2,672 MB, 4 % below). It is
 * a central figure, not a bound: the check refuses what cannot fit, against half the machine.
 */
export const WORKER_THREAD_BYTES = 160e6;
/** The coordinating process itself (main thread, bundle, topology): 545 MB at 2 ranks less 2 threads. */
export const PROCESS_BASE_BYTES = 225e6;

/** Bytes a data-mode run holds on this machine: the process, one worker thread per `ranksPerWorker` ranks, every rank's tensors. */
export function hostBytesOf(config: TrainConfig, spec: ModelSpec, nranks: number): { totalBytes: number; threads: number; tensorBytes: number } {
  const threads = Math.ceil(nranks / (config.ranksPerWorker ?? 1));
  const tensorBytes = tensorBytesPerRank(spec, config.momentum) * nranks;
  return { totalBytes: PROCESS_BASE_BYTES + threads * WORKER_THREAD_BYTES + tensorBytes, threads, tensorBytes };
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
  const host = hostBytesOf(config, spec, nranks);
  const halfBytes = totalmem() / 2;
  if (host.totalBytes > halfBytes) {
    const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
    throw new WeftInputError(
      `--model ${spec.name} on ${nranks} ranks needs about ${gb(host.totalBytes)} GB of this machine's memory in data mode ` +
        `(${host.threads} worker threads x ${WORKER_THREAD_BYTES / 1e6} MB for TensorFlow.js, ${gb(host.tensorBytes)} GB of tensors, ${gb(PROCESS_BASE_BYTES)} GB of process; ` +
        `half the machine is ${gb(halfBytes)} GB); use fewer --ranks, or --mode ghost to time it without tensors`,
    );
  }
}

/**
 * Ranks sharing a worker thread share its TensorFlow.js backend; the wasm backend then fails
 * to start (tf.setBackend('wasm') resolves false in the second rank), which the rank reported
 * as "--backend wasm: it does not load here" even when wasm loads and was not asked for.
 */
export function checkRanksPerWorker(config: TrainConfig, backend: BackendName): void {
  const perWorker = config.ranksPerWorker ?? 1;
  if (backend !== 'wasm' || perWorker === 1) return;
  const which = config.backend === 'auto' ? "the wasm backend (auto's choice here)" : 'the wasm backend';
  throw new WeftInputError(`--ranks-per-worker ${perWorker}: ${which} starts once per worker thread, not once per rank; use --ranks-per-worker 1, or --backend cpu to share threads`);
}
