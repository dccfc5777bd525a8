import { existsSync, statSync } from 'node:fs';
import { readInputFile } from './input-file.js';
import { parseTopologySpec, parseTopologyText, type Topology } from '@weft/fabric';
import { WeftInputError, isWeftInputError } from '@weft/sim';

export { topologySpecFrom } from './topology-spec.js';

const FILE_EXTENSIONS = /\.(json|ya?ml)$/i;

/**
 * `--topology` takes a preset spec (`dgx-h100:nodes=2`) or a JSON/YAML file path. The rule:
 * a value ending in .json, .yaml or .yml is a file; anything else is a preset spec, even
 * when a file of that name exists in the working directory (so `ring:8` always means the
 * preset; a file must carry its extension).
 */
/** `flag`: what the user typed the spec or file as (`--topology`, or `weft topo`'s `<spec|file>`), for messages. */
export function loadTopology(specOrFile: string, flag = '--topology'): Topology {
  if (FILE_EXTENSIONS.test(specOrFile)) return parseTopologyText(readInputFile(flag, specOrFile), specOrFile);
  try {
    return parseTopologySpec(specOrFile);
  } catch (error) {
    if (isWeftInputError(error) && existsSync(specOrFile)) {
      const found = statSync(specOrFile).isDirectory() ? `'${specOrFile}' is a directory; a topology file is one file ending in` : `a file named '${specOrFile}' exists, but topology files must end in`;
      throw new WeftInputError(`${error.message}; ${found} .json, .yaml or .yml`);
    }
    throw error;
  }
}

/** `--topology`'s file names, for refusing an output that would overwrite one. */
export function topologyInputs(specOrFile: string): [string, string][] {
  return FILE_EXTENSIONS.test(specOrFile) ? [['--topology', specOrFile]] : [];
}
