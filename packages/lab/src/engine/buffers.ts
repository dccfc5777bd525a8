/**
 * The buffer grid: which ranks' contributions each block of each rank's output holds, after
 * every step of a traced run. The schedule is replayed symbolically (an element holds a
 * bitmask of contributing ranks, as the symbolic checker's contribution vectors, without
 * multiplicity) in the order the simulation finished the steps: a step's receive, combine
 * and send happen at its end time, and messages match first-in first-out per (sender,
 * receiver, channel), as in the executor. Alongside the masks it carries values: inputs hold
 * `weft bench`'s test pattern (sum), combined in float64, so a block's first element shows the
 * number a data-mode run would hold there.
 */
import { decodeSteps, inputValue, logical, type Schedule, type Slice } from '@weft/collectives';
import type { StepRecord } from '@weft/runtime/core';
import type { LabRun } from './run.js';

/** Element-wise replay is bounded: ranks fit a 32-bit mask, and buffers stay small. */
export const GRID_MAX_RANKS = 32;
export const GRID_MAX_ELEMENTS = 1 << 16;

export interface BufferFrames {
  readonly nranks: number;
  /** Output blocks per rank (one per rank: the reduce-scatter layout). */
  readonly blocks: number;
  /** End time of the step after which frame i holds (frame 0: before any step, t = 0). */
  readonly timesNs: readonly number[];
  /** Frame i: masks[i][rank * blocks + block] = ranks whose contribution every element of the block holds. */
  readonly masks: readonly Uint32Array[];
  /** Frame i: values[i][rank * blocks + block] = the value of the block's first element (NaN: not written yet). */
  readonly values: readonly Float64Array[];
  /** The all-reduced value of each block's first element (the sum of every rank's input there). */
  readonly expected: readonly number[];
  /**
   * replay: the schedule replayed symbolically (ghost runs; a step's effects land at its end,
   * a hop later than the bytes do); data: the run's real bytes, read after every round (data-grid.ts).
   */
  readonly source: 'replay' | 'data';
}

export type GridResult = { readonly ok: true; readonly frames: BufferFrames } | { readonly ok: false; readonly reason: string };

type Buffers = Record<Slice['buffer'], Uint32Array>;
type Values = Record<Slice['buffer'], Float64Array>;

/** A run's grid: its real bytes when it ran in data mode, else the schedule's replay. */
export const gridOf = (detail: { readonly grid?: GridResult; readonly schedule: Schedule; readonly steps: readonly StepRecord[] }): GridResult =>
  detail.grid ?? bufferFrames(detail.schedule, detail.steps);

export function bufferFrames(schedule: Schedule, steps: readonly StepRecord[]): GridResult {
  const n = schedule.nranks;
  const { input, output, scratch } = schedule.bufferCounts;
  if (n > GRID_MAX_RANKS) return { ok: false, reason: `The buffer grid replays runs of up to ${GRID_MAX_RANKS} ranks; this one has ${n}.` };
  if (Math.max(input, output, scratch) > GRID_MAX_ELEMENTS) {
    return { ok: false, reason: `The buffer grid replays buffers of up to ${GRID_MAX_ELEMENTS} elements (256 KiB of float32); pick a smaller focus size.` };
  }
  const buffers: Buffers[] = schedule.participants.map((_, p) => ({
    input: new Uint32Array(input).fill(p < n ? 1 << p : 0),
    output: new Uint32Array(output),
    scratch: new Uint32Array(scratch),
  }));
  const values: Values[] = schedule.participants.map((_, p) => ({
    input: Float64Array.from({ length: input }, (_, e) => (p < n ? inputValue('sum', 'float32', p, e, n) : 0)),
    output: new Float64Array(output).fill(Number.NaN),
    scratch: new Float64Array(scratch).fill(Number.NaN),
  }));
  // Step records, per (participant, channel), in execution order, next to the schedule's steps.
  const order: { participant: number; channel: number; index: number; endNs: number; startNs: number }[] = [];
  const seen = new Map<string, number>();
  for (const record of [...steps].sort((a, b) => a.startNs - b.startNs)) {
    const key = `${record.participant}/${record.channel}`;
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    order.push({ participant: record.participant, channel: record.channel, index, endNs: record.endNs, startNs: record.startNs });
  }
  const planned = schedule.participants.reduce((sum, part) => sum + part.channels.reduce((s, c) => s + c.length, 0), 0);
  if (order.length !== planned) return { ok: false, reason: `The trace has ${order.length} steps but the schedule ${planned}: the grid needs a complete run.` };
  order.sort((a, b) => a.endNs - b.endNs || a.startNs - b.startNs);

  const blocks = logical.parts(output, n);
  /** The frame after a step of `changed` (only its buffers moved): the previous one with its row recomputed. */
  const frame = (previous?: [Uint32Array, Float64Array], changed?: number): [Uint32Array, Float64Array] => {
    const masks = previous ? previous[0].slice() : new Uint32Array(n * n);
    const firsts = previous ? previous[1].slice() : new Float64Array(n * n);
    const rows = changed === undefined ? Array.from({ length: n }, (_, r) => r) : changed < n ? [changed] : []; // agents hold no output
    for (const r of rows) {
      blocks.forEach((block, j) => {
        let mask = block.count > 0 ? 0xffffffff : 0;
        for (let e = block.offset; e < block.offset + block.count; e++) mask &= buffers[r]!.output[e]!;
        masks[r * n + j] = mask >>> 0;
        firsts[r * n + j] = block.count > 0 ? values[r]!.output[block.offset]! : Number.NaN;
      });
    }
    return [masks, firsts];
  };
  // Each channel's steps decoded once (decoding per step made the replay quadratic in steps).
  const decodedChannels = new Map<string, ReturnType<typeof decodeSteps>>();
  const decoded = (participant: number, channel: number) => {
    const key = `${participant}/${channel}`;
    let steps = decodedChannels.get(key);
    if (steps === undefined) decodedChannels.set(key, (steps = decodeSteps(schedule.participants[participant]!.channels[channel]!)));
    return steps;
  };
  const queues = new Map<string, [Uint32Array, Float64Array][]>();
  const read = (p: number, s: Slice): [Uint32Array, Float64Array] => [
    buffers[p]![s.buffer].slice(s.offset, s.offset + s.count),
    values[p]![s.buffer].slice(s.offset, s.offset + s.count),
  ];
  const timesNs = [0];
  const [mask0, value0] = frame();
  const masks = [mask0];
  const firstValues = [value0];
  for (const step of order) {
    const actions = decoded(step.participant, step.channel)[step.index]!;
    const data = actions.recvPeer >= 0 ? queues.get(`${actions.recvPeer}>${step.participant}/${step.channel}`)?.shift() : actions.src ? read(step.participant, actions.src) : undefined;
    if (actions.dst !== null && data !== undefined) {
      const dst = buffers[step.participant]![actions.dst.buffer];
      const dstValues = values[step.participant]![actions.dst.buffer];
      const [dataMasks, dataValues] = data;
      for (let e = 0; e < actions.dst.count; e++) {
        const at = actions.dst.offset + e;
        const reduce = actions.combine === 'reduce';
        dst[at] = reduce ? dst[at]! | dataMasks[e]! : dataMasks[e]!;
        dstValues[at] = reduce ? dstValues[at]! + dataValues[e]! : dataValues[e]!;
      }
    }
    if (actions.sent !== null) {
      for (const peer of actions.sendPeers) {
        const key = `${step.participant}>${peer}/${actions.sendChannel >= 0 ? actions.sendChannel : step.channel}`;
        queues.set(key, [...(queues.get(key) ?? []), read(step.participant, actions.sent)]);
      }
    }
    timesNs.push(step.endNs);
    const [m, v] = frame([masks.at(-1)!, firstValues.at(-1)!], step.participant);
    masks.push(m);
    firstValues.push(v);
  }
  const expected = blocks.map((block) => Array.from({ length: n }, (_, r) => inputValue('sum', 'float32', r, block.offset, n)).reduce((a, b) => a + b, 0));
  return { ok: true, frames: { nranks: n, blocks: n, timesNs, masks, values: firstValues, expected, source: 'replay' } };
}

/** A run with its buffer grids (one per detail), and how long they took to build (after the run's own wallMs). */
export interface RunWithGrids extends LabRun {
  readonly grids: readonly GridResult[];
  readonly gridsMs: number;
}

/** `run` with its buffer grids, timed: at 32 GPUs they take longer than the simulation, and the page's summary names both. */
export function withGrids(run: LabRun): RunWithGrids {
  const start = performance.now();
  const grids = run.details.map((d) => gridOf(d));
  return { ...run, grids, gridsMs: performance.now() - start };
}
