/**
 * The table of collectives and, through them, of every algorithm (SimGrid's smpi_coll.cpp
 * idea: one line per entry, each with a one-sentence description). Each collective's
 * folder exports its descriptor; adding a collective is that folder plus one line here
 * (and its name in `CollectiveName`).
 */
import { WeftInputError } from '@weft/sim';
import { allGather } from './all-gather/index.js';
import { allReduce } from './all-reduce/index.js';
import { allToAll } from './all-to-all/index.js';
import { barrier } from './barrier/index.js';
import { broadcast } from './broadcast/index.js';
import type { Collective } from './collective.js';
import { gather } from './gather/index.js';
import { DEFAULT_CHUNK_BYTES, ncclNvlsChannels } from './protocols.js';
import { reduce } from './reduce/index.js';
import { reduceScatter } from './reduce-scatter/index.js';
import { scatter } from './scatter/index.js';
import { sendRecv } from './send-recv/index.js';
import type { Algorithm, CollectiveName, CostParams, PlanParams, Schedule } from './types.js';

/** Every collective, in the order `weft algos` lists them. */
export const COLLECTIVE_TABLE: readonly Collective[] = [
  allReduce,
  reduceScatter,
  allGather,
  broadcast,
  reduce,
  allToAll,
  gather,
  scatter,
  sendRecv,
  barrier,
];

const BY_NAME = new Map<string, Collective>(COLLECTIVE_TABLE.map((c) => [c.name, c]));

/** Every collective's name, in table order. */
export const COLLECTIVES: readonly CollectiveName[] = COLLECTIVE_TABLE.map((c) => c.name);

/** The descriptor of `name`; an unknown name is a WeftInputError listing the accepted names. */
export function collectiveOf(name: CollectiveName | string): Collective {
  const found = BY_NAME.get(name);
  if (found === undefined) throw new WeftInputError(`unknown collective '${String(name)}'; accepted: ${COLLECTIVES.join(', ')}`);
  return found;
}

/** All algorithms (of one collective when given), in table order, then each collective's order. */
export function listAlgorithms(collective?: CollectiveName): readonly Algorithm[] {
  if (collective !== undefined) return collectiveOf(collective).algorithms;
  return COLLECTIVE_TABLE.flatMap((c) => c.algorithms);
}

/** The algorithm `name` of `collective`; an unknown name is a WeftInputError listing the accepted names. */
export function getAlgorithm(collective: CollectiveName, name: string): Algorithm {
  const list = collectiveOf(collective).algorithms;
  const found = list.find((a) => a.name === name);
  if (found === undefined) {
    const accepted = list.length > 0 ? list.map((a) => a.name).join(', ') : '(none registered)';
    throw new WeftInputError(`unknown ${collective} algorithm '${name}'; accepted: ${accepted}`);
  }
  return found;
}

/**
 * `params` with what the caller left to the algorithm resolved: a channel count of 0 asks
 * for its own (`defaultChannels`, else 1), NCCL's NVLS channels for the GPU generation
 * (ncclNvlsChannels, when not given), then `chunkAuto` for its own chunk
 * (`defaultChunkBytes`, else DEFAULT_CHUNK_BYTES), then what the algorithm derives from the
 * cost (`resolveParams`: NCCL's protocol caps). Given values are kept.
 */
export function resolveDefaults(algorithm: Algorithm, params: PlanParams, cost: CostParams): PlanParams {
  const chunked = resolveShape(algorithm, params, cost);
  return algorithm.resolveParams?.(chunked, cost) ?? chunked;
}

/**
 * `resolveDefaults` up to the channels and chunk, without what `resolveParams` derives from
 * the cost (NCCL's protocol caps, which take predictions to work out and never decide whether
 * an algorithm can run: auto checks `unsupported` on these and resolves the rest for the
 * candidates it reads).
 */
export function resolveShape(algorithm: Algorithm, params: PlanParams, cost: CostParams): PlanParams {
  const channels = params.channels !== 0 ? params.channels : (algorithm.defaultChannels?.(params, cost) ?? 1);
  const nvlsChannels = params.nvlsChannels ?? ncclNvlsChannels(cost.computeCapability, params.layout);
  const resolved = channels === params.channels && nvlsChannels === params.nvlsChannels ? params : { ...params, channels, nvlsChannels };
  return resolved.chunkAuto !== true ? resolved : { ...resolved, chunkElements: Math.max(1, Math.floor((algorithm.defaultChunkBytes?.(resolved) ?? DEFAULT_CHUNK_BYTES) / resolved.elementBytes)), chunkAuto: false };
}

/**
 * Plans `algorithm` (a registered name of `collective`, or an Algorithm object such as a
 * user's). Throws WeftInputError for an unknown name, or when the algorithm cannot run
 * with these params (naming the reason).
 */
export function planCollective(collective: CollectiveName, algorithm: string | Algorithm, params: PlanParams): Schedule {
  const chosen = typeof algorithm === 'string' ? getAlgorithm(collective, algorithm) : algorithm;
  const reason = chosen.unsupported(params);
  if (reason !== null) {
    throw new WeftInputError(
      `algorithm '${chosen.name}' cannot run ${collective} on ${params.nranks} ranks with count ${params.count}: ${reason}`,
    );
  }
  return chosen.plan(params);
}
