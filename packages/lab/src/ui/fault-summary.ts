/**
 * What faults did to a sweep, in a few sentences: per algorithm, which sizes each outcome hit,
 * then each distinct cause once. A failed link strands every run it touches with the same cause
 * (only the transfer number and time differ), and ten copies of it read as noise.
 */
import type { LabRun } from '../engine/run.js';
import { formatBytes } from './format.js';

type Faults = NonNullable<LabRun['faults']>;

/** An error's cause without the run-specific details (`transfer 104 (rank 0 → rank 1, …) stranded at 41835.79 ns: `). */
export function causeOf(error: string): string {
  // With or without the error's name: the sweep's outcomes carry it, a traced run's message does not.
  return error.replace(/^(?:TransferStrandedError: )?transfer \d+ \([^)]*\) stranded at [\d.]+ ns: /, 'a transfer stranded: ');
}

export function faultSummary(faults: Faults): string {
  const parts: string[] = [];
  for (const algorithm of [...new Set(faults.outcomes.map((o) => o.algorithm))]) {
    const groups = new Map<string, string[]>();
    for (const o of faults.outcomes.filter((x) => x.algorithm === algorithm)) {
      const what = `${o.outcome}${o.slowdown !== null && o.outcome !== 'unaffected' ? ` ×${o.slowdown.toFixed(2)}` : ''}`;
      groups.set(what, [...(groups.get(what) ?? []), formatBytes(o.bytes)]);
    }
    parts.push(`${algorithm}: ${[...groups].map(([what, sizes]) => `${what} at ${sizes.join(', ')}`).join('; ')}`);
  }
  const causes = [...new Set(faults.outcomes.flatMap((o) => (o.error ? [causeOf(o.error)] : [])))];
  return `Faults: ${faults.scenario.join('; ')}. ${parts.join('. ')}.${causes.map((c) => ` Why: ${c}.`).join('')}`;
}
