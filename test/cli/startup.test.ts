import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'weft-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with `--import preload` ahead of it (the preload sees the same argv as weft). */
function weftWith(preload: string, args: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', fixture(preload), WEFT_MAIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  if (run.error) throw run.error;
  return run;
}

describe('start-up', () => {
  it('weft algos loads only what listing the algorithms needs (no topology parsers, runtime or plotter)', () => {
    const log = join(dir, 'algos.log');
    const run = weftWith('record-modules.mjs', ['algos'], { WEFT_MODULE_LOG: log });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^allreduce:/m);
    const loaded = readFileSync(log, 'utf8').trim().split('\n');
    expect(loaded.some((url) => url.includes('/packages/collectives/dist/'))).toBe(true);
    const heavy = loaded.filter((url) => /\/(zod|yaml|vega|vega-lite|comlink)@|\/packages\/(fabric|runtime|train)\/dist\//.test(url));
    expect(heavy).toEqual([]);
  });

  it('a worker thread that cannot start is one error line and exit 1, never a silent exit 0', () => {
    const run = weftWith('worker-cannot-start.mjs', ['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '1K']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^weft: the worker thread for ranks [\d,]+ could not start: Cannot find module '.*worker\.js'$/);
  });
});
