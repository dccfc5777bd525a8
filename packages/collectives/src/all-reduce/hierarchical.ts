import { StepBuilder, assertPlannable, invalidParams, nsPerByte, railHopAlpha, ringPathNs, ringsLinkFactor, slice } from '../kit.js';
import { channelRanges, chunkCount, chunksOf, clampChannels, parts, type Range } from '../logical.js';
import type { Algorithm, CostParams, PlanParams, RankLayout, Schedule } from '../types.js';
import { ringAllGather, ringAllReduce, ringReduceScatter } from './ring.js';

/** Why layout.groups cannot drive the hierarchical algorithm, or null. */
function invalidGroups(layout: RankLayout, nranks: number): string | null {
  const groups = layout.groups;
  if (groups.length === 0) return 'layout.groups is empty';
  const seen = new Array<boolean>(nranks).fill(false);
  for (const group of groups) {
    for (const r of group) {
      if (!Number.isInteger(r) || r < 0 || r >= nranks || seen[r]) {
        return `layout.groups must list each rank 0..${nranks - 1} exactly once (rank ${r})`;
      }
      seen[r] = true;
    }
  }
  const missing = seen.indexOf(false);
  if (missing >= 0) return `layout.groups must list each rank 0..${nranks - 1} exactly once (rank ${missing} is missing)`;
  const size = groups[0]!.length;
  const uneven = groups.findIndex((g) => g.length !== size);
  if (uneven >= 0) return `needs equal group sizes (group 0 has ${size} ranks, group ${uneven} has ${groups[uneven]!.length})`;
  return null;
}

/**
 * Hierarchical all-reduce (NCCL's intra-node/inter-node split; Horovod's hierarchical
 * allreduce). For each loop iteration of a channel's part (nranks·chunkElements
 * elements, or the whole part — as NCCL's ring loop covers nranks·chunkSize, so every
 * message, intra- or inter-group, is one chunk): (1) ring reduce-scatter inside each group, so local index
 * i holds shard i reduced over its group; (2) ring all-reduce of shard i across groups
 * among the ranks with local index i; (3) ring all-gather inside each group.
 * With one group this is the ring algorithm over the group; with groups of one rank, a
 * ring over the groups.
 */
export const hierarchical: Algorithm = {
  name: 'hierarchical',
  collective: 'allReduce',
  description: 'Hierarchical: reduce-scatter inside each group, all-reduce each shard across groups, all-gather inside each group.',
  constraints: 'layout.groups must partition the ranks into groups of equal size',
  unsupported(params) {
    return invalidParams(params) ?? invalidGroups(params.layout, params.nranks);
  },
  plan(params: PlanParams): Schedule {
    assertPlannable(hierarchical.unsupported(params));
    const { nranks: n, count, chunkElements } = params;
    const groups = params.layout.groups;
    const local = groups[0]!.length;
    const channels = channelRanges(count, params.channels);
    const b = new StepBuilder(n, channels.length);
    channels.forEach((range, c) => {
      for (let r = 0; r < n; r++) b.copy(r, c, slice('input', range), slice('output', range));
      const loop = chunkElements > 0 ? chunksOf(range, chunkElements * n) : [range];
      for (const iteration of loop) {
        const shards: Range[] = parts(iteration.count, local, iteration.offset);
        for (const group of groups) ringReduceScatter(b, c, group, shards);
        for (let i = 0; i < local; i++) {
          ringAllReduce(b, c, groups.map((g) => g[i]!), shards[i]!);
        }
        for (const group of groups) ringAllGather(b, c, group, shards);
      }
      b.partsPlanned(c + 1, channels.length);
    });
    return b.build('allReduce', 'hierarchical', params, { input: count, output: count, scratch: 0 });
  },
  /**
   * With L ranks per group, G groups, S = count·elementBytes, m loop iterations of the
   * largest channel (ceil(ceil(count/c)/(n·chunkElements)), 1 unchunked):
   *   T = m·(2(L-1)·α_intra + A_inter) + 2(L-1)/L·S·β_intra + 2(G-1)/(G·L)·S·β_inter
   * A_inter = the worst ring path of 2(G-1) hops among the rings across groups (cost.ts
   * ringPathNs, each hop its own α: railHopAlpha — 2(G-1)·α_inter when every hop costs the same)
   * (ring reduce-scatter and all-gather inside the group over intra links, ring all-reduce
   * of each 1/L shard over inter links, all shards' rings concurrently). Where paths are
   * narrower than a rank's injection each phase's β counts the links its rings share (cost.ts
   * ringsLinkFactor: ring:8's ranks alone in their groups make one ring over ring:8's routers,
   * each hop one 49 GB/s direction; 4 MiB: 129 → 192 µs predicted, 192 simulated).
   * Unsupported → NaN.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (hierarchical.unsupported(params) !== null) return Number.NaN;
    const { count, chunkElements, elementBytes } = params;
    const L = params.layout.groups[0]!.length;
    const G = params.layout.groups.length;
    if (params.nranks === 1 || count === 0) return 0;
    const c = clampChannels(params.channels, count);
    const m = chunkCount(Math.ceil(count / c), chunkElements > 0 ? chunkElements * params.nranks : 0);
    const bytes = count * elementBytes;
    // The rings across groups (local index i of every group) pay their own hops' α in a row: on a
    // rail-optimized fabric the rail's (one leaf), a spine's only where the ring leaves a unit.
    const alpha = railHopAlpha(params, cost);
    const interRings = Array.from({ length: L }, (_, i) => params.layout.groups.map((g) => g[i]!));
    let interPathNs = 0;
    for (const ring of interRings) interPathNs = Math.max(interPathNs, ringPathNs(ring, 2 * (G - 1), alpha));
    // Each phase's rings run at once: on the links they share where paths are narrower than a rank's injection.
    return (
      m * (2 * (L - 1) * cost.intra.alphaNs + interPathNs) +
      ((2 * (L - 1)) / L) * bytes * nsPerByte(cost.intra.bandwidthBytesPerSec) * ringsLinkFactor(params, params.layout.groups) +
      ((2 * (G - 1)) / (G * L)) * bytes * nsPerByte(cost.inter.bandwidthBytesPerSec) * ringsLinkFactor(params, interRings)
    );
  },
};
