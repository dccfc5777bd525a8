/**
 * Max-flow (Dinic's algorithm) over a topology's directed links, with link bandwidth as
 * capacity. Used for the bisection bandwidth of `weft topo` and for per-rank injection
 * bandwidth. Endpoints do not forward: a source endpoint only sends, a sink endpoint only
 * receives, and any other endpoint is cut out, so flow can only pass through switches.
 */
import type { GraphIndex } from './graph.js';
import type { Topology } from '../types.js';

/**
 * Maximum total rate (bytes/s) from the `sources` node set to the `sinks` node set
 * (node indices into `graph`; disjoint), or 0 when they are not connected. `allowLink`
 * restricts the links flow may use.
 */
export function maxFlowBytesPerSec(
  topology: Topology,
  graph: GraphIndex,
  sources: readonly number[],
  sinks: readonly number[],
  allowLink?: (link: number) => boolean,
): number {
  const n = graph.nodeCount + 2;
  const superSource = n - 2;
  const superSink = n - 1;
  const role = new Int8Array(graph.nodeCount); // 1 source, 2 sink
  for (const s of sources) role[s] = 1;
  for (const t of sinks) role[t] = 2;

  // Residual graph as parallel arrays; edge e and e^1 are a forward/backward pair.
  const head: number[] = new Array(n).fill(-1);
  const next: number[] = [];
  const to: number[] = [];
  const cap: number[] = [];
  const addEdge = (u: number, v: number, c: number): void => {
    to.push(v), cap.push(c), next.push(head[u]!), (head[u] = to.length - 1);
    to.push(u), cap.push(0), next.push(head[v]!), (head[v] = to.length - 1);
  };
  let total = 0;
  topology.links.forEach((link, l) => {
    if (allowLink && !allowLink(l)) return;
    const u = graph.linkFrom[l]!;
    const v = graph.linkTo[l]!;
    // An endpoint may start flow only if it is a source and end it only if it is a sink.
    if (graph.isEndpoint[u] && role[u] !== 1) return;
    if (graph.isEndpoint[v] && role[v] !== 2) return;
    if (role[u] === 2 || role[v] === 1) return; // never out of a sink, never into a source
    addEdge(u, v, link.bandwidthBytesPerSec);
    total += link.bandwidthBytesPerSec;
  });
  const unbounded = total + 1;
  for (const s of sources) addEdge(superSource, s, unbounded);
  for (const t of sinks) addEdge(t, superSink, unbounded);

  // Capacities are floats; ignore residuals below this many bytes/s.
  const epsilon = Math.max(1e-9, total * 1e-12);
  const level = new Int32Array(n);
  const iter = new Int32Array(n);
  const queue = new Int32Array(n);
  let flow = 0;
  for (;;) {
    level.fill(-1);
    level[superSource] = 0;
    let qh = 0;
    let qt = 0;
    queue[qt++] = superSource;
    while (qh < qt) {
      const u = queue[qh++]!;
      for (let e = head[u]!; e !== -1; e = next[e]!) {
        if (cap[e]! > epsilon && level[to[e]!]! < 0) {
          level[to[e]!] = level[u]! + 1;
          queue[qt++] = to[e]!;
        }
      }
    }
    if (level[superSink]! < 0) break;
    for (let i = 0; i < n; i++) iter[i] = head[i]!;
    for (;;) {
      const pushed = augment(superSource, Infinity);
      if (pushed <= epsilon) break;
      flow += pushed;
    }
  }
  return flow;

  // Iterative DFS along the level graph; returns the amount pushed.
  function augment(start: number, limit: number): number {
    const pathEdges: number[] = [];
    let u = start;
    for (;;) {
      if (u === superSink) {
        let pushed = limit;
        for (const e of pathEdges) pushed = Math.min(pushed, cap[e]!);
        for (const e of pathEdges) {
          cap[e]! -= pushed;
          cap[e ^ 1]! += pushed;
        }
        return pushed;
      }
      let advanced = false;
      for (; iter[u]! !== -1; iter[u] = next[iter[u]!]!) {
        const e = iter[u]!;
        const v = to[e]!;
        if (cap[e]! > epsilon && level[v] === level[u]! + 1) {
          pathEdges.push(e);
          u = v;
          advanced = true;
          break;
        }
      }
      if (advanced) continue;
      if (pathEdges.length === 0) return 0;
      // Dead end: retreat and skip the edge that led here.
      level[u] = -1;
      const e = pathEdges.pop()!;
      u = to[e ^ 1]!;
      iter[u] = next[iter[u]!]!;
    }
  }
}
