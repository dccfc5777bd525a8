/**
 * What a fault did to one (algorithm, size) run: the same run without faults first (the
 * baseline), then with them, and the difference named: unaffected, slower (by how much),
 * rerouted (a failed link the baseline used, and the run still completed), or failed with
 * the run's own error (a stranded transfer, a crashed rank, a deadlock).
 */
import type { Fault, RunResult } from '@weft/runtime';
import { completedOutcome, runFailureText, slowdownText, type FaultOutcomeName } from '../faults.js';

export interface FaultOutcome {
  readonly algorithm: string;
  readonly bytes: number;
  /** Simulated time without faults. */
  readonly baselineUs: number;
  /** Simulated time with the faults; null when the run failed. */
  readonly faultedUs: number | null;
  readonly outcome: FaultOutcomeName;
  /** faultedUs / baselineUs; null when the run failed. */
  readonly slowdown: number | null;
  /** The error the faulted run ended with: its name and first line. */
  readonly error?: string;
}

export interface FaultedRun {
  /** The run with faults, when it completed. */
  readonly result?: RunResult;
  /** The same schedule without the faults (what `--trace` draws when the faulted run failed). */
  readonly baseline: RunResult;
  readonly outcome: FaultOutcome;
}

/** Runs `run` without and with `faults`; a run failure becomes the outcome, anything else is thrown. */
export async function runWithFaults(
  run: (faults: readonly Fault[] | undefined) => Promise<RunResult>,
  faults: readonly Fault[],
  label: { readonly algorithm: string; readonly bytes: number },
  onFailure: () => Promise<void>,
): Promise<FaultedRun> {
  const baseline = await run(undefined);
  const baselineUs = baseline.timeNs / 1000;
  let result: RunResult;
  try {
    result = await run(faults);
  } catch (error) {
    const failure = runFailureText(error);
    if (failure === undefined) throw error;
    await onFailure();
    return { baseline, outcome: { ...label, baselineUs, faultedUs: null, outcome: 'failed', slowdown: null, error: failure } };
  }
  const faultedUs = result.timeNs / 1000;
  return { result, baseline, outcome: { ...label, baselineUs, faultedUs, outcome: completedOutcome(faults, baseline, result), slowdown: faultedUs / baselineUs } };
}

/** The outcomes as comment lines under the nccl-tests table. */
export function formatFaultOutcomes(scenario: readonly string[], outcomes: readonly FaultOutcome[]): string {
  // Titles and cells through one layout, so they line up; the algorithm column fits the longest name.
  const width = Math.max(18, ...outcomes.map((o) => o.algorithm.length));
  const line = (algorithm: string, size: string, baseline: string, faulted: string, outcome: string) =>
    `#  ${algorithm.padEnd(width)} ${size.padStart(10)} ${baseline.padStart(14)} ${faulted.padStart(12)}   ${outcome}`;
  const lines = ['#', `# Faults: ${scenario.join('; ')}`, line('algorithm', 'size', 'no-fault(us)', 'fault(us)', 'outcome')];
  for (const o of outcomes) {
    const faulted = o.faultedUs === null ? '-' : o.faultedUs.toFixed(2);
    const what = o.outcome === 'failed' ? `failed: ${o.error}` : `${o.outcome}${slowdownText(o.slowdown)}`;
    lines.push(line(o.algorithm, String(o.bytes), o.baselineUs.toFixed(2), faulted, what));
  }
  return lines.join('\n') + '\n';
}
