import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseTopologySpec, parseTopologyText, type Topology } from '@weft/fabric';
import { WeftInputError, isWeftInputError } from '@weft/sim';
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

/**
 * Largest topology file read: 16 MiB holds a fabric of tens of thousands of GPUs (a link is
 * about 80 bytes of YAML), more than weft routes in reasonable time; larger files are refused
 * before they are read, as are FIFOs and devices (a read would block or never end).
 */
export const MAX_TOPOLOGY_FILE_BYTES = 16 * 1024 * 1024;

/**
 * `--topology` takes a preset spec (`dgx-h100:nodes=2`) or a JSON/YAML file path. The rule:
 * a value ending in .json, .yaml or .yml is a file; anything else is a preset spec, even
 * when a file of that name exists in the working directory (so `ring:8` always means the
 * preset; a file must carry its extension).
 */
export function loadTopology(specOrFile: string): Topology {
  if (FILE_EXTENSIONS.test(specOrFile)) return parseTopologyText(readTopologyFile(specOrFile), specOrFile);
  try {
    return parseTopologySpec(specOrFile);
  } catch (error) {
    if (isWeftInputError(error) && existsSync(specOrFile)) {
      throw new WeftInputError(`${error.message}; a file named '${specOrFile}' exists, but topology files must end in .json, .yaml or .yml`);
    }
    throw error;
  }
}

/** `--topology`'s file names, for refusing an output that would overwrite one. */
export function topologyInputs(specOrFile: string): [string, string][] {
  return FILE_EXTENSIONS.test(specOrFile) ? [['--topology', specOrFile]] : [];
}

function readTopologyFile(path: string): string {
  const cannot = (reason: string) => new WeftInputError(`--topology: cannot read '${path}': ${reason}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block; it is refused below.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw cannot(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw cannot('it is a directory');
    if (!stat.isFile()) throw cannot('not a regular file (a FIFO, socket or device); give a .json/.yaml file');
    if (stat.size > MAX_TOPOLOGY_FILE_BYTES) {
      throw cannot(`${stat.size} bytes is more than the ${MAX_TOPOLOGY_FILE_BYTES} (16 MiB) accepted for a topology file`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
