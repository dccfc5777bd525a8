/**
 * A ghost run with a bound on what it simulates: through bench's fast-forward choice (same
 * residual rule), but everything it simulates — fast-forward's short runs and the exact run —
 * counts against a budget of `exactLimit` transfers, and a run that would not fit is not
 * started (a rung of short runs is priced whole before its first run). So its CPU is bounded
 * by the budget whatever the fast-forward's tries turn out to say. A rung that would post at
 * least as many transfers as the exact run, when the exact run fits, is not tried either: the
 * exact run is then both cheaper and exact (4,096 GPUs hierarchical: 9.5 M in short runs
 * against 4.2 M, benchmarks/results/train.md §6).
 *
 * `weft train --scale` runs each row's all-reduce this way; `weft bench --explain` each
 * candidate it did not choose (at 1,000+ GPUs one exact 16-channel run is minutes of CPU).
 * `simulated` names the participants a run simulates (its rank classes' representatives): the
 * budget counts their transfers, which is what the run costs.
 */
import { scheduleTransfers, shortenedSchedule, type RecurrenceWatch, type RunResult, type SteadyCut } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import { runBenchSchedule, type FastForwardSay, type FastForwardSettings } from './fast-forward.js';

const count = (n: number) => n.toLocaleString('en-US');

/** Simulated within the budget; `note` when a fast-forward rung was declined because the exact run was cheaper. */
export interface WithinBudget {
  readonly result: RunResult;
  readonly note?: string;
}

/** Not simulated: why, in words (`over budget: N transfers to run exactly (--exact-limit M)…`). */
export interface OverBudget {
  readonly overBudget: string;
}

export async function runWithinBudget(
  settings: FastForwardSettings,
  schedule: Schedule,
  label: string,
  exactLimit: number,
  run: (schedule: Schedule, watch?: RecurrenceWatch) => Promise<RunResult>,
  say: FastForwardSay,
  simulated: (schedule: Schedule) => readonly number[] | undefined = () => undefined,
): Promise<WithinBudget | OverBudget> {
  let spent = 0;
  /** The exact run's transfers, once known (a cut carries them). */
  let exact: number | undefined;
  /** The rung not attempted: its transfers. */
  let declined: number | undefined;
  const fits = (transfers: number) => spent + transfers <= exactLimit;
  const afford = (cut: SteadyCut) => {
    exact = cut.transfers;
    const transfers = shortRunsTransfers(schedule, cut);
    if (!fits(transfers) || (fits(exact) && exact <= transfers)) declined = transfers;
    return declined === undefined;
  };
  const bounded = (planned: Schedule, watch?: RecurrenceWatch) => {
    // The whole schedule comes here only to run exactly; the short runs were priced by afford.
    // What the run simulates: with rank classes, the representatives' transfers (Cluster.simulatedParticipants).
    const transfers = planned === schedule ? (exact ??= scheduleTransfers(schedule, simulated(schedule))) : scheduleTransfers(planned, simulated(planned));
    if (planned === schedule && !fits(transfers)) throw new OverBudgetSignal(transfers);
    spent += transfers;
    return run(planned, watch);
  };
  try {
    const result = await runBenchSchedule(settings, schedule, label, false, bounded, say, afford);
    // Declined and run exactly: only because the exact run was the cheaper (a rung that does not fit costs more than an exact run that does).
    if (declined === undefined) return { result };
    return { result, note: `${label}: fast-forward's three short runs (${count(declined)} transfers) not attempted: running it exactly posts ${count(exact!)}` };
  } catch (error) {
    if (!(error instanceof OverBudgetSignal)) throw error;
    const ran = spent > 0 ? `, after ${count(spent)} in fast-forward's short runs` : '';
    const skipped = declined !== undefined ? `; fast-forward's ${spent > 0 ? 'next ' : ''}three short runs (${count(declined)} transfers) not attempted` : '';
    return { overBudget: `over budget: ${count(error.transfers)} transfers to run exactly (--exact-limit ${count(exactLimit)})${ran}${skipped}` };
  }
}

export function isOverBudget(outcome: WithinBudget | OverBudget): outcome is OverBudget {
  return 'overBudget' in outcome;
}

/** Transfers of one fast-forward rung: its three shortened runs (runFastForward's A, B and C) together. */
function shortRunsTransfers(schedule: Schedule, cut: SteadyCut): number {
  let transfers = 0;
  for (const remove of [cut.removeA, cut.removeB, cut.removeC]) transfers += scheduleTransfers(shortenedSchedule(schedule, cut.minReps, remove, cut.mode));
  return transfers;
}

/** An exact run that would post more transfers than the budget has left. */
class OverBudgetSignal extends Error {
  constructor(readonly transfers: number) {
    super(`over budget: ${transfers} transfers`);
  }
}
