/**
 * The time of NCCL's Tree as a pipeline: every channel reduces its part up its tree and
 * broadcasts it down in m chunks, all channels at once (tree.ts predictNs).
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
 *   except that on a link carrying both waves, the stages after the first totals come back
 *   down it cost both waves' edges (laterStagesNs);
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
  // Links: 4 per rank, [sends intra, sends inter, receives intra, receives inter]. Every
  // edge of every tree puts one window of each wave on its sender's and its receiver's link.
  const links = 4 * n;
  const waveLoad = [new Int32Array(links), new Int32Array(links)];
  const edges = trees.reduce((sum, t) => sum + t.parent.length - 1, 0);
  const link = new Int32Array(4 * edges);
  const startNs = new Float64Array(4 * edges);
  const tailNs = new Float64Array(4 * edges);
  const wave = new Uint8Array(4 * edges);
  let w = 0;
  const put = (l: number, of: number, start: number, tail: number): void => {
    link[w] = l;
    startNs[w] = start;
    wave[w] = of;
    tailNs[w++] = tail;
    waveLoad[of]![l]!++;
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
      put(4 * r + k, 0, up[r]!, upTail);
      put(4 * parent + 2 + k, 0, up[r]!, upTail);
      const downStart = top + toRoot[parent]!;
      const downTail = p.alpha(parent, r) + up[r]!;
      put(4 * parent + k, 1, downStart, downTail);
      put(4 * r + 2 + k, 1, downStart, downTail);
    }
  }
  let waveNs = 0;
  for (const loads of waveLoad) loads.forEach((load, l) => (waveNs = Math.max(waveNs, chunkBytes * p.nsPerByte[l % 2]! * load)));
  const stagesNs = laterStagesNs({ waveLoad, link, startNs, wave, windows: w, m, waveNs }, (l) => chunkBytes * p.nsPerByte[l % 2]!);
  // Windows grouped by link (a counting sort), each link's by start.
  const first = new Int32Array(links + 1);
  for (let i = 0; i < w; i++) first[link[i]! + 1]!++;
  for (let l = 0; l < links; l++) first[l + 1]! += first[l]!;
  const order = new Int32Array(w);
  const next = first.slice(0, links);
  for (let i = 0; i < w; i++) order[next[link[i]!]!++] = i;
  let linkNs = 0;
  for (let l = 0; l < links; l++) {
    const windows = Array.from(order.subarray(first[l]!, first[l + 1]!)).sort((a, b) => startNs[a]! - startNs[b]!);
    const workNs = partBytes * p.nsPerByte[l % 2]!;
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

interface Windows {
  /** Per wave (reduce, broadcast), per link: its edges. */
  readonly waveLoad: readonly Int32Array[];
  /** Per window: its link, the first chunk's time there and its wave (0 reduce, 1 broadcast). */
  readonly link: Int32Array;
  readonly startNs: Float64Array;
  readonly wave: Uint8Array;
  readonly windows: number;
  /** Chunks per channel. */
  readonly m: number;
  /** τ_wave: the most edges of one wave on a link, one chunk each. */
  readonly waveNs: number;
}

/**
 * The m-1 stages the last chunk trails the first by, through the busiest link. A stage
 * costs τ_wave while the two waves pass a link apart; but where a link carries both, they
 * share it from the moment the first totals come back down it until its reduce wave ends,
 * and each of those stages costs both waves' edges there. Per link, with d the delay from
 * its first reduce window to its first broadcast window:
 *   stages = x·τ_wave + (m-1-x)·max(τ_wave, b·β·(k_up + k_down)),  x = min(m-1, d/τ_wave)
 * and the largest over links. Near the leaves d spans the run (x = m-1: the one-wave form);
 * next to the root it is one round trip of the hops above: on dgx-h100:nodes=4 an inner
 * server's NIC (2 reduce and 2 broadcast edges) carries both waves after about 3 of tree/
 * Simple 64 MiB's 8 chunks per channel, and the simulation took 1.17× the one-wave form
 * (benchmarks/results/predictor-error.md, "Both waves on one link").
 */
function laterStagesNs(win: Windows, chunkNsOn: (l: number) => number): number {
  const { waveLoad, m, waveNs } = win;
  let stagesNs = Math.max(0, m - 1) * waveNs;
  if (m < 2 || waveNs <= 0) return stagesNs;
  const links = waveLoad[0]!.length;
  const first = [new Float64Array(links).fill(Infinity), new Float64Array(links).fill(Infinity)];
  for (let i = 0; i < win.windows; i++) first[win.wave[i]!]![win.link[i]!] = Math.min(first[win.wave[i]!]![win.link[i]!]!, win.startNs[i]!);
  for (let l = 0; l < links; l++) {
    const up = waveLoad[0]![l]!;
    const down = waveLoad[1]![l]!;
    if (up === 0 || down === 0) continue;
    const alone = Math.min(m - 1, Math.abs(first[1]![l]! - first[0]![l]!) / waveNs);
    stagesNs = Math.max(stagesNs, alone * waveNs + (m - 1 - alone) * Math.max(waveNs, chunkNsOn(l) * (up + down)));
  }
  return stagesNs;
}
