/**
 * Writing repetitions as runs (StepBuilder.repeat / repeatAll): the steps read back are the
 * ones written step by step, and the tapes stay small where a schedule repeats per chunk.
 */
import { describe, expect, it } from 'vitest';
import { StepBuilder, slice } from '../src/builder.js';
import { nvls, nvlstree, tree, treeRankOrder } from '../src/all-reduce/index.js';
import { SCRATCH_SLOTS, treeRankSteps, treeSplitSteps } from '../src/all-reduce/tree.js';
import { channelTrees } from '../src/channels/search.js';
import { chunksOf, doubleBinaryTree, parts, type Range, type Tree } from '../src/logical.js';
import { channelTapes } from '../src/step-tape.js';
import type { PlanParams, Schedule, Step } from '../src/types.js';

/** A switch-like body: a fixed window, chunks moving by `stride`, a multicast starting one rank later each repetition. */
function body(b: StepBuilder, k: number, stride: number, n: number, oddAt = -1): void {
  const agent = n;
  b.recv(agent, 0, 0, slice('scratch', 0, 10));
  for (let i = 1; i < n; i++) b.recvReduce(agent, 0, i, slice('scratch', 0, 10));
  for (let i = 0; i < n; i++) b.send(agent, 1, (k + i) % n, slice('scratch', 16, 10));
  for (let r = 0; r < n; r++) {
    b.send(r, 0, agent, slice('input', 5 + k * stride, 10));
    b.recvCopySend(r, 1, agent, (r + 1) % n, slice('output', 5 + k * stride, k === oddAt ? 9 : 10), 0);
  }
}

function written(write: (b: StepBuilder) => void, n: number): readonly (readonly Step[])[][] {
  const b = new StepBuilder(n + 1, 2);
  write(b);
  return b.build('allReduce', 'x', { nranks: n, count: 0, root: 0, elementBytes: 4, channels: 2, chunkElements: 0, layout: { groups: [[]], hasReductionSwitch: false } }, { input: 0, output: 0, scratch: 0 }).participants.map((p) => [...p.channels]);
}

describe('StepBuilder.repeatAll', () => {
  const window = (n: number) => (peer: number) => (peer < n ? ([0, n] as const) : undefined);
  for (const [n, reps] of [[5, 3], [5, 12], [8, 40]] as const) {
    it(`reads back the steps written one by one (${n} ranks, ${reps} repetitions, rotating multicast)`, () => {
      const stepByStep = written((b) => {
        for (let k = 0; k < reps; k++) body(b, k, 10, n);
      }, n);
      const b = new StepBuilder(n + 1, 2);
      b.repeatAll(reps, (k) => body(b, k, 10, n), window(n));
      const tapes = Array.from({ length: n + 1 }, (_, p) => [0, 1].map((c) => b['tapes'][p]![c]!));
      // The switch's tapes are one run each (n + 1 steps per repetition on channel 1).
      expect(tapes[n]!.map((t) => t.runCount)).toEqual([1, 1]);
      expect(written((w) => w.repeatAll(reps, (k) => body(w, k, 10, n), window(n)), n)).toEqual(stepByStep);
    });
  }

  it('writes step by step what its samples show is not affine (a last chunk of another size; peers outside any window)', () => {
    const n = 4;
    const reps = 9;
    const expected = written((b) => {
      for (let k = 0; k < reps; k++) body(b, k, 10, n, reps - 1);
    }, n);
    expect(written((b) => b.repeatAll(reps, (k) => body(b, k, 10, n, reps - 1), window(n)), n)).toEqual(expected);
    const unrotated = written((b) => {
      for (let k = 0; k < reps; k++) body(b, k, 10, n);
    }, n);
    expect(written((b) => b.repeatAll(reps, (k) => body(b, k, 10, n)), n)).toEqual(unrotated);
  });
});

/** The schedule's tapes hold under 1/8 as many runs as steps. */
function expectFewRuns(schedule: Schedule): void {
  let steps = 0;
  let runs = 0;
  for (const participant of schedule.participants) {
    for (const tape of channelTapes(participant)) {
      steps += tape.length;
      runs += tape.runCount;
    }
  }
  expect(runs * 8).toBeLessThan(steps);
}

describe('nvls and nvlstree tapes hold a chunk loop as runs', () => {
  function layoutParams(g: number, n: number, count: number): PlanParams {
    const groups = Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i));
    return { nranks: g * n, count, root: 0, elementBytes: 4, channels: 2, chunkElements: 2 ** 12, layout: { groups, hasReductionSwitch: g === 1, groupReductionSwitches: true } };
  }
  for (const [label, algorithm, g] of [['nvls', nvls, 1], ['nvlstree', nvlstree, 4]] as const) {
    it(`${label}: 64 chunks per part take a few runs per tape, not one per step`, () => {
      const schedule = algorithm.plan(layoutParams(g, 8, 2 * 8 * 64 * 2 ** 12));
      expectFewRuns(schedule);
    });
  }
});

/** A builder that writes every repetition step by step: what the generators wrote before runs. */
class StepByStep extends StepBuilder {
  override repeatAll(reps: number, write: (rep: number) => void): void {
    for (let r = 0; r < reps; r++) write(r);
  }
}

describe('tree writes its chunk loops as runs', () => {
  function railParams(g: number, n: number, count: number, chunkElements: number, channels = 2): PlanParams {
    const groups = Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i));
    return { nranks: g * n, count, root: 0, elementBytes: 4, channels, chunkElements, layout: { groups, hasReductionSwitch: false, rails: groups.flat().map((r) => r % n) } };
  }
  const both = (n: number, nch: number, write: (b: StepBuilder) => void): [Step[][][], Step[][][]] => {
    const runs = new StepBuilder(n, nch);
    const steps = new StepByStep(n, nch);
    write(runs);
    write(steps);
    return [runs.steps, steps.steps];
  };
  // Chunk counts below, at and above the tree's depth (runs of 0, 1, 2, 3+ repetitions), ragged or not.
  const chunkings: [number, number][] = [[1, 0], [5, 2], [40, 4], [41, 4], [1000, 96], [1003, 96]];

  it('split form (channel trees): the same steps as chunk by chunk, on servers of 8, 4 and 1', () => {
    for (const [g, n] of [[4, 8], [3, 4], [1, 8], [6, 1]] as const) {
      for (const [count, chunk] of chunkings) {
        const trees = channelTrees(railParams(g, n, count, chunk).layout, g * n, 2);
        const [runs, steps] = both(g * n, 4, (b) => {
          parts(count, 2).forEach((range, c) => {
            const chunks = chunksOf(range, chunk);
            const slots = { offset: c * SCRATCH_SLOTS * Math.max(1, chunk), slotElements: Math.max(1, chunk) };
            for (let r = 0; r < g * n; r++) treeSplitSteps(b, c, c + 2, trees[c]!, r, range, chunks, slots);
          });
        });
        expect(runs, `${g}x${n} count ${count} chunk ${chunk}`).toEqual(steps);
      }
    }
  });

  /**
   * The fused form's steps as it wrote them before runs: up(k) at height + k, down(k) at
   * treeHeight + depth + k, sorted (ties: up first), each block chunk by chunk.
   */
  function sortedBlocks(b: StepBuilder, c: number, t: Tree, rank: number, chunks: readonly Range[]): void {
    const parent = t.parent[rank]!;
    const children = t.children[rank]!;
    const last = children.length - 1;
    const blocks = chunks.flatMap((_, k) => (parent < 0 ? [{ time: t.height[t.root]! + k, up: true, k }] : [{ time: t.height[rank]! + k, up: true, k }, { time: t.height[t.root]! + t.depth[rank]! + k, up: false, k }]));
    blocks.sort((x, y) => x.time - y.time || Number(y.up) - Number(x.up) || x.k - y.k);
    for (const { up, k } of blocks) {
      const dst = slice('output', chunks[k]!);
      if (!up) {
        if (last >= 0) b.recvCopySend(rank, c, parent, children, dst);
        else b.recv(rank, c, parent, dst);
        continue;
      }
      for (let i = 0; i < last; i++) b.recvReduce(rank, c, children[i]!, dst);
      if (last < 0) b.send(rank, c, parent, dst);
      else b.recvReduceCopySend(rank, c, children[last]!, parent >= 0 ? parent : children, dst);
    }
  }

  it('fused form (double binary tree over ranks): the same steps as its blocks sorted chunk by chunk, 1 to 13 ranks', () => {
    for (let n = 2; n <= 13; n++) {
      for (const [count, chunk] of chunkings) {
        const trees = doubleBinaryTree(n);
        const chunks: Range[] = chunksOf({ offset: 3, count }, chunk);
        const runs = new StepBuilder(n, 2);
        const sorted = new StepBuilder(n, 2);
        trees.forEach((t, c) => {
          for (let r = 0; r < n; r++) {
            treeRankSteps(runs, c, t, r, chunks);
            sortedBlocks(sorted, c, t, r, chunks);
          }
        });
        expect(runs.steps, `${n} ranks count ${count} chunk ${chunk}`).toEqual(sorted.steps);
      }
    }
  });

  for (const [label, algorithm, g, n] of [['tree, 4 servers of 8', tree, 4, 8], ['tree, 9 ranks of their own', tree, 9, 1], ['tree-rankorder, 4 servers of 8', treeRankOrder, 4, 8]] as const) {
    it(`${label}: 64 chunks per part take a few runs per tape, not one per step`, () => {
      const schedule = algorithm.plan(railParams(g, n, 2 * 2 * 64 * 2 ** 12 + 5, 2 ** 12));
      expectFewRuns(schedule);
    });
  }
});
