import { existsSync, readFileSync } from 'node:fs';
import { parseTopologySpec, parseTopologyText, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';

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
