/** Predicted against simulated time in real ghost runs, for the predictor tests. */
import { countForBytes, getAlgorithm, resolveDefaults, type CollectiveName, type PlanParams, type ProtocolName } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout, resolveRouting } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network } from './helpers.js';

export interface MissQuery {
  readonly spec: string;
  readonly collective: CollectiveName;
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  /** NCCL protocols to plan under; [undefined]: the algorithm has none. */
  readonly protocols?: readonly (ProtocolName | undefined)[];
  /** |simulated / predicted − 1| allowed. */
  readonly tolerance: number;
}

/**
 * One line per (algorithm, protocol, size) on `spec` whose simulated time differs from its
 * prediction by more than the tolerance: weft's defaults (channels and chunk auto, 2 MiB
 * chunks where chunked), float32, the topology's own routing (`--routing auto`: adaptive on
 * Spectrum-X and InfiniBand presets, else ECMP).
 */
export async function predictionMisses(query: MissQuery): Promise<string[]> {
  const topology = parseTopologySpec(query.spec);
  const cost = alphaBetaCost(topology);
  const n = topology.ranks.length;
  const cluster = await createCluster({ topology, network: { ...network('maxMin'), routing: resolveRouting('auto', topology) }, mode: 'ghost' });
  const out: string[] = [];
  try {
    for (const name of query.names) {
      const algorithm = getAlgorithm(query.collective, name);
      for (const protocol of query.protocols ?? [undefined]) {
        for (const bytes of query.sizes) {
          const base: PlanParams = { nranks: n, count: countForBytes(query.collective, bytes, 'float32', n), root: 0, elementBytes: 4, channels: 0, chunkElements: (2 << 20) / 4, chunkAuto: true, layout: rankLayout(topology), ...(protocol !== undefined ? { protocol } : {}) };
          const params = resolveDefaults(algorithm, base, cost);
          const predictedNs = algorithm.predictNs(params, cost);
          const { timeNs } = await cluster.runSchedule(algorithm.plan(params), { dtype: 'float32', op: 'sum' });
          if (Math.abs(timeNs / predictedNs - 1) > query.tolerance) out.push(`${name} ${protocol ?? ''} on ${query.spec}, ${bytes} B: simulated ${timeNs} ns, predicted ${predictedNs} ns`);
        }
      }
    }
  } finally {
    await cluster.close();
  }
  return out;
}
