/**
 * `weft bench --fast-forward`: the steady-state fast-forward as a user runs it. auto (the
 * default) is exact by recurrence (runtime schedule/recurrence.ts). A ring on 32
 * GPUs fast-forwarded prints the exact engine's row (time equal to 1e-12 relative); so does a
 * tree once a rank posts each chunk to all its children at once (steps.ts fanOut: served one
 * after another, its per-chunk time wandered and the run was said to be not steady); bad
 * values are one line, exit 2.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const BASE = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=4', '--mode', 'ghost', '--format', 'json'];
const RING = ['--algo', 'ring', '--channels', '4', '-b', '256M', '-e', '256M'];
/** 128 chunks of 512 KiB per channel: a cut keeps 2, 4 and 6 of them, then (not steady yet) 8, 16 and 24, then 32, 64 and 96. */
const TREE = ['--algo', 'tree', '--channels', '4', '--chunk', '512K', '-b', '256M', '-e', '256M'];

function row(args: readonly string[]) {
  const run = weft([...BASE, ...args]);
  expect(run.code).toBe(0);
  return { row: JSON.parse(run.stdout).rows[0], stderr: run.stderr };
}

describe('--fast-forward', () => {
  it('on: a ring in its steady state gives the exact time to 1e-12, its events and busbw', () => {
    const exact = row([...RING, '--fast-forward', 'off']);
    const forwarded = row([...RING, '--fast-forward', 'on']);
    expect(exact.stderr).toBe('');
    expect(forwarded.stderr).toMatch(/^weft bench: ring \d+ B: fast-forwarded \(6 of \d+ pipeline periods simulated\): residual \d\.\de-\d+ of the time\n$/);
    expect(Number(/residual (\S+)/.exec(forwarded.stderr)![1])).toBeLessThan(1e-12);
    expect(Math.abs(forwarded.row.timeUs - exact.row.timeUs) / exact.row.timeUs).toBeLessThan(1e-12);
    expect(forwarded.row.events).toBe(exact.row.events);
    expect(forwarded.row.busBwGBps.toFixed(2)).toBe(exact.row.busBwGBps.toFixed(2));
  }, 60_000);

  it('on: sizes with nothing to cut run exact, no notice, no stack (8 B – 32 KiB on 8 ranks threw a RangeError)', () => {
    const args = ['bench', 'allreduce', '--ranks', '8', '--mode', 'ghost', '--format', 'json', '-b', '8', '-e', '32K', '-f', '16'];
    const on = weft([...args, '--fast-forward', 'on']);
    const off = weft([...args, '--fast-forward', 'off']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toBe('');
    const times = (stdout: string) => JSON.parse(stdout).rows.map((r: { timeUs: number }) => r.timeUs);
    expect(times(on.stdout)).toHaveLength(4);
    expect(times(on.stdout)).toEqual(times(off.stdout));
  }, 60_000);

  it('on is for one iteration: a --compare of -n runs the -n 2 value exactly (it was extrapolated)', () => {
    const run = weft([...BASE, ...RING, '--fast-forward', 'on', '--compare', 'iters=1,2']);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/fast-forwarded/g)).toHaveLength(1);
    const [one, two] = JSON.parse(run.stdout).runs.map((r: { rows: { timeUs: number }[] }) => r.rows[0]!.timeUs);
    expect(Math.abs(one - two) / two).toBeLessThan(1e-9);
  }, 60_000);

  it('auto (the default) is exact by recurrence, no notice: the row of off but for float rounding of the time', () => {
    const auto = row(RING);
    const off = row([...RING, '--fast-forward', 'off']);
    expect(auto.stderr).toBe('');
    expect(Math.abs(auto.row.timeUs - off.row.timeUs) / off.row.timeUs).toBeLessThan(1e-12);
    const rounded = (r: { timeUs: number; algBwGBps: number; busBwGBps: number }) => ({ ...r, wallMs: 0, timeUs: r.timeUs.toFixed(6), algBwGBps: r.algBwGBps.toFixed(6), busBwGBps: r.busBwGBps.toFixed(6) });
    expect(rounded(auto.row)).toEqual(rounded(off.row));
  }, 60_000);

  it('on: a tree is steady once its fill fits in what is kept: fast-forwarded on the retry to the exact time', () => {
    // Before the fan-out this printed "though not in a steady state: residual 1.8e-5 of the time".
    const forwarded = row([...TREE, '--fast-forward', 'on']);
    const exact = row([...TREE, '--fast-forward', 'off']);
    expect(forwarded.stderr).toMatch(/^weft bench: tree \d+ B: fast-forwarded \(96 of 128 pipeline periods simulated\): residual \d\.\de-\d+ of the time\n$/);
    expect(Math.abs(forwarded.row.timeUs - exact.row.timeUs) / exact.row.timeUs).toBeLessThan(1e-12);
  }, 60_000);

  it('auto does not cut an NVL72 ring whose channels drift apart (on extrapolates it 4 % fast): the exact row, bit for bit', () => {
    // 144 GPUs, 8 channels at 16 MiB: the short runs look affine (residual 0) but the ranks,
    // in lockstep at first, drift apart after many periods (speed.md §29, §30).
    const NVL72 = ['--topology', 'nvl72:variant=gb200,racks=2', '--algo', 'ring', '--channels', '8', '--proto', 'LL128', '-b', '16M', '-e', '16M'];
    const nvl = (args: readonly string[]) => {
      const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--format', 'json', ...NVL72, ...args]);
      expect(run.code).toBe(0);
      return { row: JSON.parse(run.stdout).rows[0], stderr: run.stderr };
    };
    const exact = nvl(['--fast-forward', 'off']);
    const auto = nvl([]);
    const extrapolated = nvl(['--fast-forward', 'on']);
    expect(auto.stderr).toBe('');
    expect({ ...auto.row, wallMs: 0 }).toEqual({ ...exact.row, wallMs: 0 });
    expect(extrapolated.row.timeUs / exact.row.timeUs - 1).toBeGreaterThan(0.01);
  }, 120_000);

  it('auto is the default of weft bench', () => {
    const help = weft(['bench', '--help']);
    expect(help.stdout.split('--fast-forward <mode>')[1]!.split(/\n  --/)[0]!.replace(/\s+/g, ' ')).toMatch(/\(default: "auto"\)$/);
  });

  it('a bad value is one line naming the flag and the accepted values, exit 2', () => {
    expectUsageError(weft([...BASE, ...RING, '--fast-forward', 'sometimes']), /--fast-forward.*'sometimes'.*auto.*on.*off/);
  });
});
