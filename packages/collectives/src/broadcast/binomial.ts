import { StepBuilder, assertPlannable, binomialBoundNs, binomialLinkFactors, invalidParams, largestPart, MAX_RECURRENCE_STEPS, railHopAlpha, rankLinks, slice } from '../kit.js';
import { binomialChildren, binomialParent, channelRanges, chunksOf, clampChannels } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';


/**
 * Binomial-tree broadcast (MPICH bcast_binomial) with the tree rotated onto `root`: per
 * channel part and chunk, a rank receives from its parent into `output` and sends to its
 * children, largest subtree first; the root sends from `input` and copies it to `output`.
 * Channels are clamped to `count` so that no channel is empty.
 */
export const binomial: Algorithm = {
  name: 'binomial',
  collective: 'broadcast',
  description: 'Binomial tree from the root: ceil(log2 n) levels, each rank forwarding to its children.',
  constraints: 'any rank count and root; channels clamped to count',
  unsupported: (params) => invalidParams(params, { rooted: true }),
  plan(params: PlanParams): Schedule {
    assertPlannable(binomial.unsupported(params));
    const { nranks: n, count, chunkElements, root } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    const parent = Array.from({ length: n }, (_, rank) => binomialParent(rank, n, root));
    const children = Array.from({ length: n }, (_, rank) => binomialChildren(rank, n, root));
    channels.forEach((part, channel) => {
      for (const chunk of chunksOf(part, chunkElements)) {
        const out = slice('output', chunk);
        for (let rank = 0; rank < n; rank++) {
          const from = parent[rank]!;
          const src = from < 0 ? slice('input', chunk) : out;
          if (from >= 0) b.recv(rank, channel, from, out);
          for (const child of children[rank]!) b.send(rank, channel, child, src);
          if (from < 0) b.copy(rank, channel, src, out);
        }
      }
    });
    return b.build('broadcast', 'binomial', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * The schedule's chunks as a recurrence (exact where each rank's out-link carries only its
   * own sends and its in-link only its parent's — every rank with a link of its own):
   * per chunk k, a rank starts its sends at s(k) = max(chunk k landed, its sends of chunk k-1
   * done), sends to its children one after another (b_k = the chunk's bytes on every channel at
   * once, at its hop's link rate: NVLink or NIC), and child i's copy lands when its send has
   * left plus α. T = the last rank's last step. Above MAX_RECURRENCE_STEPS ranks × chunks, the closed form
   * ⌈log2 n⌉·(α + S_c·c/B) (S_c = ceil(count/c)·elementBytes): the root's ⌈log2 n⌉ copies
   * and the deepest path — exact for a power of two in one chunk, an upper bound otherwise
   * (on 5 ranks the deepest chain is 2 hops, not 3: 0.67 of it at 1 KiB). Where paths are
   * narrower than a rank's injection a hop's rate counts the links its round shares (cost.ts
   * binomialLinkFactors: the parents at distance m sending at once; ring:8 4 MiB: 140 → 267 µs
   * predicted, 270 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count, root, chunkElements, elementBytes } = params;
    if (n === 1 || count === 0) return 0;
    const alpha = railHopAlpha(params, cost);
    const chunks = chunksOf({ offset: 0, count: largestPart(params) }, chunkElements);
    if (n * chunks.length > MAX_RECURRENCE_STEPS) return binomialBoundNs(params, cost, alpha);
    const channels = clampChannels(params.channels, count);
    // A hop's rate: its class's link (NVLink inside a server, the NIC between), or the one link
    // a rank has for both (cost.ts rankLinks); all channels' copies share it.
    const links = rankLinks(params, cost);
    const onLinks = binomialLinkFactors(params);
    const hopNsPerByte = (a: number, b: number): number => channels * links.nsPerByte[links.classOf(a, b)] * onLinks(a, b);
    // Ranks parents first: a rank's virtual rank (rank − root) is above its parent's.
    const order = Array.from({ length: n }, (_, v) => (v + root) % n);
    const children = order.map(() => [] as number[]);
    for (const rank of order) children[rank] = binomialChildren(rank, n, root);
    const landedNs = new Float64Array(n);
    const doneNs = new Float64Array(n);
    let endNs = 0;
    for (const chunk of chunks) {
      const bytes = chunk.count * elementBytes;
      for (const rank of order) {
        let atNs = Math.max(rank === root ? 0 : landedNs[rank]!, doneNs[rank]!);
        for (const child of children[rank]!) {
          atNs += bytes * hopNsPerByte(rank, child);
          landedNs[child] = atNs + alpha(rank, child);
        }
        doneNs[rank] = atNs;
        endNs = Math.max(endNs, atNs);
      }
    }
    return endNs;
  },
};
