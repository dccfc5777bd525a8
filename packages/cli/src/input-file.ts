import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { WeftInputError } from '@weft/sim';

/**
 * Largest input file read (--topology, --scenario): 16 MiB holds a fabric of tens of
 * thousands of GPUs (a link is about 80 bytes of YAML), more than weft routes in reasonable
 * time; larger files are refused before they are read.
 */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The text of an input file: a regular file under MAX_INPUT_FILE_BYTES. FIFOs and devices
 * are refused at once (a read would block forever or never end, as /dev/zero does).
 */
export function readInputFile(flag: string, path: string, wanted = 'a .json/.yaml file', maxBytes = MAX_INPUT_FILE_BYTES): string {
  const cannot = (reason: string) => new WeftInputError(`${flag}: cannot read '${path}': ${reason}`);
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
    const problem = notRegularFile(stat, wanted);
    if (problem !== undefined) throw cannot(problem);
    if (stat.size > maxBytes) {
      throw cannot(`${stat.size} bytes is more than the ${maxBytes} (${maxBytes / 2 ** 20} MiB) accepted`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Why `stat` is no input file weft reads (a directory; a FIFO, socket or device, whose read may
 * block forever), or undefined for a regular file. `wanted` says what to give instead.
 */
export function notRegularFile(stat: Stats, wanted: string): string | undefined {
  if (stat.isDirectory()) return 'it is a directory';
  if (!stat.isFile()) return `not a regular file (a FIFO, socket or device); give ${wanted}`;
  return undefined;
}
