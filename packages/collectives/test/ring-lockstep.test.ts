/**
 * The ring predictor where channels start together (src/ring-lockstep.ts): closed forms on an
 * uncontended fabric of one class of link, where the fluid has a hand-written answer.
 */
import { describe, expect, it } from 'vitest';
import { ring, ringAlgorithm } from '../src/all-reduce/ring.js';
import { lockstepRingIterationNs } from '../src/ring-lockstep.js';
import { ringCost } from '../src/nccl-ring.js';
import { MAX_POSITION_MESSAGES, positionFluidNs } from '../src/ring-position-fluid.js';
import type { CostParams, PlanParams, RankLayout } from '../src/types.js';

const alphaNs = 1000;
/** 1 byte per ns everywhere: β = 1. */
const cost: CostParams = { alphaNs, bandwidthBytesPerSec: 1e9, intra: { alphaNs, bandwidthBytesPerSec: 1e9 }, inter: { alphaNs: 4 * alphaNs, bandwidthBytesPerSec: 1e8 } };
const oneServer: RankLayout = { groups: [[0, 1, 2, 3]], hasReductionSwitch: false, groupReductionSwitches: false };
const params = (layout: RankLayout, count: number, channels: number): PlanParams => ({ nranks: layout.groups.flat().length, count, root: 0, elementBytes: 4, channels, chunkElements: 0, layout });

describe('ring predictor: channels that start in lockstep', () => {
  it('two channels on rotations of one ring share every link from the first step: 2(n-1)·(α + b·β)', () => {
    // Orders differ as arrays but are one cycle: both channels cross 0→1, 1→2, … together, so
    // every step is their shared transfer (b = S/n of both channels) and then α. Assuming the
    // channels apart gave 2(n-1)·max(b·β, α + b/2·β) = 48 µs.
    const rotated = ringAlgorithm('rotated', '', () => [[0, 1, 2, 3], [1, 2, 3, 0]]);
    const S = 8000 * 4;
    expect(rotated.predictNs(params(oneServer, 8000, 2), cost)).toBeCloseTo(6 * (alphaNs + S / 4), 6);
  });

  it('agrees with the identical-ring closed form under slices: each step b·β, the last slice α more', () => {
    const orders = [[0, 1, 2, 3], [0, 1, 2, 3]];
    const ns = lockstepRingIterationNs(orders, 6, 8000, [0.5, 0.5], params(oneServer, 8000, 2), cost);
    expect(ns).toBeCloseTo(6 * 8000 + alphaNs, 6);
  });

  it('positions behind a slow hop: the NIC sender streams its steps back to back, then one α', () => {
    // Two servers of two ranks; rings [0,1,3,2] and [1,0,2,3] (one NVLink and one NIC hop each
    // way): every rank sends one channel over its NVLink (phase 0) and one over its NIC (phase
    // 1). The NIC's transfer (b/2 at 10β) outlasts an NVLink hop and its own α, so the NIC
    // positions send their 6 steps back to back: 6·(b/2)·10β + 4α.
    const layout: RankLayout = { groups: [[0, 1], [2, 3]], hasReductionSwitch: false, groupReductionSwitches: false };
    const b = 8000;
    const ns = lockstepRingIterationNs([[0, 1, 3, 2], [1, 0, 2, 3]], 6, b, [1], params(layout, 8000, 2), cost);
    expect(ns).toBeCloseTo(6 * (b / 2) * 10 + 4 * alphaNs, 6);
    // With the NIC as fast as NVLink, the chain alternates the hops: 3·(α + b/2·β) + 3·(4α + b/2·β).
    const fastNic = { ...cost, inter: { alphaNs: 4 * alphaNs, bandwidthBytesPerSec: 1e9 } };
    const chain = lockstepRingIterationNs([[0, 1, 3, 2], [1, 0, 2, 3]], 6, b, [1], params(layout, 8000, 2), fastNic);
    expect(chain).toBeCloseTo(3 * (alphaNs + b / 2) + 3 * (4 * alphaNs + b / 2), 6);
  });

  it('keeps the all-apart form where the rings are not rotations of one another', () => {
    const layout: RankLayout = { groups: [[0, 1], [2, 3]], hasReductionSwitch: false, groupReductionSwitches: false };
    // Rank order across two servers: rank 1 sends only over its NIC, rank 0 only over NVLink.
    expect(lockstepRingIterationNs([[0, 1, 2, 3]], 6, 8000, [1], params(layout, 8000, 1), cost)).toBeNull();
  });

  it('finishes when a message residue is too small to move a late clock (6 servers × 8 GPUs, 16 channels, 1,000 floats)', () => {
    // 2.6 B messages at 370.8 GB/s and 48 GB/s with 10 µs NIC hops: at 264 µs a rounding residue
    // of 5e-9 B took less than the clock's resolution, and the fluid stood still (a hang, not a wrong value).
    const groups = Array.from({ length: 6 }, (_, s) => Array.from({ length: 8 }, (_, g) => s * 8 + g));
    const layout: RankLayout = { groups, hasReductionSwitch: true, rails: groups.flat().map((r) => r % 8) };
    const dgx: CostParams = { alphaNs: 10_000, bandwidthBytesPerSec: 48e9, intra: { alphaNs: 1_000, bandwidthBytesPerSec: 370.8e9 }, inter: { alphaNs: 10_000, bandwidthBytesPerSec: 48e9 } };
    const ns = ring.predictNs({ ...params(layout, 1000, 16), chunkElements: 1 << 17, protocol: 'Simple' }, dgx);
    expect(Number.isFinite(ns)).toBe(true);
    expect(ns).toBeGreaterThan(2 * 47 * 1_000);
  });
});

describe('ring predictor: ranks that hold different phases (every position followed)', () => {
  const twoServers: RankLayout = { groups: [[0, 1], [2, 3]], hasReductionSwitch: false, groupReductionSwitches: false };

  it('agrees with the one-period fluid where it has a hand-written answer', () => {
    // Rotations on one server: both channels share every port from the first step, 6·(α + 2·4000 B).
    expect(positionFluidNs([[0, 1, 2, 3], [1, 2, 3, 0]], 6, 4000, [1], params(oneServer, 8000, 2), cost)).toBeCloseTo(6 * (alphaNs + 8000), 6);
    // One NVLink and one NIC channel per rank: the NIC positions stream their 6 steps, then 4α.
    const b = 8000;
    expect(positionFluidNs([[0, 1, 3, 2], [1, 0, 2, 3]], 6, b / 2, [1], params(twoServers, 8000, 2), cost)).toBeCloseTo(6 * (b / 2) * 10 + 4 * alphaNs, 6);
    const fastNic = { ...cost, inter: { alphaNs: 4 * alphaNs, bandwidthBytesPerSec: 1e9 } };
    expect(positionFluidNs([[0, 1, 3, 2], [1, 0, 2, 3]], 6, b / 2, [1], params(twoServers, 8000, 2), fastNic)).toBeCloseTo(3 * (alphaNs + b / 2) + 3 * (4 * alphaNs + b / 2), 6);
  });

  it('declines a run longer than its cap (the caller keeps its closed form) rather than spend seconds', () => {
    const orders = [[0, 1, 3, 2], [1, 0, 2, 3]];
    const hops = Math.floor(MAX_POSITION_MESSAGES / 8);
    expect(positionFluidNs(orders, hops + 1, 1000, [1], params(twoServers, 8000, 2), cost)).toBeNull();
    expect(positionFluidNs(orders, 6, 1000, [1], params(twoServers, 8000, 2), cost)).not.toBeNull();
  });

  it('a slice waits for its own predecessor slice only: s slices pipeline a step', () => {
    // One channel on one server, 2 slices of 1000 B: a position forwards slice 0 while slice 1
    // arrives, so each hop after the first costs one slice (1000 ns) and the last lands α later:
    // the path is 6 hops of slice 0 (α + 1000 each) and slice 1 one transfer behind.
    expect(positionFluidNs([[0, 1, 2, 3]], 6, 2000, [0.5, 0.5], params(oneServer, 8000, 1), cost)).toBeCloseTo(6 * (alphaNs + 1000) + 1000, 6);
  });

  it('nvl72:variant=gb200,racks=2 ring 256 MiB: within 2 % of the exact simulation (the all-apart chain was 1.32x / 1.14x short)', () => {
    // Two racks of 72 GPUs on rails, 32 channels (channel c enters a rack at GPU c and leaves
    // from GPU c+1), the preset's links (alphaBetaCost: NVLink 600 ns, 721.8 GB/s; NIC 4.05 µs,
    // 48 GB/s). Simulated (--fast-forward off, benchmarks/results/predictor-error.md): LL128
    // 1,079.2 µs; Simple 1,348.6 µs since its one loop iteration moves its 58 KiB blocks whole
    // (ncclRingFillSlices; 1,141.9 with NCCL's 32 KiB slice floor's 32 KiB and the rest, 1,181.5
    // in two equal halves before that), predicted 1,393.4: this fluid is 3.3 % high on whole
    // Simple blocks here (benchmarks/results/nccl-vs-weft.md, "Ring/Simple's fill"); the
    // all-apart chain predicted 820.9 and 1,037.6.
    const groups = [0, 1].map((rack) => Array.from({ length: 72 }, (_, g) => rack * 72 + g));
    const layout: RankLayout = { groups, hasReductionSwitch: false, groupReductionSwitches: true, rails: groups.flat().map((r) => r % 72) };
    const nvl72: CostParams = { alphaNs: 4050, bandwidthBytesPerSec: 48e9, intra: { alphaNs: 600, bandwidthBytesPerSec: 721.8e9 }, inter: { alphaNs: 4050, bandwidthBytesPerSec: 48e9 }, reductionEfficiency: 0.74, computeCapability: 10 };
    const at = (protocol: 'LL128' | 'Simple', chunkBytes: number): number =>
      ring.predictNs({ ...params(layout, (256 << 20) / 4, 32), chunkElements: chunkBytes / 4, protocol, protocolCapStretch: 1 }, nvl72) / 1000;
    expect(Math.abs(at('LL128', 576_000) / 1079.2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(at('Simple', 2 << 20) / 1348.6 - 1)).toBeLessThan(0.04);
  });
});

describe('ring predictor: rail-aligned rings pay the rail latency on their NIC hops', () => {
  // Two servers of two GPUs, GPU g of each on rail g: the ring 0→1→3→2→0 crosses servers on
  // rail 1 (1→3) and rail 0 (2→0); 0→1→2→3→0 crosses from rail 1 to rail 0 (1→2), through a spine.
  const layout: RankLayout = { groups: [[0, 1], [2, 3]], hasReductionSwitch: false, groupReductionSwitches: false, rails: [0, 1, 0, 1] };
  const railNs = 2500;
  const railed: CostParams = { ...cost, inter: { ...cost.inter, railAlphaNs: railNs } };
  const asRail: CostParams = { ...cost, inter: { ...cost.inter, alphaNs: railNs } };

  it('predicts a rail-aligned ring as if every inter pair had the rail latency, a crossing ring with the worst pair', () => {
    const aligned = ringAlgorithm('aligned', '', () => [[0, 1, 3, 2]]);
    const crossing = ringAlgorithm('crossing', '', () => [[0, 1, 2, 3]]);
    const p = params(layout, 8, 1); // 8 B blocks: latency-bound, every hop's α on the path
    expect(aligned.predictNs(p, railed)).toBeCloseTo(aligned.predictNs(p, asRail), 6);
    // 2(n-1) = 6 hops: a lap (2 NIC hops) and 2 more (one of them a NIC hop), each 1,500 ns less.
    expect(aligned.predictNs(p, cost) - aligned.predictNs(p, railed)).toBeCloseTo(3 * (4 * alphaNs - railNs), 6);
    expect(crossing.predictNs(p, railed)).toBeCloseTo(crossing.predictNs(p, cost), 6);
  });

  it('never raises an α: a cost with its α zeroed (NCCL LL cap slope) keeps them zero', () => {
    const bare: CostParams = { ...railed, intra: { ...railed.intra, alphaNs: 0 }, inter: { ...railed.inter, alphaNs: 0 } };
    expect(ringCost([[0, 1, 3, 2]], params(layout, 8000, 1), bare).inter.alphaNs).toBe(0);
    expect(ringCost([[0, 1, 3, 2]], params(layout, 8000, 1), railed).inter.alphaNs).toBe(railNs);
  });
});
