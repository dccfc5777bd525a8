/**
 * Writing repetitions as runs (StepBuilder.repeat / repeatAll): the steps read back are the
 * ones written step by step, and the tapes stay small where a schedule repeats per chunk.
 */
import { describe, expect, it } from 'vitest';
import { StepBuilder, slice } from '../src/builder.js';
import { nvls, nvlstree } from '../src/all-reduce/index.js';
import { channelTapes } from '../src/step-tape.js';
import type { PlanParams, Step } from '../src/types.js';

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

describe('nvls and nvlstree tapes hold a chunk loop as runs', () => {
  function layoutParams(g: number, n: number, count: number): PlanParams {
    const groups = Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i));
    return { nranks: g * n, count, root: 0, elementBytes: 4, channels: 2, chunkElements: 2 ** 12, layout: { groups, hasReductionSwitch: g === 1, groupReductionSwitches: true } };
  }
  for (const [label, algorithm, g] of [['nvls', nvls, 1], ['nvlstree', nvlstree, 4]] as const) {
    it(`${label}: 64 chunks per part take a few runs per tape, not one per step`, () => {
      const schedule = algorithm.plan(layoutParams(g, 8, 2 * 8 * 64 * 2 ** 12));
      let steps = 0;
      let runs = 0;
      for (const participant of schedule.participants) {
        for (const tape of channelTapes(participant)) {
          steps += tape.length;
          runs += tape.runCount;
        }
      }
      expect(runs * 8).toBeLessThan(steps);
    });
  }
});
