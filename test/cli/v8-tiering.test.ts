import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET_BYTES, tieringFlag } from '../../packages/cli/dist/v8-tiering.js';
import { WEFT_MAIN } from './run-weft.js';

/** Functions V8 handed to TurboFan in one run of the built CLI (`--trace-opt` prints one line each, on stdout). */
function optimizedFunctions(nodeFlags: readonly string[]): number {
  const args = ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '16M', '-f', '4'];
  const run = spawnSync(process.execPath, ['--trace-opt', ...nodeFlags, WEFT_MAIN, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line.includes('completed optimizing')).length;
}

describe("V8's tier-up budget (v8-tiering.ts)", () => {
  it('is set for the commands that simulate, on the V8 it was measured with, unless the user gave one', () => {
    const v8 = '11.3.244.8-node.38';
    const flag = `--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`;
    for (const args of [[], ['bench', 'allreduce'], ['train'], ['lab']]) expect(tieringFlag(args, [], v8), args.join(' ')).toBe(flag);
    for (const args of [['algos'], ['topo', 'switch:8'], ['--help'], ['help', 'bench']]) expect(tieringFlag(args, [], v8), args.join(' ')).toBeUndefined();
    expect(tieringFlag(['bench'], ['--interrupt-budget=5000'], v8)).toBeUndefined();
    expect(tieringFlag(['bench'], ['--max-old-space-size=4096', '--interrupt_budget=5000'], v8)).toBeUndefined();
    expect(tieringFlag(['bench'], ['--interrupt-budget-for-maglev=5000'], v8)).toBe(flag);
    expect(tieringFlag(['bench'], [], '12.4.254.21-node.33')).toBeUndefined();
  });

  it.runIf(process.versions.v8.startsWith('11.'))('takes effect: a short bench run hands far fewer functions to TurboFan than with V8\'s default budget', () => {
    const withWeftBudget = optimizedFunctions([]);
    // V8 11.3's default, given on the command line (weft then leaves it alone).
    const withDefault = optimizedFunctions(['--interrupt-budget=67584']);
    expect(withDefault).toBeGreaterThan(20);
    expect(withWeftBudget * 4).toBeLessThan(withDefault);
  });
});
