/**
 * The buffer grid from a data-mode run's real bytes. Rank r's input holds 2^r in every
 * element, so the sum an element holds is the set of ranks whose contributions reached it,
 * as a bitmask; float32 adds distinct powers of two exactly up to 2^24, so the grid takes up
 * to 24 ranks. After every round of the run (PageDataHosts.observe) the grid reads each
 * rank's output buffer: a block holds the ranks every one of its elements holds. An element
 * that is not yet written (NaN: data mode poisons outputs) or that holds anything but a set
 * of ranks (counted twice: a wrong algorithm) holds no set.
 */
import { logical, type Schedule } from '@weft/collectives';
import type { RankBuffers } from '@weft/runtime/core';
import { GRID_MAX_ELEMENTS, type BufferFrames, type GridResult } from './buffers.js';

/** float32 holds every sum of distinct powers of two below 2^24 exactly. */
export const DATA_GRID_MAX_RANKS = 24;

/** Rank r's input: 2^r in each of `count` elements. */
export const contributionInputs = (nranks: number, count: number): Float32Array[] =>
  Array.from({ length: nranks }, (_, r) => new Float32Array(count).fill(2 ** r));

/** The set of ranks a real value stands for, or 0 when it stands for none. */
const maskOf = (value: number, full: number): number => (Number.isInteger(value) && value >= 0 && value <= full ? value : 0);

/** Why this schedule's real bytes cannot be shown in the grid, or null when they can. */
export function dataGridLimit(schedule: Pick<Schedule, 'nranks' | 'bufferCounts'>): string | null {
  if (schedule.nranks > DATA_GRID_MAX_RANKS) return `The buffer grid reads real bytes of runs of up to ${DATA_GRID_MAX_RANKS} ranks (float32 sums of 2^rank); this one has ${schedule.nranks}.`;
  if (schedule.bufferCounts.output > GRID_MAX_ELEMENTS) return `The buffer grid reads output buffers of up to ${GRID_MAX_ELEMENTS} elements (256 KiB of float32); pick a smaller focus size.`;
  return null;
}

/** Collects a frame after each round: `observe` goes to PageDataHosts, `result` after the run. */
export function dataGridRecorder(schedule: Schedule) {
  const n = schedule.nranks;
  const full = 2 ** n - 1;
  const blocks = logical.parts(schedule.bufferCounts.output, n);
  const timesNs: number[] = [];
  const masks: Uint32Array[] = [];
  const values: Float64Array[] = [];
  const observe = (nowNs: number, buffersOf: (rank: number) => RankBuffers, woken: readonly number[] | null): void => {
    // Only the ranks the round woke can hold new bytes: the rest of the frame is the last one.
    const frameMasks = masks.length > 0 && woken !== null ? masks.at(-1)!.slice() : new Uint32Array(n * n);
    const firsts = values.length > 0 && woken !== null ? values.at(-1)!.slice() : new Float64Array(n * n);
    for (const r of woken ?? Array.from({ length: n }, (_, rank) => rank)) {
      if (r >= n) continue; // in-network agents hold no output
      const out = buffersOf(r).output;
      blocks.forEach((block, j) => {
        let mask = block.count > 0 ? full : 0;
        for (let e = block.offset; e < block.offset + block.count && mask !== 0; e++) mask &= maskOf(Number(out[e]!), full);
        frameMasks[r * n + j] = mask;
        firsts[r * n + j] = block.count > 0 ? Number(out[block.offset]!) : Number.NaN;
      });
    }
    // Rounds at one instant: the grid keeps the last (what the bytes held when time moved on).
    if (timesNs.at(-1) === nowNs) {
      masks[masks.length - 1] = frameMasks;
      values[values.length - 1] = firsts;
    } else {
      timesNs.push(nowNs);
      masks.push(frameMasks);
      values.push(firsts);
    }
  };
  const result = (): GridResult => {
    const frames: BufferFrames = { nranks: n, blocks: n, timesNs, masks, values, expected: blocks.map(() => full), source: 'data' };
    return { ok: true, frames };
  };
  return { observe, result };
}
