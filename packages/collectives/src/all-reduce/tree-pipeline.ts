/**
 * The time of NCCL's Tree as a pipeline: every channel reduces its part up its tree and
 * broadcasts it down in m chunks, all channels at once (tree.ts predictNs, where the fluid of
 * ./tree-fluid.ts does not apply: trees without its symmetry, or too many positions).
 *
 * A link (a rank's NVLink or NIC, sends and receives apart) carries an edge's chunks only
 * while that edge's wave passes it: the reduce wave reaches a rank when its subtree has
 * sent up its first chunk, the broadcast wave when the total has come back down from the
 * root. Near the leaves the two waves pass a link far apart in time (a leaf's up chunks
 * leave at once, its totals come back after a round trip through the root), near the root
 * together. A stage — every channel moving one chunk over each of its edges — therefore
 * costs the link's edge count at the moments its waves overlap most, not the sum of both
 * waves' edges (which assumed every wave on every link for the whole run: 10–22 %
 * pessimistic at 2–64 MiB on dgx-h100:nodes=2) nor one wave's (optimistic by up to 1.4×
 * on 4 servers, where the busiest link is an inner server's NIC next to the root).
 */
import type { HopAlpha } from '../cost.js';
import type { Tree } from '../logical.js';

export interface TreePipeline {
  readonly trees: readonly Tree[];
  /** Per rank its group of the layout (server), -1 for none. */
  readonly groupOf: Int32Array;
  /** ns per byte of a link of each class: [intra (NVLink), inter (NIC)]. */
  readonly nsPerByte: readonly [number, number];
  /**
   * ns per byte of the one link a rank's edges of both classes leave (and arrive) by, where
   * they share one (CostParams.allPeersBandwidthBytesPerSec below intra + inter: a GPU with
   * one NIC to a switch that reaches both its server's GPUs and a spine); 0 or absent where
   * the classes have links of their own (every preset), and then nothing below changes.
   */
  readonly sharedNsPerByte?: number;
  readonly alpha: HopAlpha;
  /** Bytes of one chunk of one channel, and chunks per channel. */
  readonly chunkBytes: number;
  readonly chunks: number;
  /** Bytes of a channel's whole part (what each edge carries over the run). */
  readonly partBytes: number;
  /** How many channels' first chunks share a link of each class [intra, inter] (tree.ts fillSharing). */
  readonly fillSharing: readonly [number, number];
}

/**
 * The larger of two lower bounds on the time:
 * - the pipeline: T ≥ F + (m-1)·τ_wave, F the first chunk's round trip (the worst
 *   leaf-to-root-to-leaf path of α plus one chunk's transfer per hop at the fill's sharing),
 *   τ_wave = b·β·k for the link with the most edges k of one wave (reduce or broadcast) —
 *   or more where a link carries more streams at once: next to the root, both waves' once
 *   the first totals come back down it while its reduce still streams (laterStagesNs);
 * - every link's work: a link whose edges' waves can start at s_i (the first chunk's time
 *   there) and each carry a channel part (P·β), done in order of start, ends no earlier than
 *   max over i of (s_i + the work of the edges starting at or after s_i), and the run no
 *   earlier than that plus the least tail (α of the edge, then the path the last chunk still
 *   walks: up to the root and down to the deepest leaf, or down to the deepest leaf).
 */
export function treePipelineNs(p: TreePipeline): number {
  const { trees, chunkBytes, chunks: m, partBytes } = p;
  const n = p.groupOf.length;
  const classOf = (a: number, b: number): number => (p.groupOf[a] === p.groupOf[b] && p.groupOf[a]! >= 0 ? 0 : 1);
  const hopNs = (a: number, b: number): number => {
    const k = classOf(a, b);
    return p.alpha(a, b) + chunkBytes * p.nsPerByte[k]! * p.fillSharing[k]!;
  };
  // Links: 4 per rank, [sends intra, sends inter, receives intra, receives inter], and where
  // the classes share a link 2 more, [sends, receives] of both. Every edge of every tree puts
  // one window of each wave on its sender's and its receiver's link (of its class, and shared).
  const sharedNs = p.sharedNsPerByte ?? 0;
  const shared = sharedNs > 0;
  const perRank = shared ? 6 : 4;
  const links = perRank * n;
  const linkNsPerByte = (l: number): number => (l % perRank >= 4 ? sharedNs : p.nsPerByte[l % 2]!);
  const waveLoad = [new Int32Array(links), new Int32Array(links)];
  const edges = trees.reduce((sum, t) => sum + t.parent.length - 1, 0);
  const link = new Int32Array(2 * perRank * edges);
  const startNs = new Float64Array(2 * perRank * edges);
  const tailNs = new Float64Array(2 * perRank * edges);
  let w = 0;
  const putOne = (l: number, wave: number, start: number, tail: number): void => {
    link[w] = l;
    startNs[w] = start;
    tailNs[w++] = tail;
    waveLoad[wave]![l]!++;
  };
  // `slot` of rank r: its link of the class (sends 0/1, receives 2/3), and the shared one.
  const put = (r: number, slot: number, wave: number, start: number, tail: number): void => {
    putOne(perRank * r + slot, wave, start, tail);
    if (shared) putOne(perRank * r + 4 + (slot >> 1), wave, start, tail);
  };
  let roundTripNs = 0;
  for (const t of trees) {
    // up[r]: the first chunk's longest path from a leaf below r to r (= from r down to its
    // deepest leaf); toRoot[r]: from r up to the root.
    const up = new Float64Array(n);
    const toRoot = new Float64Array(n);
    const byHeight = [...t.parent.keys()].sort((x, y) => t.height[x]! - t.height[y]!);
    for (const r of byHeight) {
      for (const child of t.children[r]!) up[r] = Math.max(up[r]!, up[child]! + hopNs(child, r));
    }
    const top = up[t.root]!;
    roundTripNs = Math.max(roundTripNs, 2 * top);
    for (const r of byHeight.reverse()) {
      const parent = t.parent[r]!;
      if (parent < 0) continue;
      toRoot[r] = toRoot[parent]! + hopNs(r, parent);
      const k = classOf(r, parent);
      // Up: r's partial sums leave once its subtree has filled, then walk to the root and
      // down to the deepest leaf. Down: the totals reach the parent `top + toRoot[parent]`
      // after the start, then walk down r's subtree.
      const upTail = p.alpha(r, parent) + toRoot[parent]! + top;
      put(r, k, 0, up[r]!, upTail);
      put(parent, 2 + k, 0, up[r]!, upTail);
      const downStart = top + toRoot[parent]!;
      const downTail = p.alpha(parent, r) + up[r]!;
      put(parent, k, 1, downStart, downTail);
      put(r, 2 + k, 1, downStart, downTail);
    }
  }
  let waveNs = 0;
  for (const loads of waveLoad) loads.forEach((load, l) => (waveNs = Math.max(waveNs, chunkBytes * linkNsPerByte(l) * load)));
  // Windows grouped by link (a counting sort), each link's by start.
  const first = new Int32Array(links + 1);
  for (let i = 0; i < w; i++) first[link[i]! + 1]!++;
  for (let l = 0; l < links; l++) first[l + 1]! += first[l]!;
  const order = new Int32Array(w);
  const next = first.slice(0, links);
  for (let i = 0; i < w; i++) order[next[link[i]!]!++] = i;
  let linkNs = 0;
  let stagesNs = Math.max(0, m - 1) * waveNs;
  for (let l = 0; l < links; l++) {
    const windows = Array.from(order.subarray(first[l]!, first[l + 1]!)).sort((a, b) => startNs[a]! - startNs[b]!);
    stagesNs = Math.max(stagesNs, laterStagesNs(windows.map((i) => startNs[i]!), m, waveNs, chunkBytes * linkNsPerByte(l)));
    const workNs = partBytes * linkNsPerByte(l);
    let after = 0;
    let leastTail = Infinity;
    for (let i = windows.length - 1; i >= 0; i--) {
      after += workNs;
      leastTail = Math.min(leastTail, tailNs[windows[i]!]!);
      linkNs = Math.max(linkNs, startNs[windows[i]!]! + after + leastTail);
    }
  }
  return Math.max(roundTripNs + stagesNs, linkNs);
}

/**
 * The m-1 stages the last chunk trails the first by, through one link whose windows (one
 * channel's edge, one wave) open at `starts` (ascending) and each stream m chunks at the
 * pipeline's pace, τ_wave a chunk. Stage k (at starts[0] + k·τ_wave) costs the larger of
 * τ_wave and one chunk of every window streaming through the link then (b·β·active):
 *   stages = Σ_{k=1..m-1} max(τ_wave, b·β·active(starts[0] + k·τ_wave)),
 *   active(t) = #{i : starts[i] ≤ t < starts[i] + m·τ_wave}.
 * Where a link's windows of the two waves open far apart (near a chain's tail, the reduce
 * leaves at once and the totals come back a round trip later) they stream apart and a stage
 * costs one wave's edges (τ_wave, the one-wave form); next to the root the totals come back
 * while the reduce still streams, and from then both share the link: on dgx-h100:nodes=4 an
 * inner server's NIC (2 reduce edges from 48 and 84 µs, 2 broadcast edges from 119 µs) carries
 * all four after about 3 of tree/Simple 64 MiB's 8 chunks per channel, and the simulation took
 * 1.17× the one-wave form (benchmarks/results/predictor-error.md, "Both waves on one link").
 */
export function laterStagesNs(starts: readonly number[], m: number, waveNs: number, chunkNs: number): number {
  if (m < 2 || starts.length === 0 || waveNs <= 0) return 0;
  const streamNs = m * waveNs;
  const s0 = starts[0]!;
  // active(t_k) is constant between the stages where a window opens or closes, so the sum
  // is taken per such stretch: O(windows), not O(m) — capStretch predicts ~64·n chunks per
  // channel on every link (at 8,192 GPUs, 10^6 stages × 32 K links per prediction).
  // The first stage k ≥ 1 with e ≤ t_k (m when none before m), by t_k as the stages compute it.
  const firstReaching = (e: number): number => {
    let k = Math.min(m, Math.max(1, Math.ceil((e - s0) / waveNs)));
    while (k > 1 && e <= s0 + (k - 1) * waveNs) k--;
    while (k < m && !(e <= s0 + k * waveNs)) k++;
    return k;
  };
  const changes: [number, number][] = [];
  for (const start of starts) changes.push([firstReaching(start), 1], [firstReaching(start + streamNs), -1]);
  changes.sort((a, b) => a[0] - b[0]);
  let active = 0;
  let k = 1;
  let stagesNs = 0;
  for (const [at, delta] of changes) {
    if (at > k) {
      stagesNs += (Math.min(at, m) - k) * Math.max(waveNs, chunkNs * active);
      k = Math.min(at, m);
    }
    active += delta;
  }
  if (k < m) stagesNs += (m - k) * Math.max(waveNs, chunkNs * active);
  return stagesNs;
}
