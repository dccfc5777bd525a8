/**
 * One all-reduce algorithm's parameters as `weft bench` resolves them with its defaults
 * (channels and chunk auto, float32), for the planner, predictor and choice probes (plan-only.mjs,
 * predict-only.mjs, choose-only.mjs): built in one place so each probes what a run would.
 */
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { DEFAULT_CHUNK_BYTES, getAlgorithm, resolveDefaults } from '@weft/collectives';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

/** The topology of `spec` with its cost model, and a resolver of `name`/`protocol`'s params per size. */
export function allReduceProbe(spec, name, protocol) {
  const topology = parseTopologySpec(spec);
  const cost = alphaBetaCost(topology);
  const algorithm = getAlgorithm('allReduce', name);
  const layout = rankLayout(topology);
  /** Params for `size` (a size string); `channels` and `chunk` (a size string) replace the defaults when given. */
  const resolve = (size, channels, chunk) => resolveDefaults(algorithm, { ...defaultParams(topology, layout, size, channels, chunk), protocol }, cost);
  return { topology, cost, algorithm, resolve };
}

/** A float32 all-reduce of `size` (a size string) on `topology` as weft bench asks for it: channels and chunk auto unless given. */
export function defaultParams(topology, layout, size, channels, chunk) {
  return {
    nranks: topology.ranks.length, count: parseSizeBytes(size) / 4, root: 0, elementBytes: 4,
    channels: Number(channels ?? 0), chunkElements: (chunk ? parseSizeBytes(chunk) : DEFAULT_CHUNK_BYTES) / 4,
    ...(chunk ? {} : { chunkAuto: true }), layout,
  };
}
