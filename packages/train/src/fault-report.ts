/**
 * A faulted training run against the same run without faults: each part of the step
 * (total, exposed communication, compute) side by side with its slowdown, and what
 * happened. The outcome's name comes from the caller (the CLI names outcomes the same way
 * for `weft bench` and `weft train`).
 */
import { formatDurationNs } from './format.js';
import type { TrainReport } from './report.js';

export type StepComponent = 'total' | 'exposedComm' | 'compute';

export interface StepComponentComparison {
  readonly component: StepComponent;
  /** Mean over steps, fault-free run (ns). */
  readonly faultFreeNs: number;
  /** Mean over steps, faulted run (ns); null when it failed. */
  readonly faultedNs: number | null;
  /** faultedNs / faultFreeNs; null when the run failed or the part is 0 in both. */
  readonly slowdown: number | null;
}

export interface TrainFaultReport {
  /** One line per fault. */
  readonly scenario: readonly string[];
  readonly outcome: 'unaffected' | 'slower' | 'faster' | 'rerouted' | 'failed';
  /** The faulted run's error (`Name: first line`) when it failed. */
  readonly error?: string;
  /** A crash that ended the run: the rank and the 1-based step it was in. */
  readonly crash?: { readonly rank: number; readonly step: number };
  /** The report around this comparison is the faulted run's, or the fault-free run's when the faulted one failed. */
  readonly reportIs: 'faulted' | 'faultFree';
  readonly components: readonly StepComponentComparison[];
  /** Per rank, mean compute per step (a slow straggler's grows by its factor). */
  readonly computeNsByRank: { readonly faultFree: readonly number[]; readonly faulted: readonly number[] | null };
}

/**
 * The step's parts, mean over steps. Compute is the slowest rank's (a straggler's compute
 * is on every rank's critical path: the others wait for it in the all-reduce); exposed
 * communication is the rest of the step. Without faults every rank computes the same.
 */
export function stepComponents(report: TrainReport): Record<StepComponent, number> {
  const computeNs = Math.max(...report.stepTime.computeNsByRank);
  return { total: report.stepTime.totalNs, exposedComm: report.stepTime.totalNs - computeNs, compute: computeNs };
}

export function compareSteps(faultFree: TrainReport, faulted: TrainReport | undefined): StepComponentComparison[] {
  const before = stepComponents(faultFree);
  const after = faulted ? stepComponents(faulted) : undefined;
  return (['total', 'exposedComm', 'compute'] as const).map((component) => {
    const faultFreeNs = before[component];
    const faultedNs = after ? after[component] : null;
    const slowdown = faultedNs === null ? null : faultFreeNs === faultedNs ? 1 : faultFreeNs > 0 ? faultedNs / faultFreeNs : null;
    return { component, faultFreeNs, faultedNs, slowdown };
  });
}

/**
 * The 1-based step `rank` was in at `atNs`, from its step end times ([rank][step], the
 * same run without the crash: until the crash both runs are the same simulation); undefined
 * when the rank had finished by then.
 */
export function stepAt(stepEndsNs: readonly (readonly number[])[], rank: number, atNs: number): number | undefined {
  const index = stepEndsNs[rank]?.findIndex((endNs) => endNs > atNs) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

const COMPONENT_LABELS: Record<StepComponent, string> = { total: 'step total', exposedComm: 'exposed comm', compute: 'compute (slowest rank)' };

/** Comment lines under the run's summary: the parts side by side, then the outcome. */
export function formatFaultReport(report: TrainFaultReport, outcomeLine: string): string {
  const lines = ['#', `# Faults: ${report.scenario.join('; ')}`, `#  ${'part'.padEnd(24)} ${'no fault'.padStart(14)} ${'with fault'.padStart(14)}   slowdown`];
  for (const c of report.components) {
    const faulted = c.faultedNs === null ? '-' : formatDurationNs(c.faultedNs);
    const slowdown = c.slowdown === null ? '-' : `${c.slowdown.toFixed(3)}x`;
    lines.push(`#  ${COMPONENT_LABELS[c.component].padEnd(24)} ${formatDurationNs(c.faultFreeNs).padStart(14)} ${faulted.padStart(14)}   ${slowdown}`);
  }
  lines.push(`# outcome: ${outcomeLine}`);
  return lines.join('\n') + '\n';
}
