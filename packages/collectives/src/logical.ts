/**
 * Logical topologies: who talks to whom, apart from what moves (ASTRA-sim's RingTopology /
 * BinaryTree idea). Every algorithm takes its neighbours from here, plus the element-range
 * helpers that split buffers into blocks, channels and pipelining chunks.
 */

/** A contiguous run of elements. */
export interface Range {
  readonly offset: number;
  readonly count: number;
}

/** Non-negative remainder: mod(-1, n) = n - 1. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Splits `count` elements into `k` near-equal contiguous parts (the first `count % k` parts
 * one element larger), starting at `offset`. Parts may be empty when count < k.
 */
export function parts(count: number, k: number, offset = 0): Range[] {
  const base = Math.floor(count / k);
  const extra = count % k;
  const out: Range[] = [];
  let at = offset;
  for (let i = 0; i < k; i++) {
    const c = base + (i < extra ? 1 : 0);
    out.push({ offset: at, count: c });
    at += c;
  }
  return out;
}

/** Consecutive parts `from`..`to-1` of `parts(...)` as one range. */
export function spanOf(ranges: readonly Range[], from: number, to: number): Range {
  if (to <= from) return { offset: from < ranges.length ? ranges[from]!.offset : 0, count: 0 };
  const first = ranges[from]!;
  const last = ranges[to - 1]!;
  return { offset: first.offset, count: last.offset + last.count - first.offset };
}

/**
 * Fixed-size pipelining chunks of a range, NCCL style: `chunkElements` each, the last one
 * shorter; `chunkElements` 0 means the whole range in one chunk. An empty range has none.
 */
export function chunksOf(range: Range, chunkElements: number): Range[] {
  if (range.count <= 0) return [];
  const size = chunkElements > 0 ? chunkElements : range.count;
  const out: Range[] = [];
  for (let done = 0; done < range.count; done += size) {
    out.push({ offset: range.offset + done, count: Math.min(size, range.count - done) });
  }
  return out;
}

/** Number of chunks `chunksOf` makes for `count` elements (0 for an empty range). */
export function chunkCount(count: number, chunkElements: number): number {
  if (count <= 0) return 0;
  return chunkElements > 0 ? Math.ceil(count / chunkElements) : 1;
}

/**
 * Channels actually used when each channel takes an even part of `count` elements: at least
 * one, at most one per element, so no channel is left with an empty part.
 */
export function clampChannels(requested: number, count: number): number {
  return Math.max(1, Math.min(Math.floor(requested) || 1, Math.max(1, count)));
}

/** The element range of each channel: `parts(count, clampChannels(channels, count))`. */
export function channelRanges(count: number, channels: number): Range[] {
  return parts(count, clampChannels(channels, count));
}

/** ⌈log2 n⌉ for n >= 1 (0 for n = 1). */
export function ceilLog2(n: number): number {
  let rounds = 0;
  while (2 ** rounds < n) rounds++;
  return rounds;
}

/** ⌊log2 n⌋ for n >= 1. */
export function floorLog2(n: number): number {
  let rounds = 0;
  while (2 ** (rounds + 1) <= n) rounds++;
  return rounds;
}

// ---------------------------------------------------------------------------------------
// Ring

export const ringNext = (rank: number, nranks: number): number => (rank + 1) % nranks;
export const ringPrev = (rank: number, nranks: number): number => (rank - 1 + nranks) % nranks;

/** Neighbours of position `index` in a ring given by an explicit rank order. */
export function ringNeighbours(order: readonly number[], index: number): { prev: number; next: number } {
  const n = order.length;
  return { prev: order[mod(index - 1, n)]!, next: order[mod(index + 1, n)]! };
}

// ---------------------------------------------------------------------------------------
// Trees

/** A rooted tree over ranks 0..n-1: parent (-1 at the root) and children of every rank. */
export interface Tree {
  readonly root: number;
  readonly parent: readonly number[];
  readonly children: readonly (readonly number[])[];
  /** Distance from the root. */
  readonly depth: readonly number[];
  /** Longest path from the rank down to a leaf (0 at leaves). */
  readonly height: readonly number[];
}

/**
 * Builds a Tree from a parent array (exactly one -1). Children are listed in rank order
 * unless `childrenOf` gives each rank's children in the order the algorithm should visit.
 */
export function treeFromParents(parent: readonly number[], childrenOf?: (rank: number) => number[]): Tree {
  const n = parent.length;
  const root = parent.indexOf(-1);
  const children: number[][] = Array.from({ length: n }, () => []);
  if (childrenOf !== undefined) for (let r = 0; r < n; r++) children[r] = childrenOf(r);
  else for (let r = 0; r < n; r++) if (parent[r]! >= 0) children[parent[r]!]!.push(r);
  const depth = new Array<number>(n).fill(0);
  const height = new Array<number>(n).fill(0);
  const order: number[] = [root];
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    for (const c of children[r]!) {
      depth[c] = depth[r]! + 1;
      order.push(c);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const r = order[i]!;
    for (const c of children[r]!) height[r] = Math.max(height[r]!, height[c]! + 1);
  }
  return { root, parent, children, depth, height };
}

const lowBit = (v: number): number => v & -v;

/**
 * NCCL's binary tree (src/graph/trees.cc ncclGetBtree): root 0 with a single child; for
 * rank r with lowest set bit b the parent is (r ^ b) | 2b, or r ^ b when that is out of
 * range. Odd ranks are leaves.
 */
export function binaryTree(nranks: number): Tree {
  const parent = new Array<number>(nranks).fill(-1);
  for (let r = 1; r < nranks; r++) {
    const bit = lowBit(r);
    let up = (r ^ bit) | (bit << 1);
    if (up >= nranks) up = r ^ bit;
    parent[r] = up;
  }
  return treeFromParents(parent);
}

/** A tree with every rank r renamed to map(r). */
function relabel(tree: Tree, map: (r: number) => number): Tree {
  const n = tree.parent.length;
  const parent = new Array<number>(n).fill(-1);
  for (let r = 0; r < n; r++) {
    const p = tree.parent[r]!;
    parent[map(r)] = p < 0 ? -1 : map(p);
  }
  return treeFromParents(parent);
}

/**
 * NCCL's double binary tree (ncclGetDtree): the binary tree, and a complementary one that is
 * its mirror (r -> n-1-r) when n is even or its shift (r -> r+1) when n is odd, so that a
 * rank that is a leaf in one tree is (for n > 2) an inner node in the other.
 */
export function doubleBinaryTree(nranks: number): readonly [Tree, Tree] {
  const first = binaryTree(nranks);
  const second =
    nranks % 2 === 0 ? relabel(first, (r) => nranks - 1 - r) : relabel(first, (r) => (r + 1) % nranks);
  return [first, second];
}

/** Binomial tree rooted at `root`: parent rank, or -1 at the root. */
export function binomialParent(rank: number, nranks: number, root: number): number {
  const v = mod(rank - root, nranks);
  if (v === 0) return -1;
  return mod(v - lowBit(v) + root, nranks);
}

/** Binomial tree children, largest subtree first. */
export function binomialChildren(rank: number, nranks: number, root: number): number[] {
  const v = mod(rank - root, nranks);
  const limit = v === 0 ? nranks : lowBit(v);
  const out: number[] = [];
  let mask = 1;
  while (mask < limit && v + mask < nranks) mask <<= 1;
  for (let m = mask >> 1; m >= 1; m >>= 1) {
    if (m < limit && v + m < nranks) out.push(mod(v + m + root, nranks));
  }
  return out;
}

/** The binomial tree rooted at `root` (root rotation: virtual rank = rank - root); children largest subtree first. */
export function binomialTree(nranks: number, root: number): Tree {
  const parent = Array.from({ length: nranks }, (_, r) => binomialParent(r, nranks, root));
  return treeFromParents(parent, (r) => binomialChildren(r, nranks, root));
}

// ---------------------------------------------------------------------------------------
// Hypercube / recursive doubling

/**
 * Non-power-of-two folding (MPICH / Rabenseifner): with p the largest power of two <= n
 * and rem = n - p, among ranks 0..2·rem-1 each even rank folds its data into the odd rank
 * above it and sits out; the odd rank r becomes virtual rank (r-1)/2, ranks >= 2·rem become
 * r - rem. Virtual ranks 0..p-1 then form a hypercube.
 */
export interface Fold {
  readonly pof2: number;
  readonly rem: number;
  /** Virtual rank of a real rank, -1 for the even ranks folded away. */
  virtualOf(rank: number): number;
  realOf(v: number): number;
  /** The rank an excluded rank folds into (rank + 1), or the excluded partner of an odd rank < 2·rem; -1 otherwise. */
  foldPartner(rank: number): number;
}

export function fold(nranks: number): Fold {
  let pof2 = 1;
  while (pof2 * 2 <= nranks) pof2 *= 2;
  const rem = nranks - pof2;
  return {
    pof2,
    rem,
    virtualOf: (r) => (r < 2 * rem ? (r % 2 === 1 ? (r - 1) / 2 : -1) : r - rem),
    realOf: (v) => (v < rem ? 2 * v + 1 : v + rem),
    foldPartner: (r) => (r >= 2 * rem ? -1 : r % 2 === 0 ? r + 1 : r - 1),
  };
}

/**
 * First block owned by virtual rank v after non-power-of-two folding (`fold`): virtual
 * v < rem stands for the pair 2v, 2v+1, the others for the single rank v + rem, so the
 * blocks of consecutive virtual ranks are consecutive. v = pof2 gives nranks (the end).
 */
export function firstBlock(f: Fold, nranks: number, v: number): number {
  if (v >= f.pof2) return nranks;
  return v < f.rem ? 2 * v : v + f.rem;
}

/** Hypercube partner of virtual rank `v` across dimension `mask` (a power of two). */
export function hypercubePartner(v: number, mask: number): number {
  return v ^ mask;
}
