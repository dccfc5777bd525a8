/**
 * Models as plain data. The same description drives the TensorFlow.js forward pass, the
 * FLOP count, the memory estimate and gradient bucketing, so the emulated compute time
 * always describes the network that actually trains — and a 1B-parameter model can be
 * timed (ghost mode) without ever allocating its weights.
 */
import { WeftInputError } from '@weft/sim';

export type Activation = 'relu' | 'linear';

export interface DenseLayer {
  readonly kind: 'dense';
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly activation: Activation;
}

/** Stride 1; 'same' pads so the output keeps the input's height and width. */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly name: string;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly padding: 'same' | 'valid';
  readonly activation: Activation;
}

/** Non-overlapping max pooling (stride = pool size), NHWC. */
export interface MaxPool2dLayer {
  readonly kind: 'maxPool2d';
  readonly name: string;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly poolSize: number;
}

export interface FlattenLayer {
  readonly kind: 'flatten';
  readonly name: string;
  readonly inShape: readonly number[];
}

export type LayerSpec = DenseLayer | Conv2dLayer | MaxPool2dLayer | FlattenLayer;

export type LossName = 'softmaxCrossEntropy' | 'meanSquaredError';
export type DatasetName = 'mnist' | 'synthetic';

export interface ModelSpec {
  /** As given on the command line: mlp, cnn, synthetic:params=… */
  readonly name: string;
  readonly dataset: DatasetName;
  /** One token's input shape (MNIST: one image). */
  readonly inputShape: readonly number[];
  /** Tokens per sample: 1 for MNIST; a sequence length for synthetic models. */
  readonly tokensPerSample: number;
  readonly layers: readonly LayerSpec[];
  readonly loss: LossName;
  /** One token's target size: classes (MNIST) or features (synthetic regression). */
  readonly outputSize: number;
}

/** One trainable tensor, in the order the model creates them (layer by layer, weight then bias). */
export interface VariableSpec {
  readonly layerIndex: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  /** Fan-in and fan-out for Glorot initialisation (0 for biases, which start at zero). */
  readonly fanIn: number;
  readonly fanOut: number;
}

export function outputShape(layer: LayerSpec): number[] {
  switch (layer.kind) {
    case 'dense':
      return [layer.outFeatures];
    case 'conv2d': {
      const shrink = layer.padding === 'same' ? 0 : layer.kernelSize - 1;
      return [layer.inHeight - shrink, layer.inWidth - shrink, layer.outChannels];
    }
    case 'maxPool2d':
      return [Math.floor(layer.inHeight / layer.poolSize), Math.floor(layer.inWidth / layer.poolSize), layer.channels];
    case 'flatten':
      return [layer.inShape.reduce((a, b) => a * b, 1)];
  }
}

export function inputShape(layer: LayerSpec): number[] {
  switch (layer.kind) {
    case 'dense':
      return [layer.inFeatures];
    case 'conv2d':
      return [layer.inHeight, layer.inWidth, layer.inChannels];
    case 'maxPool2d':
      return [layer.inHeight, layer.inWidth, layer.channels];
    case 'flatten':
      return [...layer.inShape];
  }
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function layerVariables(layer: LayerSpec, layerIndex: number): VariableSpec[] {
  if (layer.kind === 'dense') {
    return [
      { layerIndex, name: `${layer.name}/kernel`, shape: [layer.inFeatures, layer.outFeatures], count: layer.inFeatures * layer.outFeatures, fanIn: layer.inFeatures, fanOut: layer.outFeatures },
      { layerIndex, name: `${layer.name}/bias`, shape: [layer.outFeatures], count: layer.outFeatures, fanIn: 0, fanOut: 0 },
    ];
  }
  if (layer.kind === 'conv2d') {
    const receptive = layer.kernelSize * layer.kernelSize;
    const shape = [layer.kernelSize, layer.kernelSize, layer.inChannels, layer.outChannels];
    return [
      { layerIndex, name: `${layer.name}/kernel`, shape, count: elementCount(shape), fanIn: receptive * layer.inChannels, fanOut: receptive * layer.outChannels },
      { layerIndex, name: `${layer.name}/bias`, shape: [layer.outChannels], count: layer.outChannels, fanIn: 0, fanOut: 0 },
    ];
  }
  return [];
}

export function modelVariables(spec: ModelSpec): VariableSpec[] {
  return spec.layers.flatMap((layer, index) => layerVariables(layer, index));
}

export function parameterCount(spec: ModelSpec): number {
  return modelVariables(spec).reduce((sum, variable) => sum + variable.count, 0);
}

/** Checks that each layer's input shape is the previous layer's output shape. */
export function assertConsistent(spec: ModelSpec): void {
  let shape = [...spec.inputShape];
  for (const layer of spec.layers) {
    const expected = inputShape(layer);
    if (expected.join('x') !== shape.join('x')) {
      throw new Error(`model ${spec.name}: layer ${layer.name} expects ${expected.join('x')} but receives ${shape.join('x')}`);
    }
    shape = outputShape(layer);
  }
  if (shape.length !== 1 || shape[0] !== spec.outputSize) {
    throw new Error(`model ${spec.name}: output ${shape.join('x')} is not ${spec.outputSize}`);
  }
}

const MNIST_SIDE = 28;
const MNIST_CLASSES = 10;

/** 784-128-64-10 ReLU MLP (109,386 parameters). */
export function mlpSpec(): ModelSpec {
  return {
    name: 'mlp',
    dataset: 'mnist',
    inputShape: [MNIST_SIDE * MNIST_SIDE],
    tokensPerSample: 1,
    loss: 'softmaxCrossEntropy',
    outputSize: MNIST_CLASSES,
    layers: [
      { kind: 'dense', name: 'dense1', inFeatures: 784, outFeatures: 128, activation: 'relu' },
      { kind: 'dense', name: 'dense2', inFeatures: 128, outFeatures: 64, activation: 'relu' },
      { kind: 'dense', name: 'dense3', inFeatures: 64, outFeatures: MNIST_CLASSES, activation: 'linear' },
    ],
  };
}

/** LeNet-like: conv3x3(8)-pool-conv3x3(16)-pool-dense(10) (9,098 parameters). */
export function cnnSpec(): ModelSpec {
  return {
    name: 'cnn',
    dataset: 'mnist',
    inputShape: [MNIST_SIDE, MNIST_SIDE, 1],
    tokensPerSample: 1,
    loss: 'softmaxCrossEntropy',
    outputSize: MNIST_CLASSES,
    layers: [
      { kind: 'conv2d', name: 'conv1', inHeight: 28, inWidth: 28, inChannels: 1, outChannels: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
      { kind: 'maxPool2d', name: 'pool1', inHeight: 28, inWidth: 28, channels: 8, poolSize: 2 },
      { kind: 'conv2d', name: 'conv2', inHeight: 14, inWidth: 14, inChannels: 8, outChannels: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      { kind: 'maxPool2d', name: 'pool2', inHeight: 14, inWidth: 14, channels: 16, poolSize: 2 },
      { kind: 'flatten', name: 'flatten', inShape: [7, 7, 16] },
      { kind: 'dense', name: 'dense', inFeatures: 7 * 7 * 16, outFeatures: MNIST_CLASSES, activation: 'linear' },
    ],
  };
}

export interface SyntheticOptions {
  readonly params: number;
  /** Equal dense layers (a transformer block's weights, lumped into one matrix each). */
  readonly layers: number;
  /** Tokens per sample (sequence length): compute scales with it, gradients do not. */
  readonly seq: number;
}

/**
 * `layers` square dense layers of width d with d chosen so layers·(d²+d) ≈ params, ReLU
 * between them, regression onto random targets. The dense stack reproduces what matters
 * for data-parallel communication — gradient bytes, their layer-by-layer readiness, and
 * forward FLOPs of 2·params per token — while attention's extra FLOPs (the seq² term) are
 * left out.
 */
export function syntheticSpec(name: string, options: SyntheticOptions): ModelSpec {
  const width = Math.floor((-1 + Math.sqrt(1 + (4 * options.params) / options.layers)) / 2);
  if (width < 1) {
    throw new WeftInputError(`--model ${name}: params=${options.params} is too small for layers=${options.layers}; use params >= ${2 * options.layers}`);
  }
  const layers: DenseLayer[] = [];
  for (let i = 0; i < options.layers; i++) {
    layers.push({ kind: 'dense', name: `block${i + 1}`, inFeatures: width, outFeatures: width, activation: i === options.layers - 1 ? 'linear' : 'relu' });
  }
  return { name, dataset: 'synthetic', inputShape: [width], tokensPerSample: options.seq, loss: 'meanSquaredError', outputSize: width, layers };
}

const SUFFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };

/** 1e9, 1B, 350M, 125000 → a whole count (decimal suffixes, as parameter counts are quoted). */
export function parseCount(flag: string, text: string, examples = '1000000, 1e9, 125M or 1B'): number {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)([kmbgt]?)$/i.exec(text.trim());
  const value = match ? Number(match[1]) * SUFFIX[match[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(value) || value < 1 || !Number.isSafeInteger(Math.round(value))) {
    throw new WeftInputError(`${flag}: '${text}' is not a count; use a whole number such as ${examples}`);
  }
  return Math.round(value);
}

export const MODEL_USAGE = 'mlp, cnn, synthetic:params=N[,layers=L][,seq=S]';

/** Parses --model. */
export function parseModelSpec(text: string): ModelSpec {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'mlp') return mlpSpec();
  if (lower === 'cnn') return cnnSpec();
  if (lower.startsWith('synthetic')) {
    const rest = trimmed.slice('synthetic'.length);
    if (!rest.startsWith(':')) throw new WeftInputError(`--model: '${text}' needs parameters; use ${MODEL_USAGE}`);
    const fields: Record<string, string> = {};
    for (const part of rest.slice(1).split(',')) {
      const [key, value, ...extra] = part.split('=');
      if (key === undefined || value === undefined || extra.length > 0 || !['params', 'layers', 'seq'].includes(key.trim().toLowerCase())) {
        throw new WeftInputError(`--model: '${part}' in '${text}' is not accepted; use ${MODEL_USAGE}`);
      }
      fields[key.trim().toLowerCase()] = value.trim();
    }
    if (fields.params === undefined) throw new WeftInputError(`--model: '${text}' lacks params=N; use ${MODEL_USAGE}`);
    const params = parseCount('--model params', fields.params);
    const layers = fields.layers === undefined ? 24 : parseCount('--model layers', fields.layers, '12, 24 or 96');
    const seq = fields.seq === undefined ? 1 : parseCount('--model seq', fields.seq, '1, 2048 or 4096');
    if (layers > 10_000) throw new WeftInputError(`--model layers: '${fields.layers}' is not accepted; use 1 to 10000`);
    if (seq > 1_000_000) throw new WeftInputError(`--model seq: '${fields.seq}' is not accepted; use 1 to 1000000`);
    return syntheticSpec(trimmed, { params, layers, seq });
  }
  throw new WeftInputError(`--model: unknown model '${text}'; accepted: ${MODEL_USAGE}`);
}
