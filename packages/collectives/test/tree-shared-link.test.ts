/**
 * Tree's predictors where a rank's intra-server and inter-server edges leave by one link: the
 * README's my-cluster.yaml (two servers of 2 GPUs, each GPU's one 400 Gbps link to its server's
 * switch, the switches joined by a spine). The fabric's cost model says so by a rank's injection
 * toward all its peers at once (allPeersBandwidthBytesPerSec, 50 GB/s) being below intra + inter
 * (50 + 50 GB/s). Before, the predictors gave each class a link of its own and predicted tree
 * half the simulated time (issue #9: 1,421.55 µs against 2,771.27 at 64 MiB), so auto ran tree.
 */
import { describe, expect, it } from 'vitest';
import { tree } from '../src/all-reduce/index.js';
import { treeRun } from '../src/all-reduce/tree.js';
import { sharedNsPerByte } from '../src/cost.js';
import { treeFluidNs } from '../src/all-reduce/tree-fluid.js';
import { treePipelineNs } from '../src/all-reduce/tree-pipeline.js';
import { DEFAULT_CHUNK_BYTES, resolveDefaults } from '../src/index.js';
import type { CostParams, PlanParams } from '../src/types.js';

/** my-cluster.yaml's cost (fabric alphaBetaCost): GPU→switch 1 µs, switch→spine 0.5 µs, every link 50 GB/s. */
const SHARED: CostParams = {
  alphaNs: 3000,
  bandwidthBytesPerSec: 50e9,
  intra: { alphaNs: 2000, bandwidthBytesPerSec: 50e9 },
  inter: { alphaNs: 3000, bandwidthBytesPerSec: 50e9 },
  allPeersBandwidthBytesPerSec: 50e9,
};
/** The same, as if each class had a link of its own (what the predictors assumed before). */
const SEPARATE: CostParams = { ...SHARED, allPeersBandwidthBytesPerSec: 100e9 };

function readmeRun(bytes: number, protocol: 'LL128' | 'Simple', cost: CostParams): PlanParams {
  const params: PlanParams = {
    nranks: 4, count: bytes / 4, root: 0, elementBytes: 4, channels: 0, chunkElements: DEFAULT_CHUNK_BYTES / 4, chunkAuto: true,
    layout: { groups: [[0, 1], [2, 3]], hasReductionSwitch: false }, protocol,
  };
  return resolveDefaults(tree, params, cost);
}

const MiB = 1 << 20;

describe('tree where a rank\'s intra and inter edges share one link', () => {
  it('sharedNsPerByte: the link\'s β only where all peers at once get less than intra + inter', () => {
    expect(sharedNsPerByte(SHARED)).toBeCloseTo(1 / 50, 12);
    expect(sharedNsPerByte(SEPARATE)).toBe(0);
    // dgx-h100: NVLink 370.8 and NIC 48 GB/s leave by separate links, all peers 418.8 (the max-flow's sum).
    const dgx = { ...SHARED, intra: { alphaNs: 600, bandwidthBytesPerSec: 370.8e9 }, inter: { alphaNs: 3300, bandwidthBytesPerSec: 48e9 } };
    expect(sharedNsPerByte({ ...dgx, allPeersBandwidthBytesPerSec: 370.8e9 + 48e9 })).toBe(0);
    const { allPeersBandwidthBytesPerSec: _, ...absent } = dgx;
    expect(sharedNsPerByte(absent)).toBe(0);
  });

  it.each([
    // Simulated (weft bench --mode ghost on the README's my-cluster.yaml, maxMin, the defaults).
    [1 * MiB, 'LL128', 78.2],
    [8 * MiB, 'LL128', 395.45],
    [64 * MiB, 'Simple', 2771.27],
  ] as const)('README my-cluster.yaml, %d B tree/%s: predicted within 2 per cent of the simulated %s µs (was up to 1.95× under)', (bytes, protocol, simulatedUs) => {
    const predictedUs = tree.predictNs(readmeRun(bytes, protocol, SHARED), SHARED) / 1000;
    expect(Math.abs(predictedUs / simulatedUs - 1)).toBeLessThan(0.02);
    // Separate links: the old prediction, 1.3–1.95× under.
    expect(simulatedUs / (tree.predictNs(readmeRun(bytes, protocol, SEPARATE), SEPARATE) / 1000)).toBeGreaterThan(1.3);
  });

  it('both bounds load the shared link: rank 0, inner in one channel\'s tree and root of the other, sends 4 channel parts over it', () => {
    const params = readmeRun(64 * MiB, 'Simple', SHARED);
    const run = treeRun(params, SHARED);
    expect(run.trees).toHaveLength(2);
    // Per class rank 0 sends 2 parts (the old bound's link work), over its one link 4.
    const fourPartsNs = (4 * run.partBytes) / 50;
    expect(treePipelineNs(run)).toBeGreaterThanOrEqual(fourPartsNs);
    expect(treeFluidNs(run)!).toBeGreaterThanOrEqual(fourPartsNs);
    const separate = { ...run, sharedNsPerByte: 0 };
    expect(treePipelineNs(separate)).toBeLessThan(fourPartsNs * 0.6);
    expect(treeFluidNs(separate)!).toBeLessThan(fourPartsNs * 0.6);
  });
});
