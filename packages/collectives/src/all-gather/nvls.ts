import { StepBuilder, assertPlannable, invalidParams, nsPerByte, slice } from '../kit.js';
import { channelRanges, chunksOf, clampChannels, mod } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * NCCL's NVLS all-gather on one NVSwitch domain: rank r stores its block to the multicast
 * address (multimem.st) and the switch writes it to every rank, rank r included. Channel
 * (j, r) carries part j of block r; the switch's n copies of a chunk go out one after
 * another starting at rank (r + j + k) mod n, so the n·c channels' copies spread over the
 * downlinks as one hardware multicast would load them. No arithmetic: the switch copies.
 */
export const nvls: Algorithm = {
  name: 'nvls',
  collective: 'allGather',
  description: "NCCL's NVLS: each rank's block goes up to the NVSwitch once and the switch multicasts it to every rank (multimem store).",
  constraints: 'needs one reduction-capable switch reaching every rank (NVSwitch with NVLink SHARP); uses n·channels channels',
  unsupported(params) {
    const invalid = invalidParams(params);
    if (invalid !== null) return invalid;
    if (!params.layout.hasReductionSwitch) return 'needs one multicast-capable switch reaching every rank (an NVSwitch with NVLink SHARP); this topology has none';
    return null;
  },
  plan(params: PlanParams): Schedule {
    assertPlannable(nvls.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const parts = channelRanges(count, params.channels);
    const agent = n;
    const b = new StepBuilder(n + 1, parts.length * n);
    const windowCount = parts.reduce((w, p) => Math.max(w, chunkElements > 0 ? Math.min(chunkElements, p.count) : p.count), 0);
    parts.forEach((part, j) => {
      const chunks = chunksOf(part, chunkElements);
      for (let r = 0; r < n; r++) {
        const c = j * n + r;
        chunks.forEach((chunk, k) => {
          const window = slice('scratch', c * windowCount, chunk.count);
          b.send(r, c, agent, slice('input', chunk));
          b.recv(agent, c, r, window);
          for (let i = 0; i < n; i++) b.send(agent, c, mod(r + j + k + i, n), window);
          for (let q = 0; q < n; q++) b.recv(q, c, agent, slice('output', r * count + chunk.offset, chunk.count));
        });
      }
    });
    return b.build('allGather', 'nvls', params, { input: count, output: count * n, scratch: parts.length * n * windowCount });
  },
  /**
   * T = α + (S + b)·β/e
   * S = n·count·elementBytes (every block comes down each rank's switch link once), c =
   * min(channels, count) parts per block, b = one chunk of every part of one block
   * (c·min(chunkElements, ⌈count/c⌉)·elementBytes): the first chunks go up before anything
   * comes down. e = the switch's reductionEfficiency. α: rank→switch→rank.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (nvls.unsupported(params) !== null) return Number.NaN;
    const { nranks: n, count, chunkElements, elementBytes } = params;
    if (count === 0) return 0;
    const c = clampChannels(params.channels, count);
    const perPart = Math.ceil(count / c);
    const firstBytes = c * Math.min(chunkElements > 0 ? chunkElements : perPart, perPart) * elementBytes;
    const beta = nsPerByte(cost.bandwidthBytesPerSec) / (cost.reductionEfficiency ?? 1);
    return cost.alphaNs + (n * count * elementBytes + firstBytes) * beta;
  },
};
