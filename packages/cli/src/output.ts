import { accessSync, chmodSync, constants, lstatSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { WeftInputError } from '@weft/sim';
import { closedPipe } from './entry.js';

/**
 * Output files are checked before a run starts (so a bad --out fails in milliseconds, not
 * after a sweep) and written as a set: every file goes to a temporary first, and only when
 * all are written are they renamed into place, so a failed or interrupted run leaves
 * neither a half-written file nor half of its outputs. Only regular files are written: a
 * rename would replace a device node, FIFO or symlink with a regular file.
 */

function statOrUndefined(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

export function assertWritable(flag: string, path: string): void {
  if (path.trim() === '') throw new WeftInputError(`${flag}: the file name is empty; give a file path (or '-' for stdout)`);
  if (path === '-') return;
  const full = resolve(path);
  const dir = dirname(full);
  const dirStat = statOrUndefined(dir, true);
  if (dirStat === undefined) throw new WeftInputError(`${flag}: cannot write '${path}': directory '${dir}' does not exist`);
  if (!dirStat.isDirectory()) throw new WeftInputError(`${flag}: cannot write '${path}': '${dir}' is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new WeftInputError(`${flag}: cannot write '${path}': directory '${dir}' is not writable`);
  }
  const existing = statOrUndefined(full, false);
  if (existing?.isDirectory()) throw new WeftInputError(`${flag}: cannot write '${path}': it is a directory`);
  if (existing !== undefined && !existing.isFile()) {
    const what = existing.isSymbolicLink() ? 'a symbolic link' : existing.isFIFO() ? 'a FIFO' : existing.isSocket() ? 'a socket' : 'a device';
    throw new WeftInputError(`${flag}: cannot write '${path}': it is ${what}; weft writes only regular files (use '-' for stdout)`);
  }
  if (existing !== undefined) assertReplaceable(flag, path, full, existing, dirStat);
  // access() answers for permission bits only: root passes it everywhere, and /proc, /sys or an
  // immutable directory still refuse a new entry. Creating (and removing) the temporary the write
  // will use is the one test that holds: it fails now rather than after the run.
  try {
    rmSync(stageDir(full), { recursive: true, force: true });
  } catch (error) {
    throw new WeftInputError(`${flag}: cannot write '${path}': ${fsReason(error)}`);
  }
}

/**
 * An existing output file is replaced by a rename, which does not ask the file's own permission
 * bits: a read-only file would be replaced silently, and in a sticky directory (/tmp) a file of
 * another user cannot be replaced at all — found only after the run (EPERM) until this check.
 */
function assertReplaceable(flag: string, path: string, full: string, existing: Stats, dirStat: Stats): void {
  try {
    accessSync(full, constants.W_OK);
  } catch {
    throw new WeftInputError(`${flag}: cannot write '${path}': the file is read-only; remove it or give another path`);
  }
  const uid = process.getuid?.();
  // S_ISVTX, the sticky bit (node's fs.constants does not name it).
  const sticky = (dirStat.mode & 0o1000) !== 0;
  if (sticky && uid !== undefined && uid !== 0 && existing.uid !== uid && dirStat.uid !== uid) {
    throw new WeftInputError(`${flag}: cannot write '${path}': it belongs to another user in a sticky directory, where only its owner may replace it; give another path`);
  }
}

/** A file system error as a phrase: `no such file or directory (ENOENT)`. */
export function fsReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const text = (message ?? String(error)).replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '');
  return code !== undefined ? `${text} (${code})` : text;
}

/** A new temporary directory beside `full` (written into, then renamed from). */
function stageDir(full: string): string {
  return mkdtempSync(join(dirname(full), `.${basename(full)}.tmp-`));
}

/**
 * The flag of the output given as '-', if any: it then takes stdout, which carries that one
 * document alone (a table and a trace, or a report twice, on one stream parse as neither).
 * Two outputs on '-' are refused.
 */
function stdoutOutput(outputs: readonly (readonly [flag: string, path: string])[]): string | undefined {
  const onStdout = outputs.filter(([, path]) => path === '-').map(([flag]) => flag);
  if (onStdout.length > 1) throw new WeftInputError(`${onStdout[1]}: '-' is stdout, which ${onStdout[0]} already writes; give one of them a file`);
  return onStdout[0];
}

/**
 * A command's outputs, checked before it runs (bench, train and train --scale share the rule):
 * each writable, at most one on '-'. Returns the flag of the one on '-', if any: it takes stdout
 * alone, so the command prints nothing else there.
 */
export function checkOutputs(outputs: readonly (readonly [flag: string, path: string])[]): string | undefined {
  for (const [flag, path] of outputs) assertWritable(flag, path);
  // A reader of stdout that goes away must not cost the files (entry.ts closedPipe).
  if (outputs.some(([, path]) => path !== '-')) closedPipe.keepRunning = true;
  return stdoutOutput(outputs);
}

/** Identity of an existing file (device + inode), so hard links and `./x` vs `x` compare equal. */
function fileIdentity(path: string): string {
  const stat = statOrUndefined(path, true);
  return stat === undefined ? `path:${resolve(path)}` : `inode:${stat.dev}:${stat.ino}`;
}

/**
 * Refuses an output that is one of the inputs (it would be overwritten before it is read
 * again) or the same file as another output (one would clobber the other).
 */
export function assertDistinct(outputs: readonly (readonly [flag: string, path: string])[], inputs: readonly (readonly [flag: string, path: string])[]): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of inputs) seen.set(fileIdentity(path), `the ${flag} input`);
  for (const [flag, path] of outputs) {
    if (path === '-') continue;
    const id = fileIdentity(path);
    const other = seen.get(id);
    if (other !== undefined) throw new WeftInputError(`${flag}: '${path}' is the same file as ${other}; give each output its own file`);
    seen.set(id, `${flag}`);
  }
}

/** Temporary directories of writes in progress: removed on SIGINT/SIGTERM before exiting. */
const pending = new Set<string>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      for (const dir of pending) rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    });
  }
}

/** One output: its path (or '-' for stdout) and content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Writes every file to a temporary beside it, then renames them all into place: a failure
 * while writing leaves none of them, and SIGINT/SIGTERM removes the temporaries.
 */
export function writeOutputs(files: readonly OutputFile[]): void {
  hookSignals();
  const staged: Staged[] = [];
  const dirs: string[] = [];
  try {
    for (const file of files) {
      if (file.path === '-') continue;
      const full = resolve(file.path);
      const write = <T>(step: () => T): T => {
        try {
          return step();
        } catch (error) {
          // After the run (a disk filled up, a directory vanished): one line, and no output left.
          throw new WeftInputError(`cannot write '${file.path}': ${fsReason(error)}; no output file was written`);
        }
      };
      const tempDir = write(() => stageDir(full));
      pending.add(tempDir);
      dirs.push(tempDir);
      const temp = join(tempDir, basename(full));
      write(() => writeFileSync(temp, file.content));
      // A replaced file keeps its mode (a rename would give it the temporary's).
      const existing = statOrUndefined(full, false);
      if (existing?.isFile()) write(() => chmodSync(temp, existing.mode & 0o7777));
      staged.push({ temp, full, path: file.path, backup: existing?.isFile() ? join(tempDir, `${basename(full)}.old`) : undefined });
    }
    placeAll(staged);
  } finally {
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
      pending.delete(dir);
    }
  }
  for (const file of files) if (file.path === '-') process.stdout.write(file.content);
}

/** A file written to its temporary: where it goes, as given, and where the file it replaces is moved aside. */
interface Staged {
  readonly temp: string;
  readonly full: string;
  readonly path: string;
  readonly backup: string | undefined;
}

/**
 * Renames every staged file into place, or none: each file it replaces is first moved aside, and
 * when a rename fails (a file that changed owner after the check) the ones already placed are
 * put back as they were. Before, files were renamed one by one, so a failure left the first
 * in place and printed the rename's stack.
 */
function placeAll(staged: readonly Staged[]): void {
  const placed: Staged[] = [];
  try {
    for (const file of staged) {
      if (file.backup !== undefined) renameSync(file.full, file.backup);
      try {
        renameSync(file.temp, file.full);
      } catch (error) {
        if (file.backup !== undefined) renameSync(file.backup, file.full);
        throw error;
      }
      placed.push(file);
    }
  } catch (error) {
    for (const file of placed.reverse()) {
      if (file.backup !== undefined) renameSync(file.backup, file.full);
      else rmSync(file.full, { force: true });
    }
    const failed = staged[placed.length]!;
    throw new WeftInputError(`cannot write '${failed.path}': ${fsReason(error)}; no output file was written`);
  }
}

export function writeFileAtomic(path: string, content: string): void {
  writeOutputs([{ path, content }]);
}
