/**
 * Integer-indexed adjacency (compressed sparse rows) for a validated topology. Routing,
 * validation and summaries walk graphs with thousands of nodes; string-keyed maps in the
 * inner loops would dominate, so everything here is typed arrays indexed by position.
 */
import { WeftInputError } from '@weft/sim';
import { ENDPOINT_KINDS, type Topology } from '../types.js';

export interface GraphIndex {
  readonly nodeCount: number;
  readonly linkCount: number;
  /** Node id → position in `topology.nodes`. */
  readonly nodeIndex: ReadonlyMap<string, number>;
  /** Link id → position in `topology.links`. */
  readonly linkIndex: ReadonlyMap<string, number>;
  /** 1 for gpu/host nodes, which never forward traffic. */
  readonly isEndpoint: Uint8Array;
  readonly linkFrom: Int32Array;
  readonly linkTo: Int32Array;
  /** Out-links of node n: outLinks[outStart[n] .. outStart[n+1]), in topology link order. */
  readonly outStart: Int32Array;
  readonly outLinks: Int32Array;
  /** In-links of node n: inLinks[inStart[n] .. inStart[n+1]), in topology link order. */
  readonly inStart: Int32Array;
  readonly inLinks: Int32Array;
}

const indexes = new WeakMap<Topology, GraphIndex>();

/**
 * The index of `topology`, built once per topology object (validation, the router, the cost
 * model and summaries each ask for it; at 16,384 GPUs one build is ≈ 0.3 s). Topologies are
 * not changed after they are built: a changed topology is a new object.
 */
export function indexGraph(topology: Topology): GraphIndex {
  let index = indexes.get(topology);
  if (index === undefined) indexes.set(topology, (index = buildIndex(topology)));
  return index;
}

/** Builds the index. Assumes link endpoints name existing nodes (validateTopology checks). */
function buildIndex(topology: Topology): GraphIndex {
  const nodeCount = topology.nodes.length;
  const linkCount = topology.links.length;
  const nodeIndex = new Map<string, number>();
  const isEndpoint = new Uint8Array(nodeCount);
  topology.nodes.forEach((node, i) => {
    nodeIndex.set(node.id, i);
    if (ENDPOINT_KINDS.includes(node.kind)) isEndpoint[i] = 1;
  });
  const linkIndex = new Map<string, number>();
  const linkFrom = new Int32Array(linkCount);
  const linkTo = new Int32Array(linkCount);
  const outDegree = new Int32Array(nodeCount + 1);
  const inDegree = new Int32Array(nodeCount + 1);
  topology.links.forEach((link, l) => {
    linkIndex.set(link.id, l);
    const from = nodeIndex.get(link.from);
    const to = nodeIndex.get(link.to);
    // Reached by topologies built in code (files are validated first): say which node, as the file check does.
    if (from === undefined || to === undefined) throw new WeftInputError(`link ${link.id} names an unknown node '${from === undefined ? link.from : link.to}'; the topology's nodes are its nodes[] ids (validateTopology checks a hand-built topology)`);
    linkFrom[l] = from;
    linkTo[l] = to;
    outDegree[from + 1]!++;
    inDegree[to + 1]!++;
  });
  const outStart = prefixSum(outDegree);
  const inStart = prefixSum(inDegree);
  const outLinks = new Int32Array(linkCount);
  const inLinks = new Int32Array(linkCount);
  const outFill = outStart.slice(0, nodeCount);
  const inFill = inStart.slice(0, nodeCount);
  for (let l = 0; l < linkCount; l++) {
    outLinks[outFill[linkFrom[l]!]!++] = l;
    inLinks[inFill[linkTo[l]!]!++] = l;
  }
  return { nodeCount, linkCount, nodeIndex, linkIndex, isEndpoint, linkFrom, linkTo, outStart, outLinks, inStart, inLinks };
}

function prefixSum(counts: Int32Array): Int32Array {
  const out = new Int32Array(counts.length);
  for (let i = 1; i < counts.length; i++) out[i] = out[i - 1]! + counts[i]!;
  return out;
}

export const UNREACHABLE = -1;

/**
 * Hop distance from `source` to every node, forward along links, where endpoints other than
 * the source are reached but never expanded (they do not forward). `skipLink` excludes links.
 */
export function forwardHops(graph: GraphIndex, source: number, skipLink?: (link: number) => boolean): Int32Array {
  const dist = new Int32Array(graph.nodeCount).fill(UNREACHABLE);
  const queue = new Int32Array(graph.nodeCount);
  let head = 0;
  let tail = 0;
  dist[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const node = queue[head++]!;
    if (node !== source && graph.isEndpoint[node]) continue;
    const next = dist[node]! + 1;
    for (let k = graph.outStart[node]!; k < graph.outStart[node + 1]!; k++) {
      const link = graph.outLinks[k]!;
      if (skipLink && skipLink(link)) continue;
      const to = graph.linkTo[link]!;
      if (dist[to] !== UNREACHABLE) continue;
      dist[to] = next;
      queue[tail++] = to;
    }
  }
  return dist;
}

/**
 * Hop distance from every node to `target`, against link direction, where endpoints other
 * than the target are reached but never expanded (they do not forward).
 */
export function reverseHops(graph: GraphIndex, target: number): Int32Array {
  const dist = new Int32Array(graph.nodeCount).fill(UNREACHABLE);
  const queue = new Int32Array(graph.nodeCount);
  let head = 0;
  let tail = 0;
  dist[target] = 0;
  queue[tail++] = target;
  while (head < tail) {
    const node = queue[head++]!;
    if (node !== target && graph.isEndpoint[node]) continue;
    const next = dist[node]! + 1;
    for (let k = graph.inStart[node]!; k < graph.inStart[node + 1]!; k++) {
      const from = graph.linkFrom[graph.inLinks[k]!]!;
      if (dist[from] !== UNREACHABLE) continue;
      dist[from] = next;
      queue[tail++] = from;
    }
  }
  return dist;
}
