/**
 * How gradient buckets travel through the all-reduce: bytes per element on the wire and
 * the plan parameters of a bucket, shared by the checks, the prediction and the report.
 */
import type { PlanParams } from '@weft/collectives';
import type { Topology } from '@weft/fabric';
import { layoutOf } from '@weft/runtime';
import type { TrainConfig } from './config.js';
import { GRADIENT_BYTES } from './device/profiles.js';

/**
 * Bytes per gradient element on the wire: 2 for bf16 in ghost and predict modes; data
 * mode moves real float32 arrays (the runtime has no bf16 reduction), so 4 there.
 */
export function wireBytesPerElement(config: TrainConfig): number {
  return config.mode === 'data' ? Float32Array.BYTES_PER_ELEMENT : GRADIENT_BYTES[config.precision];
}

/** Elements a bucket occupies on the wire, in float32 slots (ghost bf16: half as many). */
export function wireCount(count: number, config: TrainConfig): number {
  return Math.ceil((count * wireBytesPerElement(config)) / Float32Array.BYTES_PER_ELEMENT);
}

/**
 * The all-reduce of `count` float32 slots on `topology`, as asked: `auto` channels and chunk
 * are left to the algorithm (0 channels, chunkAuto), which resolveDefaults fills in.
 * Buckets travel as float32 slots (ghost bf16 buckets too: half as many of them).
 */
export function planParams(config: TrainConfig, topology: Topology, count: number): PlanParams {
  const channels = config.channels === 'auto' ? 0 : config.channels;
  const chunk = config.chunkBytes === 'auto' ? { chunkElements: 0, chunkAuto: true } : { chunkElements: Math.max(1, Math.floor(config.chunkBytes / Float32Array.BYTES_PER_ELEMENT)) };
  return { nranks: topology.ranks.length, count, root: 0, elementBytes: Float32Array.BYTES_PER_ELEMENT, channels, ...chunk, layout: layoutOf(topology) };
}
