/**
 * Per-rank device memory of data-parallel training: every rank holds the whole model.
 * The estimate counts what dominates on a real GPU and says what it leaves out (CUDA
 * context, allocator fragmentation, framework workspaces), so it is a lower bound: a
 * model refused here would not fit on the real device either.
 */
import { WeftInputError } from '@weft/sim';
import type { DeviceProfile, Precision } from '../device/profiles.js';
import { elementCount, inputShape, outputShape, parameterCount, type ModelSpec } from './spec.js';

export interface MemoryEstimate {
  readonly weightsBytes: number;
  readonly gradientsBytes: number;
  /** DDP copies gradients into flat buckets before the all-reduce. */
  readonly bucketBytes: number;
  readonly optimizerStateBytes: number;
  readonly activationsBytes: number;
  readonly totalBytes: number;
}

/**
 * fp32: weights, gradients and momentum in fp32 (4 B each).
 * bf16 (mixed precision): bf16 weights (2 B) plus an fp32 master copy (4 B), bf16
 * gradients (2 B), fp32 momentum (4 B); activations in bf16.
 * Activations: each layer keeps its input (for the weight gradient) and its output (for
 * the activation's gradient) until the backward pass has used them.
 */
export function estimateMemory(spec: ModelSpec, samplesPerRank: number, precision: Precision, momentum: boolean): MemoryEstimate {
  const params = parameterCount(spec);
  const activationBytes = precision === 'bf16' ? 2 : 4;
  const weightsBytes = precision === 'bf16' ? params * (2 + 4) : params * 4;
  const gradientsBytes = params * activationBytes;
  const bucketBytes = gradientsBytes;
  const optimizerStateBytes = momentum ? params * 4 : 0;
  const elementsPerToken = spec.layers.reduce((sum, layer) => sum + elementCount(inputShape(layer)) + elementCount(outputShape(layer)), 0);
  const activationsBytes = elementsPerToken * spec.tokensPerSample * samplesPerRank * activationBytes;
  return {
    weightsBytes,
    gradientsBytes,
    bucketBytes,
    optimizerStateBytes,
    activationsBytes,
    totalBytes: weightsBytes + gradientsBytes + bucketBytes + optimizerStateBytes + activationsBytes,
  };
}

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e9 ? 3 : 1)} GB`;

/** Throws one line naming the model, the estimate's parts and the device's memory. */
export function assertFitsDevice(spec: ModelSpec, estimate: MemoryEstimate, device: DeviceProfile): void {
  if (estimate.totalBytes <= device.memoryBytes) return;
  throw new WeftInputError(
    `--model ${spec.name} does not fit ${device.name} memory: needs ${gb(estimate.totalBytes)} per rank ` +
      `(weights ${gb(estimate.weightsBytes)}, gradients+buckets ${gb(estimate.gradientsBytes + estimate.bucketBytes)}, ` +
      `optimizer ${gb(estimate.optimizerStateBytes)}, activations ${gb(estimate.activationsBytes)}) but the device has ${gb(device.memoryBytes)}; ` +
      `use a smaller model, a smaller --global-batch or more ranks, or --precision bf16`,
  );
}
