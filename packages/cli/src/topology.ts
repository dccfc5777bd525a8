import { existsSync, readFileSync } from 'node:fs';
import { parseTopologySpec, parseTopologyText, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { parseInteger } from './names.js';

/**
 * The topology spec from `--topology` / `--ranks N` (shorthand for `switch:N`), as `weft bench`
 * and `weft train` both take them.
 */
export function topologySpecFrom(options: { topology?: string; ranks?: string }, fallback: string): string {
  if (options.topology !== undefined && options.ranks !== undefined) {
    throw new WeftInputError('--topology and --ranks both given; use one (--ranks N means --topology switch:N)');
  }
  if (options.ranks !== undefined) return `switch:${parseInteger('--ranks', options.ranks, 1, 65536)}`;
  return options.topology ?? fallback;
}

const FILE_EXTENSIONS = /\.(json|ya?ml)$/i;

/** `--topology` takes a preset spec (`dgx-h100:nodes=2`) or a JSON/YAML file path. */
export function loadTopology(specOrFile: string): Topology {
  if (FILE_EXTENSIONS.test(specOrFile) || existsSync(specOrFile)) {
    let text: string;
    try {
      text = readFileSync(specOrFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new WeftInputError(`--topology: cannot read '${specOrFile}': ${reason}`);
    }
    return parseTopologyText(text, specOrFile);
  }
  return parseTopologySpec(specOrFile);
}
