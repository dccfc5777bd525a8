import { StepBuilder, assertPlannable, hopAlpha, invalidParams, nsPerByte, slice, type HopAlpha } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, doubleBinaryTree, parts, type Range, type Tree } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * One rank's steps for reduce-up-then-broadcast-down of `chunks` over `tree`, all in one
 * channel, in `output` (already holding the rank's input).
 *
 * Up for chunk k: recvReduce from every child, then send to the parent (the last two fused
 * into recvReduceCopySend). Down for chunk k: recv from the parent and forward to every
 * child (recvCopySend + sends). The root does both at once.
 *
 * A channel is sequential, so the up and down work of different chunks is interleaved by
 * an estimate of when each becomes possible (unit time per hop): up(k) at height + k, down(k)
 * at treeHeight + depth + k; ties put up first. Every message goes from a block with a
 * smaller estimate to one with a larger estimate and every rank runs its blocks in
 * estimate order, so no wait-for cycle — hence no deadlock — can form.
 */
function treeRankSteps(b: StepBuilder, c: number, tree: Tree, rank: number, chunks: readonly Range[]): void {
  const parent = tree.parent[rank]!;
  const children = tree.children[rank]!;
  const top = tree.height[tree.root]!;
  type Block = { time: number; up: boolean; k: number };
  const blocks: Block[] = [];
  chunks.forEach((_, k) => {
    if (parent < 0) {
      blocks.push({ time: top + k, up: true, k });
    } else {
      blocks.push({ time: tree.height[rank]! + k, up: true, k });
      blocks.push({ time: top + tree.depth[rank]! + k, up: false, k });
    }
  });
  blocks.sort((x, y) => x.time - y.time || Number(y.up) - Number(x.up) || x.k - y.k);
  for (const { up, k } of blocks) {
    const dst = slice('output', chunks[k]!);
    if (up) {
      const last = children.length - 1;
      for (let i = 0; i < last; i++) b.recvReduce(rank, c, children[i]!, dst);
      if (parent >= 0) {
        if (last >= 0) b.recvReduceCopySend(rank, c, children[last]!, parent, dst);
        else b.send(rank, c, parent, dst);
      } else if (last >= 0) {
        // Root: the last contribution makes the chunk final; pass it straight down.
        b.recvReduceCopySend(rank, c, children[last]!, children[0]!, dst);
        for (let i = 1; i < children.length; i++) b.send(rank, c, children[i]!, dst);
      }
    } else if (children.length > 0) {
      b.recvCopySend(rank, c, parent, children[0]!, dst);
      for (let i = 1; i < children.length; i++) b.send(rank, c, children[i]!, dst);
    } else {
      b.recv(rank, c, parent, dst);
    }
  }
}

/**
 * NCCL double binary tree (src/graph/trees.cc ncclGetDtree, src/device/all_reduce.h
 * runTreeUpDown): two complementary binary trees; each channel's part is halved, the first
 * half reduced up and broadcast down tree 0, the second half tree 1, pipelined in chunks
 * of chunkElements. As NCCL doubles channels for the two trees, the schedule has two
 * channels per requested channel: 2c for tree 0, 2c+1 for tree 1.
 */
/** The worst summed α of a root-to-leaf path of `t`, and the worst α of one edge. */
function treeLatency(t: Tree, alpha: HopAlpha): { pathNs: number; edgeNs: number } {
  const toRoot = new Array<number>(t.parent.length).fill(0);
  let pathNs = 0;
  let edgeNs = 0;
  for (const r of [...t.parent.keys()].sort((x, y) => t.depth[x]! - t.depth[y]!)) {
    const up = t.parent[r]!;
    if (up < 0) continue;
    const hop = alpha(r, up);
    toRoot[r] = toRoot[up]! + hop;
    pathNs = Math.max(pathNs, toRoot[r]!);
    edgeNs = Math.max(edgeNs, hop);
  }
  return { pathNs, edgeNs };
}

export const tree: Algorithm = {
  name: 'tree',
  collective: 'allReduce',
  description: 'NCCL double binary tree: half the data is reduced up and broadcast down each of two complementary trees, pipelined in chunks.',
  constraints: 'any rank count; channels clamped to count; two schedule channels per channel',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(tree.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, 2 * channels.length);
    const trees = doubleBinaryTree(n);
    channels.forEach((range, c) => {
      parts(range.count, 2, range.offset).forEach((half, t) => {
        const ch = 2 * c + t;
        for (let r = 0; r < n; r++) b.copy(r, ch, slice('input', half), slice('output', half));
        if (n === 1) return;
        const chunks = chunksOf(half, chunkElements);
        for (let r = 0; r < n; r++) treeRankSteps(b, ch, trees[t], r, chunks);
      });
    });
    return b.build('allReduce', 'tree', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * Pipeline of m chunks through a tree of height D (the taller of the two), 2D stages to
   * fill (D up, D down):
   *   T = 2A + 2D·2·b·β + (m-1)·(α_e + 4·b·β)
   * A = the worst summed α of a root-to-leaf path (D·α when every hop costs the same),
   * α_e = the worst α of one tree edge (cost.ts hopAlpha),
   * b = bytes of one chunk summed over channels (c · min(chunkElements, ceil(count/2c)) ·
   * elementBytes), m = chunks per half-part. While filling, a rank moves about two chunks
   * per stage (one per tree); in the steady state four (up and down in the tree where it is
   * inner, up in the other). Unpipelined (m = 1): 2D(α + S·β); fine chunks: ≈ 2S·β.
   * 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, chunkElements, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const c = clampChannels(params.channels, count);
    const halfElements = Math.ceil(Math.ceil(count / c) / 2);
    const m = chunkCount(halfElements, chunkElements);
    const chunkElems = chunkElements > 0 ? Math.min(chunkElements, halfElements) : halfElements;
    const chunkBytes = c * chunkElems * elementBytes;
    const [t0, t1] = doubleBinaryTree(n);
    const depth = Math.max(t0.height[t0.root]!, t1.height[t1.root]!);
    const beta = nsPerByte(cost.bandwidthBytesPerSec);
    const alpha = hopAlpha(params, cost);
    const [l0, l1] = [treeLatency(t0, alpha), treeLatency(t1, alpha)];
    const pathNs = Math.max(l0.pathNs, l1.pathNs);
    const edgeNs = Math.max(l0.edgeNs, l1.edgeNs);
    return 2 * pathNs + 2 * depth * 2 * chunkBytes * beta + (m - 1) * (edgeNs + 4 * chunkBytes * beta);
  },
};
