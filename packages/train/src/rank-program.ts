/**
 * What every emulated GPU runs: data-parallel SGD, one step at a time.
 *
 * The real math (forward, backward, optimizer on real digits) runs in wall time on the
 * thread's TensorFlow.js backend. Virtual time is advanced separately, from the device
 * profile: forward, then the backward pass layer by layer from the last; as soon as the
 * layers that feed a gradient bucket are done, that bucket's all-reduce is launched on a
 * concurrent coroutine, chained behind the previous bucket's (DDP issues them in order on
 * one communication stream). Communication therefore overlaps the rest of the backward
 * pass exactly as far as the fabric allows. The optimizer step waits for the last bucket.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { loadBackend, type BackendChoice } from './backend.js';
import { bucketCapBytes, type TrainConfig } from './config.js';
import { DataOrder, openDataset, type Dataset } from './data/dataset.js';
import { adoptMnist, type MnistSplit } from './data/mnist.js';
import { GRADIENT_BYTES, type Precision } from './device/profiles.js';
import { hashWeights } from './hash.js';
import { roundToBf16InPlace } from './model/bf16.js';
import { packBucket, planBuckets, unpackBucket, type Bucket } from './model/buckets.js';
import { Sgd } from './model/optimizer.js';
import { modelVariables, parseModelSpec, type ModelSpec } from './model/spec.js';
import { initialWeights, TfModel } from './model/tf-model.js';
import { ghostBuffer, type GhostBuffer } from '@weft/runtime/core';
import type { AllReduceOptions, TaskHandle, TrainRankContext } from './rank-context.js';
import type { ComputeTiming } from './timing.js';

export interface TrainRankArgs {
  /** The run's validated settings, as the coordinator received them. */
  readonly config: TrainConfig;
  /** Already resolved by the coordinator, so every rank loads the same backend. */
  readonly backend: Exclude<BackendChoice, 'auto'>;
  /** Emulated compute of one step (forward, backward per layer, optimizer). */
  readonly compute: ComputeTiming;
  /** Rank 0 measures held-out accuracy every this many steps and after the last. */
  readonly evalEverySteps: number;
  /** BroadcastChannel name for live progress (losses, accuracy) to the coordinator. */
  readonly progressChannel?: string;
  /** Rank 0 returns its final weights (tests compare them across runs). */
  readonly returnWeights?: boolean;
  /** Per bucket size (gradient elements): the all-reduce call the coordinator resolved (bucket-all-reduce.ts). */
  readonly allReduces: readonly (readonly [number, AllReduceOptions])[];
  /** Data mode on MNIST: the coordinator's parsed split, shared (SharedArrayBuffers) rather than parsed per worker. */
  readonly mnist?: MnistSplit;
}

export interface StepTimes {
  readonly startNs: number;
  readonly backwardEndNs: number;
  readonly commEndNs: number;
  readonly endNs: number;
  /** Sum of bucket all-reduce durations (they run one after another). */
  readonly commBusyNs: number;
  /**
   * Virtual time this rank spent computing (forward, backward, optimizer): the device
   * profile's compute, times the rank's --straggler slow factor.
   */
  readonly computeNs: number;
}

export interface TrainRankResult {
  readonly rank: number;
  readonly backend: string;
  /** Data mode: this rank's local mean loss per step. */
  readonly losses: number[];
  readonly steps: StepTimes[];
  /** Wall-clock ms of each step on this rank (math, communication and waiting). */
  readonly stepWallMs: number[];
  /** Rank 0, labelled data: held-out accuracy after these steps. */
  readonly evals: { readonly step: number; readonly accuracy: number }[];
  readonly weightsHash: string;
  readonly bucketCount: number;
  readonly weights?: Float32Array[];
}

export type ProgressMessage =
  | { readonly kind: 'step'; readonly rank: number; readonly step: number; readonly loss: number | null; readonly startNs: number; readonly endNs: number }
  | { readonly kind: 'eval'; readonly step: number; readonly accuracy: number };

/** A rank's loss went NaN or infinite: training diverged (usually too large a --lr). */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';
}


interface DataState {
  readonly model: TfModel;
  readonly dataset: Dataset;
  readonly order: DataOrder;
  readonly weights: Float32Array[];
  readonly optimizer: Sgd;
  readonly backend: string;
}

async function prepareData(config: TrainConfig, spec: ModelSpec, backend: TrainRankArgs['backend'], mnist: MnistSplit | undefined): Promise<DataState> {
  if (mnist) adoptMnist(mnist);
  const loaded = await loadBackend(backend);
  const model = new TfModel(loaded.tf, spec);
  const dataset = openDataset(spec, config.seed);
  const weights = initialWeights(spec, config.seed);
  return {
    model,
    dataset,
    order: new DataOrder(dataset.trainCount, config.globalBatch, config.seed),
    weights,
    optimizer: new Sgd({ learningRate: config.learningRate, momentum: config.momentum }, weights.map((w) => w.length)),
    backend: loaded.name,
  };
}

export async function trainRank(ctx: TrainRankContext, args: TrainRankArgs): Promise<TrainRankResult> {
  const { config } = args;
  const spec = parseModelSpec(config.model);
  const elementBytes = GRADIENT_BYTES[config.precision];
  // Buckets are sized in gradient bytes (bf16: 2), as DDP sizes them for bf16 gradients.
  const buckets = planBuckets(modelVariables(spec), bucketCapBytes(config), elementBytes);
  const allReduces = new Map(args.allReduces);
  const data = ctx.mode === 'data' ? await prepareData(config, spec, args.backend, args.mnist) : undefined;
  const bucketBuffers = data ? buckets.map((bucket) => new Float32Array(bucket.count)) : [];
  // Ghost mode runs every rank in one thread, where each channel instance would receive
  // every other rank's messages (N² deliveries per step): there only rank 0 reports.
  const reports = args.progressChannel !== undefined && (ctx.mode === 'data' || ctx.rank === 0);
  const channel = reports ? new BroadcastChannel(args.progressChannel!) : undefined;
  // A rank left waiting forever (a crashed peer ends the run) never reaches `finally`: its
  // channel must not keep the process alive (ghost ranks run on the main thread).
  channel?.unref();
  const losses: number[] = [];
  const steps: StepTimes[] = [];
  const evals: { step: number; accuracy: number }[] = [];
  const stepWallMs: number[] = [];
  try {
    for (let step = 0; step < config.steps; step++) {
      const wallStart = performance.now();
      let gradients: Float32Array[] = [];
      let loss: number | null = null;
      if (data) {
        const batch = data.dataset.batch(data.order.shard(step, ctx.rank, ctx.nranks));
        ({ loss, gradients } = data.model.lossAndGradients(data.weights, batch));
        if (!Number.isFinite(loss)) {
          throw new DivergedError(`rank ${ctx.rank}: loss is ${loss} at step ${step + 1}: training diverged; lower --lr`);
        }
        losses.push(loss);
      }
      const times = await emulateStep(ctx, args, allReduces, buckets, bucketBuffers, gradients, elementBytes);
      steps.push(times);
      if (data) data.optimizer.step(data.weights, gradients);
      // Evaluation is not part of a training step's cost.
      stepWallMs.push(performance.now() - wallStart);
      if (data) {
        const last = step === config.steps - 1;
        if (ctx.rank === 0 && data.dataset.test && ((step + 1) % args.evalEverySteps === 0 || last)) {
          const accuracy = data.model.accuracy(data.weights, data.dataset.test);
          evals.push({ step: step + 1, accuracy });
          channel?.postMessage({ kind: 'eval', step: step + 1, accuracy } satisfies ProgressMessage);
        }
      }
      channel?.postMessage({ kind: 'step', rank: ctx.rank, step: step + 1, loss, startNs: times.startNs, endNs: times.endNs } satisfies ProgressMessage);
    }
  } finally {
    channel?.close();
  }
  return {
    rank: ctx.rank,
    backend: data?.backend ?? 'none (ghost)',
    losses,
    steps,
    stepWallMs,
    evals,
    weightsHash: data ? hashWeights(data.weights) : '',
    bucketCount: buckets.length,
    ...(args.returnWeights && ctx.rank === 0 && data ? { weights: data.weights } : {}),
  };
}

/**
 * One step in virtual time. In data mode `gradients` are this rank's local gradients;
 * on return they hold the average over all ranks. Ghost mode all-reduces length-only
 * ghost buffers of the bucket's size (in fp32 elements carrying the same bytes).
 */
async function emulateStep(
  ctx: TrainRankContext,
  args: TrainRankArgs,
  allReduces: ReadonlyMap<number, AllReduceOptions>,
  buckets: readonly Bucket[],
  buffers: readonly Float32Array[],
  gradients: readonly Float32Array[],
  elementBytes: number,
): Promise<StepTimes> {
  const { config, compute } = args;
  const startNs = ctx.nowNs;
  // A --straggler delay holds this rank's first operation until the delay: that wait is a
  // late start, not compute.
  const startDelayNs = Math.max(0, ...config.faults.map((f) => (f.kind === 'delayRank' && f.rank === ctx.rank ? f.delayNs : 0)));
  let computeNs = 0;
  const computeFor = async (durationNs: number) => {
    const beginNs = Math.max(ctx.nowNs, startDelayNs);
    await ctx.compute(durationNs);
    computeNs += ctx.nowNs - beginNs;
  };
  await computeFor(compute.forwardNs);
  let last: TaskHandle<number> | undefined;
  let next = 0;
  for (let layer = compute.backwardNsPerLayer.length - 1; layer >= 0; layer--) {
    const layerNs = compute.backwardNsPerLayer[layer]!;
    if (layerNs > 0) await computeFor(layerNs);
    while (next < buckets.length && buckets[next]!.readyAfterLayer >= layer) {
      const index = next++;
      const previous = last;
      const data = buffers.length > 0 ? prepareBucket(buckets[index]!, gradients, buffers[index]!, ctx.nranks, config.precision) : ghostBucket(buckets[index]!, elementBytes);
      const options = allReduces.get(buckets[index]!.count)!;
      // One communication stream: each bucket's all-reduce starts when it is ready and
      // the previous bucket's has finished. Returns the communication time so far.
      last = ctx.spawn(async (comm) => {
        const busyBeforeNs = previous ? await comm.join(previous) : 0;
        const beginNs = comm.nowNs;
        if (data instanceof Float32Array) buffers[index]!.set(await comm.allReduce(data, options));
        else await comm.allReduce(data, options);
        return busyBeforeNs + (comm.nowNs - beginNs);
      });
    }
  }
  const backwardEndNs = ctx.nowNs;
  const commBusyNs = last ? await ctx.join(last) : 0;
  const commEndNs = ctx.nowNs;
  if (buffers.length > 0) {
    buckets.forEach((bucket, index) => {
      if (config.precision === 'bf16') roundToBf16InPlace(buffers[index]!);
      unpackBucket(bucket, buffers[index]!, gradients);
    });
  }
  await computeFor(compute.optimizerNs);
  return { startNs, backwardEndNs, commEndNs, endNs: ctx.nowNs, commBusyNs, computeNs };
}

/**
 * Ghost payload with the bucket's bytes, length only (the runtime allocates nothing for
 * it): bf16 buckets carry half as many fp32 slots.
 */
function ghostBucket(bucket: Bucket, elementBytes: number): GhostBuffer {
  return ghostBuffer(Math.ceil((bucket.count * elementBytes) / Float32Array.BYTES_PER_ELEMENT), 'float32');
}

/**
 * Packs a bucket and pre-divides by the rank count, as DDP does before its SUM
 * all-reduce, so the sum is the average. bf16: the gradients are rounded to bf16 first, as
 * a bf16 gradient buffer would hold them (and the sum is rounded again on arrival).
 */
function prepareBucket(bucket: Bucket, gradients: readonly Float32Array[], buffer: Float32Array, nranks: number, precision: Precision): Float32Array {
  packBucket(bucket, gradients, buffer);
  if (nranks > 1) for (let i = 0; i < buffer.length; i++) buffer[i] = buffer[i]! / nranks;
  if (precision === 'bf16') roundToBf16InPlace(buffer);
  return buffer;
}

/** The export the runtime runs on every rank (`cluster.runProgram(url, 'trainRankProgram', args)`). */
export function trainRankProgram(ctx: TrainRankContext, args: TrainRankArgs): Promise<TrainRankResult> {
  return trainRank(ctx, args);
}
