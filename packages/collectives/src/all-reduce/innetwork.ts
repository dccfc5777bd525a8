import { StepBuilder, assertPlannable, invalidParams, nsPerByte, slice } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, clampChannels } from '../logical.js';
import { inSwitchReductionProblem } from '../in-switch-ops.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * In-network reduction SHARP-style (NCCL's CollNet-Direct with one GPU per node: InfiniBand
 * SHARP, or a reduction-capable Spectrum-X switch — an assumption, there is no public
 * Spectrum-4 in-network reduction figure): one agent participant, a reduction-capable fabric
 * switch with index nranks, does the arithmetic and pushes the sums back. An NVSwitch does
 * not work this way (its GPUs pull sums with multimem load-reduce and multicast them with a
 * store: `nvls`), so innetwork refuses a layout whose switch is an NVSwitch. For each chunk of a
 * channel's part, every rank sends its input chunk up; the switch receives rank 0's into a
 * per-channel scratch window, reduces ranks 1..n-1's into it, and sends the result back to
 * every rank. Ranks keep one chunk in flight ahead of the result they wait for (send k+1
 * before recv k) so up- and down-traffic overlap.
 *
 * A channel's sends are sequential, so one switch channel would deliver the n copies of a
 * result one after another. Like NVLS, which spreads the buffer over many channels, the
 * schedule uses n·channels channels (clamped to count): each switch channel then sends n
 * copies of 1/n of the data, and every switch-to-rank link carries the whole result once,
 * as a hardware multicast would. Channel c sends chunk k's copies starting at rank
 * (c + k) mod n, so at any moment the channels' sends spread evenly over the n downlinks
 * instead of all queueing on one (the switch reduces in rank order 0..n-1 either way).
 */
export const innetwork: Algorithm = {
  name: 'innetwork',
  collective: 'allReduce',
  description: 'In-network SHARP-style (CollNet): a reduction-capable fabric switch sums every rank\'s chunk and sends the sum back to every rank, pipelined in chunks.',
  constraints: 'needs a reduction-capable fabric switch reaching every rank (switch:N,reduction=true; an assumption on Spectrum-X); not an NVSwitch (use nvls); uses n·channels channels',
  unsupported(params) {
    const invalid = invalidParams(params);
    if (invalid !== null) return invalid;
    // weft's in-network all-reduce is one switch reducing for every rank (one level, as switch:N,reduction=true):
    // a fabric whose reducing switches (SHARP on InfiniBand) are not one hop from every rank cannot run it.
    if (!params.layout.hasReductionSwitch) return 'needs one reduction-capable switch linked to every rank (e.g. switch:N,reduction=true); this topology has none — reducing leaves or spines (SHARP trees over several switches) are not modelled';
    if (params.layout.inSwitchReduction === 'nvls') return 'the reduction switch is an NVSwitch, which reduces through NVLS multimem (GPU load-reduce, multicast store), not SHARP-style: use nvls';
    return inSwitchReductionProblem(params, 'sharp');
  },
  plan(params: PlanParams): Schedule {
    assertPlannable(innetwork.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const channels = channelRanges(count, params.channels * n);
    const agent = n;
    const b = new StepBuilder(n + 1, channels.length);
    const windowCount = channels.reduce((w, r) => Math.max(w, chunkElements > 0 ? Math.min(chunkElements, r.count) : r.count), 0);
    channels.forEach((range, c) => {
      const chunks = chunksOf(range, chunkElements);
      for (let r = 0; r < n; r++) {
        chunks.forEach((chunk, k) => {
          if (k === 0) b.send(r, c, agent, slice('input', chunk));
          if (k + 1 < chunks.length) b.send(r, c, agent, slice('input', chunks[k + 1]!));
          b.recv(r, c, agent, slice('output', chunk));
        });
      }
      chunks.forEach((chunk, k) => {
        const window = slice('scratch', { offset: c * windowCount, count: chunk.count });
        const first = (c + k) % n;
        b.recv(agent, c, 0, window);
        for (let r = 1; r < n; r++) {
          if (r === n - 1) b.recvReduceCopySend(agent, c, r, first, window);
          else b.recvReduce(agent, c, r, window);
        }
        for (let i = n === 1 ? 0 : 1; i < n; i++) b.send(agent, c, (first + i) % n, window);
      });
    });
    return b.build('allReduce', 'innetwork', params, { input: count, output: count, scratch: channels.length * windowCount });
  },
  /**
   * T = (m+1)·α/2 + S·β + b·β
   * S = count·elementBytes, c = min(n·channels, count) channels, m = chunks per channel part
   * (ceil(ceil(count/c)/chunkElements), 1 unchunked), b = one chunk summed over channels.
   * A message between a rank and the switch crosses half a rank-to-rank path (the switch
   * sits in its middle), so it pays α/2. A rank injects its chunks back to back
   * (m·α/2 + S·β, channels concurrent); the switch reduces each chunk as it completes and
   * returns it while later chunks still go up (full duplex), so only the last chunk's trip
   * back (α/2 + b·β) is exposed. Unchunked: α + 2·S·β. Unsupported → NaN. β is divided by
   * the switch's reductionEfficiency (cost.reductionEfficiency), as the runtime charges it.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (innetwork.unsupported(params) !== null) return Number.NaN;
    const { nranks: n, count, chunkElements, elementBytes } = params;
    if (count === 0) return 0;
    const c = clampChannels(params.channels * n, count);
    const perChannel = Math.ceil(count / c);
    const m = chunkCount(perChannel, chunkElements);
    const chunkBytes = c * Math.min(chunkElements > 0 ? chunkElements : perChannel, perChannel) * elementBytes;
    const beta = nsPerByte(cost.bandwidthBytesPerSec) / (cost.reductionEfficiency ?? 1);
    return ((m + 1) * cost.alphaNs) / 2 + count * elementBytes * beta + chunkBytes * beta;
  },
};
