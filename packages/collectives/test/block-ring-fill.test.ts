import { describe, expect, it } from 'vitest';
import { ring as allGatherRing } from '../src/all-gather/index.js';
import { ring as reduceScatterRing } from '../src/reduce-scatter/index.js';
import { checkReference } from '../src/reference.js';
import type { Schedule } from '../src/types.js';
import { COST, params } from './helpers.js';

/**
 * NCCL's ring all-gather and reduce-scatter move their first loop iteration's blocks whole (the
 * ring's fill: nccl-ring.ts ncclBlockRingSlices), as the ring all-reduce does, and the later
 * iterations in Simple's two slices; the predictor charges the same.
 */
describe.each([
  ['allGather', allGatherRing],
  ['reduceScatter', reduceScatterRing],
] as const)('%s ring: the fill', (_, ring) => {
  // 8 ranks, one channel, blocks of 40,000 floats in two chunks (loop iterations) of 20,000 (80 KB,
  // past twice NCCL's 32 KiB slice floor, so Simple halves them).
  const twoIterations = { ...params(8, 40000, 1, 20000), protocol: 'Simple' as const };
  const sendCounts = (s: Schedule): number[] => s.participants[0]!.channels[0]!.flatMap((x) => (x.op === 'send' ? [x.src.count] : []));

  it('moves the first chunk whole, the second in two slices, and reduces right', () => {
    const s = ring.plan(twoIterations);
    expect(sendCounts(s)).toEqual([20000, 10000, 10000]);
    expect(checkReference(s, 'sum', 'float32').wrong).toBe(0);
  });

  it('predicts the fill as n-1 steps of α + b·β, then a sliced iteration that hides α but one', () => {
    // launch 8.4 µs; the fill: 7 hops of α (3.4 µs) + b·β (80,000 ns); the second iteration: 7 hops
    // of max(α + b/2·β, b·β) = b·β, then its last hop's α drains. (Both sliced: 8400 + 2·563,400.)
    expect(ring.predictNs(twoIterations, COST)).toBe(8400 + 7 * (3400 + 80000) + 7 * 80000 + 3400);
  });
});
