import { WeftInputError } from '@weft/sim';
import { parseInteger } from './names.js';

/**
 * The topology spec from `--topology` / `--ranks N` (shorthand for `switch:N`), as `weft bench`
 * and `weft train` both take them. Text only (no file is read here), so the bench schema
 * that calls it stays browser-safe; topology.ts loads what it names.
 */
export function topologySpecFrom(options: { topology?: string; ranks?: string }, fallback: string): string {
  if (options.topology !== undefined && options.ranks !== undefined) {
    throw new WeftInputError('--topology and --ranks both given; use one (--ranks N means --topology switch:N)');
  }
  if (options.ranks !== undefined) return `switch:${parseInteger('--ranks', options.ranks, 1, 65536)}`;
  return options.topology ?? fallback;
}
