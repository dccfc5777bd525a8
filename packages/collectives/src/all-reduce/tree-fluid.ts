/**
 * NCCL's Tree (tree.ts) as the fluid of its chunks, every channel at once: the fill and the
 * drain the pipeline bound (tree-pipeline.ts) cannot see.
 *
 * Every channel launches together (one kernel, one block per channel) and every leaf sends
 * its first chunk at time 0. The channel search's chains are rotations of each other
 * (channels/search.ts channelTree: chain i of a server starts at rail i), so when channel
 * c's first chunk reaches a rank, the channels in which that rank sits nearer its chain's
 * leaf already stream through its NVLink: 2, 4, …, 14 streams on dgx-h100 while the first
 * chunk climbs (benchmarks/results/predictor-error.md, "Both waves on one link" item 1). A
 * per-hop sharing factor charged on the first chunk double-counts (the later chunks would
 * have used that link time anyway); the fluid does not: it lets each stream take its share
 * of the rank's link while it is in flight, and the last chunk trails by what the links left.
 *
 * Symmetry makes it small. A channel's position in the run is (its half of the double binary
 * tree, the server, its index in that server's chain); with the chains rotations of one
 * another every rank of a server holds each position in the same number of channels, so
 * every rank of a server sees the same load on its links and one fluid per position is the
 * whole run (2 halves × servers × GPUs per server positions, not channels × ranks). Where a
 * layout breaks the symmetry (fewer channels than a server's GPUs, uneven servers) every
 * (channel, rank) is a position of its own while they are few; where the run is too big for
 * auto's budget, treeFluidNs returns null and the caller keeps the pipeline bound.
 *
 * The steps are the schedule's (tree.ts treeSplitSteps): a non-root rank sends chunk k up once
 * it has sent chunk k-1 and every child's chunk k has landed; a root sends chunk k to all
 * its children at once when every child's chunk k has landed and its chunk k-1 has left; a
 * non-root rank forwards chunk k down to all its children once chunk k has landed from its
 * parent and its chunk k-1 has left. A message lands α after its last byte left. A transfer
 * takes its class's bandwidth (NVLink / NIC, sends and receives apart) in equal shares with
 * the other channels' transfers of that class in flight at the rank. Inputs: α and bandwidth
 * per hop class, the chunk, the channels' trees — those of the pipeline bound; nothing fitted.
 */
import type { Tree } from '../logical.js';
import type { TreePipeline } from './tree-pipeline.js';

/** The run the pipeline bound reads, less its fill-sharing guess: the fluid finds the sharing itself. */
export type TreeFluid = Omit<TreePipeline, 'fillSharing'>;

/**
 * Chunks per channel the fluid runs; longer runs take their time at this many and at half
 * as many and add the difference's slope per further chunk (after the fill every stream moves
 * a chunk per period of its busiest link, so the time grows linearly with chunks).
 */
export const FLUID_CHUNKS = 64;

/** The most positions (halves × servers × chain indices) auto pays a fluid for: 16 servers of 8 GPUs are 256. */
export const MAX_POSITIONS = 512;

/** Fluid results kept per trees array (a sweep of sizes asks a few dozen). */
const MAX_CACHED_RUNS = 256;

/** The reduced run: one node per position, its parent, its mult (channels per rank holding it). */
interface Positions {
  /** Whose links the position's transfers load: its server where every rank of a server sees the same load, else its rank. */
  readonly owner: Int32Array;
  readonly parent: Int32Array;
  readonly children: readonly number[][];
  /** Channels per rank of its owner holding the position. */
  readonly mult: Float64Array;
  /** A rank holding the position in some channel, and its parent there (-1 at a root): the edge whose α the position's parent edge pays. */
  readonly rank: Int32Array;
  readonly rankParent: Int32Array;
  readonly inter: Uint8Array;
}

/** The reduced run's structure per channelTrees array (one per layout and channel count): auto predicts each protocol and size on the same trees. */
const positionsByTrees = new WeakMap<readonly Tree[], Positions | null>();

/** Fluid runs per trees array, by chunks, chunk bytes, bandwidths and α: LL's cap (protocols.ts capStretch) asks the same trees at two long runs, both from the same two fluids. */
const runsByTrees = new WeakMap<readonly Tree[], Map<string, number | null>>();

/**
 * The time of the trees' run as a fluid over positions, from time 0 to the last chunk landed
 * at the last leaf; null when the trees are not rotation-symmetric chains or too large.
 */
export function treeFluidNs(p: TreeFluid): number | null {
  // Shares of an infinite or dead link are not a fluid (0·∞); the pipeline bound handles those.
  if (!p.nsPerByte.every((ns) => ns > 0 && Number.isFinite(ns)) || !(p.chunkBytes > 0)) return null;
  if (!positionsByTrees.has(p.trees)) positionsByTrees.set(p.trees, positionsOf(p));
  const positions = positionsByTrees.get(p.trees)!;
  if (positions === null) return null;
  const alphaUp = Float64Array.from(positions.rank, (r, q) => (positions.rankParent[q]! < 0 ? 0 : p.alpha(r, positions.rankParent[q]!)));
  let runs = runsByTrees.get(p.trees);
  if (runs === undefined) runsByTrees.set(p.trees, (runs = new Map()));
  const run = (m: number, lastBytes: number): number | null => {
    const key = `${m}:${lastBytes}:${p.chunkBytes}:${p.nsPerByte.join()}:${p.sharedNsPerByte ?? 0}:${alphaUp.join()}`;
    if (runs.size >= MAX_CACHED_RUNS) runs.clear();
    if (!runs.has(key)) runs.set(key, fluidNs(positions, alphaUp, p, m, lastBytes));
    return runs.get(key)!;
  };
  const m = p.chunks;
  if (m <= FLUID_CHUNKS) return run(m, p.partBytes - (m - 1) * p.chunkBytes);
  // The ragged last chunk, as the fraction of a chunk it is, at the slope.
  const half = FLUID_CHUNKS / 2;
  const [a, b] = [run(half, p.chunkBytes), run(FLUID_CHUNKS, p.chunkBytes)];
  return a === null || b === null ? null : b + ((p.partBytes / p.chunkBytes - FLUID_CHUNKS) * (b - a)) / half;
}

/** Each rank's index in its server's chain of tree t (0: the head, whose parent is another server's), or null when t is not chains joined at their heads. */
function chainIndex(t: Tree, groupOf: Int32Array): Int32Array | null {
  const n = t.parent.length;
  const index = new Int32Array(n);
  const order = [...t.parent.keys()].sort((x, y) => t.depth[x]! - t.depth[y]!);
  for (const r of order) {
    const parent = t.parent[r]!;
    if (parent >= 0 && groupOf[parent] === groupOf[r]) index[r] = index[parent]! + 1;
    else if (parent >= 0 && index[parent] !== 0) return null;
    if (t.children[r]!.filter((c) => groupOf[c] === groupOf[r]).length > 1) return null;
  }
  return index;
}

/** The symmetric positions where the trees have them, else one per (channel, rank) while those are few enough; null otherwise. */
function positionsOf(p: TreeFluid): Positions | null {
  return symmetricPositions(p) ?? channelRankPositions(p);
}

/**
 * Every (channel, rank) its own position, loading its rank's links: the fluid without the
 * symmetry (fewer channels than a server's GPUs, uneven servers), while channels × ranks stay
 * within MAX_POSITIONS (dgx-h100:nodes=4 on 8 channels: 256).
 */
function channelRankPositions(p: TreeFluid): Positions | null {
  const { trees, groupOf } = p;
  const n = groupOf.length;
  const k = trees.length * n;
  if (k > MAX_POSITIONS) return null;
  const owner = new Int32Array(k);
  const parent = new Int32Array(k).fill(-1);
  const rank = new Int32Array(k);
  const rankParent = new Int32Array(k).fill(-1);
  const inter = new Uint8Array(k);
  const children: number[][] = Array.from({ length: k }, () => []);
  trees.forEach((t, c) => {
    for (let r = 0; r < n; r++) {
      const q = c * n + r;
      const up = t.parent[r]!;
      owner[q] = rank[q] = r;
      rankParent[q] = up;
      if (up < 0) continue;
      parent[q] = c * n + up;
      children[c * n + up]!.push(q);
      inter[q] = groupOf[up] === groupOf[r] && groupOf[r]! >= 0 ? 0 : 1;
    }
  });
  return { owner, parent, children, mult: new Float64Array(k).fill(1), rank, rankParent, inter };
}

/**
 * The positions of the trees (a half of the double binary tree is the channels whose servers
 * have the same parents), or null when a half's channels differ in their servers' chains or
 * some rank of a server holds a position in more channels than another (no symmetry).
 */
function symmetricPositions(p: TreeFluid): Positions | null {
  const { trees, groupOf } = p;
  const n = groupOf.length;
  // Every rank holds at least one position of each half.
  if (n > MAX_POSITIONS) return null;
  const servers = Math.max(-1, ...groupOf) + 1;
  if (servers < 1 || groupOf.some((g) => g < 0)) return null;
  const size = new Int32Array(servers);
  const local = new Int32Array(n);
  for (let r = 0; r < n; r++) local[r] = size[groupOf[r]!]!++;
  const maxSize = Math.max(...size);
  // Halves: channels whose trees join the servers the same way and whose chains have the same lengths.
  const halves = new Map<string, number>();
  const halfOf: number[] = [];
  const indexOf: Int32Array[] = [];
  for (const t of trees) {
    const index = chainIndex(t, groupOf);
    if (index === null) return null;
    const parentServer = new Int32Array(servers).fill(-2);
    const length = new Int32Array(servers);
    for (let r = 0; r < n; r++) {
      length[groupOf[r]!] = Math.max(length[groupOf[r]!]!, index[r]! + 1);
      if (index[r] === 0) parentServer[groupOf[r]!] = t.parent[r]! < 0 ? -1 : groupOf[t.parent[r]!]!;
    }
    const key = `${parentServer.join(',')}|${length.join(',')}`;
    if (!halves.has(key)) halves.set(key, halves.size);
    halfOf.push(halves.get(key)!);
    indexOf.push(index);
  }
  // Position id: (half, server, index) → half·servers·maxSize + server·maxSize + index.
  const count = halves.size * servers * maxSize;
  if (count > MAX_POSITIONS * 4) return null;
  const perRank = new Int32Array(count * maxSize);
  const id = (half: number, r: number, index: Int32Array): number => (half * servers + groupOf[r]!) * maxSize + index[r]!;
  trees.forEach((_, c) => {
    for (let r = 0; r < n; r++) perRank[id(halfOf[c]!, r, indexOf[c]!) * maxSize + local[r]!]!++;
  });
  // Compact to the positions some channel holds; every rank of the server must hold it equally often.
  const compact = new Int32Array(count).fill(-1);
  const server: number[] = [];
  const mult: number[] = [];
  for (let q = 0; q < count; q++) {
    const s = Math.floor(q / maxSize) % servers;
    const first = perRank[q * maxSize]!;
    for (let i = 1; i < size[s]!; i++) if (perRank[q * maxSize + i] !== first) return null;
    if (first === 0) continue;
    compact[q] = server.length;
    server.push(s);
    mult.push(first);
  }
  if (server.length > MAX_POSITIONS) return null;
  const k = server.length;
  const parent = new Int32Array(k).fill(-1);
  const rank = new Int32Array(k);
  const rankParent = new Int32Array(k).fill(-1);
  const inter = new Uint8Array(k);
  const seen = new Uint8Array(k);
  // Every channel of a half must give each position the same parent position (the halves' key makes that so; checked here).
  for (let c = 0; c < trees.length; c++) {
    const t = trees[c]!;
    for (let r = 0; r < n; r++) {
      const q = compact[id(halfOf[c]!, r, indexOf[c]!)]!;
      const up = t.parent[r]!;
      const pq = up < 0 ? -1 : compact[id(halfOf[c]!, up, indexOf[c]!)]!;
      if (seen[q] === 1 && parent[q] !== pq) return null;
      if (seen[q] === 1) continue;
      seen[q] = 1;
      parent[q] = pq;
      rank[q] = r;
      rankParent[q] = up;
      if (up >= 0) inter[q] = groupOf[up] === groupOf[r] ? 0 : 1;
    }
  }
  const children: number[][] = Array.from({ length: k }, () => []);
  parent.forEach((pq, q) => pq >= 0 && children[pq]!.push(q));
  return { owner: Int32Array.from(server), parent, children, mult: Float64Array.from(mult), rank, rankParent, inter };
}

/** The shared slot (sends 4, receives 5) of the owner whose class slot (of 6) is `slot`. */
function sharedSlot(slot: number): number {
  return slot - (slot % 6) + 4 + ((slot % 6) >> 1);
}

/**
 * The fluid of `m` chunks per channel over `positions`. A sender is a position's up step
 * (one flow, to its parent) or its down step (one flow per child; the root's down step is
 * fed by its children's up chunks); chunk m-1 holds `lastBytes`. Returns when the last chunk
 * has landed everywhere.
 */
function fluidNs(pos: Positions, alphaUp: Float64Array, p: TreeFluid, m: number, lastBytes: number): number | null {
  const k = pos.parent.length;
  const bytesPerNs = [1 / p.nsPerByte[0]!, 1 / p.nsPerByte[1]!];
  const bytes = p.chunkBytes;
  // Per position, when its up chunk j left (the whole message) and when the down chunk j to it left its parent.
  const upLeftNs = Array.from({ length: k }, () => new Float64Array(m).fill(NaN));
  const downLeftNs = Array.from({ length: k }, () => new Float64Array(m).fill(NaN));
  // Senders: [up of q for each non-root q] then [down of q for each q with children].
  const senderPos: number[] = [];
  const senderDown: boolean[] = [];
  const flowFirst: number[] = [];
  const flowDest: number[] = [];
  const flowFrom: number[] = [];
  for (let q = 0; q < k; q++) {
    if (pos.parent[q]! < 0) continue;
    senderPos.push(q);
    senderDown.push(false);
    flowFirst.push(flowDest.length);
    flowDest.push(pos.parent[q]!);
    flowFrom.push(q);
  }
  for (let q = 0; q < k; q++) {
    if (pos.children[q]!.length === 0) continue;
    senderPos.push(q);
    senderDown.push(true);
    flowFirst.push(flowDest.length);
    for (const child of pos.children[q]!) {
      flowDest.push(child);
      flowFrom.push(q);
    }
  }
  const senders = senderPos.length;
  flowFirst.push(flowDest.length);
  const flows = flowDest.length;
  const senderOf = new Int32Array(flows);
  for (let i = 0; i < senders; i++) for (let f = flowFirst[i]!; f < flowFirst[i + 1]!; f++) senderOf[f] = i;
  // A flow's edge is the child's edge to its parent (up: the sender's; down: the destination's).
  const edgeOf = (f: number): number => (senderDown[senderOf[f]!] ? flowDest[f]! : flowFrom[f]!);
  // Per owner 4 slots [sends intra, sends inter, receives intra, receives inter], and where
  // the classes share the rank's link (p.sharedNsPerByte > 0) 2 more: [sends, receives] of both.
  const sharedNs = p.sharedNsPerByte ?? 0;
  const shared = sharedNs > 0;
  const perOwner = shared ? 6 : 4;
  const sharedBytesPerNs = shared ? 1 / sharedNs : Infinity;
  const cls = new Uint8Array(flows);
  const sendSlot = new Int32Array(flows);
  const recvSlot = new Int32Array(flows);
  for (let f = 0; f < flows; f++) {
    const c = pos.inter[edgeOf(f)]!;
    cls[f] = c;
    sendSlot[f] = perOwner * pos.owner[flowFrom[f]!]! + c;
    recvSlot[f] = perOwner * pos.owner[flowDest[f]!]! + 2 + c;
  }
  const next = new Int32Array(senders);
  const ownNs = new Float64Array(senders);
  const startNs = new Float64Array(senders);
  const pending = new Int32Array(senders);
  const leftBytes = new Float64Array(flows);
  // When chunk j of sender i may start: its previous chunk has left and its inputs have landed.
  const startOf = (i: number): number => {
    const q = senderPos[i]!;
    const j = next[i]!;
    let ready = ownNs[i]!;
    if (!senderDown[i] || pos.parent[q]! < 0) {
      for (const child of pos.children[q]!) ready = Math.max(ready, upLeftNs[child]![j]! + alphaUp[child]!);
    } else {
      ready = Math.max(ready, downLeftNs[q]![j]! + alphaUp[q]!);
    }
    return ready;
  };
  const begin = (i: number, own: number): void => {
    ownNs[i] = own;
    startNs[i] = startOf(i);
    pending[i] = flowFirst[i + 1]! - flowFirst[i]!;
    for (let f = flowFirst[i]!; f < flowFirst[i + 1]!; f++) leftBytes[f] = next[i] === m - 1 ? lastBytes : bytes;
  };
  for (let i = 0; i < senders; i++) begin(i, 0);
  const load = new Float64Array(perOwner * (Math.max(...pos.owner) + 1));
  const rate = new Float64Array(flows);
  let nowNs = 0;
  let finished = 0;
  let lastNs = 0;
  // The flows in flight this event: their sender's chunk has started and they have bytes left.
  const live = new Int32Array(flows);
  while (finished < senders) {
    let lives = 0;
    let eventNs = Infinity;
    for (let i = 0; i < senders; i++) {
      if (next[i]! >= m) continue;
      if (startNs[i]! > nowNs) eventNs = Math.min(eventNs, startNs[i]!);
      if (!(startNs[i]! <= nowNs)) continue;
      for (let f = flowFirst[i]!; f < flowFirst[i + 1]!; f++) if (leftBytes[f]! > 0) live[lives++] = f;
    }
    load.fill(0);
    for (let x = 0; x < lives; x++) {
      const f = live[x]!;
      load[sendSlot[f]!]! += pos.mult[flowFrom[f]!]!;
      load[recvSlot[f]!]! += pos.mult[flowDest[f]!]!;
      if (shared) {
        load[sharedSlot(sendSlot[f]!)]! += pos.mult[flowFrom[f]!]!;
        load[sharedSlot(recvSlot[f]!)]! += pos.mult[flowDest[f]!]!;
      }
    }
    for (let x = 0; x < lives; x++) {
      const f = live[x]!;
      rate[f] = bytesPerNs[cls[f]!]! / Math.max(load[sendSlot[f]!]!, load[recvSlot[f]!]!);
      // Where both classes leave by one link, an equal share of it too.
      if (shared) rate[f] = Math.min(rate[f]!, sharedBytesPerNs / Math.max(load[sharedSlot(sendSlot[f]!)]!, load[sharedSlot(recvSlot[f]!)]!));
      eventNs = Math.min(eventNs, nowNs + leftBytes[f]! / rate[f]!);
    }
    if (eventNs === Infinity) return null;
    const done: number[] = [];
    for (let x = 0; x < lives; x++) {
      const f = live[x]!;
      leftBytes[f] = leftBytes[f]! - rate[f]! * (eventNs - nowNs);
      // Done when what is left is a rounding residue or too little to move the clock (ring-lockstep.ts).
      if (leftBytes[f]! <= bytes * 1e-9 || eventNs + leftBytes[f]! / rate[f]! === eventNs) done.push(f);
    }
    nowNs = eventNs;
    for (const f of done) {
      leftBytes[f] = 0;
      const i = senderOf[f]!;
      const j = next[i]!;
      if (senderDown[i]) {
        downLeftNs[flowDest[f]!]![j] = nowNs;
        lastNs = Math.max(lastNs, nowNs + alphaUp[flowDest[f]!]!);
      } else upLeftNs[senderPos[i]!]![j] = nowNs;
      if (--pending[i]! > 0) continue;
      next[i] = j + 1;
      if (next[i] === m) finished++;
      else begin(i, nowNs);
    }
    // Senders waiting on an input that has now landed.
    if (done.length > 0) {
      for (let i = 0; i < senders; i++) {
        if (next[i]! < m && Number.isNaN(startNs[i]!)) startNs[i] = startOf(i);
      }
    }
  }
  return lastNs;
}
