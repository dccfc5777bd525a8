import { listAlgorithms } from '@weft/collectives';
import { COLLECTIVE_NAMES } from '../names.js';

/** `weft algos`: every registered algorithm with its description and constraints. */
export function formatAlgorithms(): string {
  const lines: string[] = [];
  for (const [cliName, collective] of Object.entries(COLLECTIVE_NAMES)) {
    const algorithms = listAlgorithms(collective);
    if (algorithms.length === 0) continue;
    lines.push(`${cliName}:`);
    const width = Math.max(...algorithms.map((a) => a.name.length), 4);
    for (const algorithm of algorithms) {
      lines.push(`  ${algorithm.name.padEnd(width)}  ${algorithm.description}`);
      lines.push(`  ${''.padEnd(width)}  constraints: ${algorithm.constraints}`);
    }
    lines.push(`  ${'auto'.padEnd(width)}  picks the algorithm with the lowest alpha-beta prediction for each size and topology, as NCCL's tuner does`);
    lines.push('');
  }
  return lines.join('\n');
}
