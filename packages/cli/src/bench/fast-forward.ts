/**
 * `--fast-forward`: whether a bench run takes the runtime's steady-state fast-forward
 * (runtime schedule/fast-forward.ts), and the one stderr line that says so. Only ghost runs
 * on the fluid models without faults or traces qualify: a trace or a fault wants every
 * event, data mode every byte.
 */
import { fastForwardApplies, runFastForward, steadyCut, type RunResult } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import type { BenchConfig } from './config.js';

const count = (n: number) => n.toLocaleString('en-US');

/** `auto` takes a fast-forward whose T departs from affine by at most this share of the result (runtime FastForwardInfo.residual). */
export const STEADY_RESIDUAL = 1e-9;

export async function runBenchSchedule(
  config: BenchConfig,
  schedule: Schedule,
  label: string,
  exact: boolean,
  run: (schedule: Schedule) => Promise<RunResult>,
): Promise<RunResult> {
  const eligible = !exact && config.fastForward !== 'off' && config.mode === 'ghost' && config.network !== 'packet';
  const cut = eligible ? steadyCut(schedule) : null;
  if (!fastForwardApplies(config.fastForward, cut, config.iters + config.warmupIters)) return run(schedule);
  const result = await runFastForward(schedule, cut, run);
  const { periodsKept, periodsSkipped, residual } = result.fastForward;
  const periods = `${count(periodsKept)} of ${count(periodsKept + periodsSkipped)} pipeline periods simulated`;
  if (config.fastForward === 'on') {
    const steady = residual > STEADY_RESIDUAL ? ' though not in a steady state' : '';
    process.stderr.write(`weft bench: ${label}: fast-forwarded (${periods})${steady}: residual ${residual.toExponential(1)} of the time\n`);
    return result;
  }
  if (residual > STEADY_RESIDUAL) {
    process.stderr.write(`weft bench: ${label}: ${count(cut.transfers)} transfers per iteration, not in a steady state (residual ${residual.toExponential(1)}): running it exactly; --fast-forward off skips the check\n`);
    return run(schedule);
  }
  process.stderr.write(
    `weft bench: ${label}: ${count(cut.transfers)} transfers per iteration, so its steady state is fast-forwarded ` +
      `(${periods}, the rest extrapolated; error against the exact engine in benchmarks/results/speed.md §12); --fast-forward off runs it exactly\n`,
  );
  return result;
}
