/**
 * `weft bench --network packet` end to end: the packet model under the CLI, in data mode
 * (real bytes in worker threads), its settings stated in the header, and bad packet flags
 * refused in one line.
 */
import { describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

describe('weft bench --network packet', () => {
  it('runs a ring all-reduce with real bytes, checks it, states the packet settings and shows port queues', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=8,leaves=2,spines=2', '--network', 'packet', '--routing', 'spray', '--cc', 'dcqcn', '--algo', 'ring', '-b', '1M', '-e', '1M', '--links', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('model: packet  routing: spray');
    expect(run.stdout).toContain('#  packet: mtu 4096 B  cell: mtu  cc: dcqcn  delivery: ooo  pfc: on  staleness: 0 ns');
    // --links adds each port's queue, ECN marks and PFC pauses under the packet model.
    expect(run.stdout).toMatch(/# {3}link .* peak queue\(B\) {3}ECN marks {3}pauses {2}paused\(us\)/);
    const rows = tableRows(run.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]![COL.wrong]).toBe('0');
    expect(Number(rows[0]![COL.busbw])).toBeGreaterThan(0);
  });

  it('states a coarser cell, and gives the same table for the same seed', () => {
    const args = ['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cell', '16K', '--mode', 'ghost', '--algo', 'ring', '-b', '4M', '-e', '4M', '--format', 'csv'];
    const first = weft(args);
    expect(first.code).toBe(0);
    const table = weft(args.slice(0, -2));
    expect(table.stdout).toContain('cell: 16384 B (coarser than the MTU)');
    // Every column but wallMs (how long weft took) is simulated, hence identical.
    const wall = first.stdout.split('\n')[0]!.split(',').indexOf('wallMs');
    const strip = (csv: string) => csv.split('\n').map((line) => line.split(',').filter((_, i) => i !== wall).join(','));
    expect(strip(weft(args).stdout)).toEqual(strip(first.stdout));
  });

  it('refuses bad packet flags in one line', () => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cc', 'bbr']), /^weft: --cc: 'bbr' is not accepted; use none, dcqcn or telemetry$/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cell', '5000']), /cell size 5000 B is invalid; expected a multiple of the MTU 4096 B/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--routing', 'spray']), /routing "spray" needs the packet model/);
  });
});
