/**
 * Everything fixed before any rank starts, checked and derived once: the model, device,
 * buckets, memory, backend, compute timing and prediction. Its header is what the run
 * prints first and what the report starts with.
 */
import type { Topology } from '@weft/fabric';
import { loadBackend, type LoadedBackend } from './backend.js';
import { bucketAllReduces, describeAllReduces, type BucketAllReduce } from './bucket-all-reduce.js';
import { checkBatch, checkRanksPerWorker, trainCountOf } from './checks.js';
import { bucketCapBytes, type TrainConfig } from './config.js';
import { stepsPerEpoch as epochSteps } from './data/dataset.js';
import { GRADIENT_BYTES, deviceProfile } from './device/profiles.js';
import { planBuckets, type Bucket } from './model/buckets.js';
import { assertFitsDevice, estimateMemory } from './model/memory.js';
import { modelVariables, parameterCount, parseModelSpec, type ModelSpec } from './model/spec.js';
import { predict } from './prediction.js';
import type { TrainHeader } from './report.js';
import { computeTiming } from './timing.js';
import { wireBytesPerElement } from './wire.js';

export interface RunPlan {
  readonly header: TrainHeader;
  readonly spec: ModelSpec;
  /** The gradient buckets in launch order (the scaling table times each distinct size once). */
  readonly buckets: readonly Bucket[];
  /** Data mode: the backend the coordinator resolved, which every rank then loads. */
  readonly loaded?: LoadedBackend;
  /** Per distinct bucket size (gradient elements): the all-reduce that runs it. */
  readonly allReduces: ReadonlyMap<number, BucketAllReduce>;
}

export async function planRun(config: TrainConfig, topology: Topology): Promise<RunPlan> {
  const nranks = topology.ranks.length;
  const spec = parseModelSpec(config.model);
  checkBatch(config, spec, nranks);
  const perRankBatch = config.globalBatch / nranks;
  const capBytes = bucketCapBytes(config);
  const buckets = planBuckets(modelVariables(spec), capBytes, GRADIENT_BYTES[config.precision]);
  const allReduces = bucketAllReduces(config, topology, buckets.map((b) => b.count));
  const momentum = config.momentum > 0;
  const memory = estimateMemory(spec, perRankBatch, config.precision, momentum);
  const device = deviceProfile(config.device, config.computeEfficiency);
  assertFitsDevice(spec, memory, device);

  // Resolved here, once, so that a forced backend that does not load fails before any
  // worker starts, and every rank then loads the same one.
  const loaded = config.mode === 'data' ? await loadBackend(config.backend) : undefined;
  if (loaded) checkRanksPerWorker(config, loaded.name);
  const timing = computeTiming(spec, perRankBatch, device, config.precision, momentum);
  const header: TrainHeader = {
    config,
    model: { name: spec.name, dataset: spec.dataset, parameters: parameterCount(spec), layers: spec.layers.length, tokensPerSample: spec.tokensPerSample },
    device: {
      name: device.name,
      title: device.title,
      peakFlopsPerSec: device.peakFlopsPerSec[config.precision],
      computeEfficiency: device.computeEfficiency,
      memoryBytes: device.memoryBytes,
    },
    topology: { spec: topology.name, ranks: nranks },
    backend: loaded?.name ?? `none (${config.mode})`,
    backendSkipped: loaded?.skipped ?? [],
    stepsPerEpoch: config.mode === 'data' ? epochSteps(trainCountOf(spec), config.globalBatch) : config.steps,
    perRankBatch,
    bucketCapBytes: capBytes,
    buckets: buckets.length,
    largestBucketBytes: Math.max(0, ...buckets.map((b) => b.count)) * GRADIENT_BYTES[config.precision],
    gradientBytesPerElement: GRADIENT_BYTES[config.precision],
    wireBytesPerElement: wireBytesPerElement(config),
    memory,
    compute: timing,
    allReduce: describeAllReduces(allReduces, wireBytesPerElement(config)),
    predicted: predict(topology, timing, buckets, allReduces),
  };
  return { header, spec, buckets, allReduces, ...(loaded ? { loaded } : {}) };
}
