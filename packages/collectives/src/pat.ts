/**
 * NCCL's PAT (Parallel Aggregated Trees, NCCL 2.23+) for all-gather and reduce-scatter: the
 * shape both weft's `pat` algorithms share.
 *
 * Sources:
 * - [pat] NVIDIA/nccl src/include/collectives.h, PatAGAlgorithm / PatRSAlgorithm (2.23+): per
 *   chunk, every rank runs the same binomial tree over offsets s = 0 … n−1, shifted by its own
 *   rank: the rank at offset s of a block's tree holds block (rank + s); the parent of offset s
 *   is s with its lowest set bit cleared, reached over dimension d = that bit: to rank − 2^d
 *   (all-gather, "PatDown": a block goes down the tree, farthest dimension first) or from it
 *   (reduce-scatter, "PatUp": partial sums go up, leaves first). log2 n dimensions, n − 1
 *   blocks in and out per rank — a ring's bytes in ⌈log2 n⌉ hops. NCCL's kernel aggregates
 *   the steps of one dimension into one post (aggFactor); weft posts each block's piece as
 *   its own message, eagerly, so the hops still overlap.
 * - [enqueue] src/enqueue.cc calcCollChunking: PAT's chunk is the Simple step (4 MiB / 8 =
 *   512 KiB), halved while chunk × nChannels × 32 (all-gather; 16 for reduce-scatter) exceeds
 *   nBytes, down to 64 KiB; a chunk is the piece of one rank's block one step moves.
 * - [tuning] src/graph/tuning.cc ncclTopoTuneModel / ncclPatEnable (2.23+): PAT is weighed for
 *   all-gather and reduce-scatter under Simple only, with one GPU per node (nNodes == nRanks),
 *   on the tree graph's channels (init.cc graphs[NCCL_ALGO_PAT] = &treeGraph); bus bandwidth
 *   × 0.75; latency 8 + log2i(nNodes)·interLat/3.5 + nRanks·2.8 µs ("still a linear part;
 *   hopefully we'll manage to remove it"), interLat the Tree NET row with one GPU per node.
 *   weft charges the 8 + 2.8·n µs once per collective (the launch, as NVLS's one intraLat)
 *   and interLat/3.5 per inter-server hop (protocols.ts scheduleProtocol).
 * - [why] NVIDIA/nccl #1473 (S. Jeaugey, 2024-10): "in 2.23 we introduced the PAT algorithms which
 *   are a variation of Bruck's algorithm reordering the schedule to keep the memory needs
 *   limited … They also only support one GPU per node at the moment, i.e. the intra-node part
 *   is not yet implemented"; #1594 (K. Kraus): "PAT is a binomial tree algorithm".
 * Not modelled: NCCL skips PAT for an averaging reduce-scatter (enqueue.cc: PreMulSum /
 * SumPostDiv), which weft's tuner does not see (it weighs rows, not reduction ops).
 */
import { searchChannelCount } from './channels/search.js';
import { hopAlpha, rotationAlphaNs, roundLinkFactor, type RoundMessage } from './cost.js';
import { assertPlannable, invalidParams } from './params.js';
import { ceilLog2, mod } from './logical.js';
import { channelsForBytes, stepDataBytes, withProtocols } from './protocols.js';
import type { Algorithm, CollectiveName, CostParams, PlanParams, Schedule } from './types.js';

/** A PAT algorithm for `collective`: the shared descriptor (Simple only, NCCL's channels and chunk, the predictor) around its own plan. */
export function patAlgorithm(collective: 'allGather' | 'reduceScatter', description: string, planChecked: (params: PlanParams) => Schedule): Algorithm {
  const unsupported = (params: PlanParams) => invalidParams(params);
  return withProtocols(
    {
      name: 'pat',
      collective,
      description,
      constraints: "any rank count; Simple only; NCCL's tuner weighs it with one GPU per server",
      unsupported,
      plan(params: PlanParams): Schedule {
        assertPlannable(unsupported(params));
        return planChecked(params);
      },
      predictNs: (params, cost) => patPredictNs(params, cost, collective),
      defaultChannels: patChannels,
      defaultChunkBytes: (params) => patChunkBytes(params, collective),
    },
    'PAT',
    ['Simple'],
  );
}

/** The lowest set bit of s > 0, as a power of two: the dimension offset s is reached over. */
export function lowBit(s: number): number {
  return s & -s;
}

/** The offsets a tree node at offset s sends to (all-gather) or hears from (reduce-scatter): s + 2^k for 2^k below s's lowest bit (any k at the root), under n; farthest first. */
export function patChildren(s: number, n: number): number[] {
  const limit = s === 0 ? 2 ** ceilLog2(n) : lowBit(s);
  const out: number[] = [];
  for (let d = limit >> 1; d >= 1; d >>= 1) if (s + d < n) out.push(s + d);
  return out;
}

/**
 * Offsets 1 … n−1 in breadth-first order of the tree, each node's children farthest first. Every
 * rank runs the same order, so the messages of one dimension leave a rank in the order its
 * peer takes them: a node's rank in the order follows its parent's (see the module's tests).
 */
export function patOrder(n: number): number[] {
  const order: number[] = [];
  let level = patChildren(0, n);
  while (level.length > 0) {
    order.push(...level);
    level = level.flatMap((s) => patChildren(s, n));
  }
  return order;
}

/** The peer rank `rank` meets at offset s: its parent in the tree of block rank + s is rank + lowBit(s); its child at offset c is rank − lowBit(c). */
export function patParent(rank: number, s: number, n: number): number {
  return mod(rank + lowBit(s), n);
}

export function patChild(rank: number, c: number, n: number): number {
  return mod(rank - lowBit(c), n);
}

/** NCCL's PAT chunk ([enqueue]): the Simple step, halved while chunk × channels × k > nBytes (k 32 all-gather, 16 reduce-scatter), not below 64 KiB. */
export function patChunkBytes(params: PlanParams, collective: CollectiveName): number {
  const nBytes = params.count * params.elementBytes * params.nranks;
  const k = collective === 'allGather' ? 32 : 16;
  const channels = Math.max(1, params.channels);
  let chunk = stepDataBytes('Simple');
  while (chunk * channels * k > nBytes && chunk > 65536) chunk /= 2;
  return chunk;
}

/** NCCL's channels for PAT: the tree graph's (the search's count), fewer for small messages as enqueue.cc runs them. */
export function patChannels(params: PlanParams, cost: CostParams): number {
  return channelsForBytes(searchChannelCount(params.layout, params.nranks, cost), params.count * params.elementBytes * params.nranks, 'PAT', 'Simple', params.nranks);
}

/**
 * PAT's time, both collectives, from its schedule replayed for one rank (`patChunkNs`): on a
 * fabric where every rank sees the same ports and the same hop per dimension (PAT's own case:
 * one GPU per server on a non-blocking fabric, or `switch:N`), every rank runs its tape at the
 * same times, so a piece rank r receives at offset s was sent by its parent at the moment r
 * itself sent its piece at offset s − lowBit(s) (all-gather; reduce-scatter: its child's
 * partial, when r sent its own at that child's offset). One rank's replay is then the run:
 * steps in order, each fan-out of k pieces taking k·piece/B of the rank's port per channel —
 * the channels run the same parts in lock step and share it — and a receive waiting for the
 * sender's step plus that dimension's hop (its worst, rotationAlphaNs). Chunks run one after
 * another (a channel's steps are in order, and each chunk ends on a receive), so the time is
 * the chunks' times summed. On switch:3…32 it gives the simulated time to 1e-5 at 64 KiB–256
 * MiB, both collectives (collectives.md, "PAT's predictor"); the earlier closed form (the
 * ring's bytes plus the deepest path once) missed by −37 … +20 %, most on rank counts that are
 * not powers of two, where a chunk's last piece waits for a second hop the port cannot hide.
 * Where paths are narrower than a rank's injection (ring:N, fullmesh:N) a step is as slow as
 * the links its pieces share with every rank's same step (patLinkFactors; ring:8 all-gather 4
 * MiB: 87 → 175 µs predicted, 149 simulated: its 4 channels' flows between opposite ranks
 * spread over both directions by ECMP's hash, where the factor takes the search's one path;
 * reduce-scatter 76 → 167, 159 simulated). 0 for n = 1 or count = 0.
 *
 * Across servers the ranks are not alike: rank r's hop to r − d crosses servers for some r and
 * not for others, and a chain down a block's tree crosses only where its ranks straddle the
 * boundary (twice in four dimensions on dgx-h100:nodes=2), where the worst hop per dimension
 * charged every dimension the crossing (1 KiB: 68.8 µs predicted, 62.0 simulated). There each
 * rank replays its own chains (patChunkRanksNs; 1 KiB – 256 KiB within 0.2 %).
 */
export function patPredictNs(params: PlanParams, cost: CostParams, collective: 'allGather' | 'reduceScatter'): number {
  const { nranks: n, count, elementBytes } = params;
  if (n === 1 || count === 0) return 0;
  const alpha = hopAlpha(params, cost);
  const alphaNs: number[] = [];
  for (let d = 1; d < n; d *= 2) alphaNs.push(rotationAlphaNs(n, -d, alpha));
  // Ranks whose hops of one dimension differ (servers: rank r's hop to r − d crosses or not)
  // replay each their own chains; where every rank's are alike, one rank is the run.
  const uniform = alphaNs.every((worst, k) => {
    for (let r = 0; r < n; r++) if (alpha(r, mod(r - 2 ** k, n)) !== worst || alpha(mod(r - 2 ** k, n), r) !== worst) return false;
    return true;
  });
  const channels = Math.max(1, Math.min(params.channels, count));
  const part = Math.ceil(count / channels);
  const piece = params.chunkElements > 0 ? Math.min(part, params.chunkElements) : part;
  const nsPerPiece = (elements: number) => (channels * elements * elementBytes * 1e9) / cost.bandwidthBytesPerSec;
  const order = patOrder(n);
  const onLinks = patLinkFactors(params, collective === 'reduceScatter' ? 'up' : 'down');
  const direction = collective === 'reduceScatter' ? 'up' : 'down';
  const chunk = (elements: number) => (uniform ? patChunkNs(n, nsPerPiece(elements), alphaNs, direction, order, onLinks) : patChunkRanksNs(n, nsPerPiece(elements), alpha, direction, order, onLinks));
  const whole = Math.floor(part / piece);
  const rest = part - whole * piece;
  return whole * chunk(piece) + (rest > 0 ? chunk(rest) : 0);
}

/**
 * Per step, by the tree offsets it sends the pieces of, the roundLinkFactor of every rank
 * sending them at once (every rank runs the same step at the same time): to rank − lowBit(c)
 * for each child offset c (down), or rank + lowBit(s) for its own offset s (up). 1 where no
 * path is narrower than a rank's injection.
 */
function patLinkFactors(params: PlanParams, direction: 'down' | 'up'): (offsets: readonly number[]) => number {
  const n = params.nranks;
  const byDimensions = new Map<number, number>();
  return (offsets) => {
    let mask = 0;
    for (const s of offsets) mask |= lowBit(s);
    let factor = byDimensions.get(mask);
    if (factor === undefined) {
      const step = function* (): Generator<RoundMessage> {
        for (let r = 0; r < n; r++) for (let d = 1; d <= mask; d *= 2) if (mask & d) yield [r, mod(direction === 'down' ? r - d : r + d, n), 1];
      };
      byDimensions.set(mask, (factor = roundLinkFactor(params, step())));
    }
    return factor;
  };
}

/** The dimension offset s > 0 is reached over (log2 of its lowest bit). */
function dimensionOf(s: number): number {
  return Math.log2(lowBit(s));
}

/**
 * One chunk of PAT for one rank (ns), every rank alike (see patPredictNs): `pieceNs` is one
 * piece's share of the port (all channels' copies of it), `alphaNs[d]` the hop over dimension d.
 * Down (all-gather): the rank's own piece to the root's children, then in breadth-first order
 * each offset's piece as its parent's send lands, forwarded to its children. Up (reduce-scatter):
 * in reverse breadth-first order each offset's partial once its children's have landed, sent up;
 * then the root's children's. `order`: patOrder(n), handed in by a caller that replays several chunks.
 * `onLinks(offsets)`: how much slower than the port a step sending the pieces of those offsets
 * moves on the links every rank's same step shares (patLinkFactors; 1 where the ports bind).
 */
export function patChunkNs(n: number, pieceNs: number, alphaNs: readonly number[], direction: 'down' | 'up', order: readonly number[] = patOrder(n), onLinks: (offsets: readonly number[]) => number = () => 1): number {
  const sentNs = new Float64Array(n);
  let nowNs = 0;
  if (direction === 'down') {
    const fanOutNs = (s: number): number => {
      const kids = patChildren(s, n);
      return kids.length * pieceNs * onLinks(kids);
    };
    nowNs = fanOutNs(0);
    sentNs[0] = nowNs;
    for (const s of order) {
      nowNs = Math.max(nowNs, sentNs[s - lowBit(s)]! + alphaNs[dimensionOf(s)]!);
      nowNs += fanOutNs(s);
      sentNs[s] = nowNs;
    }
    return nowNs;
  }
  const landed = (s: number) => {
    for (const c of patChildren(s, n)) nowNs = Math.max(nowNs, sentNs[c]! + alphaNs[dimensionOf(c)]!);
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const s = order[i]!;
    landed(s);
    nowNs += pieceNs * onLinks([s]);
    sentNs[s] = nowNs;
  }
  landed(0);
  return nowNs;
}

/**
 * patChunkNs with each rank's own hops (α of the very pair, hopAlpha), for layouts where the
 * hops of one dimension differ between ranks: across servers rank r's hop to r − d crosses for
 * some r and not for others, so a chain down (or up) a block's tree crosses at most at the
 * dimensions its ranks straddle a server boundary — on dgx-h100:nodes=2 twice in four, where
 * the worst hop per dimension charges every dimension the crossing. Every rank's port moves the
 * same pieces in the same order, as in patChunkNs; each rank keeps its own clock. O(n²) per chunk.
 */
function patChunkRanksNs(n: number, pieceNs: number, alpha: (a: number, b: number) => number, direction: 'down' | 'up', order: readonly number[], onLinks: (offsets: readonly number[]) => number): number {
  // sentNs[r·n + s]: when rank r's piece at offset s has left; nowNs[r]: rank r's clock.
  const sentNs = new Float64Array(n * n);
  const nowNs = new Float64Array(n);
  if (direction === 'down') {
    const fanOutNs = (s: number): number => {
      const kids = patChildren(s, n);
      return kids.length * pieceNs * onLinks(kids);
    };
    for (let r = 0; r < n; r++) sentNs[r * n] = nowNs[r] = fanOutNs(0);
    for (const s of order) {
      const fanOut = fanOutNs(s);
      for (let r = 0; r < n; r++) {
        const parent = patParent(r, s, n);
        const t = Math.max(nowNs[r]!, sentNs[parent * n + s - lowBit(s)]! + alpha(parent, r)) + fanOut;
        sentNs[r * n + s] = nowNs[r] = t;
      }
    }
  } else {
    const landed = (r: number, s: number): void => {
      for (const c of patChildren(s, n)) {
        const child = patChild(r, c, n);
        nowNs[r] = Math.max(nowNs[r]!, sentNs[child * n + c]! + alpha(child, r));
      }
    };
    for (let i = order.length - 1; i >= 0; i--) {
      const s = order[i]!;
      const pieceOnLinks = pieceNs * onLinks([s]);
      for (let r = 0; r < n; r++) {
        landed(r, s);
        sentNs[r * n + s] = nowNs[r] = nowNs[r]! + pieceOnLinks;
      }
    }
    for (let r = 0; r < n; r++) landed(r, 0);
  }
  let endNs = 0;
  for (const t of nowNs) endNs = Math.max(endNs, t);
  return endNs;
}
