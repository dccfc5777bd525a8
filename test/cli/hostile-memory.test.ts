/**
 * Issue #12, memory: an allocation that fails, run as a user runs weft, under an
 * address-space limit set with `ulimit -v` so that the allocation really fails (no budget is
 * faked): one line on stderr, exit 2, no RangeError stack.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN, type WeftRun } from './run-weft.js';

/** weft under an address-space limit (`ulimit -v`, KiB), so that large allocations really fail. */
function weftUnderUlimit(args: readonly string[]): WeftRun {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const run = spawnSync('bash', ['-c', `ulimit -v 3000000 && exec "${process.execPath}" "${WEFT_MAIN}" ${quoted}`], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('an allocation that fails is one line', () => {
  it('bench: rank buffers beyond the address space (ulimit -v 3 GB): exit 2, one line naming the size and --mode ghost', () => {
    const run = weftUnderUlimit(['bench', 'allreduce', '--ranks', '2', '-b', '512M', '-e', '512M']);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^weft: cannot allocate \d+\.\d\d GiB of shared memory for rank buffers \(.*\); use ghost mode \(--mode ghost, in weft bench and weft train/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(2);
  });

  it("train: the wasm back end's failed start is folded into the skipped-backends line, not four lines of stderr", () => {
    const run = weftUnderUlimit(['train', '--ranks', '2', '--model', 'synthetic:params=300000000', '--steps', '1']);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^weft: cannot allocate \d+\.\d\d GiB of shared memory for rank buffers/);
    expect(run.stdout).toMatch(/wasm: tf\.setBackend\('wasm'\) failed \(.*Out of memory/);
    expect(run.code).toBe(2);
  });
});

