/**
 * A ghost run with a bound on its cost: through bench's fast-forward choice (same residual
 * rule as the row it explains), but no single run — a fast-forward try or the exact run —
 * may post more than `exactLimit` transfers. What `--explain` uses for the candidates it did
 * not choose: at 1,000+ GPUs one exact 16-channel run is minutes of CPU, and --explain has a
 * handful per size, so an unbounded explain looks like a hang.
 */
import { scheduleTransfers, type RunResult } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import { runBenchSchedule, type FastForwardSay, type FastForwardSettings } from './fast-forward.js';

const count = (n: number) => n.toLocaleString('en-US');

/** A run that did not fit the budget: the transfers the smallest refused run would have posted. */
export interface OverBudget {
  readonly overBudget: true;
  readonly transfers: number;
  /** One line for the user: what was not run and how to run it. */
  readonly reason: string;
}

class OverBudgetSignal extends Error {
  constructor(readonly transfers: number) {
    super(`over budget: ${transfers} transfers`);
  }
}

/**
 * `schedule` run as bench would run it (fast-forwarded when that applies), refusing any run
 * above `exactLimit` transfers: the result, or why not. Runs that fit are bit-identical to
 * bench's own.
 */
export async function runWithinBudget(
  settings: FastForwardSettings,
  schedule: Schedule,
  label: string,
  exactLimit: number,
  run: (schedule: Schedule) => Promise<RunResult>,
  say: FastForwardSay,
): Promise<RunResult | OverBudget> {
  const bounded = (planned: Schedule) => {
    const transfers = scheduleTransfers(planned);
    if (transfers > exactLimit) throw new OverBudgetSignal(transfers);
    return run(planned);
  };
  try {
    return await runBenchSchedule(settings, schedule, label, false, bounded, say);
  } catch (error) {
    if (!(error instanceof OverBudgetSignal)) throw error;
    const reason = `over budget: a run of ${count(error.transfers)} transfers (--exact-limit ${count(exactLimit)})`;
    return { overBudget: true, transfers: error.transfers, reason };
  }
}

export function isOverBudget(result: RunResult | OverBudget): result is OverBudget {
  return 'overBudget' in result;
}
