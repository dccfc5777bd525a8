import { planCollective, type CollectiveName, type PlanParams } from '@weft/collectives';
import { hasReductionSwitch, rankGroups, type NetworkOptions, type Topology } from '@weft/fabric';

export function network(model: NetworkOptions['model'] = 'maxMin', seed = 1): NetworkOptions {
  return { model, routing: 'ecmp', qps: 1, seed };
}

export function planParams(topology: Topology, count: number, overrides: Partial<PlanParams> = {}): PlanParams {
  return {
    nranks: topology.ranks.length,
    count,
    root: 0,
    elementBytes: 4,
    channels: 1,
    chunkElements: 0,
    layout: { groups: rankGroups(topology), hasReductionSwitch: hasReductionSwitch(topology) },
    ...overrides,
  };
}

export function plan(collective: CollectiveName, algorithm: string, topology: Topology, count: number, overrides: Partial<PlanParams> = {}) {
  return planCollective(collective, algorithm, planParams(topology, count, overrides));
}
