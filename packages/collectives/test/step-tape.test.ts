import { describe, expect, it } from 'vitest';
import { STEP_OP_CODE, StepTape, TapeCursor, channelTapes, stepRecord } from '../src/step-tape.js';
import { planCollective } from '../src/registry.js';
import type { BufferName, Slice, Step } from '../src/types.js';

/** A small deterministic generator (a linear congruential one: quality hardly matters here). */
function rng(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const BUFFERS: BufferName[] = ['input', 'output', 'scratch'];

/** Steps with stretches of periodic structure (periods 1–5, strides of either sign), broken at random. */
function randomSteps(seed: number, length: number): Step[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const steps: Step[] = [];
  while (steps.length < length) {
    const period = 1 + Math.floor(rand() * 5);
    const reps = 1 + Math.floor(rand() * 6);
    const template = Array.from({ length: period }, () => ({
      op: pick(['send', 'recv', 'recvReduce', 'recvCopySend', 'recvReduceCopySend', 'copy', 'reduce'] as const),
      peer: Math.floor(rand() * 4),
      sendPeer: Math.floor(rand() * 4),
      via: rand() < 0.2 ? Math.floor(rand() * 3) : -1,
      // Some sending steps post to further peers too (steps.ts fanOut), as a tree node to its children.
      fanOut: rand() < 0.3 ? [4 + Math.floor(rand() * 3), 7] : [],
      a: { buffer: pick(BUFFERS), offset: Math.floor(rand() * 1000), count: Math.floor(rand() * 3) * 8 } as Slice,
      b: { buffer: pick(BUFFERS), offset: Math.floor(rand() * 1000), count: Math.floor(rand() * 3) * 8 } as Slice,
      strideA: pick([0, 8, -8, 16]),
      strideB: pick([0, 8, -24]),
    }));
    for (let r = 0; r < reps; r++) {
      for (const t of template) {
        const a = { ...t.a, offset: t.a.offset + r * t.strideA };
        const b = { ...t.b, offset: t.b.offset + r * t.strideB };
        const via = { ...(t.via >= 0 ? { sendChannel: t.via } : {}), ...(t.fanOut.length > 0 ? { fanOut: t.fanOut } : {}) };
        const step: Step =
          t.op === 'send'
            ? { op: 'send', peer: t.peer, src: a, ...via }
            : t.op === 'recv' || t.op === 'recvReduce'
              ? { op: t.op, peer: t.peer, dst: b }
              : t.op === 'recvCopySend' || t.op === 'recvReduceCopySend'
                ? { op: t.op, peer: t.peer, sendPeer: t.sendPeer, dst: b, ...via }
                : { op: t.op, src: a, dst: b };
        steps.push(step);
      }
    }
  }
  return steps;
}

function taped(steps: readonly Step[]): StepTape {
  const tape = new StepTape();
  for (const step of steps) tape.pushStep(step);
  tape.seal();
  return tape;
}

describe('step tapes', () => {
  it('read back exactly the steps written, in order, for structured and random sequences', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const steps = randomSteps(seed, 1 + (seed % 97));
      const tape = taped(steps);
      expect(tape.length).toBe(steps.length);
      expect(tape.materialize()).toEqual(steps);
    }
  });

  it('fold a ring with slices (period 2, stride one block) into a few runs per channel', () => {
    const nranks = 64;
    const schedule = planCollective('allReduce', 'ring', {
      nranks,
      count: 2 ** 28,
      root: 0,
      elementBytes: 4,
      channels: 4,
      chunkElements: 2 ** 19,
      layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false },
    });
    const tapes = channelTapes(schedule.participants[5]!);
    const steps = tapes.reduce((n, t) => n + t.length, 0);
    const runs = tapes.reduce((n, t) => n + t.runCount, 0);
    expect(steps).toBeGreaterThan(4 * 2 * (nranks - 1));
    // 2(n-1) steps per channel and slice fold into a handful of runs (block indices wrap once per phase).
    expect(runs).toBeLessThanOrEqual(tapes.length * 16);
    // The materialized view is what the tapes read back, and it is kept once read.
    const part = schedule.participants[5]!;
    expect(part.channels).toBe(part.channels);
    expect(JSON.parse(JSON.stringify(part)).channels).toEqual(tapes.map((t) => t.materialize()));
  });

  it('a cursor reads its place in a run and skips the rest of it (rank classes hash a run from its first repetition)', () => {
    const chunk = (k: number): Slice => ({ buffer: 'output', offset: 64 * k, count: 64 });
    const steps: Step[] = [];
    for (let k = 0; k < 30; k++) steps.push({ op: 'send', peer: 1, src: chunk(k) }, { op: 'recv', peer: 2, dst: chunk(k) });
    steps.push({ op: 'copy', src: chunk(0), dst: chunk(1) });
    const tape = taped(steps);
    const c = new TapeCursor(tape);
    expect(c.next()).toBe(true);
    expect([c.runPos, c.runRep, c.runPeriod, c.runReps]).toEqual([0, 0, 2, 30]);
    expect(c.peerMoves).toBe(false);
    c.next();
    c.skipRun();
    expect(c.next()).toBe(true);
    // The step after the run: the copy, at its index on the tape.
    expect(c.index).toBe(60);
    expect(c.step()).toEqual(steps[60]);
    expect(c.next()).toBe(false);
  });

  it('store a multi-peer send in a step record of the usual size, its peer list once per tape', () => {
    const chunk = (k: number): Slice => ({ buffer: 'output', offset: 64 * k, count: 64 });
    const down = (fanOut: readonly number[]) => {
      const tape = new StepTape();
      for (let k = 0; k < 1000; k++) tape.pushStep({ op: 'recvCopySend', peer: 0, sendPeer: 2, dst: chunk(k), ...(fanOut.length > 0 ? { fanOut } : {}) });
      tape.seal();
      return tape;
    };
    const one = down([]);
    const three = down([3, 9]);
    // One run either way; the fan-out adds its list (3 peers) and its fan-out (2) once: 5 numbers.
    expect(three.runCount).toBe(1);
    expect(three.footprintBytes - one.footprintBytes).toBe(8 * 5);
    const cursor = new TapeCursor(three);
    expect(cursor.next()).toBe(true);
    expect([cursor.sendPeer, ...cursor.fanOut]).toEqual([2, 3, 9]);
    expect(three.timingStep(0).sendPeers).toEqual([2, 3, 9]);
    const peers: number[] = [];
    three.forEachSendTemplate((peer) => peers.push(peer));
    expect(peers).toEqual([2, 3, 9]);
  });

  it('take runs pushed whole exactly as the same steps pushed one by one (same runs, same steps)', () => {
    const rand = rng(11);
    for (let seed = 1; seed <= 300; seed++) {
      const oneByOne = new StepTape();
      const byRuns = new StepTape();
      // Stretches of 1–40 repetitions of 1–6 steps, some continuing what came before (same shape).
      let last: { records: number[]; strides: number[]; next: number } | undefined;
      for (let stretch = 0; stretch < 1 + (seed % 7); stretch++) {
        const reps = 1 + Math.floor(rand() * 40);
        let run = last;
        if (run === undefined || rand() < 0.5) {
          const records: number[] = [];
          const strides: number[] = [];
          const period = 1 + Math.floor(rand() * 6);
          const stride = [0, 8, -8, 16][Math.floor(rand() * 4)]!;
          for (let t = 0; t < period; t++) {
            const dst: Slice = { buffer: 'output', offset: 800 + 8 * Math.floor(rand() * 50), count: 8 * (1 + Math.floor(rand() * 2)) };
            stepRecord(records, STEP_OP_CODE[rand() < 0.5 ? 'recvReduceCopySend' : 'recvCopySend'], Math.floor(rand() * 3), 1, -1, undefined, dst);
            strides.push(0, stride);
          }
          run = { records, strides, next: 0 };
        }
        byRuns.pushRun(run.records.map((v, i) => (i % 10 === 8 ? v + run!.next * run!.strides[(Math.floor(i / 10) * 2) + 1]! : v)), run.strides, reps);
        for (let r = run.next; r < run.next + reps; r++) {
          for (let t = 0; t < run.records.length; t += 10) {
            const rec = run.records;
            oneByOne.push(rec[t]!, rec[t + 1]!, rec[t + 2]!, rec[t + 3]!, undefined, { buffer: 'output', offset: rec[t + 8]! + r * run.strides[(t / 10) * 2 + 1]!, count: rec[t + 9]! });
          }
        }
        run.next += reps;
        last = run;
      }
      oneByOne.seal();
      byRuns.seal();
      expect(byRuns.length).toBe(oneByOne.length);
      expect(byRuns.runData).toEqual(oneByOne.runData);
      expect(byRuns.templateData).toEqual(oneByOne.templateData);
    }
  });

  it('hold a ring planned with runs as the same tapes as its steps written one by one (ragged blocks, slices, 3 channels)', () => {
    for (const nranks of [5, 37]) {
      const schedule = planCollective('allReduce', 'ring', {
        nranks,
        count: 100_003,
        root: 0,
        elementBytes: 4,
        channels: 3,
        chunkElements: 1000,
        layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false },
      });
      for (const participant of schedule.participants) {
        const planned = channelTapes(participant);
        const rewritten = channelTapes({ channels: participant.channels.map((steps) => [...steps]) });
        planned.forEach((tape, c) => {
          expect(tape.runData).toEqual(rewritten[c]!.runData);
          expect(tape.templateData).toEqual(rewritten[c]!.templateData);
        });
      }
    }
  });

  it('walks with a cursor that can be rewound', () => {
    const steps = randomSteps(7, 40);
    const cursor = new TapeCursor(taped(steps));
    let n = 0;
    while (cursor.next()) n += 1;
    expect(n).toBe(steps.length);
    expect(cursor.next()).toBe(false);
    cursor.rewind();
    expect(cursor.next()).toBe(true);
    expect(cursor.step()).toEqual(steps[0]);
  });
});

describe('timing groups', () => {
  it('are read again after more steps are pushed (computed once per state of the tape)', () => {
    const tape = new StepTape();
    const groups = () => {
      const found: number[][] = [];
      tape.forEachTimingGroup((first, period, reps) => found.push([first, period, reps]));
      return found;
    };
    for (let i = 0; i < 10; i++) tape.pushStep({ op: 'send', peer: 1, src: { buffer: 'input', offset: i, count: 1 } });
    expect(groups()).toEqual([[0, 1, 10]]);
    expect(groups()).toEqual([[0, 1, 10]]);
    for (let i = 10; i < 15; i++) tape.pushStep({ op: 'send', peer: 1, src: { buffer: 'input', offset: i, count: 1 } });
    tape.pushStep({ op: 'recv', peer: 2, dst: { buffer: 'output', offset: 0, count: 1 } });
    const after = groups();
    expect(after[0]![2]).toBe(15);
    expect(after.reduce((steps, [, period, reps]) => steps + period! * reps!, 0)).toBe(16);
  });
});

/** What `plan` throws (undefined when it plans). */
function refusal(plan: () => unknown): unknown {
  try {
    plan();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('schedule memory budget', () => {
  it('refuses, in one line naming the size and the limit, a schedule whose tapes outgrow the budget', async () => {
    const { setScheduleMemoryBudget, scheduleMemoryBudget } = await import('../src/step-tape.js');
    const before = scheduleMemoryBudget();
    const { isWeftInputError } = await import('@weft/sim');
    const nranks = 512;
    const plan = () =>
      planCollective('allToAll', 'direct', {
        nranks,
        count: 1024,
        root: 0,
        elementBytes: 4,
        channels: 1,
        chunkElements: 0,
        layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false },
      });
    setScheduleMemoryBudget(1 << 20);
    try {
      const error = refusal(plan);
      expect(isWeftInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^schedule too big for this machine: planning it took \d+\.\d MiB for its first \d+ steps \(512 participants × 1 channels\), over the limit of 1\.0 MiB \(half the JS heap\)/);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      setScheduleMemoryBudget(before);
    }
    // Within the budget (none here) the same plan goes through.
    setScheduleMemoryBudget(Infinity);
    try {
      expect(plan().participants).toHaveLength(nranks);
    } finally {
      setScheduleMemoryBudget(before);
    }
  });

  it('heapLimitBytes: the probe\'s limit, asked over no finite share (so never after a collection); undefined without a probe', async () => {
    const { setHeapUsageProbe, heapLimitBytes } = await import('../src/step-tape.js');
    const shares: number[] = [];
    setHeapUsageProbe((share) => {
      shares.push(share);
      return { usedBytes: 1, limitBytes: 3 * 2 ** 30 };
    });
    try {
      expect(heapLimitBytes()).toBe(3 * 2 ** 30);
      expect(shares).toEqual([Infinity]);
    } finally {
      setHeapUsageProbe(undefined);
    }
    expect(heapLimitBytes()).toBeUndefined();
  });

  it('refuses planning in one line once the heap is nearly full (the topology beside the plan), and plans when it is not', async () => {
    const { setHeapUsageProbe, HEAP_REFUSE_SHARE } = await import('../src/step-tape.js');
    const { isWeftInputError } = await import('@weft/sim');
    const nranks = 512;
    const plan = () =>
      planCollective('allToAll', 'direct', { nranks, count: 1024, root: 0, elementBytes: 4, channels: 1, chunkElements: 0, layout: { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false } });
    const limitBytes = 4 * 2 ** 30;
    let usedBytes = HEAP_REFUSE_SHARE * limitBytes + 1;
    let reads = 0;
    setHeapUsageProbe(() => {
      reads++;
      return { usedBytes, limitBytes };
    });
    try {
      const error = refusal(plan);
      expect(isWeftInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^schedule too big for this machine: while planning it \(512 participants × 1 channels\) the JS heap reached 3\.40 GiB of its 4\.00 GiB limit; use fewer ranks/);
      expect((error as Error).message).not.toContain('\n');
      // Just under the share: planned, the heap looked at every 65,536 steps.
      usedBytes = HEAP_REFUSE_SHARE * limitBytes;
      reads = 0;
      expect(plan().participants).toHaveLength(nranks);
      expect(reads).toBeGreaterThanOrEqual(Math.floor((nranks * nranks * 2) / 65_536) - 1);
    } finally {
      setHeapUsageProbe(undefined);
    }
  });
});

