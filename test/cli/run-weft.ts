import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI, run as a user runs it: `node packages/cli/dist/main.js …`. */
export const WEFT_MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export interface WeftRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function weft(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): WeftRun {
  const result = spawnSync(process.execPath, [WEFT_MAIN, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Data rows of an nccl-tests-style table: every non-comment, non-empty line, split on spaces. */
export function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/));
}

/** Column positions in the table (see packages/cli/src/format/table.ts). */
export const COL = { size: 0, count: 1, type: 2, redop: 3, root: 4, time: 5, algbw: 6, busbw: 7, wrong: 8, algorithm: 9, proto: 10, predicted: 11, wall: 12 } as const;

/** Bad input: one line on stderr matching `message`, exit code 2, nothing on stdout, no stack. */
export function expectUsageError(run: WeftRun, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
