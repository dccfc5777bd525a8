/**
 * What `weft topo` prints: counts, bandwidth classes, groups, diameter and bisection
 * bandwidth; plus Graphviz output. Pure functions of the topology.
 */
import type { NodeKind, Topology } from '../types.js';
import { formatBandwidth, formatLatency } from '../units.js';
import { forwardHops, indexGraph, UNREACHABLE } from './graph.js';
import { maxFlowBytesPerSec } from './maxflow.js';
import { rankGroups } from './rank-groups.js';

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
  /** Most hops on a shortest path between two ranks (endpoints do not forward). */
  readonly diameterHops: number;
  readonly bisection: {
    /** Max-flow from the first half of ranks to the second half, bytes per second. */
    readonly bandwidthBytesPerSec: number;
    /** The same in the reverse direction (second half to first half). */
    readonly reverseBandwidthBytesPerSec: number;
    readonly method: string;
  };
  readonly sources: readonly string[];
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

  // Diameter: one BFS per rank (O(ranks × links)); about a second for 4096 GPUs.
  let diameterHops = 0;
  for (const r of ranks) {
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
    diameterHops,
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
    `ranks        ${summary.rankCount}`,
    `groups       ${summary.groupCount} (sizes ${sizes})`,
    `reduction    ${summary.reductionSwitches.length > 0 ? `${summary.reductionSwitches.length} reduction-capable switch(es)` : 'none'}`,
    `diameter     ${summary.diameterHops} hops between ranks`,
    `bisection    ${formatBandwidth(summary.bisection.bandwidthBytesPerSec)} first half → second half, ${formatBandwidth(summary.bisection.reverseBandwidthBytesPerSec)} reverse`,
    `             (${summary.bisection.method})`,
  ];
  if (summary.sources.length > 0) lines.push('sources', ...summary.sources.map((s) => `  - ${s}`));
  return lines.join('\n') + '\n';
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
