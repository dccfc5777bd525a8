/**
 * Gradient buckets, as PyTorch DDP forms them (torch/csrc/distributed/c10d/reducer.cpp,
 * compute_bucket_assignment_by_size): parameters are taken in reverse model order —
 * the order their gradients become ready in the backward pass — and appended to the open
 * bucket until it holds at least the cap; a tensor is never split. Each bucket is then
 * all-reduced as one flat buffer as soon as its last gradient is ready.
 * (DDP additionally caps the first bucket at 1 MiB; weft does not, so --bucket-mb alone
 * decides the layout.)
 */
import type { VariableSpec } from './spec.js';

export interface BucketEntry {
  readonly variableIndex: number;
  /** Element offset inside the bucket's flat buffer. */
  readonly offset: number;
  readonly count: number;
}

export interface Bucket {
  readonly entries: readonly BucketEntry[];
  readonly count: number;
  /** The bucket is ready when the backward pass of this layer has finished. */
  readonly readyAfterLayer: number;
}

export function planBuckets(variables: readonly VariableSpec[], capBytes: number, elementBytes: number): Bucket[] {
  const buckets: Bucket[] = [];
  let entries: BucketEntry[] = [];
  let count = 0;
  let readyAfterLayer = Number.POSITIVE_INFINITY;
  const close = () => {
    buckets.push({ entries, count, readyAfterLayer });
    entries = [];
    count = 0;
    readyAfterLayer = Number.POSITIVE_INFINITY;
  };
  for (let index = variables.length - 1; index >= 0; index--) {
    const variable = variables[index]!;
    entries.push({ variableIndex: index, offset: count, count: variable.count });
    count += variable.count;
    readyAfterLayer = Math.min(readyAfterLayer, variable.layerIndex);
    if (count * elementBytes >= capBytes) close();
  }
  if (entries.length > 0) close();
  return buckets;
}

/** Copies per-variable gradients into a bucket's flat buffer. */
export function packBucket(bucket: Bucket, gradients: readonly Float32Array[], target: Float32Array): void {
  for (const entry of bucket.entries) target.set(gradients[entry.variableIndex]!, entry.offset);
}

/** Copies a reduced bucket back into per-variable gradients. */
export function unpackBucket(bucket: Bucket, source: Float32Array, gradients: readonly Float32Array[]): void {
  for (const entry of bucket.entries) gradients[entry.variableIndex]!.set(source.subarray(entry.offset, entry.offset + entry.count));
}
