/**
 * A late rank costs NVLS at most its delay. NVLS's multicast visited the ranks block after
 * block in a rotation that held only while every rank kept pace: one rank started 1 ns late
 * cost 8 H100s 166 µs at 128 MiB and 627 µs at 256 MiB, every step of `weft train` again
 * (nvls-steps.ts: a multicast is now one send to the whole group, as the switch replicates it).
 */
import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

function times(extra: readonly string[]): number[] {
  const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'nvls', '--mode', 'ghost', '-b', '128M', '-e', '256M', '-f', '2', ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return tableRows(run.stdout).map((r) => Number(r[COL.time]));
}

describe('nvls with a late rank', () => {
  it('a rank 1 ns late changes nothing visible; 100 µs late costs at most 100 µs', () => {
    const onTime = times([]);
    expect(onTime).toHaveLength(2);
    const nanosecond = times(['--straggler', 'rank=3,delay=1ns']);
    const late = times(['--straggler', 'rank=3,delay=100us']);
    onTime.forEach((t, i) => {
      expect(nanosecond[i]! - t).toBeLessThanOrEqual(0.01); // µs, as printed
      expect(late[i]! - t).toBeGreaterThan(0);
      expect(late[i]! - t).toBeLessThanOrEqual(100.01);
    });
  });
});
