/**
 * Whether a sweep's trace fits in this process, decided before the first run. A traced run
 * keeps every schedule step and every flow on every link it crossed until the sweep ends and
 * the trace is written as one JSON text, so a large sweep ran for minutes and then aborted
 * with V8's "JavaScript heap out of memory" and a native stack (dgx-h100:nodes=16, ring, 1 GiB:
 * 520 k steps, 134 s, exit 134; benchmarks/results/hostile.md §"A new user's walk").
 */
import { constants as bufferConstants } from 'node:buffer';
import { heapLimitBytes } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';

/**
 * JS heap a traced schedule step holds until the trace is written: its step record, its
 * flows (one per link crossed) and the trace events built from them. Bracketed by runs on this
 * machine (2026-11-28, ghost, ring, heap limits set with --max-old-space-size), as the figure
 * that TRACE_HEAP_SHARE of the heap may hold per step: dgx-h100:nodes=8 at 1 GiB (131,072 steps)
 * aborts under a 0.44 GiB heap (> 2.8 KiB) and runs under 0.63 GiB (≤ 4.0 KiB);
 * dgx-h100:nodes=16 runs 1 GiB (520,192 steps) under the default 4.05 GiB (≤ 6.5 KiB) and aborts
 * on 512 MiB and 1 GiB together (1,040,384 steps; > 3.3 KiB). 3.5 KiB lies inside all four.
 */
export const TRACE_HEAP_BYTES_PER_STEP = 3.5 * 1024;
/** Trace JSON per step: 935–955 B measured on the same runs (122.6 MB, 497 MB), rounded up. */
export const TRACE_JSON_BYTES_PER_STEP = 1024;
/** The share of the heap limit a trace may take: the topology, routes and the run itself need the rest. */
export const TRACE_HEAP_SHARE = 0.8;

/**
 * This process's JS heap limit, through the one heap probe (collectives' heapLimitBytes, set by
 * the runtime's Node entry, which the sweep loads); without one, no heap bound.
 */
const heapLimit = (): number => heapLimitBytes() ?? Infinity;

/** Most steps a sweep may trace here, and why: the heap's share, or the longest string V8 makes (the JSON). */
export function maxTracedSteps(heapLimitBytes: number = heapLimit()): { steps: number; limit: string } {
  const heapSteps = Math.floor((heapLimitBytes * TRACE_HEAP_SHARE) / TRACE_HEAP_BYTES_PER_STEP);
  const jsonSteps = Math.floor(bufferConstants.MAX_STRING_LENGTH / TRACE_JSON_BYTES_PER_STEP);
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  return heapSteps <= jsonSteps
    ? { steps: heapSteps, limit: `≈ ${TRACE_HEAP_BYTES_PER_STEP / 1024} KiB of JS heap each until the file is written: more than ${TRACE_HEAP_SHARE * 100} % of this process's ${gib(heapLimitBytes)} heap` }
    : { steps: jsonSteps, limit: `≈ ${TRACE_JSON_BYTES_PER_STEP} B of JSON each: more than the ${gib(bufferConstants.MAX_STRING_LENGTH)} V8 string the file is written from` };
}

/**
 * Sums `stepsPerRun` (each traced run's schedule steps, iterations included) and refuses the
 * sweep, naming `flag`, as soon as the sum passes the budget: the runs left are not planned.
 */
export function checkTraceBudget(flag: string, stepsPerRun: Iterable<number>, heapLimitBytes: number = heapLimit()): void {
  const max = maxTracedSteps(heapLimitBytes);
  let steps = 0;
  for (const runSteps of stepsPerRun) {
    steps += runSteps;
    if (steps <= max.steps) continue;
    throw new WeftInputError(
      `${flag}: this sweep's trace would hold more than ${max.steps.toLocaleString('en-US')} schedule steps with their flows (${max.limit}); trace fewer sizes (-b/-e), algorithms, iterations (-n/-w) or ranks`,
    );
  }
}
