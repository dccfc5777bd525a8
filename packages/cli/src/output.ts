import { accessSync, constants, lstatSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { WeftInputError } from '@weft/sim';

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
  // access() answers for permission bits only: root passes it everywhere, and /proc, /sys or an
  // immutable directory still refuse a new entry. Creating (and removing) the temporary the write
  // will use is the one test that holds: it fails now rather than after the run.
  try {
    rmSync(stageDir(full), { recursive: true, force: true });
  } catch (error) {
    throw new WeftInputError(`${flag}: cannot write '${path}': ${fsReason(error)}`);
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
  const staged: { temp: string; full: string }[] = [];
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
      staged.push({ temp, full });
    }
    for (const { temp, full } of staged) renameSync(temp, full);
  } finally {
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
      pending.delete(dir);
    }
  }
  for (const file of files) if (file.path === '-') process.stdout.write(file.content);
}

export function writeFileAtomic(path: string, content: string): void {
  writeOutputs([{ path, content }]);
}
