import { isWeftInputError } from '@weft/sim';
import { describe, expect, it } from 'vitest';
import { chooseAlgorithm, runNamed } from '../src/auto.js';
import { listAlgorithms } from '../src/registry.js';
import { getAlgorithm } from '../src/registry.js';
import { NCCL_LATENCY_US } from '../src/protocols.js';
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

/** NCCL's launch + per-step latency (ns) of a one-group ring under `p` on this switch (α = 2 µs dominates LL's 0.6 µs). */
const ringLatencyNs = (n: number, p: 'LL' | 'LL128' | 'Simple') =>
  NCCL_LATENCY_US.baseLat.Ring[p] * 1000 + 2 * (n - 1) * Math.max(2000, NCCL_LATENCY_US.hwLat.nvlink.Ring[p] * 1000);

describe('chooseAlgorithm (NCCL tuning.cc: argmin of predicted time over NCCL\'s (algorithm, protocol) candidates)', () => {
  it('weighs only NCCL\'s algorithms (those with protocols), each under its protocols (NVLS rows: Simple only), in registry order', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 1 << 20), switchCost);
    expect(choice.candidates.map((c) => `${c.name}/${c.protocol}`)).toEqual(['ring/LL', 'ring/LL128', 'ring/Simple', 'tree/LL', 'tree/LL128', 'tree/Simple', 'nvls/Simple', 'nvlstree/Simple']);
    // No reduction switch here: nvls and nvlstree are candidates that cannot run (NaN, with the reason).
    for (const c of choice.candidates.filter((c) => c.name.startsWith('nvls'))) expect(c.unsupported).toBeTruthy();
    for (const c of choice.candidates.filter((c) => !c.name.startsWith('nvls'))) expect(c.predictedNs).toBeGreaterThanOrEqual(choice.predictedNs);
    expect(choice.params.protocol).toBe(choice.candidates.find((c) => c.predictedNs === choice.predictedNs)!.protocol);
  });

  it('small messages: LL (lowest launch and step latency); the ring/LL candidate is launch + 2(n-1)·max(α, hwLat) + 2(n-1)/n·S·4β', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 2), switchCost);
    expect(choice.params.protocol).toBe('LL');
    const ringLL = choice.candidates.find((c) => c.name === 'ring' && c.protocol === 'LL')!;
    // 8 bytes over 8 ranks: blocks of 1 element; LL runs at 1/4 of Simple's bandwidth (NCCL's
    // model: its 8-byte lines carry 4 data bytes, and thread-bound stores halve that again).
    expect(ringLL.predictedNs).toBeCloseTo(ringLatencyNs(8, 'LL') + (14 / 8) * 8 * 4 / 50, 6);
  });

  it('large messages: Simple (full wire bandwidth beats its higher latency)', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 1 << 28), switchCost);
    expect(choice.params.protocol).toBe('Simple');
    expect(choice.algorithm.name).toBe('ring');
    // One loop iteration (no chunking), whose blocks move whole (ncclRingFillSlices): every
    // hop's latency adds to the transfer, NCCL's own ring time (launch + 2(n-1)·hwLat + bytes/bw).
    expect(choice.predictedNs).toBeCloseTo(ringLatencyNs(8, 'Simple') + (14 / 8) * (1 << 30) / 50, 3);
  });

  it('a protocol given (NCCL_PROTO) restricts every candidate to it', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 2), switchCost, 'Simple');
    expect(choice.candidates.map((c) => c.protocol)).toEqual(['Simple', 'Simple', 'Simple', 'Simple']);
    expect(choice.params.protocol).toBe('Simple');
  });

  it('a collective without NCCL algorithms falls back to all of its algorithms, without protocols', () => {
    const choice = chooseAlgorithm('barrier', params(8, 1024), switchCost);
    expect(choice.candidates.map((c) => c.name)).toEqual(listAlgorithms('barrier').map((a) => a.name));
    for (const c of choice.candidates) expect(c.protocol).toBeUndefined();
    expect(choice.params.protocol).toBeUndefined();
  });

  it('breaks ties by candidate order (count 0: every prediction is 0, ring/LL comes first)', () => {
    const choice = chooseAlgorithm('allReduce', params(8, 0), switchCost);
    expect(choice.predictedNs).toBe(0);
    expect(`${choice.algorithm.name}/${choice.params.protocol}`).toBe('ring/LL');
  });

  it('throws a WeftInputError when nothing can run', () => {
    let error: unknown;
    try {
      // A negative chunk size is wrong for every algorithm.
      chooseAlgorithm('allReduce', { ...params(4, 10), chunkElements: -1 }, switchCost);
    } catch (e) {
      error = e;
    }
    expect(isWeftInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^no allReduce algorithm can run on 4 ranks with count 10 \(ring\/LL: chunkElements must be/);
  });
});

describe('runNamed (a named algorithm as NCCL runs it under NCCL_ALGO; weft bench --algo and weft train --algo)', () => {
  it('takes the protocol predicted fastest, or the one pinned, with every candidate weighed', () => {
    const ring = getAlgorithm('allReduce', 'ring');
    const small = runNamed('allReduce', ring, params(8, 2), switchCost);
    if (small.refused !== undefined) throw new Error('refused');
    expect(small.params.protocol).toBe('LL');
    expect(small.candidates.map((c) => c.protocol)).toEqual(['LL', 'LL128', 'Simple']);
    expect(small.predictedNs).toBe(Math.min(...small.candidates.map((c) => c.predictedNs)));
    const pinned = runNamed('allReduce', ring, params(8, 2), switchCost, 'Simple');
    if (pinned.refused !== undefined) throw new Error('refused');
    expect(pinned.params.protocol).toBe('Simple');
    expect(pinned.predictedNs).toBeGreaterThan(small.predictedNs);
  });

  it('refuses --proto for a textbook algorithm, naming the value and the collective\'s NCCL algorithms', () => {
    const run = runNamed('allGather', getAlgorithm('allGather', 'bruck'), params(4, 1024), switchCost, 'LL');
    expect(run).toEqual({ refused: '--proto', message: "--proto LL: 'bruck' is a textbook algorithm without NCCL protocols; --proto applies to NCCL's algorithms (ring, nvls, pat), or use --proto auto" });
  });

  it('an algorithm that cannot run gives each distinct reason once (not once per protocol)', () => {
    // No built-in NCCL algorithm refuses under all of several protocols; a ring that never fits shows the rule.
    const ring = getAlgorithm('allReduce', 'ring');
    const never = { ...ring, unsupported: () => 'needs a fabric this is not' };
    expect(ring.protocols!.length).toBe(3);
    expect(runNamed('allReduce', never, params(8, 1 << 20), switchCost)).toEqual({ refused: '--algo', reason: 'needs a fabric this is not' });
    expect(runNamed('allReduce', getAlgorithm('allReduce', 'nvlstree'), params(8, 1 << 20), switchCost).refused).toBe('--algo');
  });
});
