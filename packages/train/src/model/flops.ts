/**
 * FLOPs of one training step, counted the way MFU figures count them: multiply-accumulates
 * of matrix multiplies and convolutions at 2 FLOPs each. Bias adds, activations and pooling
 * are left out — they are memory-bound and MFU definitions (PaLM, Megatron, Llama 3)
 * exclude them too, so the efficiency factor and the count stay on the same footing.
 */
import { outputShape, type LayerSpec, type ModelSpec } from './spec.js';

/** Forward FLOPs of one layer for one token (one image for MNIST). */
export function forwardFlopsPerToken(layer: LayerSpec): number {
  switch (layer.kind) {
    case 'dense':
      return 2 * layer.inFeatures * layer.outFeatures;
    case 'conv2d': {
      // Every output element is a dot product over a kernel window of K·K·Cin inputs.
      const [outHeight, outWidth] = outputShape(layer) as [number, number, number];
      return 2 * outHeight * outWidth * layer.outChannels * layer.kernelSize * layer.kernelSize * layer.inChannels;
    }
    case 'maxPool2d':
    case 'flatten':
      return 0;
  }
}

/**
 * Backward = 2 × forward: one matmul for the input gradient and one for the weight
 * gradient, each as large as the forward one (the 6·N·D rule's 4·N·D). Kept for the
 * first layer too, whose input gradient a framework could skip: a small overcount.
 */
export const BACKWARD_TO_FORWARD = 2;

export interface StepFlops {
  /** Per layer, in model order, for the whole per-rank batch. */
  readonly forwardFlopsPerLayer: readonly number[];
  readonly backwardFlopsPerLayer: readonly number[];
  readonly forwardFlops: number;
  readonly backwardFlops: number;
}

export function stepFlops(spec: ModelSpec, samplesPerRank: number): StepFlops {
  const tokens = samplesPerRank * spec.tokensPerSample;
  const forwardFlopsPerLayer = spec.layers.map((layer) => forwardFlopsPerToken(layer) * tokens);
  const backwardFlopsPerLayer = forwardFlopsPerLayer.map((flops) => flops * BACKWARD_TO_FORWARD);
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  return { forwardFlopsPerLayer, backwardFlopsPerLayer, forwardFlops: sum(forwardFlopsPerLayer), backwardFlops: sum(backwardFlopsPerLayer) };
}
