/**
 * Rails, as channel search sees them (NCCL binds each channel to a NIC: src/graph/search.cc
 * picks the channel's NET, src/graph/paths.cc finds the GPU closest to it). In a
 * rail-optimized fabric GPU g of every server reaches, through its own NIC g, the rail-g
 * leaf; traffic between two servers that stays on one rail never crosses a spine.
 */
import type { Topology } from '../types.js';

/**
 * A switch inside a server (a PCIe switch: kind `switch` with the server's group), as a file
 * draws GPU → PCIe switch → NIC. Fabric switches (leaves, a ToR) carry no server group.
 */
function isServerSwitch(kind: string | undefined, group: string | undefined): boolean {
  return kind === 'switch' && group !== undefined;
}

/**
 * Each endpoint's NICs in its server, nearest first: the NICs it links to, else those its
 * server's PCIe switches link to (DGX servers hang a GPU and its NIC off one PCIe switch; a file
 * that draws it so once had no rails: every channel on one NIC, 48 of 382 GB/s on two DGX H100).
 */
function nicCandidates(topology: Topology, kindOf: Map<string, string>, groupOf: Map<string, string | undefined>): Map<string, string[]> {
  const direct = new Map<string, string[]>();
  const switchesOf = new Map<string, string[]>();
  const nicsOfSwitch = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, value: string) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else if (!list.includes(value)) list.push(value);
  };
  for (const link of topology.links) {
    const fromKind = kindOf.get(link.from);
    const toKind = kindOf.get(link.to);
    const fromEndpoint = fromKind === 'gpu' || fromKind === 'host';
    if (fromEndpoint && toKind === 'nic') push(direct, link.from, link.to);
    if (fromEndpoint && isServerSwitch(toKind, groupOf.get(link.to)) && groupOf.get(link.to) === groupOf.get(link.from)) push(switchesOf, link.from, link.to);
    if (toKind === 'nic' && isServerSwitch(fromKind, groupOf.get(link.from))) push(nicsOfSwitch, link.from, link.to);
  }
  const candidates = new Map<string, string[]>();
  for (const id of topology.ranks) {
    const nics = direct.get(id) ?? (switchesOf.get(id) ?? []).flatMap((sw) => nicsOfSwitch.get(sw) ?? []);
    if (nics.length > 0) candidates.set(id, [...new Set(nics)]);
  }
  return candidates;
}

/** Every rank's rail and rail leaf, in one pass over the links (rankRails, rankRailLeaves). */
function computeRails(topology: Topology): RailStructure {
  const kindOf = new Map<string, string>(topology.nodes.map((node) => [node.id, node.kind]));
  const groupOf = new Map(topology.nodes.map((node) => [node.id, node.group]));
  const candidates = nicCandidates(topology, kindOf, groupOf);
  const leavesOf = new Map<string, string[]>();
  for (const link of topology.links) {
    const toKind = kindOf.get(link.to);
    if (kindOf.get(link.from) === 'nic' && toKind !== 'gpu' && toKind !== 'host' && !isServerSwitch(toKind, groupOf.get(link.to))) {
      const list = leavesOf.get(link.from) ?? [];
      list.push(link.to);
      leavesOf.set(link.from, list);
    }
  }
  // Each rank's NIC: its first free candidate, else the candidate fewest ranks use (a NIC two
  // GPUs share, as NCCL shares it: both GPUs' channels leave by it).
  const users = new Map<string, number>();
  const nicOf = new Map<string, string>();
  for (const id of topology.ranks) {
    const nics = candidates.get(id);
    if (nics === undefined) return NO_RAILS;
    let nic = nics[0]!;
    for (const other of nics) if ((users.get(other) ?? 0) < (users.get(nic) ?? 0)) nic = other;
    users.set(nic, (users.get(nic) ?? 0) + 1);
    nicOf.set(id, nic);
    // A NIC a file gives no group is in the server of the GPU it serves (before, it matched no
    // GPU's group: no rails, every channel on one NIC — 48 of 384 GB/s on hgx-b200:nodes=2).
    if (groupOf.get(nic) === undefined) groupOf.set(nic, groupOf.get(id));
    if (groupOf.get(nic) !== groupOf.get(id)) return NO_RAILS;
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
  const rails = railPositions(topology, nicOf, railOfNic, groupOf, [...users.values()].some((n) => n > 1));
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

/**
 * Each rank's rail: its NIC's index in its server. Where GPUs share a NIC (two per NIC in some
 * designs), ranks need positions of their own for their rings to line up server to server, so a
 * rank's rail is then its place in its server ordered by NIC (and node order within one): GPUs
 * 0 and 1 on NIC 0 are rails 0 and 1, and both rails leave by NIC 0 and its leaf. Channel search
 * then spreads rings over every NIC, two rails' channels per shared NIC, as NCCL's search binds
 * channels to NICs (src/graph/search.cc). Before, a shared NIC meant no rails: every channel left
 * by one NIC, 48 of 98 GB/s on two servers of four GPUs with two 400 Gb/s NICs.
 */
function railPositions(topology: Topology, nicOf: Map<string, string>, railOfNic: Map<string, number>, groupOf: Map<string, string | undefined>, shared: boolean): number[] {
  const nicRail = (id: string) => railOfNic.get(nicOf.get(id)!)!;
  if (!shared) return topology.ranks.map(nicRail);
  const byGroup = new Map<string | undefined, number[]>();
  topology.ranks.forEach((id, r) => {
    const list = byGroup.get(groupOf.get(id)) ?? [];
    list.push(r);
    byGroup.set(groupOf.get(id), list);
  });
  const rails = new Array<number>(topology.ranks.length);
  for (const members of byGroup.values()) {
    members.sort((a, b) => nicRail(topology.ranks[a]!) - nicRail(topology.ranks[b]!) || a - b);
    members.forEach((r, position) => (rails[r] = position));
  }
  return rails;
}

interface RailStructure {
  readonly rails: readonly number[] | undefined;
  readonly leaves: readonly number[] | undefined;
}

const NO_RAILS: RailStructure = { rails: undefined, leaves: undefined };

/**
 * Per rank, the NIC port bandwidth into the fabric (B/s) it has when every rank injects at once:
 * each of its NICs' ports (NIC → fabric links summed) over the ranks that NIC serves
 * (nicCandidates: two GPUs on one NIC get half its port each; a GPU with two NICs of its own,
 * both). Undefined for a rank with no NIC in its server. A max-flow from one rank alone cannot
 * see the sharing: it gave each GPU of a shared 400 Gb/s NIC the whole port.
 */
function computeNicShares(topology: Topology): readonly (number | undefined)[] {
  const kindOf = new Map<string, string>(topology.nodes.map((node) => [node.id, node.kind]));
  const groupOf = new Map(topology.nodes.map((node) => [node.id, node.group]));
  const candidates = nicCandidates(topology, kindOf, groupOf);
  const portOut = new Map<string, number>();
  for (const link of topology.links) {
    const toKind = kindOf.get(link.to);
    if (kindOf.get(link.from) === 'nic' && toKind !== 'gpu' && toKind !== 'host' && !isServerSwitch(toKind, groupOf.get(link.to))) {
      portOut.set(link.from, (portOut.get(link.from) ?? 0) + link.bandwidthBytesPerSec);
    }
  }
  const users = new Map<string, number>();
  for (const nics of candidates.values()) for (const nic of nics) users.set(nic, (users.get(nic) ?? 0) + 1);
  return topology.ranks.map((id) => {
    const nics = (candidates.get(id) ?? []).filter((nic) => portOut.has(nic));
    return nics.length === 0 ? undefined : nics.reduce((sum, nic) => sum + portOut.get(nic)! / users.get(nic)!, 0);
  });
}

const nicSharesByTopology = new WeakMap<Topology, readonly (number | undefined)[]>();

/** computeNicShares, once per topology object. */
export function rankNicShares(topology: Topology): readonly (number | undefined)[] {
  let found = nicSharesByTopology.get(topology);
  if (found === undefined) nicSharesByTopology.set(topology, (found = computeNicShares(topology)));
  return found;
}

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
 * A rank's NIC is the `nic` node it has a link to, or one its server's PCIe switch links to
 * (nicCandidates); its rail is that NIC's position among the NICs of its group (server), in node
 * order — `node<s>.nic<g>` is rail g on dgx-h100 — or, where GPUs share NICs, its place in the
 * server ordered by NIC (railPositions). The result is a rail structure only if every rank has a
 * NIC in its group (a NIC without a group is in its GPU's). Otherwise (hosts wired straight to
 * leaves) there is nothing to align, and the answer is undefined. NICs that share a switch may be
 * on different rails (one ToR for every NIC): a rail says which NIC a channel leaves by.
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
