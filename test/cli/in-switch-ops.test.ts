import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/**
 * A switch computes only some reductions (packages/collectives/src/in-switch-ops.ts): NVLS sums
 * float and double and sums or takes min/max of integers (NCCL's ncclNvlsSupported); SHARP sums
 * and takes min/max (prod never). NCCL's tuner runs ring or tree for the rest. Before, `auto`
 * ran NVLS for `-o prod` (325 GB/s on one DGX H100 where NCCL's ring gives 315) and `--algo nvls`
 * accepted it, data mode reporting #wrong 0 for a product no NVSwitch computes.
 */
interface Row { algorithm: string; busBwGBps: number }

function rowOf(args: readonly string[]): Row {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: Row[] }).rows[0]!;
}

describe('in-switch reductions run only the ops their switch computes', () => {
  it.each([
    [['allreduce', '--topology', 'dgx-h100:nodes=1', '-b', '1G', '-e', '1G'], 'nvls'],
    [['allreduce', '--topology', 'dgx-h100:nodes=2', '-b', '1G', '-e', '1G'], 'nvlstree'],
  ])('auto on %j: NVLS for sum and int min, never for prod, avg or float max', (args, inSwitch) => {
    expect(rowOf([...args]).algorithm).toBe(`auto(${inSwitch})`);
    expect(rowOf([...args, '-o', 'min', '-d', 'int']).algorithm).toBe(`auto(${inSwitch})`);
    for (const op of [['-o', 'prod'], ['-o', 'avg'], ['-o', 'max'], ['-o', 'max', '-d', 'double']]) {
      expect(rowOf([...args, ...op]).algorithm, op.join(' ')).not.toMatch(/nvls/);
    }
  });

  it('--algo nvls, nvlstree and innetwork refuse an op their switch does not compute, in one line', () => {
    expectUsageError(
      weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'nvls', '-o', 'prod', '-b', '1M', '-e', '1M', '--mode', 'ghost']),
      /^weft: --algo: 'nvls' cannot run allreduce here: NVLS reduces sum on float32 in the switch \(NCCL's ncclNvlsSupported\), not prod; NCCL runs ring or tree for it$/,
    );
    expectUsageError(
      weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'nvlstree', '-o', 'avg', '-d', 'int', '-b', '1M', '-e', '1M', '--mode', 'ghost']),
      /NVLS reduces sum, min and max on int32 in the switch \(NCCL's ncclNvlsSupported\), not avg/,
    );
    expectUsageError(
      weft(['bench', 'reducescatter', '--topology', 'dgx-h100:nodes=1', '--algo', 'nvls', '-o', 'max', '-b', '1M', '-e', '1M', '--mode', 'ghost']),
      /NVLS reduces sum on float32 in the switch \(NCCL's ncclNvlsSupported\), not max/,
    );
    expectUsageError(
      weft(['bench', 'allreduce', '--topology', 'switch:4,reduction=true', '--algo', 'innetwork', '-o', 'prod', '-b', '1M', '-e', '1M', '--mode', 'ghost']),
      /a SHARP switch reduces sum, min and max \(NCCL's CollNet\), not prod/,
    );
  });

  it('what needs no arithmetic or an op the switch has still runs: all-gather with -o prod, SHARP avg', () => {
    expect(rowOf(['allgather', '--topology', 'dgx-h100:nodes=1', '--algo', 'nvls', '-o', 'prod', '-b', '1M', '-e', '1M']).algorithm).toBe('nvls');
    expect(rowOf(['allreduce', '--topology', 'switch:4,reduction=true', '--algo', 'innetwork', '-o', 'avg', '-b', '1M', '-e', '1M']).algorithm).toBe('innetwork');
  });

  it('NVLS reduce-scatter and all-gather across servers do not point at nvlstree (an all-reduce only)', () => {
    const run = weft(['bench', 'allgather', '--topology', 'dgx-h100:nodes=2', '--algo', 'nvls', '-b', '1M', '-e', '1M', '--mode', 'ghost']);
    expectUsageError(run, /one per server, 2 servers: NCCL runs NVLS reduce-scatter and all-gather within one NVLink domain \(ring or PAT across servers\)$/);
  });
});
