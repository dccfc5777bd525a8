import { COLLECTIVE_TABLE } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';

/** `weft algos`: every collective of the table, each with every algorithm, description and constraints. */
export function formatAlgorithms(): string {
  const lines: string[] = [];
  for (const collective of COLLECTIVE_TABLE) {
    const algorithms = collective.algorithms;
    if (algorithms.length === 0) continue;
    lines.push(`${collective.name.toLowerCase()}:`);
    const width = Math.max(...algorithms.map((a) => a.name.length), 4);
    for (const algorithm of algorithms) {
      lines.push(`  ${algorithm.name.padEnd(width)}  ${algorithm.description}`);
      lines.push(`  ${''.padEnd(width)}  constraints: ${algorithm.constraints}`);
    }
    lines.push(`  ${'auto'.padEnd(width)}  picks (algorithm, protocol) per size as NCCL's tuner does: NCCL's own tuning model on GPU presets (--tuner auto), weft's lowest prediction elsewhere (--tuner weft)`);
    lines.push('');
  }
  return lines.join('\n');
}

/** `--timeout`'s seconds as milliseconds (bench's flag accepts the same range). */
function timeoutMs(text: string): number {
  const seconds = /^\s*[\d.]+(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
  if (!(seconds >= 0 && seconds <= 86_400)) throw new WeftInputError(`--timeout: '${text}' is not accepted; use a number of seconds from 0 (no watchdog) to 86400`);
  return seconds * 1000;
}

/** `weft algos --check FILE`: loads a user's algorithm and proves it over the check matrix. */
export async function checkAlgorithmFile(path: string, timeout: string): Promise<string> {
  const limitMs = timeoutMs(timeout);
  // Loaded here, not at start-up: only --check needs the loader and its schema (zod).
  const { CHECK_MATRIX, loadCheckedAlgorithm } = await import('../user-algorithm/index.js');
  const { algorithm, cases, ranks } = await loadCheckedAlgorithm(path, '--check', limitMs);
  // Correct, but `weft bench --algo` would refuse it: say so here, where the user checks it first.
  const { assertOwnName } = await import('../bench/algorithms.js');
  assertOwnName('--check', path, algorithm);
  const { counts, channels, chunkElements } = CHECK_MATRIX;
  return (
    `${path}: ${algorithm.collective}/${algorithm.name} is correct on all ${cases} cases it supports ` +
    `(ranks ${ranks.join(', ')}; counts ${counts.join(', ')}; channels ${channels.join(', ')}; chunk ${chunkElements.join(', ')} elements)\n`
  );
}
