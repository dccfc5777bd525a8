/**
 * What the collectives derive from a layout is cached per layout object (channels/search.ts:
 * rings and trees; all-reduce/tree.ts: fill sharing): a cached answer must equal one computed
 * afresh, channels that share a ring or tree must get exactly the one the search defines for
 * them, and a different layout must not read another's entries.
 */
import { describe, expect, it } from 'vitest';
import { tree } from '../src/all-reduce/tree.js';
import { ring } from '../src/all-reduce/ring.js';
import { channelRings, channelTrees } from '../src/channels/search.js';
import { doubleBinaryTree, mod, treeFromParents, type Tree } from '../src/logical.js';
import { PROTOCOL_NAMES } from '../src/protocols.js';
import type { CostParams, PlanParams, RankLayout } from '../src/types.js';

/** `servers` servers of `gpus` ranks, GPU g of every server on rail (g + shift) mod gpus. */
function railLayout(servers: number, gpus: number, shift = 0): RankLayout {
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: gpus }, (_, g) => s * gpus + g));
  return { groups, hasReductionSwitch: true, rails: groups.flat().map((r) => (r + shift) % gpus) };
}

/** A new layout object with the same content (nothing cached for it yet). */
const copyOf = (layout: RankLayout): RankLayout => JSON.parse(JSON.stringify(layout)) as RankLayout;

/** channelTrees as written before the cache, restated: channel c's tree built on its own. */
function referenceTree(layout: RankLayout, channels: number, c: number): Tree {
  const rails = layout.rails!;
  const groups = layout.groups.map((g) => [...g].sort((a, b) => rails[a]! - rails[b]! || a - b));
  const [first, second] = doubleBinaryTree(groups.length);
  const between = channels > 1 && c >= channels / 2 ? second : first;
  const chains = groups.map((g) => Array.from({ length: g.length }, (_, j) => g[mod(mod(c, g.length) - j, g.length)]!));
  const parent = new Array<number>(layout.groups.flat().length).fill(-1);
  chains.forEach((chain, s) => {
    const up = between.parent[s]!;
    parent[chain[0]!] = up < 0 ? -1 : chains[up]![0]!;
    for (let i = 1; i < chain.length; i++) parent[chain[i]!] = chain[i - 1]!;
  });
  return treeFromParents(parent);
}

const DGX: CostParams = {
  alphaNs: 10_000,
  bandwidthBytesPerSec: 48e9,
  intra: { alphaNs: 1_000, bandwidthBytesPerSec: 370.8e9 },
  inter: { alphaNs: 10_000, bandwidthBytesPerSec: 48e9 },
};

const params = (layout: RankLayout, count: number, channels: number, protocol: (typeof PROTOCOL_NAMES)[number]): PlanParams => ({
  nranks: layout.groups.flat().length,
  count,
  root: 0,
  elementBytes: 4,
  channels,
  chunkElements: 1 << 17,
  protocol,
  layout,
});

describe('channel rings and trees cached per layout', () => {
  it.each([[2, 8], [5, 8], [9, 4], [3, 3]])('%i servers × %i GPUs: every channel count gets each channel’s own tree, shared where channels agree', (servers, gpus) => {
    const layout = railLayout(servers, gpus);
    const n = servers * gpus;
    for (const channels of [1, 2, 3, 7, 16, 32, 33]) {
      const trees = channelTrees(layout, n, channels);
      expect(trees).toHaveLength(channels);
      trees.forEach((t, c) => expect(t).toEqual(referenceTree(layout, channels, c)));
      // Asked again: the same array; asked on a copy of the layout (nothing cached): equal.
      expect(channelTrees(layout, n, channels)).toBe(trees);
      expect(channelTrees(copyOf(layout), n, channels)).toEqual(trees);
      expect(channelRings(copyOf(layout), n, channels)).toEqual(channelRings(layout, n, channels));
    }
  });

  it('a different layout misses: rotated rails give their own rings and trees, equal to a fresh computation', () => {
    const a = railLayout(4, 8);
    const b = railLayout(4, 8, 3);
    const treesA = channelTrees(a, 32, 16);
    const treesB = channelTrees(b, 32, 16);
    expect(treesB).not.toEqual(treesA);
    expect(treesB).toEqual(channelTrees(copyOf(b), 32, 16));
    treesB.forEach((t, c) => expect(t).toEqual(referenceTree(b, 16, c)));
    expect(channelRings(b, 32, 16)).not.toEqual(channelRings(a, 32, 16));
    expect(channelRings(b, 32, 16)).toEqual(channelRings(copyOf(b), 32, 16));
  });
});

describe('predictions on cached inputs', () => {
  it('tree and ring predict the same with warm caches as on a fresh copy of the layout, every protocol, size and channel count', () => {
    const layout = railLayout(6, 8);
    for (const algorithm of [tree, ring]) {
      for (const protocol of PROTOCOL_NAMES) {
        for (const channels of [1, 4, 16, 32]) {
          for (const count of [1, 1000, 1 << 20, 3 << 22]) {
            const warm = algorithm.predictNs(params(layout, count, channels, protocol), DGX);
            expect(algorithm.predictNs(params(layout, count, channels, protocol), DGX)).toBe(warm);
            expect(algorithm.predictNs(params(copyOf(layout), count, channels, protocol), DGX)).toBe(warm);
          }
        }
      }
    }
  });

  it('fill sharing follows the layout: the same ranks grouped otherwise predict as a fresh layout does', () => {
    const eight = railLayout(4, 8);
    // The same 32 ranks as 8 servers of 4: other chains, other fill sharing.
    const four = railLayout(8, 4);
    const p = (layout: RankLayout) => params(layout, 1 << 22, 16, 'Simple');
    const before = tree.predictNs(p(eight), DGX);
    const other = tree.predictNs(p(four), DGX);
    expect(other).not.toBe(before);
    expect(other).toBe(tree.predictNs(p(copyOf(four)), DGX));
    expect(tree.predictNs(p(eight), DGX)).toBe(before);
  });
});
