/**
 * `--fast-forward`: whether a bench run takes the runtime's steady-state fast-forward
 * (runtime schedule/fast-forward.ts), and the one stderr line that says so. Only ghost runs
 * on the fluid models without faults or traces qualify: a trace or a fault wants every
 * event, data mode every byte.
 */
import { checkGhostHeap, fastForwardApplies, KEEP_REPS_LADDER, runFastForward, runRecurrent, steadyCut, type RecurrenceWatch, type RunResult, type SteadyCut } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import type { BenchConfig } from './config.js';

const count = (n: number) => n.toLocaleString('en-US');

/** `on` climbs the ladder while T departs from affine by more than this share of the result (runtime FastForwardInfo.residual), and says so past it. */
export const STEADY_RESIDUAL = 1e-9;

/** The settings the choice reads (weft train's scaling table passes its own). */
export type FastForwardSettings = Pick<BenchConfig, 'fastForward' | 'mode' | 'network' | 'iters' | 'warmupIters'>;

/** Where the one line goes: bench writes it to stderr; `weft train --scale` folds it into its row. */
export type FastForwardSay = (line: string) => void;

const toStderr: FastForwardSay = (line) => process.stderr.write(`weft bench: ${line}`);

/**
 * Asked before each rung of the ladder with its cut: false stops the ladder there (the rung
 * is not run). `weft train --scale` counts the tries against its row's transfer budget.
 */
export type FastForwardAfford = (cut: SteadyCut) => boolean;

/**
 * Fast-forward cuts periods out of one iteration's pipeline: with -n/-w asking for more runs
 * per size, every mode runs them exactly (an explicit on or auto is refused up front, flag-rules.ts).
 */
export const oneIteration = (config: Pick<FastForwardSettings, 'iters' | 'warmupIters'>): boolean => config.iters + config.warmupIters === 1;

export async function runBenchSchedule(
  config: FastForwardSettings,
  schedule: Schedule,
  label: string,
  exact: boolean,
  run: (schedule: Schedule, watch?: RecurrenceWatch) => Promise<RunResult>,
  say: FastForwardSay = toStderr,
  afford: FastForwardAfford = () => true,
): Promise<RunResult> {
  const eligible = !exact && config.fastForward !== 'off' && config.mode === 'ghost' && config.network !== 'packet' && oneIteration(config);
  // auto: the exact fast-forward (a recurrence of the whole state, within one iteration), else the exact run.
  if (config.fastForward === 'auto') return eligible ? runRecurrent(schedule, run) : run(schedule);
  // The cut check and the shortened runs allocate beside the plan: refuse a run that starts
  // with the heap nearly full here, in one line, not after they abort (65,536 GPUs at 1 GiB).
  // (The run's own budget check, footprint.ts, comes later, per run.)
  if (eligible) checkGhostHeap(schedule);
  let tried: { readonly cut: SteadyCut; readonly residual: number } | undefined;
  // A pipeline that fills slowly (deep trees) fails the steady-state check with few periods
  // kept: try again keeping four times as many, twice, before giving up.
  for (const [rung, keepReps] of KEEP_REPS_LADDER.entries()) {
    const cut = eligible ? steadyCut(schedule, keepReps) : null;
    if (!fastForwardApplies(config.fastForward, cut, config.iters + config.warmupIters) || !afford(cut)) break;
    const result = await runFastForward(schedule, cut, run);
    const { periodsKept, periodsSkipped, residual } = result.fastForward;
    const periods = `${count(periodsKept)} of ${count(periodsKept + periodsSkipped)} pipeline periods simulated`;
    tried = { cut, residual };
    if (residual > STEADY_RESIDUAL && rung < KEEP_REPS_LADDER.length - 1) continue;
    // on (auto returned above): extrapolated, saying how steady the short runs looked.
    const steady = residual > STEADY_RESIDUAL ? ' though not in a steady state' : '';
    say(`${label}: fast-forwarded (${periods})${steady}: residual ${residual.toExponential(1)} of the time\n`);
    return result;
  }
  if (tried !== undefined) {
    say(
      `${label}: ${count(tried.cut.transfers)} transfers per iteration, not in a steady state (residual ${tried.residual.toExponential(1)}): running it exactly; --fast-forward on extrapolates it anyway (approximate: speed.md §18), --fast-forward off skips the check\n`,
    );
  }
  return run(schedule);
}
