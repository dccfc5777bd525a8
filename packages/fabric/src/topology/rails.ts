/**
 * Rails, as channel search sees them (NCCL binds each channel to a NIC: src/graph/search.cc
 * picks the channel's NET, src/graph/paths.cc finds the GPU closest to it). In a
 * rail-optimized fabric GPU g of every server reaches, through its own NIC g, the rail-g
 * leaf; traffic between two servers that stays on one rail never crosses a spine.
 */
import type { Topology } from '../types.js';

/** Every rank's rail and rail leaf, in one pass over the links (rankRails, rankRailLeaves). */
function computeRails(topology: Topology): RailStructure {
  const kindOf = new Map(topology.nodes.map((node) => [node.id, node.kind]));
  const groupOf = new Map(topology.nodes.map((node) => [node.id, node.group]));
  const nicOf = new Map<string, string>();
  const leavesOf = new Map<string, string[]>();
  for (const link of topology.links) {
    const fromKind = kindOf.get(link.from);
    const toKind = kindOf.get(link.to);
    if (toKind === 'nic' && (fromKind === 'gpu' || fromKind === 'host') && !nicOf.has(link.from)) {
      nicOf.set(link.from, link.to);
      // A NIC a file gives no group is in the server of the GPU it serves (before, it matched no
      // GPU's group: no rails, every channel on one NIC — 48 of 384 GB/s on hgx-b200:nodes=2).
      if (groupOf.get(link.to) === undefined) groupOf.set(link.to, groupOf.get(link.from));
    }
    if (fromKind === 'nic' && toKind !== 'gpu' && toKind !== 'host') {
      const list = leavesOf.get(link.from) ?? [];
      list.push(link.to);
      leavesOf.set(link.from, list);
    }
  }
  // Rail index of each NIC: its position among its group's NICs, in node order.
  const railOfNic = new Map<string, number>();
  const nicsInGroup = new Map<string | undefined, number>();
  for (const node of topology.nodes) {
    if (node.kind !== 'nic') continue;
    const group = groupOf.get(node.id);
    const seen = nicsInGroup.get(group) ?? 0;
    railOfNic.set(node.id, seen);
    nicsInGroup.set(group, seen + 1);
  }
  const rails: number[] = [];
  const usedNics = new Set<string>();
  for (const id of topology.ranks) {
    const nic = nicOf.get(id);
    if (nic === undefined || usedNics.has(nic) || groupOf.get(nic) !== groupOf.get(id)) return NO_RAILS;
    usedNics.add(nic);
    rails.push(railOfNic.get(nic)!);
  }
  // A switch may serve several rails (every NIC on one ToR; rails crossed at the leaves): the
  // rails still say which NIC a channel leaves by, which is what spreads channels over a
  // server's NICs. (This once returned no rails there: every channel then left by one NIC,
  // 48 of 384 GB/s on two 8-GPU servers whose NICs share one switch.)
  // A NIC linked to one switch has that switch as its rail leaf (its index in node order).
  const nodeIndex = new Map(topology.nodes.map((node, i) => [node.id, i]));
  const leaves: number[] = [];
  for (const id of topology.ranks) {
    const reached = leavesOf.get(nicOf.get(id)!) ?? [];
    if (reached.length === 0 || reached.some((leaf) => leaf !== reached[0])) return { rails, leaves: undefined };
    leaves.push(nodeIndex.get(reached[0]!)!);
  }
  return { rails, leaves };
}

interface RailStructure {
  readonly rails: readonly number[] | undefined;
  readonly leaves: readonly number[] | undefined;
}

const NO_RAILS: RailStructure = { rails: undefined, leaves: undefined };

/** Rails and rail leaves by topology object (topologies are not changed once built; at 65,536 GPUs a pass over the links costs a second). */
const railsByTopology = new WeakMap<Topology, RailStructure>();

function railStructure(topology: Topology): RailStructure {
  let found = railsByTopology.get(topology);
  if (found === undefined) railsByTopology.set(topology, (found = computeRails(topology)));
  return found;
}

/**
 * The rail (NIC index) of every rank, or undefined when the topology has no rail structure.
 *
 * A rank's NIC is the `nic` node it has a link to; its rail is that NIC's position among the
 * NICs of its group (server), in node order — `node<s>.nic<g>` is rail g on dgx-h100. The
 * result is a rail structure only if every rank has its own NIC in its group (a NIC without a
 * group is in its GPU's). Otherwise (hosts wired straight to leaves, a NIC shared by two GPUs)
 * there is nothing to align, and the answer is undefined. NICs that share a switch may be on
 * different rails (one ToR for every NIC): a rail says which NIC a channel leaves by.
 */
export function rankRails(topology: Topology): readonly number[] | undefined {
  return railStructure(topology).rails;
}

/**
 * The rail leaf of every rank: the index (in node order) of the one switch its NIC links to,
 * where rankRails gives rails; undefined without rails or when a NIC reaches several switches.
 * Two ranks of one rail on one leaf talk through that leaf alone; on different leaves (another
 * scalable unit) through the spines above it.
 */
export function rankRailLeaves(topology: Topology): readonly number[] | undefined {
  return railStructure(topology).leaves;
}
