import { StepBuilder, assertPlannable, binomialBoundNs, binomialLinkFactors, invalidParams, largestChunk, largestPart, MAX_RECURRENCE_STEPS, railHopAlpha, rankLinks, slice } from '../kit.js';
import { binomialChildren, binomialParent, channelRanges, chunksOf, clampChannels } from '../logical.js';

import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * Binomial-tree reduce (MPICH reduce_binomial) with the tree rotated onto `root`: per
 * channel part and chunk, a leaf sends its input to its parent; an inner rank copies its
 * input into its accumulator, reduces each child's partial into it (smallest subtree
 * first, as it arrives first) and sends it up. The root accumulates in `output`, other
 * ranks in a one-chunk scratch slot per channel (non-root `output` is never touched).
 * Channels are clamped to `count`.
 */
export const binomial: Algorithm = {
  name: 'binomial',
  collective: 'reduce',
  description: 'Binomial tree to the root: ceil(log2 n) levels, each rank reducing its children into its own partial.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(binomial.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const slotCount = largestChunk(params);
    const b = new StepBuilder(n, channels.length);
    const parent = Array.from({ length: n }, (_, rank) => binomialParent(rank, n, root));
    const children = Array.from({ length: n }, (_, rank) => binomialChildren(rank, n, root).reverse());
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const mine = slice('input', chunk);
        for (let rank = 0; rank < n; rank++) {
          const up = parent[rank]!;
          if (up >= 0 && children[rank]!.length === 0) {
            b.send(rank, channel, up, mine);
            continue;
          }
          const acc = up < 0 ? slice('output', chunk) : slice('scratch', channel * slotCount, chunk.count);
          b.copy(rank, channel, mine, acc);
          for (const child of children[rank]!) b.recvReduce(rank, channel, child, acc);
          if (up >= 0) b.send(rank, channel, up, acc);
        }
      }
    });
    const innerNonRoot = parent.some((up, rank) => up >= 0 && children[rank]!.length > 0);
    const scratch = innerNonRoot && count > 0 ? channels.length * slotCount : 0;
    return b.build('reduce', 'binomial', params, { input: count, output: count, scratch });
  },
  /**
   * The schedule's chunks as a recurrence, the mirror of binomial broadcast's: per chunk, children
   * before parents, a rank starts its chunk once its previous chunk has gone up, receives its
   * children's partials in the schedule's order (smallest subtree first) and sends its own up
   * when the last has landed. A child's partial lands α after it left, and not before the
   * parent's link from that class (NVLink or the NIC: cost.ts rankLinks, each hop its α:
   * railHopAlpha) has carried the partials that came in ahead of it on it, one after another —
   * where the children's streams share a link. Above MAX_RECURRENCE_STEPS ranks × chunks, the
   * closed form ⌈log2 n⌉·(α + S_c·c/B): the root's ⌈log2 n⌉ partials in turn and the deepest
   * path. Where paths are narrower than a rank's injection a child's send counts the links its
   * round shares (cost.ts binomialLinkFactors; ring:8 4 MiB: 140 → 203 µs predicted, 221
   * simulated); the parent's link in still takes partials at its rate (fullmesh:4's root hears
   * its children over links of their own: slowing that link too predicted 176 µs against 133).
   * 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, root, chunkElements, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const alpha = railHopAlpha(params, cost);
    const chunks = chunksOf({ offset: 0, count: largestPart(params) }, chunkElements);
    if (n * chunks.length > MAX_RECURRENCE_STEPS) return binomialBoundNs(params, cost, alpha);
    const channels = clampChannels(params.channels, count);
    const links = rankLinks(params, cost);
    const onLinks = binomialLinkFactors(params, true);
    const hopNsPerByte = (a: number, b: number): number => channels * links.nsPerByte[links.classOf(a, b)]!;
    // Children before parents: a rank's virtual rank (rank − root) is above its parent's.
    const order = Array.from({ length: n }, (_, v) => (n - 1 - v + root) % n);
    const parent = order.map(() => -1);
    const children = order.map(() => [] as number[]);
    for (const rank of order) {
      parent[rank] = binomialParent(rank, n, root);
      children[rank] = binomialChildren(rank, n, root).reverse();
    }
    const sentNs = new Float64Array(n);
    const landedNs = new Float64Array(n);
    // When each rank's link in from each class last finished carrying a partial.
    const linkFreeNs = [new Float64Array(n), new Float64Array(n)];
    let endNs = 0;
    for (const chunk of chunks) {
      const bytes = chunk.count * elementBytes;
      for (const rank of order) {
        let atNs = sentNs[rank]!;
        for (const child of children[rank]!) {
          const c = links.classOf(child, rank);
          const inNs = bytes * hopNsPerByte(child, rank);
          const landsNs = Math.max(landedNs[child]!, linkFreeNs[c]![rank]! + inNs);
          linkFreeNs[c]![rank] = landsNs;
          atNs = Math.max(atNs, landsNs);
        }
        const up = parent[rank]!;
        if (up >= 0) {
          // Its send is as slow as its round's most crowded link.
          atNs += bytes * hopNsPerByte(rank, up) * onLinks(rank, up);
          landedNs[rank] = atNs + alpha(rank, up);
        }
        sentNs[rank] = atNs;
        endNs = Math.max(endNs, atNs);
      }
    }
    return endNs;
  },
};
