/**
 * The coordinator side of `weft train`: checks the run, resolves the backend, starts the
 * emulated cluster, runs the rank program on every rank and turns what the ranks return
 * into a TrainReport. Takes parsed values only (the CLI reads argv and files).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { totalmem } from 'node:os';
import { WeftInputError } from '@weft/sim';
import { alphaBetaCost, type NetworkOptions, type Topology } from '@weft/fabric';
import { getAlgorithm, type PlanParams } from '@weft/collectives';
import { createCluster, layoutOf } from '@weft/runtime';
import { choiceFor, loadBackend, type BackendChoice } from './backend.js';
import { SYNTHETIC_SAMPLES, stepsPerEpoch as epochSteps } from './data/dataset.js';
import { MNIST_TEST_COUNT } from './data/mnist.js';
import { GRADIENT_BYTES, type DeviceProfile, type Precision } from './device/profiles.js';
import { assertFitsDevice, estimateMemory } from './model/memory.js';
import { modelVariables, parameterCount, type ModelSpec } from './model/spec.js';
import { planBuckets, type Bucket } from './model/buckets.js';
import { globalLosses, summarizeEpochs, type EpochSummary, type TrainHeader, type TrainReport } from './report.js';
import type { ProgressMessage, TrainRankArgs, TrainRankResult } from './rank-program.js';
import { computeTiming, predictStep, stepBreakdown, type ComputeTiming, type PredictedStep } from './timing.js';

export interface TrainOptions {
  readonly model: ModelSpec;
  readonly topology: Topology;
  readonly network: NetworkOptions;
  /**
   * data: real training in worker threads; ghost: the same emulated timeline without
   * tensors, in-process; predict: no simulation, the alpha-beta prediction alone.
   */
  readonly mode: TrainMode;
  readonly algorithm: string;
  readonly steps: number;
  readonly globalBatch: number;
  readonly bucketCapBytes: number;
  /** All-reduce channels (NCCL nChannels) and pipelining chunk, as in `weft bench`. */
  readonly channels: number;
  readonly chunkBytes: number;
  readonly device: DeviceProfile;
  readonly precision: Precision;
  readonly backend: BackendChoice;
  readonly seed: number;
  readonly learningRate: number;
  readonly momentum: number;
  readonly ranksPerWorker?: number;
  /** Rank 0's final weights in the result (for tests comparing runs). */
  readonly returnWeights?: boolean;
}

export type TrainMode = 'data' | 'ghost' | 'predict';
export const TRAIN_MODES: readonly TrainMode[] = ['data', 'ghost', 'predict'];

export interface TrainHooks {
  /** Once, before any rank starts: the run's fixed parameters. */
  onStart?(header: TrainHeader): void;
  /** After each step of rank 0 (live, from the rank workers). */
  onStep?(step: number, steps: number): void;
  /** Once per epoch, in order, as soon as its numbers are known. */
  onEpoch?(epoch: EpochSummary): void;
}

export interface TrainResult {
  readonly report: TrainReport;
  readonly weights?: Float32Array[];
}

const MNIST_TOTAL = 10_000;

/** Training samples per epoch, known without loading the data. */
export function trainCountOf(spec: ModelSpec): number {
  return spec.dataset === 'mnist' ? MNIST_TOTAL - MNIST_TEST_COUNT : SYNTHETIC_SAMPLES;
}

/** Bytes data mode holds per rank on this machine: weights, gradients, buckets, velocity. */
function hostBytesPerRank(spec: ModelSpec, momentum: number): number {
  return parameterCount(spec) * 4 * (momentum > 0 ? 4 : 3);
}

function validate(options: TrainOptions, nranks: number): void {
  const { globalBatch, model } = options;
  if (globalBatch % nranks !== 0) {
    throw new WeftInputError(`--global-batch ${globalBatch} is not divisible by the ${nranks} ranks; use a multiple of ${nranks}`);
  }
  const trainCount = trainCountOf(model);
  if (options.mode === 'data' && globalBatch > trainCount) {
    throw new WeftInputError(`--global-batch ${globalBatch} exceeds the ${trainCount} training samples of ${model.name}; use at most ${trainCount}`);
  }
  if (options.mode === 'data') {
    const hostBytes = hostBytesPerRank(model, options.momentum) * nranks;
    if (hostBytes > totalmem() / 2) {
      throw new WeftInputError(
        `--model ${model.name} on ${nranks} ranks needs ${(hostBytes / 1e9).toFixed(1)} GB of this machine's memory in data mode (half is ${(totalmem() / 2e9).toFixed(1)} GB); use --mode ghost to time it without tensors`,
      );
    }
  }
}

/**
 * A rank that failed on bad input (a WeftInputError inside the rank, e.g. an algorithm
 * that cannot run on this layout) or because training diverged is the user's to fix: one
 * line, exit 2. Any other rank failure stays an internal error with its stack.
 */
function asUserError(error: unknown): WeftInputError | undefined {
  if (!(error instanceof Error) || error.name !== 'RankError') return undefined;
  const { rankMessage, rankStack } = error as Error & { rankMessage?: string; rankStack?: string };
  if (rankMessage === undefined || !/^(WeftInputError|DivergedError)\b/.test(rankStack ?? '')) return undefined;
  return new WeftInputError(rankMessage.split('\n')[0]!);
}

/**
 * Bytes per gradient element on the wire: 2 for bf16 in ghost and predict modes; data
 * mode moves real float32 arrays (the runtime has no bf16 reduction), so 4 there.
 */
function wireBytesPerElement(options: TrainOptions): number {
  return options.mode === 'data' ? Float32Array.BYTES_PER_ELEMENT : GRADIENT_BYTES[options.precision];
}

/** Elements a bucket occupies on the wire, in float32 slots (ghost bf16: half as many). */
function wireCount(count: number, options: TrainOptions): number {
  return Math.ceil((count * wireBytesPerElement(options)) / Float32Array.BYTES_PER_ELEMENT);
}

function planParams(options: TrainOptions, nranks: number, count: number): PlanParams {
  return { nranks, count, root: 0, elementBytes: 4, channels: options.channels, chunkElements: chunkElements(options.chunkBytes), layout: layoutOf(options.topology) };
}

function checkAlgorithm(options: TrainOptions, nranks: number, firstBucketCount: number): void {
  const reason = getAlgorithm('allReduce', options.algorithm).unsupported(planParams(options, nranks, firstBucketCount));
  if (reason !== null) throw new WeftInputError(`--algo ${options.algorithm} cannot run on ${options.topology.name} (${nranks} ranks): ${reason}`);
}

/** The alpha-beta prediction of the step (see predictStep), one cost lookup per bucket size. */
function predict(options: TrainOptions, nranks: number, timing: ComputeTiming, buckets: readonly Bucket[]): PredictedStep {
  const algorithm = getAlgorithm('allReduce', options.algorithm);
  const cost = alphaBetaCost(options.topology);
  const byCount = new Map<number, number>();
  const allReduceNs = (count: number): number => {
    if (nranks === 1) return 0;
    let ns = byCount.get(count);
    if (ns === undefined) byCount.set(count, (ns = algorithm.predictNs(planParams(options, nranks, wireCount(count, options)), cost)));
    return ns;
  };
  return predictStep(timing, buckets, allReduceNs);
}

/** Buckets travel as float32 elements (ghost bf16 buckets too: half as many of them). */
function chunkElements(chunkBytes: number): number {
  return Math.max(1, Math.floor(chunkBytes / Float32Array.BYTES_PER_ELEMENT));
}

let channelCounter = 0;

export async function train(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const wallStart = performance.now();
  const nranks = options.topology.ranks.length;
  validate(options, nranks);
  const perRankBatch = options.globalBatch / nranks;
  const buckets = planBuckets(modelVariables(options.model), options.bucketCapBytes, GRADIENT_BYTES[options.precision]);
  checkAlgorithm(options, nranks, wireCount(buckets[0]!.count, options));
  const memory = estimateMemory(options.model, perRankBatch, options.precision, options.momentum > 0);
  assertFitsDevice(options.model, memory, options.device);

  // Resolved here, once, so that a forced backend that does not load fails before any
  // worker starts, and every rank then loads the same one.
  const loaded = options.mode === 'data' ? await loadBackend(options.backend) : undefined;
  const timing = computeTiming(options.model, perRankBatch, options.device, options.precision, options.momentum > 0);
  const predicted = predict(options, nranks, timing, buckets);
  const stepsPerEpoch = options.mode === 'data' ? epochSteps(trainCountOf(options.model), options.globalBatch) : options.steps;
  const progressChannel = `weft-train-${process.pid}-${++channelCounter}`;
  const args: TrainRankArgs = {
    spec: options.model,
    mode: options.mode === 'data' ? 'data' : 'ghost',
    backend: loaded ? choiceFor(loaded.name) : 'cpu',
    steps: options.steps,
    globalBatch: options.globalBatch,
    seed: options.seed,
    learningRate: options.learningRate,
    momentum: options.momentum,
    bucketCapBytes: options.bucketCapBytes,
    precision: options.precision,
    algorithm: options.algorithm,
    channels: options.channels,
    chunkElements: chunkElements(options.chunkBytes),
    forwardNs: timing.forwardNs,
    backwardNsPerLayer: timing.backwardNsPerLayer,
    optimizerNs: timing.optimizerNs,
    evalEverySteps: stepsPerEpoch,
    progressChannel,
    returnWeights: options.returnWeights ?? false,
  };

  const header: TrainHeader = {
    model: { name: options.model.name, dataset: options.model.dataset, parameters: parameterCount(options.model), layers: options.model.layers.length, tokensPerSample: options.model.tokensPerSample },
    device: {
      name: options.device.name,
      title: options.device.title,
      peakFlopsPerSec: options.device.peakFlopsPerSec[options.precision],
      computeEfficiency: options.device.computeEfficiency,
      memoryBytes: options.device.memoryBytes,
    },
    precision: options.precision,
    topology: { spec: options.topology.name, ranks: nranks },
    algorithm: options.algorithm,
    channels: options.channels,
    chunkBytes: options.chunkBytes,
    network: { ...options.network },
    mode: options.mode,
    backend: loaded?.name ?? `none (${options.mode})`,
    backendSkipped: loaded?.skipped ?? [],
    steps: options.steps,
    stepsPerEpoch,
    globalBatch: options.globalBatch,
    perRankBatch,
    learningRate: options.learningRate,
    momentum: options.momentum,
    seed: options.seed,
    bucketCapBytes: options.bucketCapBytes,
    buckets: buckets.length,
    gradientBytesPerElement: GRADIENT_BYTES[options.precision],
    wireBytesPerElement: wireBytesPerElement(options),
    memory,
    compute: timing,
    predicted,
  };
  hooks.onStart?.(header);

  const live = new LiveProgress(options.steps, stepsPerEpoch, nranks, options.mode === 'data', options.mode === 'data' && options.model.dataset === 'mnist', hooks);
  const results = options.mode === 'predict' ? predictedResults(options, nranks, predicted) : await runRanks(options, args, live);
  const losses = options.mode === 'data' ? globalLosses(results.map((r) => r.losses)) : [];
  const evals = results[0]!.evals;
  const perStepTotals = results[0]!.steps.map((_, step) => Math.max(...results.map((r) => r.steps[step]!.endNs - r.steps[step]!.startNs)));
  const perStepBusy = results[0]!.steps.map((_, step) => Math.max(...results.map((r) => r.steps[step]!.commBusyNs)));
  const epochs = summarizeEpochs(options.steps, stepsPerEpoch, losses, perStepTotals, evals);
  live.finish(epochs);

  const breakdown = stepBreakdown(timing.computeNs, mean(perStepTotals), mean(perStepBusy), options.globalBatch);
  const hashes = [...new Set(results.map((r) => r.weightsHash))];
  const wallMs = performance.now() - wallStart;
  const report: TrainReport = {
    ...header,
    backend: results[0]!.backend,
    stepTime: { ...breakdown, forwardNs: timing.forwardNs, backwardNs: timing.backwardNs, optimizerNs: timing.optimizerNs },
    perStep: perStepTotals.map((totalNs, i) => ({ step: i + 1, loss: losses[i] ?? null, totalNs, exposedCommNs: totalNs - timing.computeNs, commBusyNs: perStepBusy[i]! })),
    epochs,
    finalLoss: losses.at(-1) ?? null,
    finalAccuracy: evals.at(-1)?.accuracy ?? null,
    replicas: { identical: options.mode === 'data' ? hashes.length === 1 : true, hashes },
    wallMs,
    wallMsPerStep: median(results[0]!.stepWallMs),
  };
  return { report, ...(results[0]!.weights ? { weights: results[0]!.weights } : {}) };
}

/** Runs the rank program on every rank of a fresh cluster, forwarding live progress. */
async function runRanks(options: TrainOptions, args: TrainRankArgs, live: LiveProgress): Promise<TrainRankResult[]> {
  const listener = new BroadcastChannel(args.progressChannel!);
  listener.onmessage = (event) => live.receive((event as { data: ProgressMessage }).data);
  const cluster = await createCluster({
    topology: options.topology,
    // Training reads step times, not per-flow records: keep link totals only, so memory
    // does not grow with every transfer of every step (it did, to 12 GB at 256 GPUs).
    network: { ...options.network, record: 'summary' },
    mode: args.mode,
    ...(options.ranksPerWorker !== undefined ? { ranksPerWorker: options.ranksPerWorker } : {}),
  });
  try {
    return (await cluster.runProgram<TrainRankResult>(new URL('./rank-program.js', import.meta.url), 'trainRankProgram', args)).results;
  } catch (error) {
    throw asUserError(error) ?? error;
  } finally {
    listener.close();
    await cluster.close();
  }
}

/** Predict mode: every step takes the predicted time on every rank; nothing trains. */
function predictedResults(options: TrainOptions, nranks: number, predicted: PredictedStep): TrainRankResult[] {
  const steps = Array.from({ length: options.steps }, (_, i) => ({
    startNs: i * predicted.totalNs,
    backwardEndNs: Number.NaN,
    commEndNs: Number.NaN,
    endNs: (i + 1) * predicted.totalNs,
    commBusyNs: predicted.commBusyNs,
  }));
  const result: TrainRankResult = { rank: 0, backend: 'none (predict)', losses: [], steps, stepWallMs: [0], evals: [], weightsHash: '', bucketCount: 0 };
  return Array.from({ length: nranks }, (_, rank) => ({ ...result, rank }));
}

/**
 * Gathers the ranks' live step messages into epoch lines. Messages may arrive after the
 * run returns; `finish` then emits whatever epochs are still unprinted from the final,
 * authoritative numbers, so every epoch is reported exactly once, in order. Live lines use
 * the same arithmetic (rank-ordered means, max over ranks) as the final report.
 */
class LiveProgress {
  /** [step][rank] */
  private readonly losses: (number | null)[][] = [];
  private readonly stepNs: number[][] = [];
  private readonly reported: number[] = [];
  private readonly accuracy = new Map<number, number>();
  private epochsPrinted = 0;

  constructor(
    private readonly steps: number,
    private readonly stepsPerEpoch: number,
    private readonly nranks: number,
    /** Data mode: every rank reports each step; otherwise rank 0 alone (progress only). */
    private readonly everyRankReports: boolean,
    /** Rank 0 measures held-out accuracy at each epoch's end (labelled data). */
    private readonly withAccuracy: boolean,
    private readonly hooks: TrainHooks,
  ) {}

  receive(message: ProgressMessage): void {
    if (message.kind === 'eval') this.accuracy.set(message.step, message.accuracy);
    else {
      const index = message.step - 1;
      (this.losses[index] ??= [])[message.rank] = message.loss;
      (this.stepNs[index] ??= [])[message.rank] = message.stepNs;
      this.reported[index] = (this.reported[index] ?? 0) + 1;
      if (message.rank === 0) this.hooks.onStep?.(message.step, this.steps);
    }
    this.emitReady();
  }

  private emitReady(): void {
    // Hearing from rank 0 alone (ghost mode, see rank-program.ts), epochs come from finish().
    if (!this.everyRankReports) return;
    const end = (this.epochsPrinted + 1) * this.stepsPerEpoch;
    if (end > this.steps) return; // a last, partial epoch waits for finish()
    const first = end - this.stepsPerEpoch;
    for (let step = first; step < end; step++) if ((this.reported[step] ?? 0) < this.nranks) return;
    if (this.withAccuracy && !this.accuracy.has(end)) return;
    const perStepLoss = this.losses.slice(first, end).map((ranks) => globalLosses(ranks.map((l) => [l!]))[0]!);
    const perStepNs = this.stepNs.slice(first, end).map((ranks) => Math.max(...ranks));
    this.epochsPrinted++;
    this.hooks.onEpoch?.({
      epoch: this.epochsPrinted,
      partial: false,
      step: end,
      loss: mean(perStepLoss),
      accuracy: this.accuracy.get(end) ?? null,
      stepNs: mean(perStepNs),
    });
    this.emitReady();
  }

  finish(epochs: readonly EpochSummary[]): void {
    for (const epoch of epochs.slice(this.epochsPrinted)) this.hooks.onEpoch?.(epoch);
    this.epochsPrinted = epochs.length;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
