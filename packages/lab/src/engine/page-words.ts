/**
 * The CLI's messages where they reach the page: a scenario is checked by `weft bench`'s own
 * schema and sweep, whose lines tell a terminal user which flag to change (`use --mode ghost …
 * or a smaller -e`, `(or a .json/.yaml topology file)`, `'all', 'auto' or module paths`). The
 * lab keeps the CLI's finding and says what to change in the form (and the scenario field) instead;
 * the CLI's own messages stay as they are (packages/cli/src).
 */
import { formatBytes } from './grade.js';

const REWRITES: readonly (readonly [RegExp, (...groups: string[]) => string])[] = [
  // weft bench's data-mode budget (sweep): the form's words are mode and the sizes' "to".
  [
    /^-e\/--maxbytes: (\S+) at (\d+) bytes needs (.*?), over the data-mode budget of ([\d.]+ [KMG]iB) \(([^)]*)\); use --mode ghost \(no payload\) or a smaller -e$/,
    (algorithm, bytes, needs, budget, why) =>
      `sizes: ${algorithm} at ${formatBytes(Number(bytes))} needs ${needs}, over data mode's budget of ${budget} (${why}); pick mode ghost (the same simulated times, no payload) or a smaller "to" size (config.mode, config.sizesBytes in a scenario).`,
  ],
  // The lab takes preset specs only: it reads no topology files.
  [/^(config\.topology \(--topology\): .*) \(or a \.json\/\.yaml topology file\)$/, (finding) => `${finding}; type a preset spec such as switch:8 in the form's topology box.`],
  // The lab runs built-in algorithms by name: no 'all', 'auto' or module paths.
  [
    /^config\.algorithms \(--algo\): '' names no algorithm; use a comma list of names, 'all', 'auto' or module paths$/,
    () => 'config.algorithms: names no algorithm; tick at least one algorithm in the form (in a scenario: list at least one built-in name, such as ring).',
  ],
  // A protocol asked of an algorithm without NCCL protocols (sweep: resolveAlgorithm).
  [
    /^--proto (\S+): (.*); --proto applies to NCCL's algorithms \(([^)]*)\), or use --proto auto$/,
    (proto, finding, nccl) => `proto ${proto}: ${finding}; a protocol applies to NCCL's algorithms (${nccl}): pick proto auto in the form, or untick the others (config.proto, config.algorithms in a scenario).`,
  ],
  // The checker counts ranks as a CLI line does ("wrong on 1 ranks").
  [/^(.*\bon) 1 ranks\b(.*)$/, (head, tail) => `${head} 1 rank${tail}`],
];

/**
 * A run's own (the form's): a fault that does not fit the topology is a scenario's fault kept
 * after the form changed the topology; the form lists the faults, with "Clear faults". (A
 * scenario that does not load keeps the CLI's line: its `fault` field is that flag's text.)
 */
const RUN_REWRITES: typeof REWRITES = [
  [
    /^--(fault|straggler|crash): (.*?)(?: \(weft topo --json lists every link\))?$/,
    (flag, finding) =>
      `faults: ${finding}; press "Clear faults" in the form (it lists the run's faults) or go back to a topology that has it (in a scenario: config.${flag} or config.faults).`,
  ],
];

/** Where a message reaches the page: a run of the form's, or anything else (a scenario loading, a grade). */
export type PageContext = 'run' | 'other';

/** `message` as the page shows it: the CLI's flag advice rewritten for the form; any other message as it is. */
export function forThePage(message: string, context: PageContext = 'other'): string {
  const [first = '', ...rest] = message.split('\n');
  for (const [pattern, rewrite] of context === 'run' ? [...RUN_REWRITES, ...REWRITES] : REWRITES) {
    const match = pattern.exec(first);
    if (match) return [rewrite(...match.slice(1)), ...rest].join('\n');
  }
  return message;
}

/** `work`, its error (if any) rethrown in the page's words. */
export async function inPageWords<T>(work: () => T | Promise<T>, context: PageContext = 'other'): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof Error ? new Error(forThePage(error.message, context)) : error;
  }
}
