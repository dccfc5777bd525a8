/**
 * What each gradient bucket's all-reduce runs, decided once on the coordinator: the
 * algorithm (or NCCL's choice with `--algo auto`, as DDP over NCCL gets from its tuner),
 * its channels, chunk and protocol — NCCL's own unless `--channels` / `--chunk` say
 * otherwise (collectives' resolveDefaults, chooseAlgorithm). The prediction, the rank
 * programs and `--scale` all read this one decision, so they time the same all-reduce.
 */
import { chooseAlgorithm, getAlgorithm, runNamed, type Algorithm, type CostParams, type NcclEnables, type PlanParams } from '@weft/collectives';
import { alphaBetaCost, type AlphaBetaCost, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import type { TrainConfig } from './config.js';
import type { AllReduceOptions } from './rank-context.js';
import { planParams, wireCount } from './wire.js';

/** One bucket size's all-reduce: what runs, with what, and its alpha-beta time. */
export interface BucketAllReduce {
  readonly algorithm: Algorithm;
  /** Resolved: channels, chunk and protocol as they run. */
  readonly params: PlanParams;
  readonly predictedNs: number;
  /** `ring/Simple`, `tree/LL128`, or the algorithm's name when it has no protocols. */
  readonly label: string;
}

/** The all-reduce of `wireSlots` float32 slots under `config` (its algorithm, or `auto`). */
function resolveAllReduce(config: TrainConfig, topology: Topology, wireSlots: number, cost: CostParams): BucketAllReduce {
  const params = planParams(config, topology, wireSlots);
  const only = config.protocol === 'auto' ? undefined : config.protocol;
  const env = config.ncclEnv;
  const enables: NcclEnables = {
    ...(env?.algorithms !== undefined ? { algorithms: new Set(env.algorithms) } : {}),
    ...(env?.protocols !== undefined ? { protocols: new Set(env.protocols) } : {}),
  };
  if (config.algorithm === 'auto') {
    const choice = chooseAlgorithm('allReduce', params, cost, only, 'auto', enables);
    return { algorithm: choice.algorithm, params: choice.params, predictedNs: choice.predictedNs, label: labelOf(choice.algorithm, choice.params) };
  }
  const algorithm = getAlgorithm('allReduce', config.algorithm);
  // Its protocol per bucket size by predicted time, as weft bench --algo and NCCL under NCCL_ALGO
  // pick it (it ran Simple always: ring/Simple 58 µs where ring/LL takes 23 µs at 0.42 MiB).
  const run = runNamed('allReduce', algorithm, params, cost, only, enables.protocols);
  if (run.refused === '--proto') throw new WeftInputError(run.message);
  if (run.refused === '--algo') throw new WeftInputError(`--algo ${config.algorithm} cannot run on ${topology.name} (${topology.ranks.length} ranks): ${run.reason}`);
  return { algorithm, params: run.params, predictedNs: run.predictedNs, label: labelOf(algorithm, run.params) };
}

/**
 * The alpha-beta cost of a topology, computed once per topology object (a plain value: it
 * builds a router and samples paths): `--scale` plans four algorithms per GPU count on one
 * topology, and every plan asks.
 */
const costs = new WeakMap<Topology, AlphaBetaCost>();
function costOf(topology: Topology): AlphaBetaCost {
  let cost = costs.get(topology);
  if (cost === undefined) costs.set(topology, (cost = alphaBetaCost(topology)));
  return cost;
}

/** Per distinct bucket size (gradient elements), its all-reduce. */
export function bucketAllReduces(config: TrainConfig, topology: Topology, gradientCounts: Iterable<number>): Map<number, BucketAllReduce> {
  const cost = costOf(topology);
  const out = new Map<number, BucketAllReduce>();
  for (const count of gradientCounts) if (!out.has(count)) out.set(count, resolveAllReduce(config, topology, wireCount(count, config), cost));
  return out;
}

const labelOf = (algorithm: Algorithm, params: PlanParams): string => (algorithm.protocols !== undefined ? `${algorithm.name}/${params.protocol ?? 'Simple'}` : algorithm.name);

/** What a rank passes to `ctx.allReduce` for it (plain data: it crosses to the rank workers). */
export function callOptions(r: BucketAllReduce): AllReduceOptions {
  const { channels, chunkElements, protocol, protocolCapStretch, nvlsChannels } = r.params;
  return {
    algorithm: r.algorithm.name,
    op: 'sum',
    channels,
    chunkElements,
    ...(protocol !== undefined ? { protocol } : {}),
    ...(protocolCapStretch !== undefined ? { protocolCapStretch } : {}),
    ...(nvlsChannels !== undefined ? { nvlsChannels } : {}),
  };
}

/** One line for the header: each distinct choice with the bucket sizes it serves. */
export function describeAllReduces(byCount: ReadonlyMap<number, BucketAllReduce>, gradientBytes: number): string {
  const groups = new Map<string, number[]>();
  for (const [count, r] of byCount) {
    const chunk = r.params.chunkElements > 0 ? `${formatMiB(r.params.chunkElements * r.params.elementBytes)} MiB chunks` : 'unchunked';
    const key = `${r.label} ${r.params.channels} ch ${chunk}`;
    groups.set(key, [...(groups.get(key) ?? []), count]);
  }
  return [...groups].map(([key, counts]) => (groups.size > 1 ? `${key} (${counts.map((c) => `${formatMiB(c * gradientBytes)} MiB`).join(', ')} buckets)` : key)).join('; ');
}

const formatMiB = (bytes: number): string => String(Number((bytes / 2 ** 20).toFixed(2)));
