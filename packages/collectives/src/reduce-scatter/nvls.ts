import { nvlsBlockChunkBytes, withProtocols } from '../protocols.js';
import { StepBuilder, assertPlannable, slice } from '../kit.js';
import { channelRanges, chunksOf } from '../logical.js';
import type { Algorithm, PlanParams, Schedule } from '../types.js';
import { chunkWindow, reduceAtSwitch, nvlsStreamNs, nvlsBlockProblem } from '../all-reduce/nvls-steps.js';

/**
 * NCCL's NVLS reduce-scatter on one NVSwitch domain: rank r load-reduces its own block
 * (multimem.ld_reduce): the switch reads block r from every rank, sums it and returns it to
 * rank r. Channel (j, r) carries part j of block r, so the switch's returns to the n ranks
 * run side by side; every rank streams its whole input (n blocks) up and gets one block
 * down. The switch agent really adds in data mode.
 */
export const nvls: Algorithm = withProtocols({
  name: 'nvls',
  collective: 'reduceScatter',
  description: "NCCL's NVLS: the NVSwitch sums block r of every rank's input and returns it to rank r (multimem load-reduce).",
  constraints: 'needs one reduction-capable switch reaching every rank (NVSwitch with NVLink SHARP); uses n·channels channels; at most 32 GPUs (NCCL_MAX_NVLS_ARITY)',
  unsupported: nvlsBlockProblem,
  plan(params: PlanParams): Schedule {
    assertPlannable(nvlsBlockProblem(params));
    const { nranks: n, count, chunkElements } = params;
    const parts = channelRanges(count, params.channels);
    const agent = n;
    const group = Array.from({ length: n }, (_, r) => r);
    const b = new StepBuilder(n + 1, parts.length * n);
    const windowCount = chunkWindow(parts, chunkElements);
    parts.forEach((part, j) => {
      const chunks = chunksOf(part, chunkElements);
      for (let r = 0; r < n; r++) {
        const c = j * n + r;
        const input = (k: number) => slice('input', r * count + chunks[k]!.offset, chunks[k]!.count);
        const window = (k: number) => slice('scratch', c * windowCount, chunks[k]!.count);
        chunks.forEach((chunk, k) => {
          reduceAtSwitch(b, agent, c, group, r, window(k));
          for (const q of group) {
            if (k === 0) b.send(q, c, agent, input(0));
            if (k + 1 < chunks.length) b.send(q, c, agent, input(k + 1));
            if (q === r) b.recv(q, c, agent, slice('output', chunk));
          }
        });
      }
    });
    return b.build('reduceScatter', 'nvls', params, { input: count * n, output: count, scratch: parts.length * n * windowCount });
  },
  /**
   * T = α + (S + b)·β/e
   * S = n·count·elementBytes (a rank's whole input, which it streams to the switch), c =
   * min(channels, count) parts per block, b = one chunk of every part of one block
   * (c·min(chunkElements, ⌈count/c⌉)·elementBytes): the last chunk's sum comes down after
   * the last input went up. e = the switch's reductionEfficiency. α: rank→switch→rank.
   */
  predictNs: nvlsStreamNs,
  /** NCCL's NVLS chunk for the n blocks, as one part's share of NCCL's NVLS channels (16 on Hopper, 24/32 on Blackwell) (protocols.ts nvlsBlockChunkBytes). */
  defaultChunkBytes: nvlsBlockChunkBytes,
}, 'NVLS', ['Simple']);
