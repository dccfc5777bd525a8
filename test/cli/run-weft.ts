import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI, run as a user runs it (the `weft` bin, `pnpm weft`): `node packages/cli/dist/bundle/main.js …`. */
export const WEFT_MAIN = fileURLToPath(new URL('../../packages/cli/dist/bundle/main.js', import.meta.url));

export interface WeftRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function weft(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): WeftRun {
  const result = spawnSync(process.execPath, [WEFT_MAIN, ...args], {
    cwd: options.cwd,
    env: options.env === undefined ? undefined : { ...process.env, ...options.env },
    encoding: 'utf8',
    // As long as a test may take (vitest.config.ts testTimeout): a hung command fails its test
    // within that, not after minutes (spawnSync blocks vitest's own timer).
    timeout: options.timeoutMs ?? 120_000,
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

/**
 * The CLI in this process (runCli, as main.js calls it), stdout and stderr captured: no
 * Node start-up per run, so a fuzz can afford hundreds of runs. A thrown error (an internal
 * failure, exit 1 in main.js) is returned as code 1 with its stack on stderr.
 */
export async function weftInProcess(args: readonly string[]): Promise<WeftRun> {
  const { runCli } = await import('@weft/cli');
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    code = await runCli(args);
  } catch (error) {
    code = 1;
    err.push(error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error));
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Every entry under `dir` with its size and modification time: "no file touched" compares two of these. */
export function snapshotDir(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false })
    .map((name) => String(name))
    .sort()
    .map((name) => {
      const stat = lstatSync(join(dir, name));
      return `${name} ${stat.size} ${stat.mtimeMs}`;
    });
}
