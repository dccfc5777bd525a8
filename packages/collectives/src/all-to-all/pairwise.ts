import { StepBuilder, assertPlannable, hopAlpha, invalidParams, largestPart, partnerLinkFactor, rankLinks, roundAlphaNs, slice } from '../kit.js';
import { channelRanges, clampChannels, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

/**
 * Pairwise-exchange all-to-all (MPICH alltoall pairwise): rank r copies its own block,
 * then in rounds k = 1 … n-1 sends block `to` of its input to rank `to` and receives its
 * block of `from`'s input into block `from` of `output`. For a power of two the partner is
 * r XOR k (to = from, a true exchange); otherwise to = r+k and from = r-k (mod n). Each
 * channel handles an even part of every block; chunks split the messages.
 */
export const pairwise: Algorithm = {
  name: 'pairwise',
  collective: 'allToAll',
  description: 'n-1 rounds, each exchanging one block with one partner (XOR for powers of two, shifted otherwise).',
  constraints: 'any rank count; channels clamped to count',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(pairwise.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length, chunkElements);
    const xor = isPowerOfTwo(n);
    channels.forEach((part, channel) => {
      /** This channel's part of block j of `buffer`. */
      const block = (buffer: 'input' | 'output', j: number) => slice(buffer, j * count + part.offset, part.count);
      for (let rank = 0; rank < n; rank++) {
        b.copyChunked(rank, channel, block('input', rank), block('output', rank));
        for (let k = 1; k < n; k++) {
          const to = xor ? rank ^ k : mod(rank + k, n);
          const from = xor ? rank ^ k : mod(rank - k, n);
          b.sendChunked(rank, channel, to, block('input', to));
          b.recvChunked(rank, channel, from, block('output', from));
        }
      }
    });
    return b.build('allToAll', 'pairwise', params, { input: count * n, output: count * n, scratch: 0 });
  },
  /**
   * T = Σ_k (α_k + S_c·c·β_k), α_k and β_k the worst hop and the slowest link class of round k
   * (to r XOR k, or r + k: NVLink inside a server, the NIC between; cost.ts rankLinks), S_c =
   * ceil(count/c)·elementBytes per channel part, c channels sharing a rank's link: each round
   * sends one block and waits for one, the ranks' partners alike far. A round's chunks all leave
   * before any is received, so chunking adds no alpha. Where paths are narrower than a rank's
   * injection β_k counts the links round k's messages share (cost.ts roundLinkFactor; ring:8 4
   * MiB: 65 → 185 µs predicted, 183 simulated). 0 for n = 1 or count = 0.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    const { nranks: n, count } = params;
    if (n === 1 || count === 0) return 0;
    const alpha = hopAlpha(params, cost);
    const links = rankLinks(params, cost);
    const blockBytes = largestPart(params) * params.elementBytes * clampChannels(params.channels, count);
    const xor = isPowerOfTwo(n);
    let ns = 0;
    for (let k = 1; k < n; k++) {
      const partner = xor ? (r: number) => r ^ k : (r: number) => mod(r + k, n);
      let slowest = 0;
      for (let r = 0; r < n; r++) slowest = Math.max(slowest, links.nsPerByte[links.classOf(r, partner(r))]!);
      ns += roundAlphaNs(n, partner, alpha) + blockBytes * slowest * partnerLinkFactor(params, partner);
    }
    return ns;
  },
};
