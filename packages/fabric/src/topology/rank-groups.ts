/**
 * Which ranks belong together, as plain data for algorithms (no @weft/collectives types):
 * the ranks that share a server (a node `group`), and whether one reduction-capable switch
 * reaches every rank of a set.
 */
import type { Topology } from '../types.js';
import { rankRails } from './rails.js';

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
 * True when one reduction-capable node (NVLS / SHARP switch) has a link to and from every
 * rank in `ranks` (default: all ranks), so in-network reduction can serve them all in one
 * hop. Ranks are rank numbers.
 */
export function hasReductionSwitch(topology: Topology, ranks?: readonly number[]): boolean {
  const ids = (ranks ?? topology.ranks.map((_, r) => r)).map((r) => topology.ranks[r]!);
  if (ids.length === 0) return false;
  const outOf = linkTargets(topology);
  return topology.nodes.some((node) => node.reduction === true && ids.every((id) => outOf.get(id)?.has(node.id) && outOf.get(node.id)?.has(id)));
}

const targetsOf = new WeakMap<Topology, Map<string, Set<string>>>();

/**
 * Each node's link targets, built once per topology: the layout asks hasReductionSwitch once
 * per server, and rebuilding this per call was O(servers × links) — minutes at 2,048 servers.
 */
function linkTargets(topology: Topology): Map<string, Set<string>> {
  let outOf = targetsOf.get(topology);
  if (outOf === undefined) {
    outOf = new Map<string, Set<string>>();
    for (const link of topology.links) {
      let set = outOf.get(link.from);
      if (!set) outOf.set(link.from, (set = new Set()));
      set.add(link.to);
    }
    targetsOf.set(topology, outOf);
  }
  return outOf;
}

/**
 * How the reduction switch reaching every rank reduces, or undefined when none does: an
 * NVSwitch (`nvswitch` node) through NVLS — GPU-initiated multimem load-reduce and multicast
 * store; any other switch SHARP-style, aggregating what the ranks push and sending the sum back.
 */
export function inSwitchReduction(topology: Topology): 'nvls' | 'sharp' | undefined {
  if (!hasReductionSwitch(topology)) return undefined;
  const reachAll = topology.nodes.filter((n) => n.reduction === true && hasReductionSwitchAt(topology, n.id));
  return reachAll.some((n) => n.kind !== 'nvswitch') ? 'sharp' : 'nvls';
}

function hasReductionSwitchAt(topology: Topology, id: string): boolean {
  const linked = new Set(topology.links.map((l) => `${l.from}\u0000${l.to}`));
  return topology.ranks.every((r) => linked.has(`${r}\u0000${id}`) && linked.has(`${id}\u0000${r}`));
}

/**
 * Where ranks sit, as algorithms see it (collectives' RankLayout, as plain data): servers
 * (`rankGroups`), whether a reduction switch reaches every rank and how it reduces, whether
 * each server has one reaching all its ranks (NVLSTree), and each rank's rail.
 */
export function rankLayout(topology: Topology): {
  groups: number[][];
  hasReductionSwitch: boolean;
  inSwitchReduction: 'nvls' | 'sharp' | undefined;
  groupReductionSwitches: boolean;
  rails: number[] | undefined;
} {
  const groups = rankGroups(topology);
  return {
    groups,
    hasReductionSwitch: hasReductionSwitch(topology),
    inSwitchReduction: inSwitchReduction(topology),
    groupReductionSwitches: groups.every((group) => hasReductionSwitch(topology, group)),
    rails: rankRails(topology),
  };
}
