/**
 * `weft bench` prints its table row by row as runs end, as nccl-tests does: a long sweep shows
 * its first rows at once, and one stopped early has printed the rows it finished.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN, tableRows, weft } from './run-weft.js';

describe('weft bench streams its table', () => {
  it('prints the header and finished rows while later sizes still run; a stop leaves them, without a footer', async () => {
    // 8 B runs in milliseconds; the exact 16-channel tree at 1 GiB on 256 GPUs takes ≈ 18 s of
    // CPU (a 1 GiB ring on 64 GPUs, used before, is down to 1.4 s: too close to the kill).
    const child = spawn(
      process.execPath,
      [WEFT_MAIN, 'bench', 'allreduce', '--topology', 'dgx-h100:nodes=32', '--algo', 'tree', '--fast-forward', 'off', '--mode', 'ghost', '-b', '8', '-e', '1G', '-f', '134217728'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const exited = new Promise<string>((resolve) => child.once('exit', (code, by) => resolve(by ?? String(code))));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (tableRows(stdout).length >= 1) resolve();
      });
    });
    expect(child.exitCode, 'the sweep ended before its first row was read').toBeNull();
    child.kill('SIGINT');
    expect(['SIGINT', '130']).toContain(await exited);
    expect(stdout).toMatch(/^# weft bench allreduce\n/);
    expect(tableRows(stdout)[0]!.slice(0, 2)).toEqual(['8', '2']);
    expect(stdout).not.toMatch(/Avg bus bandwidth/);
  });

  it('a finished table is the same streamed or not: rows, then the footer once', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--algo', 'ring,tree', '-b', '8', '-e', '1M', '-f', '32']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('# weft bench'))).toHaveLength(1);
    expect(tableRows(run.stdout)).toHaveLength(8); // 8 B, 256 B, 8 KiB, 256 KiB × ring, tree
    expect(lines.at(-3)).toMatch(/^# Avg bus bandwidth/);
    expect(lines.slice(-2).map((l) => l.split(':')[0]!.trim())).toEqual(['#   ring', '#   tree']);
  });
});
