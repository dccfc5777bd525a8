import { describe, expect, it } from 'vitest';
import { dissemination } from '../src/barrier/dissemination.js';
import { binomial } from '../src/broadcast/binomial.js';
import { chainPathNs, hopAlpha, ringPathNs, rotationAlphaNs } from '../src/cost.js';
import { shift } from '../src/send-recv/shift.js';
import type { CostParams, PlanParams } from '../src/types.js';

/** 8 ranks in two groups of four; α 200 ns inside a group, 2000 ns between; 1 byte/ns. */
const cost: CostParams = {
  alphaNs: 2000,
  bandwidthBytesPerSec: 1e9,
  intra: { alphaNs: 200, bandwidthBytesPerSec: 1e9 },
  inter: { alphaNs: 2000, bandwidthBytesPerSec: 1e9 },
};
const params = (count: number, root = 0): PlanParams => ({
  nranks: 8,
  count,
  root,
  elementBytes: 4,
  channels: 1,
  chunkElements: 0,
  layout: { groups: [[0, 1, 2, 3], [4, 5, 6, 7]], hasReductionSwitch: false },
});
const order = [0, 1, 2, 3, 4, 5, 6, 7];

describe('per-hop latency (cost.ts)', () => {
  const alpha = hopAlpha(params(1), cost);

  it('charges intra α inside a group and inter α across', () => {
    expect([alpha(0, 3), alpha(3, 4), alpha(7, 0)]).toEqual([200, 2000, 2000]);
  });

  it('ringPathNs: the worst run of consecutive ring hops, laps included', () => {
    expect(ringPathNs(order, 1, alpha)).toBe(2000);
    expect(ringPathNs(order, 3, alpha)).toBe(2000 + 200 + 200);
    // 5 consecutive edges hold both crossings (3→4 and 7→0 are 4 apart).
    expect(ringPathNs(order, 5, alpha)).toBe(2 * 2000 + 3 * 200);
    expect(ringPathNs(order, 8 + 1, alpha)).toBe(2 * 2000 + 6 * 200 + 2000);
    expect(ringPathNs([5], 3, alpha)).toBe(0);
  });

  it('chainPathNs: a fixed chain, from its first rank', () => {
    // 2 → 3 → 4 → 5: one crossing.
    expect(chainPathNs(order, 2, 3, alpha)).toBe(200 + 2000 + 200);
  });

  it('rotationAlphaNs: the worst hop of a round r → r + d', () => {
    expect(rotationAlphaNs(8, 4, alpha)).toBe(2000);
    expect(rotationAlphaNs(8, 8, alpha)).toBe(0); // every rank to itself: no message
  });

  it('shift and binomial broadcast sum their rounds’ worst hops; dissemination follows its longest chain', () => {
    // shift: r → r+1 crosses at 3→4, its worst hop; as NCCL's p2p it runs under Ring/Simple, so it pays
    // the 8.4 µs launch and that hop's α is NET's 14 µs step (above the fabric's 2000 ns): + 4000 bytes.
    expect(shift.predictNs(params(1000), cost)).toBe(8400 + 14_000 + 4000);
    // dissemination, its rounds replayed: every round has a crossing pair, but no chain of tokens
    // crosses at every round — the longest crosses twice and stays once (e.g. 6 → 0 at distance 2
    // after 5 → 6 at distance 1, then 0 → 4 at distance 4): 200 + 2·2000, not 3·2000.
    expect(dissemination.predictNs(params(0), cost)).toBe(200 + 2 * 2000);
    // binomial from root 0: distance 1 (0↔1) and 2 (0↔2, 1↔3) stay in group 0; 4 crosses.
    expect(binomial.predictNs(params(1000), cost)).toBe(200 + 200 + 2000 + 3 * 4000);
  });
});
