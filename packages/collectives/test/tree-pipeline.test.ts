import { describe, expect, it } from 'vitest';
import { laterStagesNs, treePipelineNs, type TreePipeline } from '../src/all-reduce/tree-pipeline.js';
import { treeFromParents } from '../src/logical.js';

/**
 * A chain 2 → 1 → 0 (root 0) in one server: α = 1 µs per hop, 1 ns per byte, 100-byte chunks.
 * One chunk's hop: 1000 + 100 = 1100 ns; the round trip 2 · 2 · 1100 = 4400 ns.
 */
function chain(chunks: number): TreePipeline {
  return {
    trees: [treeFromParents([-1, 0, 1])],
    groupOf: new Int32Array([0, 0, 0]),
    nsPerByte: [1, 1],
    alpha: () => 1000,
    chunkBytes: 100,
    chunks,
    partBytes: 100 * chunks,
    fillSharing: [1, 1],
  };
}

describe('treePipelineNs: the larger of the one-wave pipeline and every link\'s work', () => {
  it('one chunk: the round trip', () => {
    expect(treePipelineNs(chain(1))).toBe(4400);
  });

  it('few chunks: the round trip plus (m-1) stages of one wave (one edge per link), not of both waves', () => {
    // Pipeline: 4400 + 9·100 = 5300. Rank 1's send link carries its up edge (from 1100, then
    // 3200 ns more to the end) and its down edge (from 3300, then 1000): 3300 + 1000 + 1000 =
    // 5300 as well, and 1100 + 2000 + 1000 = 4100. Both waves per stage (the old τ, 200 ns)
    // gave 4400 + 9·200 = 6200.
    expect(treePipelineNs(chain(10))).toBe(5300);
  });

  it('many chunks: the middle rank\'s links carry both waves, and their work binds', () => {
    // 100 chunks: the pipeline bound is 4400 + 99·100 = 14300; rank 1's receive link holds the
    // up edge from 0 and the down edge from 2200 (100·100 ns of work each) and the least tail
    // after them is the down edge's 1000 + 1100: 0 + 20000 + 2100 = 22100.
    expect(treePipelineNs(chain(100))).toBe(22100);
  });

  it('a link that carries both waves: once the totals come back down it while its reduce still streams, a stage costs both waves\' edges', () => {
    // Root 0, its child 1, 1's children 2 and 3 (a fan-out), 20 chunks. Each hop 1100 ns, so
    // F = 2 · 2200 = 4400; τ_wave = 200 ns (rank 1 sends 2 broadcast edges, receives 2 reduce
    // edges), a stream lasts 20 · 200 = 4000 ns. Rank 1's send link: its reduce edge streams
    // from 1100, its 2 broadcast edges from 3300 (the totals back from the root). Stages
    // k = 1..19 at 1100 + 200k: up to k = 10 one stream (200 ns, τ_wave), from k = 11 all three
    // (300 ns): 10 · 200 + 9 · 300 = 4700, T = 4400 + 4700 = 9100. The one-wave form gave
    // 4400 + 19 · 200 = 8200, the links' work 8300 (3300 + 2 · 2000 + 1000).
    const fan: TreePipeline = { ...chain(20), trees: [treeFromParents([-1, 0, 1, 1])], groupOf: new Int32Array([0, 0, 0, 0]) };
    expect(treePipelineNs(fan)).toBe(9100);
  });
});

/** laterStagesNs's definition, stage by stage: Σ_{k=1..m-1} max(τ, b·β·active(s_0 + k·τ)). */
function stagesByStage(starts: readonly number[], m: number, waveNs: number, chunkNs: number): number {
  let sum = 0;
  for (let k = 1; k < m; k++) {
    const t = starts[0]! + k * waveNs;
    const active = starts.filter((s) => s <= t && !(s + m * waveNs <= t)).length;
    sum += Math.max(waveNs, chunkNs * active);
  }
  return sum;
}

describe('laterStagesNs', () => {
  it('sums per stretch of equal activity what the stage-by-stage definition sums (random windows, windows on stage boundaries)', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 5000; trial++) {
      const m = 1 + Math.floor(random() * 60);
      const waveNs = trial % 5 === 0 ? 1000 : 1 + random() * 5000;
      const chunkNs = trial % 3 === 0 ? waveNs / 2 : random() * 3000;
      const s0 = random() * 1e5;
      const starts = [s0];
      for (let i = 1 + Math.floor(random() * 6); i > 1; i--) starts.push(s0 + (trial % 2 === 0 ? Math.floor(random() * m * 1.5) * waveNs : random() * m * waveNs * 1.5));
      starts.sort((a, b) => a - b);
      const expected = stagesByStage(starts, m, waveNs, chunkNs);
      expect(Math.abs(laterStagesNs(starts, m, waveNs, chunkNs) - expected)).toBeLessThanOrEqual(1e-12 * expected);
    }
  });
});
