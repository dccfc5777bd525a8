/**
 * Which ranks belong together, as plain data for algorithms (no @weft/collectives types):
 * the ranks that share a server (a node `group`), and whether one reduction-capable switch
 * reaches every rank of a set.
 */
import type { Topology } from '../types.js';
import { indexGraph, type GraphIndex } from './graph.js';
import { rankRailLeaves, rankRails } from './rails.js';

/** Ranks grouped by their node's `group`, groups in order of first rank; ungrouped ranks are singletons. */
export function rankGroups(topology: Topology): number[][] {
  const groupOf = new Map(topology.nodes.map((node) => [node.id, node.group]));
  const groups: number[][] = [];
  const byName = new Map<string, number[]>();
  topology.ranks.forEach((id, rank) => {
    const name = groupOf.get(id);
    if (name === undefined) {
      groups.push([rank]);
      return;
    }
    let group = byName.get(name);
    if (!group) {
      group = [];
      byName.set(name, group);
      groups.push(group);
    }
    group.push(rank);
  });
  return groups;
}

/**
 * Per node, the reduction-capable nodes (NVLS / SHARP switches) it has a link to and a link
 * from — built once per topology (a 16,384-GPU preset has 133 K links and 2,048 groups to check).
 */
const reducersByTopology = new WeakMap<Topology, Map<string, Set<string>>>();

function reducersOf(topology: Topology): Map<string, Set<string>> {
  let both = reducersByTopology.get(topology);
  if (both !== undefined) return both;
  const reducers = new Set(topology.nodes.filter((node) => node.reduction === true).map((node) => node.id));
  const into = new Map<string, Set<string>>();
  const outOf = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, id: string, reducer: string): void => {
    let set = map.get(id);
    if (!set) map.set(id, (set = new Set()));
    set.add(reducer);
  };
  for (const link of topology.links) {
    if (reducers.has(link.to)) add(outOf, link.from, link.to);
    if (reducers.has(link.from)) add(into, link.to, link.from);
  }
  both = new Map();
  for (const [id, out] of outOf) {
    const back = into.get(id);
    const linked = new Set([...out].filter((reducer) => back?.has(reducer)));
    if (linked.size > 0) both.set(id, linked);
  }
  reducersByTopology.set(topology, both);
  return both;
}

/** The reduction-capable nodes linked both ways with every rank in `ranks` (rank numbers). */
function reducersReaching(topology: Topology, ranks: readonly number[]): string[] {
  if (ranks.length === 0) return [];
  const both = reducersOf(topology);
  const sets = ranks.map((r) => both.get(topology.ranks[r]!));
  return [...(sets[0] ?? [])].filter((reducer) => sets.every((set) => set?.has(reducer)));
}

/**
 * True when one reduction-capable node (NVLS / SHARP switch) has a link to and from every
 * rank in `ranks` (default: all ranks), so in-network reduction can serve them all in one
 * hop. Ranks are rank numbers.
 */
export function hasReductionSwitch(topology: Topology, ranks?: readonly number[]): boolean {
  return reducersReaching(topology, ranks ?? topology.ranks.map((_, r) => r)).length > 0;
}

/**
 * How the reduction switch reaching every rank reduces, or undefined when none does: an
 * NVSwitch (`nvswitch` node) through NVLS — GPU-initiated multimem load-reduce and multicast
 * store; any other switch SHARP-style, aggregating what the ranks push and sending the sum back.
 */
export function inSwitchReduction(topology: Topology): 'nvls' | 'sharp' | undefined {
  const reachAll = new Set(reducersReaching(topology, topology.ranks.map((_, r) => r)));
  if (reachAll.size === 0) return undefined;
  return topology.nodes.some((n) => reachAll.has(n.id) && n.kind !== 'nvswitch') ? 'sharp' : 'nvls';
}

/** What rankLayout returns: read-only, as one object per topology is shared by every caller. */
export interface RankLayoutData {
  readonly groups: readonly (readonly number[])[];
  readonly hasReductionSwitch: boolean;
  readonly inSwitchReduction: 'nvls' | 'sharp' | undefined;
  readonly groupReductionSwitches: boolean;
  readonly rails: readonly number[] | undefined;
  readonly railLeaves: readonly number[] | undefined;
  /** The directed links, for collectives' channel search (its RankLayout.linkGraph): rankLinkGraph. */
  readonly linkGraph: RankLinkGraph;
}

/**
 * The topology's nodes and directed links as plain arrays (collectives' LinkGraph): its graph
 * index's adjacency, the node each rank runs on, and each link's bandwidth.
 */
export type RankLinkGraph = Pick<GraphIndex, 'nodeCount' | 'isEndpoint' | 'linkFrom' | 'linkTo' | 'outStart' | 'outLinks'> & {
  readonly rankNode: Int32Array;
  readonly linkBytesPerSec: Float64Array;
  readonly linkLatencyNs: Float64Array;
};

/** The topology's link graph for the channel search: its graph index, each link's bandwidth and latency, and each rank's node. */
export function rankLinkGraph(topology: Topology): RankLinkGraph {
  const index = indexGraph(topology);
  const rankNode = Int32Array.from(topology.ranks, (id) => index.nodeIndex.get(id) ?? -1);
  const linkBytesPerSec = Float64Array.from(topology.links, (link) => link.bandwidthBytesPerSec);
  const linkLatencyNs = Float64Array.from(topology.links, (link) => link.latencyNs);
  const { nodeCount, isEndpoint, linkFrom, linkTo, outStart, outLinks } = index;
  return { nodeCount, rankNode, isEndpoint, linkFrom, linkTo, linkBytesPerSec, linkLatencyNs, outStart, outLinks };
}

/**
 * Layouts by topology object: a sweep plans every size on a fresh PlanParams, and the
 * collectives cache what they derive from a layout (channel trees, fill sharing) by the
 * layout object, so one topology must give one layout (at 16,384 GPUs building it again costs
 * a pass over every node and link, and every derived cache would miss).
 */
const layoutsByTopology = new WeakMap<Topology, RankLayoutData>();

/**
 * Where ranks sit, as algorithms see it (collectives' RankLayout, as plain data): servers
 * (`rankGroups`), whether a reduction switch reaches every rank and how it reduces, whether
 * each server has one reaching all its ranks (NVLSTree), and each rank's rail. Computed once
 * per topology object (topologies are not changed once built).
 */
export function rankLayout(topology: Topology): RankLayoutData {
  let layout = layoutsByTopology.get(topology);
  if (layout !== undefined) return layout;
  const groups = rankGroups(topology);
  layout = {
    groups,
    hasReductionSwitch: hasReductionSwitch(topology),
    inSwitchReduction: inSwitchReduction(topology),
    groupReductionSwitches: groups.every((group) => hasReductionSwitch(topology, group)),
    rails: rankRails(topology),
    railLeaves: rankRailLeaves(topology),
    linkGraph: rankLinkGraph(topology),
  };
  layoutsByTopology.set(topology, layout);
  return layout;
}
