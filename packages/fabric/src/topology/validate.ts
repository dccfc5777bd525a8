/**
 * Structural checks every topology passes before anything routes over it, whether it came
 * from a preset or a file. Each failure is a WeftInputError: one line naming the field and
 * the bad value, and saying what is accepted.
 */
import { WeftInputError } from '@weft/sim';
import { ENDPOINT_KINDS, type NodeKind, type Topology } from '../types.js';
import { forwardHops, indexGraph, UNREACHABLE, type GraphIndex } from './graph.js';

export const NODE_KINDS: readonly NodeKind[] = ['gpu', 'host', 'nic', 'nvswitch', 'switch', 'leaf', 'spine', 'core'];

/**
 * Physical ranges of link quantities. Outside them a value is a typo or an attack, not a
 * fabric: the fastest links weft models are NVLink 5 at 1.8 TB/s per GPU, and a datacenter
 * hop costs microseconds. Beyond them the simulation's arithmetic breaks down (a 1e308 ns
 * latency overflows the clock and reads as a deadlock; 5e-324 B/s never finishes).
 */
export const BANDWIDTH_RANGE_BYTES_PER_SEC = { min: 1, max: 1e15, text: '1 B/s to 1 PB/s (8 bps to 8 Pbps)' } as const;
export const LATENCY_RANGE_NS = { min: 0, max: 1e9, text: '0 to 1 s' } as const;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with control characters as \uXXXX escapes: names from files never drive the terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Ids and names are printed in tables and messages: no control characters (a file could forge output lines). */
function checkPrintable(field: string, value: string): void {
  CONTROL_CHARS.lastIndex = 0;
  if (CONTROL_CHARS.test(value)) {
    throw new WeftInputError(`${field}: "${escapeControl(value)}" contains a control character; ids and names must be printable text`);
  }
}

/**
 * Topologies that passed, by identity: a preset or file is checked where it is built, and again
 * where a library caller hands it to a cluster (runtime createCluster), which must not pay the
 * connectivity walk twice at 65,536 GPUs. A topology is data; mutating one after it passed is not
 * supported.
 */
const validated = new WeakSet<Topology>();

/** Throws WeftInputError on the first problem found; returns the topology unchanged. */
export function validateTopology(topology: Topology): Topology {
  if (typeof topology === 'object' && topology !== null && validated.has(topology)) return topology;
  checkShape(topology);
  if (topology.name) checkPrintable('name', topology.name);
  const where = topology.name ? ` (topology ${topology.name})` : '';
  const nodeKind = new Map<string, NodeKind>();
  topology.nodes.forEach((node, i) => {
    if (typeof node.id !== 'string' || node.id.length === 0) {
      throw new WeftInputError(`nodes[${i}].id: must be a non-empty string, got ${JSON.stringify(node.id)}${where}`);
    }
    checkPrintable(`nodes[${i}].id`, node.id);
    if (node.group !== undefined) checkPrintable(`nodes[${i}].group`, node.group);
    if (!NODE_KINDS.includes(node.kind)) {
      throw new WeftInputError(`nodes[${i}].kind: unknown kind "${String(node.kind)}" for node ${node.id}; accepted: ${NODE_KINDS.join(', ')}${where}`);
    }
    if (nodeKind.has(node.id)) throw new WeftInputError(`nodes[${i}].id: duplicate node id "${node.id}"; node ids must be unique${where}`);
    nodeKind.set(node.id, node.kind);
  });
  const linkIds = new Set<string>();
  topology.links.forEach((link, i) => {
    if (linkIds.has(link.id)) throw new WeftInputError(`links[${i}].id: duplicate link id "${link.id}"; link ids must be unique${where}`);
    linkIds.add(link.id);
    for (const end of ['from', 'to'] as const) {
      if (!nodeKind.has(link[end])) {
        throw new WeftInputError(`links[${i}].${end}: unknown node "${link[end]}"; links must name nodes declared in nodes${where}`);
      }
    }
    if (link.from === link.to) throw new WeftInputError(`links[${i}]: link from "${link.from}" to itself; a link must join two different nodes${where}`);
    const bw = BANDWIDTH_RANGE_BYTES_PER_SEC;
    if (!(link.bandwidthBytesPerSec >= bw.min && link.bandwidthBytesPerSec <= bw.max)) {
      throw new WeftInputError(`links[${i}].bandwidth: ${link.bandwidthBytesPerSec} B/s on link ${link.id} is outside the physical range ${bw.text}${where}`);
    }
    const lat = LATENCY_RANGE_NS;
    if (!(link.latencyNs >= lat.min && link.latencyNs <= lat.max)) {
      throw new WeftInputError(`links[${i}].latency: ${link.latencyNs} ns on link ${link.id} is outside the physical range ${lat.text}${where}`);
    }
  });
  if (topology.ranks.length === 0) {
    throw new WeftInputError(`ranks: no ranks; a topology needs at least one ${ENDPOINT_KINDS.join('/')} node${where}`);
  }
  const rankSet = new Set<string>();
  topology.ranks.forEach((id, r) => {
    const kind = nodeKind.get(id);
    if (kind === undefined) throw new WeftInputError(`ranks[${r}]: unknown node "${id}"; ranks must name ${ENDPOINT_KINDS.join('/')} nodes${where}`);
    if (!ENDPOINT_KINDS.includes(kind)) {
      throw new WeftInputError(`ranks[${r}]: node "${id}" is a ${kind}; ranks must be endpoints (${ENDPOINT_KINDS.join(', ')})${where}`);
    }
    if (rankSet.has(id)) throw new WeftInputError(`ranks[${r}]: node "${id}" appears twice; each endpoint hosts at most one rank${where}`);
    rankSet.add(id);
  });
  checkNvlinkDomains(topology, where);
  checkRanksConnected(topology, indexGraph(topology), where);
  validated.add(topology);
  return topology;
}

/** A hand-built topology (library callers) must at least be an object with nodes, links and ranks arrays. */
function checkShape(topology: Topology): void {
  if (typeof topology !== 'object' || topology === null || Array.isArray(topology)) {
    throw new WeftInputError(`topology: expected an object with nodes, links and ranks arrays, got ${topology === null ? 'null' : Array.isArray(topology) ? 'an array' : typeof topology}`);
  }
  for (const field of ['nodes', 'links', 'ranks'] as const) {
    if (!Array.isArray(topology[field])) throw new WeftInputError(`topology.${field}: expected an array, got ${topology[field] === undefined ? 'nothing' : typeof topology[field]}`);
  }
  topology.nodes.forEach((node, i) => {
    if (typeof node !== 'object' || node === null) throw new WeftInputError(`nodes[${i}]: expected an object with id and kind, got ${node === null ? 'null' : typeof node}`);
  });
  topology.links.forEach((link, i) => {
    if (typeof link !== 'object' || link === null) throw new WeftInputError(`links[${i}]: expected an object with id, from, to, bandwidthBytesPerSec and latencyNs, got ${link === null ? 'null' : typeof link}`);
    for (const field of ['bandwidthBytesPerSec', 'latencyNs'] as const) {
      if (typeof link[field] !== 'number') throw new WeftInputError(`links[${i}].${field}: expected a number, got ${link[field] === undefined ? 'nothing' : typeof link[field]} on link ${String(link.id)}`);
    }
  });
}

/**
 * An NVLink switch joins the GPUs of one server (one `group`: the scale-up domain rails, channels
 * and NVLS are built on). A GPU linked to it with another group, or none where the others have
 * one, is a slip in a file (the cluster-owner walk, hostile.md §23: one GPU's group removed made
 * the layout flat and the cluster 8× slower, accepted without a word): refused, naming both.
 */
function checkNvlinkDomains(topology: Topology, where: string): void {
  const nodeOf = new Map(topology.nodes.map((node) => [node.id, node]));
  const firstGpu = new Map<string, { id: string; group: string | undefined }>();
  for (const link of topology.links) {
    for (const [sw, gpu] of [[link.from, link.to], [link.to, link.from]] as const) {
      const switchNode = nodeOf.get(sw)!;
      const gpuNode = nodeOf.get(gpu)!;
      if (switchNode.kind !== 'nvswitch' || (gpuNode.kind !== 'gpu' && gpuNode.kind !== 'host')) continue;
      const first = firstGpu.get(sw);
      if (first === undefined) firstGpu.set(sw, { id: gpu, group: gpuNode.group });
      else if (first.group !== gpuNode.group) {
        const groupText = (group: string | undefined) => (group === undefined ? 'no group' : `group "${group}"`);
        throw new WeftInputError(
          `nodes: ${gpu} (${groupText(gpuNode.group)}) and ${first.id} (${groupText(first.group)}) link to the same NVLink switch ${sw}; the GPUs of one NVLink switch are one server: give them one group${where}`,
        );
      }
    }
  }
}

/**
 * Every rank must reach every other rank, with endpoints never forwarding. Fast path: if
 * some strongly connected set of forwarding nodes is entered from and exits to every rank,
 * all pairs are connected through it (true of every preset). Otherwise one BFS per rank.
 */
function checkRanksConnected(topology: Topology, graph: GraphIndex, where: string): void {
  const ranks = topology.ranks.map((id) => graph.nodeIndex.get(id)!);
  if (ranks.length < 2) return;
  if (hasCommonCore(graph, ranks)) return;
  const isRank = new Uint8Array(graph.nodeCount);
  for (const r of ranks) isRank[r] = 1;
  for (let a = 0; a < ranks.length; a++) {
    const dist = forwardHops(graph, ranks[a]!);
    for (let b = 0; b < ranks.length; b++) {
      if (a !== b && dist[ranks[b]!] === UNREACHABLE) {
        throw new WeftInputError(
          `topology is disconnected: rank ${a} (${topology.ranks[a]}) cannot reach rank ${b} (${topology.ranks[b]}); every rank must reach every other through switches or direct links (gpu/host nodes do not forward)${where}`,
        );
      }
    }
  }
}

function hasCommonCore(graph: GraphIndex, ranks: readonly number[]): boolean {
  const first = ranks[0]!;
  for (let k = graph.outStart[first]!; k < graph.outStart[first + 1]!; k++) {
    const seed = graph.linkTo[graph.outLinks[k]!]!;
    if (graph.isEndpoint[seed]) continue;
    const forward = forwardingReach(graph, seed, true);
    const backward = forwardingReach(graph, seed, false);
    const inCore = (n: number) => forward[n] === 1 && backward[n] === 1;
    const ok = ranks.every((r) => {
      let enters = false;
      let exits = false;
      for (let j = graph.outStart[r]!; j < graph.outStart[r + 1]! && !enters; j++) enters = inCore(graph.linkTo[graph.outLinks[j]!]!);
      for (let j = graph.inStart[r]!; j < graph.inStart[r + 1]! && !exits; j++) exits = inCore(graph.linkFrom[graph.inLinks[j]!]!);
      return enters && exits;
    });
    if (ok) return true;
  }
  return false;
}

/** Forwarding (non-endpoint) nodes reachable from `seed` along (or against) link direction. */
function forwardingReach(graph: GraphIndex, seed: number, alongLinks: boolean): Uint8Array {
  const seen = new Uint8Array(graph.nodeCount);
  const stack = [seed];
  seen[seed] = 1;
  const start = alongLinks ? graph.outStart : graph.inStart;
  const links = alongLinks ? graph.outLinks : graph.inLinks;
  const other = alongLinks ? graph.linkTo : graph.linkFrom;
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (let k = start[node]!; k < start[node + 1]!; k++) {
      const next = other[links[k]!]!;
      if (seen[next] || graph.isEndpoint[next]) continue;
      seen[next] = 1;
      stack.push(next);
    }
  }
  return seen;
}
