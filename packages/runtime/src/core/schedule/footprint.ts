/**
 * What a ghost run of a schedule will hold, estimated before it starts: the schedule's tapes
 * (already planned) and the coordinator's connections, one per (sender, receiver, channel)
 * a send uses, each with its FIFO matching tables. Transfers in flight are bounded by the
 * participants' channels and do not grow with the steps. A run over the schedule memory
 * budget (@weft/collectives scheduleMemoryBudget: half the JS heap under Node) is refused
 * in one line, instead of a V8 out-of-memory abort midway.
 */
import { channelTapes, formatBudgetBytes, heapPressure, scheduleMemoryBudget, type PlanProgress, type Schedule, type StepTape } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { MAX_CHANNEL } from '../coordinator/coordinator.js';

/** Heap bytes per coordinator connection (object, two maps, its entry): ~680 B measured on Node 20. */
export const CONNECTION_BYTES = 700;

export interface GhostFootprint {
  readonly scheduleBytes: number;
  readonly connections: number;
}

/** Heap bytes a run of this footprint holds: its schedule and its connections. */
export function footprintBytes({ scheduleBytes, connections }: GhostFootprint): number {
  return scheduleBytes + connections * CONNECTION_BYTES;
}

/** The refusal lines' account of a footprint against the budget. */
function overBudgetText({ scheduleBytes, connections }: GhostFootprint, budget: number): string {
  return `about ${formatBudgetBytes(footprintBytes({ scheduleBytes, connections }))} (${formatBudgetBytes(scheduleBytes)} of schedule, ${connections} connections × ${CONNECTION_BYTES} B), over the limit of ${formatBudgetBytes(budget)} (half the JS heap)`;
}

export function ghostFootprint(schedule: Schedule): GhostFootprint {
  return tapesFootprint(schedule.participants.map(channelTapes));
}

/** The footprint of every participant's tapes (one list per participant, one tape per channel). */
export function tapesFootprint(participants: readonly (readonly StepTape[])[]): GhostFootprint {
  let scheduleBytes = 0;
  let connections = 0;
  const targets = new Set<number>();
  for (const tapes of participants) {
    targets.clear();
    tapes.forEach((written, c) => {
      // A tape still being written (a plan's first part, checkProjectedFootprint) counts as it will be sealed.
      const tape = written.isSealed ? written : written.sealedCopy();
      scheduleBytes += tape.footprintBytes;
      tape.forEachSendTemplate((peer, sendChannel) => targets.add(peer * MAX_CHANNEL + (sendChannel >= 0 ? sendChannel : c)));
    });
    connections += targets.size;
  }
  return { scheduleBytes, connections };
}

/**
 * Share of the JS heap in use (after a full collection) above which a ghost run is refused
 * before it starts: the plan is built, but the run adds the coordinator's connections, the
 * network's flows and events and, for a fast-forward, its cut check and shortened copies.
 * 65,536 GPUs at 1 GiB (a 2 GB plan beside 1.6 GB of topology and routes in a 4 GB heap)
 * aborted in the cut check before this; the largest runs measured to the end hold under half.
 */
export const GHOST_RUN_HEAP_SHARE = 0.75;

/** Refuses (WeftInputError) a ghost run whose estimated footprint exceeds the budget, or that starts with the heap nearly full. */
export function checkGhostFootprint(schedule: Schedule): void {
  const budget = scheduleMemoryBudget();
  if (budget === Infinity) return;
  const footprint = ghostFootprint(schedule);
  if (footprintBytes(footprint) > budget) {
    throw new WeftInputError(`ghost run too big for this machine: ${overBudgetText(footprint, budget)}; use fewer ranks or fewer channels`);
  }
  checkGhostHeap(schedule, footprint.scheduleBytes);
}

/**
 * How far over the budget a projection from a plan's first part must be to refuse the run then:
 * the projection counts the last, ragged part as a whole one, so a plan just over the budget is
 * left to the exact check once planned (checkGhostFootprint).
 */
export const PROJECTION_MARGIN = 1.1;

/**
 * Refuses (WeftInputError) a run whose plan, projected from its first `done` of `of` alike parts
 * (step-tape.ts PlanProgress), would exceed the budget by PROJECTION_MARGIN: as checkGhostFootprint
 * would once all of it is planned (65,536 GPUs, NCCL's default at 1 GiB: after 112 s and 12 GB),
 * but after one part's planning.
 */
export function checkProjectedFootprint({ tapes, done, of }: PlanProgress): void {
  const budget = scheduleMemoryBudget();
  if (budget === Infinity) return;
  const { scheduleBytes, connections } = tapesFootprint(tapes);
  const scale = of / done;
  const projected = { scheduleBytes: scheduleBytes * scale, connections: Math.round(connections * scale) };
  if (footprintBytes(projected) <= budget * PROJECTION_MARGIN) return;
  throw new WeftInputError(
    `run too big for this machine: its first ${done} of ${of} channels planned ${formatBudgetBytes(scheduleBytes)} of schedule and ${connections} connections, so all ${of} would take ${overBudgetText(projected, budget)}; use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
  );
}

/**
 * Refuses a ghost run of `schedule` that would start with more than GHOST_RUN_HEAP_SHARE of
 * the heap in use. Reading the heap is cheap; the schedule's size (a walk of every tape) is
 * only computed for the refusal's line when not given.
 */
export function checkGhostHeap(schedule: Schedule, scheduleBytes?: number): void {
  const heap = heapPressure(GHOST_RUN_HEAP_SHARE);
  if (heap === null) return;
  const bytes = scheduleBytes ?? ghostFootprint(schedule).scheduleBytes;
  throw new WeftInputError(
    `ghost run too big for this machine: before it starts the JS heap holds ${formatBudgetBytes(heap.usedBytes)} of its ${formatBudgetBytes(heap.limitBytes)} limit (topology, routes and a ${formatBudgetBytes(bytes)} schedule; a run needs more than the ${Math.round(100 * (1 - GHOST_RUN_HEAP_SHARE))} % left); use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
  );
}
