import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

// Everything weft starts is closed before a command settles, so nothing in weft itself can be
// made to leak from the command line: the leak is injected with a preloaded module, as a bug
// in any library weft loads would leave it.
describe('a finished command that something keeps alive', () => {
  it('ends within the grace period with one line naming what kept it, and keeps its exit code', () => {
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--import', 'data:text/javascript,setInterval(() => {}, 1000)', WEFT_MAIN, 'algos'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ring');
    expect(run.stderr).toMatch(/^weft: internal: the command finished but something kept the process alive 10 s \(active: [^)]*\bTimeout\b[^)]*\); ending it\n$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
  });

  it('ends at once when nothing is left behind', () => {
    const started = Date.now();
    const run = spawnSync(process.execPath, [WEFT_MAIN, 'algos'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
