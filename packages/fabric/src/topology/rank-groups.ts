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
  const outOf = new Map<string, Set<string>>();
  for (const link of topology.links) {
    let set = outOf.get(link.from);
    if (!set) outOf.set(link.from, (set = new Set()));
    set.add(link.to);
  }
  return topology.nodes.some((node) => node.reduction === true && ids.every((id) => outOf.get(id)?.has(node.id) && outOf.get(node.id)?.has(id)));
}

/**
 * Where ranks sit, as algorithms see it (collectives' RankLayout, as plain data): servers
 * (`rankGroups`), whether a reduction switch reaches every rank, whether each server has
 * one reaching all its ranks (NVLSTree), and each rank's rail.
 */
export function rankLayout(topology: Topology): { groups: number[][]; hasReductionSwitch: boolean; groupReductionSwitches: boolean; rails: number[] | undefined } {
  const groups = rankGroups(topology);
  return {
    groups,
    hasReductionSwitch: hasReductionSwitch(topology),
    groupReductionSwitches: groups.every((group) => hasReductionSwitch(topology, group)),
    rails: rankRails(topology),
  };
}
