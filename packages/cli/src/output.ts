import { accessSync, constants, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { WeftInputError } from '@weft/sim';

/**
 * Output files are checked before a run starts (so a bad --out fails in milliseconds, not
 * after a sweep) and written atomically (temp file + rename), so a failed run never leaves
 * a half-written file behind.
 */
export function assertWritable(flag: string, path: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new WeftInputError(`${flag}: cannot write '${path}': directory '${dir}' does not exist`);
  }
  if (!dirStat.isDirectory()) throw new WeftInputError(`${flag}: cannot write '${path}': '${dir}' is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new WeftInputError(`${flag}: cannot write '${path}': directory '${dir}' is not writable`);
  }
  try {
    if (statSync(full).isDirectory()) throw new WeftInputError(`${flag}: cannot write '${path}': it is a directory`);
  } catch (error) {
    if (error instanceof WeftInputError) throw error;
    // does not exist yet: fine
  }
}

export function writeFileAtomic(path: string, content: string): void {
  const full = resolve(path);
  const tempDir = mkdtempSync(join(dirname(full), `.${basename(full)}.tmp-`));
  const tempFile = join(tempDir, basename(full));
  try {
    writeFileSync(tempFile, content);
    renameSync(tempFile, full);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}
