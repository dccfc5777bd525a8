/**
 * Issue #12, the rest of the watchdog and memory: user code that never returns and an
 * allocation that fails, each run as a user runs weft (a real process: exit code, stderr).
 *
 * - A user algorithm module (--algo ./x.mjs) runs in a thread of its own
 *   (packages/cli/src/user-algorithm/sandbox.ts): an infinite loop in its plan() or at its
 *   top level is stopped at --timeout and named, exit 1 (planning precedes either mode's run).
 * (Allocation failures: hostile-memory.test.ts.)
 * - A data-mode run estimated to take minutes (work-estimate.ts) says so, with its figures
 *   and --mode ghost, on stderr before anything starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN, weft, type WeftRun } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-watchdog-'));

/** The finished ring of docs/writing-an-algorithm.md, renamed, with `extra` as the first line of plan(). */
function ringWith(name: string, extra: string): string {
  const doc = readFileSync(new URL('../../docs/writing-an-algorithm.md', import.meta.url), 'utf8');
  const ring = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
  return ring.replace(/name: 'my-ring'/, `name: '${name}'`).replace(/plan\(params\) \{/, `plan(params) {\n    ${extra}`);
}
writeFileSync(join(dir, 'spin-plan.mjs'), ringWith('spin-plan', 'if (params.nranks > 16) for (;;) {}'));
writeFileSync(join(dir, 'spin-check.mjs'), ringWith('spin-check', 'if (params.nranks > 8) for (;;) {}'));
writeFileSync(join(dir, 'spin-load.mjs'), `for (;;) {}\nexport default {};\n`);

/** A run failure: one line on stderr matching `message`, exit 1, nothing on stdout, no stack. */
function expectRunFailure(run: WeftRun, message: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(1);
}

describe('user code that never returns is stopped at --timeout and named', () => {
  // Planning comes before either mode's run (data mode plans the same way): ghost mode shows it.
  it('an infinite loop in plan(): exit 1, the call named', () => {
    const mode = 'ghost';
    const started = performance.now();
    const run = weft(['bench', 'allreduce', '--ranks', '32', '--algo', './spin-plan.mjs', '-b', '1K', '-e', '1K', '--mode', mode, '--timeout', '3'], { cwd: dir, timeoutMs: 60_000 });
    expectRunFailure(run, /^weft: --algo \.\/spin-plan\.mjs: plan\(nranks 32, count 256, root 0, channels \d+, chunkElements \d+\) did not return within 3 s of wall time \(an infinite loop\?\); its thread was stopped \(raise the limit with --timeout SECONDS\)\n$/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('an infinite loop at the top level of the module: exit 1, named as loading', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '2', '--algo', './spin-load.mjs', '-b', '1K', '-e', '1K', '--timeout', '0.5'], { cwd: dir, timeoutMs: 60_000 });
    expectRunFailure(run, /^weft: --algo \.\/spin-load\.mjs: loading the module did not return within 0\.5 s of wall time/);
  });

  it('weft algos --check stops a loop the check matrix reaches (9 ranks), and checks --timeout like bench', () => {
    const run = weft(['algos', '--check', './spin-check.mjs', '--timeout', '3'], { cwd: dir, timeoutMs: 60_000 });
    expectRunFailure(run, /^weft: --check \.\/spin-check\.mjs: plan\(nranks 9, count 0, root 0, channels 1, chunkElements 0\) did not return within 3 s of wall time/);
    const bad = weft(['algos', '--check', './spin-plan.mjs', '--timeout', 'soon'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("weft: --timeout: 'soon' is not accepted; use a number of seconds from 0 (no watchdog) to 86400\n");
  });

  it('the same module on ranks its loop spares runs as a built-in does', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', 'ring,./spin-plan.mjs', '-b', '1K', '-e', '1K', '--mode', 'ghost', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).rows as { algorithm: string; timeUs: number }[];
    expect(rows.map((r) => r.algorithm)).toEqual(['ring', 'spin-plan']);
  });
});

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
    expect(stderr).toMatch(/^weft bench: data mode here is 8 ranks on 8 worker threads, [\d,]+ schedule steps moving [\d.]+ GiB of real payload: expect minutes; --mode ghost gives the same simulated times in seconds \(no payload, no #wrong\)\n$/);
    const steps = Number(/, ([\d,]+) schedule steps/.exec(stderr)![1]!.replaceAll(',', ''));
    expect(steps).toBeGreaterThan(1_000_000);
  });

  it('any mode: a rank count whose N × (N − 1) rank-step pairs take minutes to plan, before planning', async () => {
    const { stderr, stdout } = await firstStderrLine(['bench', 'allreduce', '--topology', 'switch:5000', '-b', '8', '-e', '8', '--mode', 'ghost']);
    expect(stdout).toBe('');
    expect(stderr).toBe('weft bench: 5,000 ranks: ring-class schedules take N × (N − 1) = 24,995,000 rank-step pairs per collective to plan and simulate (over 16,000,000, about a minute here, growing as N²): expect minutes or more; fewer ranks answer faster\n');
  });
});
