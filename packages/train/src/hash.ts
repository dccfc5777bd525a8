import { createHash } from 'node:crypto';

/** SHA-256 of the weights' exact bytes: equal hashes mean bit-identical replicas. */
export function hashWeights(weights: readonly Float32Array[]): string {
  const hash = createHash('sha256');
  for (const tensor of weights) hash.update(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength));
  return hash.digest('hex');
}
