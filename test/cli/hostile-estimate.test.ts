/**
 * Issue #12, inputs without bounds: a run estimated to take minutes (packages/cli/src/bench/
 * work-estimate.ts, from deterministic quantities only) says so in one stderr line, with the
 * figures and the faster way, before it starts; stdout is untouched.
 */
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

/** Runs weft until its first stderr line, then interrupts it: that line, and what stdout had. */
async function firstStderrLine(args: readonly string[]): Promise<{ stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [WEFT_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('\n')) resolve();
    });
    void exited.then(() => resolve());
  });
  child.kill('SIGINT');
  await exited;
  return { stderr, stdout };
}

describe('a run that will take minutes says so before it starts', () => {
  it('data mode: one stderr line with the estimate and --mode ghost, before the first worker runs', async () => {
    // 8 ranks × 20,000 iterations of a ring: ~2.4 million schedule steps, over the 1 million that are announced.
    const { stderr, stdout } = await firstStderrLine(['bench', 'allreduce', '--ranks', '8', '-b', '1M', '-e', '1M', '-n', '10000', '-w', '10000', '--algo', 'ring']);
    expect(stdout).toBe('');
    // One worker thread per core by default (runtime: ranksPerWorker = ceil(ranks / cores)).
    const threads = Math.ceil(8 / Math.ceil(8 / availableParallelism()));
    expect(stderr).toMatch(new RegExp(`^weft bench: data mode here is 8 ranks on ${threads} worker threads?, `));
    expect(stderr).toMatch(/worker threads?, [\d,]+ schedule steps moving [\d.]+ GiB of real payload: expect minutes; --mode ghost gives the same simulated times in seconds \(no payload, no #wrong\)\n$/);
    const steps = Number(/, ([\d,]+) schedule steps/.exec(stderr)![1]!.replaceAll(',', ''));
    expect(steps).toBeGreaterThan(1_000_000);
  });

  it('any mode: a rank count whose N × (N − 1) rank-step pairs take minutes at large sizes, said before planning', async () => {
    const { stderr, stdout } = await firstStderrLine(['bench', 'allreduce', '--topology', 'switch:5000', '-b', '8', '-e', '8', '--mode', 'ghost']);
    expect(stdout).toBe('');
    expect(stderr).toBe('weft bench: 5,000 ranks: ring-class schedules take N × (N − 1) = 24,995,000 rank-step pairs per collective to simulate (over 16,000,000, growing as N²): large sizes can take minutes here, small ones seconds; fewer ranks answer faster\n');
  });
});
