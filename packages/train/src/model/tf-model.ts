/**
 * The forward pass of a ModelSpec in TensorFlow.js core ops, and its gradients. Weights
 * live outside the backend as Float32Arrays (see optimizer.ts); each step wraps them in
 * tensors, differentiates the loss with tf.valueAndGrads and copies the gradients out.
 */
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend.js';
import { createRng, mixSeed } from '../rng.js';
import type { Batch } from '../data/dataset.js';
import { modelVariables, outputShape, type Conv2dLayer, type LayerSpec, type MaxPool2dLayer, type ModelSpec, type VariableSpec } from './spec.js';

/** Glorot-uniform kernels, zero biases (Keras' defaults), from the seed alone. */
export function initialWeights(spec: ModelSpec, seed: number): Float32Array[] {
  return modelVariables(spec).map((variable, index) => {
    const values = new Float32Array(variable.count);
    if (variable.fanIn > 0) {
      const limit = Math.sqrt(6 / (variable.fanIn + variable.fanOut));
      const rng = createRng(mixSeed(seed, index, 0x1417));
      for (let i = 0; i < values.length; i++) values[i] = (rng() * 2 - 1) * limit;
    }
    return values;
  });
}

export interface LossAndGradients {
  readonly loss: number;
  readonly gradients: Float32Array[];
}

export class TfModel {
  readonly variables: readonly VariableSpec[];

  constructor(
    private readonly tf: Tf,
    readonly spec: ModelSpec,
  ) {
    this.variables = modelVariables(spec);
  }

  private applyLayer(layer: LayerSpec, input: Tensor, params: readonly Tensor[]): Tensor {
    const tf = this.tf;
    switch (layer.kind) {
      case 'dense': {
        const out = tf.add(tf.matMul(input as Tensor2D, params[0] as Tensor2D), params[1]!);
        return layer.activation === 'relu' ? tf.relu(out) : out;
      }
      case 'conv2d': {
        const conv = this.conv2dAsMatMul(layer, input as Tensor4D, params[0] as Tensor4D);
        const out = tf.add(conv, params[1]!);
        return layer.activation === 'relu' ? tf.relu(out) : out;
      }
      case 'maxPool2d':
        return this.maxPoolAsMax(layer, input as Tensor4D);
      case 'flatten':
        return tf.reshape(input, [input.shape[0]!, -1]);
    }
  }

  /**
   * Convolution as im2col + one matmul, on every backend: tfjs-backend-wasm has no
   * Conv2DBackpropFilter/Input kernels, and on the cpu backend this is faster than its
   * native convolution (1.5 vs 2.1 s per CNN step here). One code path also means every
   * backend computes the same sums. Same multiply-accumulates as a direct convolution.
   */
  private conv2dAsMatMul(layer: Conv2dLayer, input: Tensor4D, kernel: Tensor4D): Tensor4D {
    const tf = this.tf;
    const k = layer.kernelSize;
    const [outHeight, outWidth] = outputShape(layer) as [number, number, number];
    const samples = input.shape[0];
    let padded = input;
    if (layer.padding === 'same') {
      // TensorFlow's 'same': the extra row/column of an even kernel goes bottom/right.
      const before = Math.floor((k - 1) / 2);
      padded = tf.pad(input, [[0, 0], [before, k - 1 - before], [before, k - 1 - before], [0, 0]]);
    }
    const patches: Tensor4D[] = [];
    for (let dy = 0; dy < k; dy++) {
      for (let dx = 0; dx < k; dx++) patches.push(tf.slice(padded, [0, dy, dx, 0], [samples, outHeight, outWidth, layer.inChannels]));
    }
    // Channel order (dy, dx, cin) matches the kernel's [k, k, cin, cout] layout.
    const columns = tf.reshape(tf.concat(patches, 3), [samples * outHeight * outWidth, k * k * layer.inChannels]) as Tensor2D;
    const weights = tf.reshape(kernel, [k * k * layer.inChannels, layer.outChannels]) as Tensor2D;
    return tf.reshape(tf.matMul(columns, weights), [samples, outHeight, outWidth, layer.outChannels]);
  }

  /** Non-overlapping max pooling as a reshape and a max (wasm has no MaxPoolGrad kernel). */
  private maxPoolAsMax(layer: MaxPool2dLayer, input: Tensor4D): Tensor4D {
    const tf = this.tf;
    const p = layer.poolSize;
    const [outHeight, outWidth] = outputShape(layer) as [number, number, number];
    const samples = input.shape[0];
    const cropped = tf.slice(input, [0, 0, 0, 0], [samples, outHeight * p, outWidth * p, layer.channels]);
    const windows = tf.reshape(cropped, [samples, outHeight, p, outWidth, p, layer.channels]);
    // The gradient of max goes to every element equal to the maximum (MaxPoolGrad picks one).
    return tf.max(windows, [2, 4]) as Tensor4D;
  }

  /** Logits (or regression outputs), rows = samples × tokensPerSample. */
  private forward(inputs: Tensor, params: readonly Tensor[]): Tensor {
    let h = inputs;
    let next = 0;
    this.spec.layers.forEach((layer, layerIndex) => {
      const layerParams: Tensor[] = [];
      while (next < this.variables.length && this.variables[next]!.layerIndex === layerIndex) layerParams.push(params[next++]!);
      h = this.applyLayer(layer, h, layerParams);
    });
    return h;
  }

  private inputTensor(batch: Batch): Tensor {
    const rows = batch.samples * this.spec.tokensPerSample;
    return this.tf.tensor(batch.inputs, [rows, ...this.spec.inputShape]);
  }

  /** Mean loss over the batch and its gradient for every variable, in model order. */
  lossAndGradients(weights: readonly Float32Array[], batch: Batch): LossAndGradients {
    const tf = this.tf;
    // tidy returns tensors, never their data: tidy walks whatever it returns looking for tensors,
    // key by key through a TypedArray, which cost more than the whole step (half of a worker's time
    // on a 2M-parameter model, and as much again in GC).
    const { value, grads } = tf.tidy(() => {
      const x = this.inputTensor(batch);
      const params = weights.map((w, i) => tf.tensor(w, [...this.variables[i]!.shape]));
      const lossOf = (...ps: Tensor[]): Tensor => {
        const out = this.forward(x, ps);
        if (this.spec.loss === 'softmaxCrossEntropy') {
          const oneHot = tf.oneHot(tf.tensor1d(batch.labels!, 'int32'), this.spec.outputSize);
          return tf.losses.softmaxCrossEntropy(oneHot, out);
        }
        return tf.losses.meanSquaredError(tf.tensor(batch.targets!, out.shape), out);
      };
      return tf.valueAndGrads(lossOf)(params);
    });
    try {
      // Copied: some backends hand out their own storage, which later steps may reuse.
      return { loss: value.dataSync()[0]!, gradients: grads.map((g) => new Float32Array(g.dataSync())) };
    } finally {
      tf.dispose([value, ...grads]);
    }
  }

  /** Fraction of the batch's labels the model's argmax gets right. */
  accuracy(weights: readonly Float32Array[], batch: Batch): number {
    const tf = this.tf;
    if (batch.labels === undefined) throw new Error('accuracy needs labels');
    const argMax = tf.tidy(() => {
      const params = weights.map((w, i) => tf.tensor(w, [...this.variables[i]!.shape]));
      return tf.argMax(this.forward(this.inputTensor(batch), params), 1);
    });
    const predicted = argMax.dataSync();
    argMax.dispose();
    let correct = 0;
    for (let i = 0; i < batch.samples; i++) if (predicted[i] === batch.labels[i]) correct++;
    return correct / batch.samples;
  }
}
