import { nvlsBlockChunkBytes, withProtocols } from '../protocols.js';
import { StepBuilder, assertPlannable, slice } from '../kit.js';
import { channelRanges, chunksOf, mod } from '../logical.js';
import type { Algorithm, PlanParams, Schedule } from '../types.js';
import { chunkWindow, nvlsStreamNs, nvlsBlockProblem } from '../all-reduce/nvls-steps.js';

/**
 * NCCL's NVLS all-gather on one NVSwitch domain: rank r stores its block to the multicast
 * address (multimem.st) and the switch writes it to every rank, rank r included. Channel
 * (j, r) carries part j of block r; the switch's n copies of a chunk go out one after
 * another starting at rank (r + j + k) mod n, so the n·c channels' copies spread over the
 * downlinks as one hardware multicast would load them. No arithmetic: the switch copies.
 */
export const nvls: Algorithm = withProtocols({
  name: 'nvls',
  collective: 'allGather',
  description: "NCCL's NVLS: each rank's block goes up to the NVSwitch once and the switch multicasts it to every rank (multimem store).",
  constraints: 'needs one reduction-capable switch reaching every rank (NVSwitch with NVLink SHARP); uses n·channels channels; at most 32 GPUs (NCCL_MAX_NVLS_ARITY)',
  unsupported: nvlsBlockProblem,
  plan(params: PlanParams): Schedule {
    assertPlannable(nvlsBlockProblem(params));
    const { nranks: n, count, chunkElements } = params;
    const parts = channelRanges(count, params.channels);
    const agent = n;
    const b = new StepBuilder(n + 1, parts.length * n);
    const windowCount = chunkWindow(parts, chunkElements);
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
  predictNs: nvlsStreamNs,
  /** NCCL's NVLS chunk for the n blocks, as one part's share of NCCL's NVLS channels (16 on Hopper, 24/32 on Blackwell) (protocols.ts nvlsBlockChunkBytes). */
  defaultChunkBytes: nvlsBlockChunkBytes,
}, 'NVLS', ['Simple']);
