/**
 * What `weft topo` prints: counts, bandwidth classes, groups, diameter and bisection
 * bandwidth; plus Graphviz output. Pure functions of the topology.
 */
import type { NodeKind, RoutingName, Topology } from '../types.js';
import { resolveRouting } from '../routing/default.js';
import { formatBandwidth, formatLatency } from '../units.js';
import { forwardHops, indexGraph, UNREACHABLE } from './graph.js';
import { maxFlowBytesPerSec } from './maxflow.js';
import { rankNicShares } from './rails.js';
import { inSwitchReduction, rankGroups } from './rank-groups.js';

export interface LinkClass {
  readonly bandwidthBytesPerSec: number;
  /** Directed links with this bandwidth. */
  readonly linkCount: number;
}

export interface TopologySummary {
  readonly name: string;
  readonly nodeCount: number;
  readonly nodesByKind: Readonly<Partial<Record<NodeKind, number>>>;
  /** Directed links (a full-duplex cable counts twice). */
  readonly linkCount: number;
  /** Distinct link bandwidths, fastest first. */
  readonly bandwidthClasses: readonly LinkClass[];
  readonly rankCount: number;
  /** Groups (servers / NVLink domains) and their sizes; ungrouped ranks are singletons. */
  readonly groupCount: number;
  readonly groupSizes: readonly number[];
  /** Ids of reduction-capable switches. */
  readonly reductionSwitches: readonly string[];
  /** What uses them, in words (the topo line): NVSwitches NVLS; a fabric switch linked to every rank innetwork; others nothing. */
  readonly reductionUse: string;
  /** Most hops on a shortest path between two ranks (endpoints do not forward). */
  readonly diameterHops: number;
  /**
   * How diameterHops was found: 'exact' (a BFS from every rank), or, above
   * EXACT_DIAMETER_RANKS ranks, the eccentricity of one rank per group's first rank sampled
   * evenly — a lower bound ('sampled', exact on the symmetric presets, where every server
   * sees the fabric alike).
   */
  readonly diameterMethod?: 'exact' | 'sampled';
  /** What `--routing auto` runs here: the topology's default routing, or ecmp (routing/default.ts). */
  readonly defaultRouting: RoutingName;
  /**
   * Per-GPU bandwidth (each direction) by what a rank's links lead to: `scaleUp` into its
   * NVLink switch (nvswitch), `pcie` to its NIC, `nicPort` from that NIC into the fabric;
   * min and max over ranks (equal on presets). Absent when no rank has such a link.
   */
  readonly perGpu?: {
    readonly scaleUp?: BandwidthRange;
    readonly pcie?: BandwidthRange;
    readonly nicPort?: BandwidthRange;
  };
  readonly bisection: {
    /** Max-flow from the first half of ranks to the second half, bytes per second. */
    readonly bandwidthBytesPerSec: number;
    /** The same in the reverse direction (second half to first half). */
    readonly reverseBandwidthBytesPerSec: number;
    readonly method: string;
  };
  readonly sources: readonly string[];
}

/** Up to this many ranks the diameter is exact (one BFS per rank). */
export const EXACT_DIAMETER_RANKS = 8192;
/** Groups whose first rank is a BFS source above EXACT_DIAMETER_RANKS. */
const DIAMETER_SAMPLES = 16;

/** The first rank of `count` groups spread evenly over the list (first and last included). */
function sampleGroupHeads(groups: readonly (readonly number[])[], count: number): number[] {
  if (groups.length <= count) return groups.map((g) => g[0]!);
  return Array.from({ length: count }, (_, i) => groups[Math.round((i * (groups.length - 1)) / (count - 1))]![0]!);
}

export interface BandwidthRange {
  readonly minBytesPerSec: number;
  readonly maxBytesPerSec: number;
}

/**
 * Summed bandwidth of each rank's links into NVLink switches, to its NICs (directly, or to the
 * PCIe switch in its server that its NIC hangs off), and its share of those NICs' ports into the
 * fabric (rails.ts rankNicShares: a port two GPUs share is half each's).
 */
function perGpuBandwidth(topology: Topology): TopologySummary['perGpu'] {
  const kindOf = new Map(topology.nodes.map((node) => [node.id, node.kind]));
  const groupOf = new Map(topology.nodes.map((node) => [node.id, node.group]));
  const isRank = new Set(topology.ranks);
  const up = new Map<string, number>();
  const toNic = new Map<string, number>();
  const toServerSwitch = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, bw: number) => map.set(key, (map.get(key) ?? 0) + bw);
  for (const link of topology.links) {
    if (!isRank.has(link.from)) continue;
    const to = kindOf.get(link.to);
    if (to === 'nvswitch') add(up, link.from, link.bandwidthBytesPerSec);
    if (to === 'nic') add(toNic, link.from, link.bandwidthBytesPerSec);
    if (to === 'switch' && groupOf.get(link.to) !== undefined && groupOf.get(link.to) === groupOf.get(link.from)) add(toServerSwitch, link.from, link.bandwidthBytesPerSec);
  }
  const shares = rankNicShares(topology);
  const range = (values: number[]): BandwidthRange | undefined =>
    values.length === 0 ? undefined : { minBytesPerSec: Math.min(...values), maxBytesPerSec: Math.max(...values) };
  const ranks = topology.ranks;
  const pcieOf = (r: string, i: number): number | undefined => toNic.get(r) ?? (shares[i] !== undefined ? toServerSwitch.get(r) : undefined);
  const result = {
    scaleUp: range(ranks.filter((r) => up.has(r)).map((r) => up.get(r)!)),
    pcie: range(ranks.map(pcieOf).filter((bw): bw is number => bw !== undefined)),
    nicPort: range(shares.filter((bw): bw is number => bw !== undefined)),
  };
  return result.scaleUp || result.pcie || result.nicPort ? result : undefined;
}

export function summarizeTopology(topology: Topology): TopologySummary {
  const graph = indexGraph(topology);
  const nodesByKind: Partial<Record<NodeKind, number>> = {};
  for (const node of topology.nodes) nodesByKind[node.kind] = (nodesByKind[node.kind] ?? 0) + 1;
  const classes = new Map<number, number>();
  for (const link of topology.links) classes.set(link.bandwidthBytesPerSec, (classes.get(link.bandwidthBytesPerSec) ?? 0) + 1);
  const bandwidthClasses = [...classes.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([bandwidthBytesPerSec, linkCount]) => ({ bandwidthBytesPerSec, linkCount }));
  const groups = rankGroups(topology);
  const ranks = topology.ranks.map((id) => graph.nodeIndex.get(id)!);

  // Diameter: one BFS per rank (O(ranks × links)); about a second for 4096 GPUs. Beyond
  // that, BFS from an even sample of groups' first ranks (65,536 GPUs would take hours).
  let diameterHops = 0;
  const exactDiameter = ranks.length <= EXACT_DIAMETER_RANKS;
  const sources = exactDiameter ? ranks : sampleGroupHeads(groups, DIAMETER_SAMPLES).map((r) => ranks[r]!);
  for (const r of sources) {
    const dist = forwardHops(graph, r);
    for (const other of ranks) {
      const d = dist[other]!;
      if (d === UNREACHABLE) {
        diameterHops = Infinity;
        break;
      }
      if (d > diameterHops) diameterHops = d;
    }
  }

  const half = Math.floor(ranks.length / 2);
  const first = ranks.slice(0, half);
  const second = ranks.slice(half);
  const forward = half > 0 ? maxFlowBytesPerSec(topology, graph, first, second) : 0;
  const reverse = half > 0 ? maxFlowBytesPerSec(topology, graph, second, first) : 0;
  return {
    name: topology.name,
    nodeCount: topology.nodes.length,
    nodesByKind,
    linkCount: topology.links.length,
    bandwidthClasses,
    rankCount: ranks.length,
    groupCount: groups.length,
    groupSizes: groups.map((g) => g.length),
    reductionSwitches: topology.nodes.filter((n) => n.reduction).map((n) => n.id),
    reductionUse: reductionUse(topology),
    diameterHops,
    diameterMethod: exactDiameter ? 'exact' : 'sampled',
    defaultRouting: resolveRouting('auto', topology),
    perGpu: perGpuBandwidth(topology),
    bisection: {
      bandwidthBytesPerSec: forward,
      reverseBandwidthBytesPerSec: reverse,
      method: `max-flow from ranks 0..${half - 1} to ranks ${half}..${ranks.length - 1} (natural split: first half vs second half of ranks), link bandwidths as capacities, endpoints do not forward`,
    },
    sources: topology.sources ?? [],
  };
}

/** Plain-text rendering of a summary, one fact per line. */
export function formatTopologySummary(summary: TopologySummary): string {
  const kinds = Object.entries(summary.nodesByKind)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const sizes = compressSizes(summary.groupSizes);
  const lines = [
    `topology     ${summary.name}`,
    `nodes        ${summary.nodeCount} (${kinds})`,
    `links        ${summary.linkCount} directed`,
    ...summary.bandwidthClasses.map((c, i) => `${i === 0 ? 'bandwidths  ' : '            '} ${formatBandwidth(c.bandwidthBytesPerSec)} × ${c.linkCount} links`),
    ...slowLinkNote(summary.bandwidthClasses),
    `ranks        ${summary.rankCount}`,
    `groups       ${summary.groupCount} (sizes ${sizes})`,
    `reduction    ${summary.reductionSwitches.length > 0 ? `${summary.reductionSwitches.length} reduction-capable switch(es)${summary.reductionUse}` : 'none'}`,
    summary.diameterMethod === 'sampled'
      ? `diameter     ${summary.diameterHops} hops between ranks (at least; BFS from ${DIAMETER_SAMPLES} sampled servers, exact up to ${EXACT_DIAMETER_RANKS} ranks)`
      : `diameter     ${summary.diameterHops} hops between ranks`,
    `routing      ${summary.defaultRouting} by default (${summary.defaultRouting === 'adaptive' ? "the fabric's switches route each packet adaptively; --routing ecmp pins each flow by a hash" : '--routing adaptive spreads each flow over every equal-cost path'})`,
    ...perGpuLines(summary.perGpu),
    `bisection    ${formatBandwidth(summary.bisection.bandwidthBytesPerSec)} first half → second half, ${formatBandwidth(summary.bisection.reverseBandwidthBytesPerSec)} reverse`,
    `             (${summary.bisection.method})`,
  ];
  if (summary.sources.length > 0) lines.push('sources', ...summary.sources.map((s) => `  - ${s}`));
  return lines.join('\n') + '\n';
}

/** No interconnect link is slower than this; a slower one is most likely a topology file's bare number, which is B/s. */
const SLOW_LINK_BYTES_PER_SEC = 1e6;

/** A line under the bandwidths when some link is below 1 MB/s: the likely cause, and how to write a unit. */
function slowLinkNote(classes: TopologySummary['bandwidthClasses']): string[] {
  if (!classes.some((c) => c.bandwidthBytesPerSec < SLOW_LINK_BYTES_PER_SEC)) return [];
  return ['             (below 1 MB/s, slower than any interconnect: in a topology file a bare number is B/s; write the unit, e.g. bandwidth: 400Gbps)'];
}

/** `per GPU` lines: NVLink, PCIe to the NIC, NIC port into the fabric (each direction). */
function perGpuLines(perGpu: TopologySummary['perGpu']): string[] {
  if (!perGpu) return [];
  const text = (r: BandwidthRange) =>
    r.minBytesPerSec === r.maxBytesPerSec ? formatBandwidth(r.minBytesPerSec) : `${formatBandwidth(r.minBytesPerSec)} to ${formatBandwidth(r.maxBytesPerSec)}`;
  const parts: [string, BandwidthRange | undefined][] = [
    ['NVLink (to its NVLink switch)', perGpu.scaleUp],
    ['PCIe to its NIC', perGpu.pcie],
    ['NIC port into the fabric', perGpu.nicPort],
  ];
  const lines = parts.filter(([, r]) => r !== undefined).map(([what, r]) => `${text(r!)} ${what}`);
  return lines.map((line, i) => `${i === 0 ? 'per GPU     ' : '            '} ${line}, each direction`);
}

function compressSizes(sizes: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < sizes.length; ) {
    let j = i;
    while (j < sizes.length && sizes[j] === sizes[i]) j++;
    runs.push(j - i > 1 ? `${sizes[i]}×${j - i}` : String(sizes[i]));
    i = j;
  }
  return runs.join(', ');
}

/**
 * Graphviz DOT: one cluster per group, nodes labelled with kind, and one edge per cable
 * (dir=both when a link's reverse has the same bandwidth and latency), labelled with its
 * bandwidth and latency.
 */
export function topologyToDot(topology: Topology): string {
  // DOT quoted strings: escape quotes and backslashes; `\n` (added after escaping) breaks lines.
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const quote = (s: string) => `"${escape(s)}"`;
  const label = (...parts: string[]) => `"${parts.map(escape).join('\\n')}"`;
  const shape: Readonly<Record<NodeKind, string>> = {
    gpu: 'box', host: 'box', nic: 'ellipse', nvswitch: 'hexagon', switch: 'hexagon', leaf: 'hexagon', spine: 'doubleoctagon', core: 'doubleoctagon',
  };
  const lines = [`digraph ${quote(topology.name)} {`, '  rankdir=BT;', '  node [fontsize=10];', '  edge [fontsize=8];'];
  const rankOf = new Map(topology.ranks.map((id, r) => [id, r]));
  const nodeLine = (id: string, kind: NodeKind, reduction?: boolean) => {
    const rank = rankOf.get(id);
    const parts = [id, `${kind}${rank !== undefined ? ` rank ${rank}` : ''}`, ...(reduction ? ['reduction'] : [])];
    return `${quote(id)} [label=${label(...parts)}, shape=${shape[kind]}];`;
  };
  const byGroup = new Map<string, string[]>();
  for (const node of topology.nodes) {
    if (node.group === undefined) {
      lines.push(`  ${nodeLine(node.id, node.kind, node.reduction)}`);
    } else {
      const list = byGroup.get(node.group) ?? [];
      list.push(nodeLine(node.id, node.kind, node.reduction));
      byGroup.set(node.group, list);
    }
  }
  for (const [group, nodeLines] of byGroup) {
    lines.push(`  subgraph ${quote(`cluster_${group}`)} {`, `    label=${quote(group)};`, ...nodeLines.map((l) => `    ${l}`), '  }');
  }
  const byPair = new Map(topology.links.map((link) => [`${link.from}\u0000${link.to}`, link]));
  const drawn = new Set<string>();
  for (const link of topology.links) {
    if (drawn.has(link.id)) continue;
    const reverse = byPair.get(`${link.to}\u0000${link.from}`);
    const text = label(formatBandwidth(link.bandwidthBytesPerSec), formatLatency(link.latencyNs));
    if (reverse && !drawn.has(reverse.id) && reverse.bandwidthBytesPerSec === link.bandwidthBytesPerSec && reverse.latencyNs === link.latencyNs) {
      drawn.add(reverse.id);
      lines.push(`  ${quote(link.from)} -> ${quote(link.to)} [dir=both, label=${text}];`);
    } else {
      lines.push(`  ${quote(link.from)} -> ${quote(link.to)} [label=${text}];`);
    }
    drawn.add(link.id);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * Which algorithms the reduction-capable switches serve: NVSwitches NVLS and NVLSTree (per
 * server); fabric switches (SHARP on InfiniBand) `innetwork` only where one of them is linked to
 * every rank — weft does not model SHARP trees over several switches, so a leaf-spine's reducing
 * switches serve nothing, which the line says (it listed them as if usable).
 */
function reductionUse(topology: Topology): string {
  const reducers = topology.nodes.filter((n) => n.reduction);
  const nvswitches = reducers.filter((n) => n.kind === 'nvswitch').length;
  const fabric = reducers.length - nvswitches;
  const parts: string[] = [];
  if (nvswitches > 0) parts.push(`${nvswitches} NVSwitch: nvls, nvlstree`);
  if (fabric > 0) parts.push(inSwitchReduction(topology) === 'sharp' ? `${fabric} fabric: innetwork` : `${fabric} fabric: unused (innetwork needs one switch linked to every rank; SHARP trees over several switches are not modelled)`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
