import { nvlsChunkBytes, nvlsHeads, withProtocols } from '../protocols.js';
import { assertPlannable } from '../kit.js';
import { chunkCount, clampChannels } from '../logical.js';
import type { Algorithm, CostParams, PlanParams } from '../types.js';
import { NVLS_LAG, planNvls, roundBytes, singleSwitchProblem, switchNsPerByte } from './nvls-steps.js';

/**
 * NCCL's NVLS all-reduce on one NVSwitch domain (NVLink SHARP): per chunk, a load-reduce at
 * the switch returns the sum of the ranks' chunks to the chunk's head rank, and the head's
 * multicast store writes it back to every rank through the switch. The switch agent really
 * adds in data mode. Schedule and ordering: ./nvls-steps.ts.
 */
export const nvls: Algorithm = withProtocols({
  name: 'nvls',
  collective: 'allReduce',
  description: "NCCL's NVLS: the NVSwitch sums every rank's chunk for the chunk's head (multimem load-reduce), the head's multicast store writes the sum to all ranks.",
  constraints: 'needs one reduction-capable switch reaching every rank (NVSwitch with NVLink SHARP); uses heads·channels channels, heads = min(32, n) (NCCL_MAX_NVLS_ARITY)',
  unsupported: (params) => singleSwitchProblem(params),
  plan(params: PlanParams) {
    assertPlannable(nvls.unsupported(params));
    return planNvls(params, 'nvls');
  },
  /**
   * T = 2α + T_chain (2 <= m <= LAG + 2), else 2α + max(min(2m, m + LAG + 1)·R, T_window),  R = b·(H+1)/H · β/e
   * H = nvlsHeads(n) (NCCL's heads: min(32, n)), c = min(H·channels, count) parts, m = chunks
   * per part, b = one chunk summed over the parts (c·min(chunkElements, ⌈count/c⌉)·elementBytes),
   * e = the switch's reductionEfficiency (cost.reductionEfficiency, 1 when absent), LAG = 2
   * (nvls-steps.ts). R is one round: every head's switch link carries b + b/H each way per round
   * (inputs and its stores up, its sums and the multicasts down; a rank that heads nothing, b). A part's chunk k is multicast LAG rounds
   * after its load-reduce and the first inputs go up alone, so m chunks take m + LAG + 1
   * rounds (measured m + 3.2 on dgx-h100 for m >= 5); one chunk is exactly up, sum, store,
   * multicast: 2 rounds. 2α: the four half-hops rank→switch→head→switch→rank of the last chunk.
   * T_chain: 2 <= m <= LAG + 2 chunks run as a chain, all inputs up before the first multicast (nvlsChainNs).
   * T_window: m > LAG + 2, the LAG + 2 inputs every rank posts ahead go up before the first multicast (nvlsWindowNs).
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (singleSwitchProblem(params) !== null) return Number.NaN;
    return nvlsIntraNs(params, cost, nvlsHeads(params.nranks));
  },
  /** NCCL's NVLS chunk for this size, as one part's share of NCCL's NVLS channels (16 on Hopper, 24/32 on Blackwell) (protocols.ts nvlsChunkBytes). */
  defaultChunkBytes: nvlsChunkBytes,
}, 'NVLS', ['Simple']);

/** Pipeline rounds of NVLS with `heads` heads per group: min(2m, m + LAG + 1) for m chunks per part (see nvls.predictNs). */
export function nvlsRounds(params: PlanParams, heads: number): number {
  const m = nvlsChunks(params, heads);
  return Math.min(2 * m, m + NVLS_LAG + 1);
}

/** Chunks per part of NVLS with `heads` heads per group, channels · heads parts (the largest part's). */
export function nvlsChunks(params: PlanParams, heads: number): number {
  return chunkCount(Math.ceil(params.count / clampChannels(params.channels * heads, params.count)), params.chunkElements);
}

/** The in-switch part of NVLS with `heads` heads per group (see nvls.predictNs): a head's link binds. */
export function nvlsIntraNs(params: PlanParams, cost: CostParams, heads: number): number {
  if (params.count === 0) return 0;
  const roundNs = (roundBytes(params, params.channels * heads) * (heads + 1) * switchNsPerByte(cost)) / heads;
  // 2 <= m <= LAG + 2: the chain (every input up before the first multicast); it was the lesser of
  // it and the rounds, which took the rounds at m = LAG + 2 from 7 heads up: 1.014 / 1.070 / 1.104x
  // on switch:8 / 16 / 32 (the chain: 0.98-0.99x, as at m = 2, 3).
  const chainNs = nvlsChainNs(params, cost, heads);
  if (Number.isFinite(chainNs)) return 2 * cost.intra.alphaNs + chainNs;
  return 2 * cost.intra.alphaNs + Math.max(nvlsRounds(params, heads) * roundNs, nvlsWindowNs(params, cost, heads));
}

/** Inputs a channel that heads no part posts before its first multicast receive (nvls-steps.ts planNvls: inputs 0..LAG+1). */
const INPUTS_AHEAD = NVLS_LAG + 2;

/**
 * NVLS with m > LAG + 2 chunks per part, bound by the inputs posted ahead (the schedule, as
 * nvlsChainNs for fewer): every channel that heads no part posts INPUTS_AHEAD = 4 inputs before
 * its first multicast receive, and a head's channel stores chunk 0 as its fourth message (after
 * inputs 0..2), so a rank's uplink carries 4 rounds of inputs (4b) before the first store lands
 * and anything is multicast; from then its downlink carries the whole multicast (S) and the sums
 * of chunks 4.. (its share of the rest, (S − 4b)/H):
 *   T_window = (S·(H+1)/H + 4b·(H−1)/H) · β/e
 * against the rounds' (m + 3)·b·(H+1)/H, (H − 7)/(H + 1) rounds more (whole chunks): measured
 * extra 0.121 / 0.775 / 0.909 rounds on H = 8 / 32 / 72 (switch:N, m = 5–32, the same for every
 * m; nvls.md, "NCCL's cap on NVLS heads"), this gives 0.111 / 0.758 / 0.890. With 7 heads or
 * fewer the rounds bind.
 */
export function nvlsWindowNs(params: PlanParams, cost: CostParams, heads: number): number {
  if (nvlsChunks(params, heads) <= INPUTS_AHEAD) return 0;
  const bytes = params.count * params.elementBytes;
  const ahead = INPUTS_AHEAD * roundBytes(params, params.channels * heads);
  return ((bytes * (heads + 1)) / heads + (ahead * (heads - 1)) / heads) * switchNsPerByte(cost);
}

/**
 * NVLS with few chunks per part, 2 <= m <= LAG + 2, as the chain it runs (the schedule, not a
 * fitted factor): a rank's channels that head no part post inputs 0..LAG+1 before their first
 * multicast receive, and the head's channel posts input 1 before taking sum 0 and stores
 * chunk 0 only after input 2, so every input goes up (S = count · elementBytes per rank)
 * before the first store (b/H, its head's share of one round; sum 0 came down while input 1
 * went up); then the switch's multicasts, each part's chunks one after another, bring S down
 * to every rank, later stores arriving while earlier multicasts run:
 *   T_chain = (2S + b/H) · β/e
 * The rounds' 2m·R charges every round's b/H of sums and stores and m full chunks where the
 * last is ragged: dgx-h100:nodes=1 8 MiB (m = 2) was predicted 86.1 µs, simulated 80.5; this
 * gives 81.1. One chunk (m = 1) has sum 0 on the path too: that is the rounds' 2R, exactly.
 * Longer parts overlap inputs with multicasts: the rounds' m + LAG + 1, or nvlsWindowNs.
 */
export function nvlsChainNs(params: PlanParams, cost: CostParams, heads: number): number {
  const m = nvlsChunks(params, heads);
  if (m < 2 || m > NVLS_LAG + 2) return Number.POSITIVE_INFINITY;
  const firstStoreBytes = roundBytes(params, params.channels * heads) / heads;
  return (2 * params.count * params.elementBytes + firstStoreBytes) * switchNsPerByte(cost);
}
