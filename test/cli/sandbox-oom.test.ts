/**
 * A user algorithm module that runs out of memory (hostile.md §19). Its thread dies where V8
 * runs none of its JS, while the CLI's thread sleeps in Atomics.wait on its reply; the monitor
 * thread (packages/cli/src/user-algorithm/sandbox-monitor.ts) sees the death and wakes it. One
 * line naming the call and the cause, exit 2, at once — before, the CLI woke at --timeout and
 * said "did not return … (an infinite loop?)".
 *
 * Each run gets a small heap (NODE_OPTIONS=--max-old-space-size=64: the module's thread
 * inherits it, ≈ 110 MB with its young generation), so a test is quick and never takes more
 * than a few hundred MB of a shared machine; --timeout 60 is far above what the line takes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-sandbox-oom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Allocates until the heap is full: 8 MB arrays, kept. */
const HOG = 'const hog = []; for (;;) hog.push(new Array(1e6).fill(1.5));';

/** The finished ring of docs/writing-an-algorithm.md, renamed, with `extra` as the first line of plan(). */
function ringWith(name: string, extra: string, topLevel = ''): string {
  const doc = readFileSync(new URL('../../docs/writing-an-algorithm.md', import.meta.url), 'utf8');
  const ring = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
  return topLevel + ring.replace(/name: 'my-ring'/, `name: '${name}'`).replace(/plan\(params\) \{/, `plan(params) {\n    ${extra}`);
}
writeFileSync(join(dir, 'oom-plan.mjs'), ringWith('oom-plan', `if (params.nranks > 3) { ${HOG} }`));
// Right on the check matrix (up to 16 ranks) and on a run's own check (up to 64): only the run's plan() reaches it.
writeFileSync(join(dir, 'oom-run.mjs'), ringWith('oom-run', `if (params.nranks > 64) { ${HOG} }`));
writeFileSync(join(dir, 'oom-load.mjs'), `${HOG}\nexport default {};\n`);
// A timer allocates once the module is loaded: the thread dies during a call or between two.
writeFileSync(join(dir, 'oom-timer.mjs'), ringWith('oom-timer', '', `setTimeout(() => { ${HOG} }, 0);\n`));

const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=64' };
const OUT_OF_MEMORY = /: it reached its heap limit \(\d+ MB\) and was stopped \(raise the limit with NODE_OPTIONS=--max-old-space-size=MB\)$/;

/** `args` run with the small heap; the run's wall time in ms with it. */
function runSmall(args: readonly string[]) {
  const started = performance.now();
  const run = weft(args, { cwd: dir, env: SMALL_HEAP, timeoutMs: 90_000 });
  return { run, ms: performance.now() - started };
}

describe('a user module that runs out of memory ends the run in one line, at once', () => {
  it('plan() at 4 ranks (the check matrix): the call and the cause named, exit 2, not a wait to --timeout', () => {
    const { run, ms } = runSmall(['bench', 'allreduce', '--ranks', '4', '--algo', './oom-plan.mjs', '--mode', 'ghost', '-b', '1K', '-e', '1K', '--timeout', '60']);
    expectUsageError(run, new RegExp(`^weft: --algo \\./oom-plan\\.mjs: its thread ran out of memory during plan\\(nranks 4, count 0, root 0, channels 1, chunkElements 0\\)${OUT_OF_MEMORY.source}`));
    expect(ms).toBeLessThan(30_000);
  });

  it('weft algos --check: the same line, under --check', () => {
    const { run, ms } = runSmall(['algos', '--check', './oom-plan.mjs', '--timeout', '60']);
    expectUsageError(run, new RegExp(`^weft: --check \\./oom-plan\\.mjs: its thread ran out of memory during plan\\(nranks 4, count 0, root 0, channels 1, chunkElements 0\\)${OUT_OF_MEMORY.source}`));
    expect(ms).toBeLessThan(30_000);
  });

  it("a module whose top level runs out of memory cannot load: weft's words, not Node's", () => {
    const { run } = runSmall(['bench', 'allreduce', '--ranks', '2', '--algo', './oom-load.mjs', '-b', '1K', '-e', '1K', '--timeout', '60']);
    expectUsageError(run, new RegExp(`^weft: --algo: cannot load '\\./oom-load\\.mjs': its thread ran out of memory while loading the module${OUT_OF_MEMORY.source}`));
  });

  it('a thread that dies in a timer, during a call or between two: named at the next call, exit 2', () => {
    const { run, ms } = runSmall(['bench', 'allreduce', '--ranks', '4', '--algo', './oom-timer.mjs', '--mode', 'ghost', '-b', '1K', '-e', '1K', '--timeout', '60']);
    expectUsageError(run, new RegExp(`^weft: --algo \\./oom-timer\\.mjs: its thread ran out of memory (during|before) \\w+\\([^)]*\\)${OUT_OF_MEMORY.source}`));
    expect(ms).toBeLessThan(30_000);
  });

  it("the run's own plan() beyond the checks (72 ranks): the same line; on ranks it spares the module runs", () => {
    const { run, ms } = runSmall(['bench', 'allreduce', '--ranks', '72', '--algo', './oom-run.mjs', '--mode', 'ghost', '-b', '1K', '-e', '1K', '--timeout', '60']);
    expectUsageError(run, new RegExp(`^weft: --algo \\./oom-run\\.mjs: its thread ran out of memory during plan\\(nranks 72, count 256, root 0, channels \\d+, chunkElements \\d+\\)${OUT_OF_MEMORY.source}`));
    expect(ms).toBeLessThan(30_000);
    const spared = weft(['bench', 'allreduce', '--ranks', '4', '--algo', 'ring,./oom-run.mjs', '-b', '1K', '-e', '1K', '--mode', 'ghost', '--format', 'json'], { cwd: dir, env: SMALL_HEAP });
    expect(spared.stderr).toBe('');
    expect(spared.code).toBe(0);
    expect((JSON.parse(spared.stdout).rows as { algorithm: string }[]).map((r) => r.algorithm)).toEqual(['ring', 'oom-run']);
  });
});
