import type { GraphIndex } from '../../topology/graph.js';

/**
 * Per-packet routing tables: for a destination, every node's out-links that lie on a
 * shortest (hop-count) path to it, as switches running adaptive routing or spraying see
 * their candidate egress ports. Same metric as the ECMP router (routing/router.ts):
 * hop count, endpoints never forward. One reverse BFS per destination, cached until a
 * link fails.
 */
export class NextHops {
  private readonly tables = new Map<number, { start: Int32Array; links: Int32Array }>();
  /** spanLinks' answers by src x nodeCount + dst, until a link fails. */
  private readonly spans = new Map<number, Int32Array>();

  constructor(
    private readonly graph: GraphIndex,
    private readonly isDown: (link: number) => boolean,
  ) {}

  /** Forget every table (a link went down). */
  invalidate(): void {
    this.tables.clear();
    this.spans.clear();
  }

  /**
   * Every link on a shortest path from `src` to `dst` (the links a flow routed per packet may
   * send over), in a fixed order: what the fluid model's adaptive flow spreads over.
   */
  spanLinks(src: number, dst: number): Int32Array {
    const key = src * this.graph.nodeCount + dst;
    let span = this.spans.get(key);
    if (span !== undefined) return span;
    const { start, links } = this.table(dst);
    const seen = new Uint8Array(this.graph.nodeCount);
    const out: number[] = [];
    const stack = [src];
    seen[src] = 1;
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (let k = start[node]!; k < start[node + 1]!; k++) {
        const link = links[k]!;
        out.push(link);
        const to = this.graph.linkTo[link]!;
        if (seen[to] === 0) {
          seen[to] = 1;
          stack.push(to);
        }
      }
    }
    this.spans.set(key, (span = Int32Array.from(out)));
    return span;
  }

  /** Candidate egress links at `node` toward `dst`: links[start .. end). */
  table(dst: number): { start: Int32Array; links: Int32Array } {
    let table = this.tables.get(dst);
    if (table === undefined) this.tables.set(dst, (table = this.build(dst)));
    return table;
  }

  private build(dst: number): { start: Int32Array; links: Int32Array } {
    const g = this.graph;
    const dist = new Int32Array(g.nodeCount).fill(-1);
    const queue = new Int32Array(g.nodeCount);
    let head = 0;
    let tail = 0;
    dist[dst] = 0;
    queue[tail++] = dst;
    while (head < tail) {
      const node = queue[head++]!;
      // A node that does not forward cannot be an intermediate hop toward dst.
      if (node !== dst && g.isEndpoint[node]) continue;
      for (let k = g.inStart[node]!; k < g.inStart[node + 1]!; k++) {
        const link = g.inLinks[k]!;
        if (this.isDown(link)) continue;
        const from = g.linkFrom[link]!;
        if (dist[from] !== -1) continue;
        dist[from] = dist[node]! + 1;
        queue[tail++] = from;
      }
    }
    const start = new Int32Array(g.nodeCount + 1);
    const chosen: number[] = [];
    for (let node = 0; node < g.nodeCount; node++) {
      start[node] = chosen.length;
      if (dist[node]! <= 0) continue;
      for (let k = g.outStart[node]!; k < g.outStart[node + 1]!; k++) {
        const link = g.outLinks[k]!;
        if (this.isDown(link)) continue;
        const to = g.linkTo[link]!;
        if (dist[to] !== dist[node]! - 1) continue;
        if (to !== dst && g.isEndpoint[to]) continue;
        chosen.push(link);
      }
    }
    start[g.nodeCount] = chosen.length;
    return { start, links: Int32Array.from(chosen) };
  }
}
