/**
 * What a data-mode sweep will do, from deterministic quantities only (its schedules and
 * rank count, never a clock): the worker threads it starts, the schedule steps the workers
 * execute (every transfer among them is also a round trip through the coordinator), and the
 * payload bytes those steps move. `weft bench` computes it before anything starts, so that a
 * run that will take minutes says so first (one stderr line) instead of printing nothing.
 */
import { decodeSteps, stepCount, type Schedule } from '@weft/collectives';

export interface DataWork {
  readonly ranks: number;
  readonly threads: number;
  /** Steps of every participant, summed over the sweep's algorithms and sizes. */
  readonly steps: number;
  /** Payload bytes those steps copy, reduce or send. */
  readonly movedBytes: number;
}

/** Steps and moved bytes of one run of `schedule`. */
export function scheduleWork(schedule: Schedule, elementBytes: number): { steps: number; movedBytes: number } {
  let steps = 0;
  let movedElements = 0;
  for (const participant of schedule.participants) {
    for (const channel of participant.channels) {
      steps += channel.length;
      for (const actions of decodeSteps(channel)) movedElements += stepCount(actions);
    }
  }
  return { steps, movedBytes: movedElements * elementBytes };
}

/**
 * Above any of these a data-mode sweep takes minutes on a laptop-class machine (measured in
 * benchmarks/results/hostile.md: 144 ranks of nvl72, 1 MiB, about a minute on 2 cores), so
 * it is announced. Below, nothing is printed (stderr stays empty for ordinary runs).
 */
export const LONG_DATA_RUN = { threads: 128, steps: 1_000_000, movedBytes: 64 * 2 ** 30 } as const;

export function isLongDataRun(work: DataWork): boolean {
  return work.threads > LONG_DATA_RUN.threads || work.steps > LONG_DATA_RUN.steps || work.movedBytes > LONG_DATA_RUN.movedBytes;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The one-line notice: the estimate, and the two ways to a faster answer. */
export function longDataRunNotice(work: DataWork): string {
  const gib = (work.movedBytes / 2 ** 30).toFixed(1);
  const fewerThreads = Math.ceil(work.ranks / LONG_DATA_RUN.threads);
  return (
    `weft bench: data mode here is ${count(work.ranks)} ranks on ${count(work.threads)} worker threads, ` +
    `${count(work.steps)} schedule steps moving ${gib} GiB of real payload: expect minutes; ` +
    `--mode ghost gives the same simulated times in seconds (no payload, no #wrong)` +
    (work.threads > LONG_DATA_RUN.threads ? `, --ranks-per-worker ${fewerThreads} starts fewer threads` : '') +
    '\n'
  );
}

/**
 * Rank pairs above which large sizes take minutes: ring-class schedules simulate every
 * (rank, step) pair, N × (N − 1) of them, growing as N². Planning no longer does (runs are
 * written whole: a 4,096-GPU ring at 1 MiB takes ≈ 8 s of CPU, at 16 GiB ≈ 100 s). Said
 * before planning starts, since the data-mode estimate above needs the schedules.
 */
export const LONG_PLAN_RANK_PAIRS = 16_000_000;

export function longPlanNotice(nranks: number): string | null {
  const pairs = nranks * (nranks - 1);
  if (pairs <= LONG_PLAN_RANK_PAIRS) return null;
  return (
    `weft bench: ${count(nranks)} ranks: ring-class schedules take N × (N − 1) = ${count(pairs)} rank-step pairs per collective to simulate ` +
    `(over ${count(LONG_PLAN_RANK_PAIRS)}, growing as N²): large sizes can take minutes here, small ones seconds; fewer ranks answer faster\n`
  );
}
