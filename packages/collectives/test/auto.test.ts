import { isWeftInputError } from '@weft/sim';
import { describe, expect, it } from 'vitest';
import { chooseAlgorithm } from '../src/auto.js';
import type { CostParams, PlanParams } from '../src/types.js';

/** A single non-blocking switch: 2 µs rank-to-rank latency, 50 GB/s per rank. */
const switchCost: CostParams = {
  alphaNs: 2000,
  bandwidthBytesPerSec: 50e9,
  intra: { alphaNs: 2000, bandwidthBytesPerSec: 50e9 },
  inter: { alphaNs: 2000, bandwidthBytesPerSec: 50e9 },
};

const params = (nranks: number, count: number, hasReductionSwitch = false): PlanParams => ({
  nranks,
  count,
  root: 0,
  elementBytes: 4,
  channels: 1,
  chunkElements: 0,
  layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch },
});

describe('chooseAlgorithm (argmin of predictNs, as NCCL tuning.cc)', () => {
  it('picks a latency-bound algorithm (rd) for tiny messages', () => {
    for (const n of [8, 12, 24]) {
      const choice = chooseAlgorithm('allReduce', params(n, 1), switchCost);
      expect(['rd', 'tree']).toContain(choice.algorithm.name);
    }
    // 12 ranks, 4 bytes: rd = (3 + 2 fold) rounds ≈ 5α; ring = 22α.
    expect(chooseAlgorithm('allReduce', params(12, 1), switchCost).algorithm.name).toBe('rd');
  });

  it('picks ring for large messages on 12 and 24 ranks (rhd pays the fold, direct ties and loses by registry order)', () => {
    for (const n of [12, 24]) {
      const choice = chooseAlgorithm('allReduce', params(n, 64 << 20), switchCost);
      expect(choice.algorithm.name).toBe('ring');
      const direct = choice.candidates.find((c) => c.name === 'direct')!;
      expect(direct.predictedNs).toBe(choice.predictedNs);
      for (const c of choice.candidates) if (c.unsupported === undefined) expect(c.predictedNs).toBeGreaterThanOrEqual(choice.predictedNs);
    }
  });

  it('on a power of two the model prefers rhd for large messages (same bandwidth term as ring, log2 n latency)', () => {
    expect(chooseAlgorithm('allReduce', params(16, 64 << 20), switchCost).algorithm.name).toBe('rhd');
  });

  it('lists every candidate, with the reason for the unsupported ones, and picks innetwork when a reduction switch exists', () => {
    const without = chooseAlgorithm('allReduce', params(8, 1 << 20), switchCost);
    expect(without.candidates.map((c) => c.name)).toEqual(['ring', 'tree', 'rhd', 'rd', 'direct', 'hierarchical', 'innetwork', 'nvls', 'nvlstree', 'ring-rankorder', 'tree-rankorder']);
    const innet = without.candidates.find((c) => c.name === 'innetwork')!;
    expect(innet.unsupported).toMatch(/needs a reduction-capable switch/);
    expect(Number.isNaN(innet.predictedNs)).toBe(true);
    // With a reduction switch and 64 Ki-element chunks: 8 channels of 128 Ki elements, 2 chunks
    // each; innetwork moves S once each way, overlapped: 3·α/2 + S·β + S/2·β ≈ 129 µs, against
    // rhd's 28α + 1.75·S·β ≈ 203 µs.
    const pipelined = { ...params(8, 1 << 20, true), chunkElements: 65536 };
    const choice = chooseAlgorithm('allReduce', pipelined, switchCost);
    expect(choice.algorithm.name).toBe('innetwork');
    expect(choice.predictedNs).toBeCloseTo((3 * 2000) / 2 + ((4 << 20) + (2 << 20)) / 50, 6);
    // Unpipelined it sends everything up before anything comes down (2α + 2·S·β) and loses to rhd.
    expect(chooseAlgorithm('allReduce', params(8, 1 << 20, true), switchCost).algorithm.name).toBe('rhd');
  });

  it('breaks ties by registry order (count 0: every prediction is 0, ring comes first)', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 0), switchCost);
    expect(choice.predictedNs).toBe(0);
    expect(choice.algorithm.name).toBe('ring');
  });

  it('throws a WeftInputError when nothing can run', () => {
    let error: unknown;
    try {
      // channels 0 would ask each algorithm for its own count (resolveChannels); a negative
      // chunk size is wrong for every algorithm.
      chooseAlgorithm('allReduce', { ...params(4, 10), chunkElements: -1 }, switchCost);
    } catch (e) {
      error = e;
    }
    expect(isWeftInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^no allReduce algorithm can run on 4 ranks with count 10 \(ring: chunkElements must be/);
  });
});
