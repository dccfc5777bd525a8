import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

// Ghost runs of 256+ ranks whose symmetries prove ranks alike simulate one rank per class
// (runtime rank-classes.ts); the JSON row says how many ran, and the figures are the whole run's
// (packages/runtime/test/rank-classes.test.ts compares the two engines).
function rows(args: readonly string[]) {
  const run = spawnSync(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', ...args, '--mode', 'ghost', '--format', 'json'], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return (JSON.parse(run.stdout) as { rows: { simulatedRanks?: number; noClassesReason?: string; events: number; timeUs: number }[] }).rows;
}

describe('weft bench: rank classes', () => {
  it('hierarchical on 64 DGX H100 servers runs 32 of its 512 ranks and reports every rank\'s events', () => {
    const [row] = rows(['--topology', 'dgx-h100:nodes=64', '--algo', 'hierarchical', '-b', '16M', '-e', '16M']);
    expect(row!.simulatedRanks).toBe(32);
    // 143,360 events: the whole run's count (each representative's events once per member).
    expect(row!.events).toBe(143_360);
  });

  it('adaptive routing: NCCL\'s 16 rings across two scalable units run 32 of 512 ranks (every path of the even split maps onto its image\'s)', () => {
    const [row] = rows(['--topology', 'dgx-h100:nodes=64', '--algo', 'ring', '--proto', 'Simple', '--routing', 'adaptive', '-b', '4M', '-e', '4M']);
    expect(row!.simulatedRanks).toBe(32);
    // The whole run's events (packages/runtime/test/rank-classes.test.ts compares the engines on smaller runs).
    expect(row!.events).toBe(25_117_184);
  });

  it('the packet model routes packets: every rank simulated, and the row says why', () => {
    const [row] = rows(['--topology', 'dgx-h100:nodes=32', '--algo', 'hierarchical', '--network', 'packet', '-b', '64K', '-e', '64K']);
    expect(row!.simulatedRanks).toBeUndefined();
    expect(row!.noClassesReason).toBe('the packet model routes packets, not connections');
  });

  it('the table\'s footer says how many ranks ran', () => {
    const run = spawnSync(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', '--topology', 'dgx-h100:nodes=64', '--algo', 'hierarchical,tree', '-b', '1M', '-e', '1M', '--mode', 'ghost'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^# Rank classes {9}: 1 of 2 rows simulated 32 of 512 ranks, one per class of ranks proved alike; figures are the whole run's$/m);
  });

  it('a row that found no classes says why, in the footer and the JSON row', () => {
    const args = ['--topology', 'dgx-h100:nodes=64', '--algo', 'tree', '-b', '1M', '-e', '1M'];
    const why = 'no shift maps the run to itself (turning GPUs inside servers: ranks run different steps; shifting servers: ranks run different steps)';
    expect(rows(args)[0]!.noClassesReason).toBe(why);
    const run = spawnSync(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', ...args, '--mode', 'ghost'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`# Rank classes         : none in 1 of 1 rows, every rank simulated: ${why}\n`);
    // Under 256 ranks classes are not looked for: nothing to explain.
    expect(rows(['--topology', 'dgx-h100:nodes=2', '--algo', 'tree', '-b', '1M', '-e', '1M'])[0]!.noClassesReason).toBeUndefined();
  });

  it('a tree (ranks at different depths) and a small run simulate every rank: no simulatedRanks', () => {
    expect(rows(['--topology', 'dgx-h100:nodes=64', '--algo', 'tree', '-b', '1M', '-e', '1M'])[0]!.simulatedRanks).toBeUndefined();
    expect(rows(['--topology', 'dgx-h100:nodes=2', '--algo', 'hierarchical', '-b', '1M', '-e', '1M'])[0]!.simulatedRanks).toBeUndefined();
  });
});
