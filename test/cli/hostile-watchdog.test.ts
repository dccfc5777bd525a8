/**
 * Issue #12, the rest of the watchdog and memory: user code that never returns and an
 * allocation that fails, each run as a user runs weft (a real process: exit code, stderr).
 *
 * - A user algorithm module (--algo ./x.mjs) runs in a thread of its own
 *   (packages/cli/src/user-algorithm/sandbox.ts): an infinite loop in its plan() or at its
 *   top level is stopped at --timeout and named, exit 1 (planning precedes either mode's run).
 * (Allocation failures: hostile-memory.test.ts; runs that take minutes: hostile-estimate.test.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weft, type WeftRun } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-watchdog-'));

/** The finished ring of docs/writing-an-algorithm.md, renamed, with `extra` as the first line of plan(). */
function ringWith(name: string, extra: string): string {
  const doc = readFileSync(new URL('../../docs/writing-an-algorithm.md', import.meta.url), 'utf8');
  const ring = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
  return ring.replace(/name: 'my-ring'/, `name: '${name}'`).replace(/plan\(params\) \{/, `plan(params) {\n    ${extra}`);
}
writeFileSync(join(dir, 'spin-plan.mjs'), ringWith('spin-plan', 'if (params.nranks > 64) for (;;) {}'));
writeFileSync(join(dir, 'spin-check.mjs'), ringWith('spin-check', 'if (params.nranks > 8) for (;;) {}'));
writeFileSync(join(dir, 'throws.mjs'), ringWith('throws', 'if (params.nranks > 64) throw new Error(`no plan for ${params.nranks} ranks`);'));
writeFileSync(join(dir, 'spin-load.mjs'), `for (;;) {}\nexport default {};\n`);
writeFileSync(join(dir, 'exits-plan.mjs'), ringWith('exits-plan', 'if (params.nranks > 64) process.exit(3);'));
writeFileSync(join(dir, 'exits-load.mjs'), `process.exit(4);\nexport default {};\n`);

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
    const run = weft(['bench', 'allreduce', '--ranks', '72', '--algo', './spin-plan.mjs', '-b', '1K', '-e', '1K', '--mode', mode, '--timeout', '3'], { cwd: dir, timeoutMs: 60_000 });
    expectRunFailure(run, /^weft: --algo \.\/spin-plan\.mjs: plan\(nranks 72, count 256, root 0, channels \d+, chunkElements \d+\) did not return within 3 s of wall time \(an infinite loop\?\); its thread was stopped \(raise the limit with --timeout SECONDS\)\n$/);
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

  it('a plan() that throws where the check matrix does not reach: one line naming the call and its message, exit 2', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '72', '--algo', './throws.mjs', '-b', '1K', '-e', '1K', '--mode', 'ghost'], { cwd: dir });
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^weft: --algo \.\/throws\.mjs: plan\(nranks 72, count 256, root 0, channels \d+, chunkElements \d+\) threw: no plan for 72 ranks\n$/);
    expect(run.code).toBe(2);
  });

  it('a module that ends its thread (process.exit) is named at once, not at --timeout', () => {
    const started = performance.now();
    const run = weft(['bench', 'allreduce', '--ranks', '72', '--algo', './exits-plan.mjs', '-b', '1K', '-e', '1K', '--mode', 'ghost', '--timeout', '600'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^weft: --algo \.\/exits-plan\.mjs: plan\(nranks 72, count 256, root 0, channels \d+, chunkElements \d+\) threw: ended its thread \(exit code 3\) instead of returning\n$/);
    expect(run.code).toBe(2);
    const load = weft(['bench', 'allreduce', '--ranks', '2', '--algo', './exits-load.mjs', '-b', '1K', '-e', '1K', '--timeout', '600'], { cwd: dir, timeoutMs: 60_000 });
    expect(load.stdout).toBe('');
    expect(load.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(load.stderr).toMatch(/exits-load\.mjs.*it ended its thread while loading \(exit code 4\)/);
    expect(load.code).toBe(2);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('the same module on ranks its loop spares runs as a built-in does', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', 'ring,./spin-plan.mjs', '-b', '1K', '-e', '1K', '--mode', 'ghost', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).rows as { algorithm: string; timeUs: number }[];
    expect(rows.map((r) => r.algorithm)).toEqual(['ring', 'spin-plan']);
  });
});
