import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/**
 * What an nccl-tests user porting their habits found (benchmarks/results/hostile.md §24); the
 * environment variables have their own file (nccl-env.test.ts).
 */
function row(args: readonly string[]): { algorithm: string; protocol: string | null; timeUs: number } {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).rows[0];
}

describe('nccl-tests habits', () => {
  it('sendrecv, gather and scatter pay NCCL p2p\'s launch and step latency, as all-to-all does (they took 0.60 µs for 1 KiB on one DGX H100)', () => {
    const h100 = ['--topology', 'dgx-h100:nodes=1', '-b', '1K', '-e', '1K'];
    // Ring/Simple's base latency 8.4 µs and one NVLink step 3.4 µs (NCCL's tuning.cc; tuning.cc has no p2p row).
    for (const collective of ['alltoall', 'sendrecv', 'gather', 'scatter']) {
      const r = row([collective, ...h100]);
      expect(r.protocol, collective).toBe('Simple');
      expect(r.timeUs, collective).toBeGreaterThan(8.4 + 3.4);
      expect(r.timeUs, collective).toBeLessThan(8.4 + 3.4 + 0.1);
    }
  });

  it('nccl-tests\' newer flags get their own line; -V after a command is nccl-tests\' (it printed weft\'s version and ran nothing, exit 0)', () => {
    const base = ['bench', 'allreduce', '--ranks', '4', '-b', '1M', '-e', '1M', '--mode', 'ghost'];
    expectUsageError(weft([...base, '-V', '4']), /^weft: -V\/--device_cta_count \(nccl-tests\): CTA counts are not modelled; channels are \(NCCL nChannels\): --channels N$/);
    expectUsageError(weft([...base, '-J', 'out.json']), /^weft: -J\/--output_file_json \(nccl-tests\): weft writes JSON with --out FILE\.json/);
    const defaults = weft([...base, '-S', '0', '-M', '0', '-x', '0', '-D', '0']);
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(weft(['-V']).stdout).toMatch(/^weft \d/);
  });

  it('--format nccl-tests prints nccl-tests\' stdout, so its parsers read the right columns (the default table\'s 12th field was the predicted time)', () => {
    const args = ['bench', 'all_reduce_perf', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '-b', '8', '-e', '1G', '-f', '32'];
    const run = weft([...args, '--format', 'nccl-tests']);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(weft([...args, '--format', 'json']).stdout) as { rows: { timeUs: number; busBwGBps: number }[] };
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('# nThread 1 nGpus 8 minBytes 8 maxBytes 1073741824 step: 32(factor) warmup iters: 0 iters: 1 agg iters: 1 validation: 0 graph: 0');
    expect(lines.filter((l) => /^#  Rank +\d+ Group +0 Pid +\d+ on +node0 device +\d /.test(l))).toHaveLength(8);
    const rows = lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(json.rows.length);
    rows.forEach((f, i) => {
      expect(f).toHaveLength(13);
      const timeUs = json.rows[i]!.timeUs;
      // nccl-tests' %7.2f / %7.1f / %7.0f by size of the time.
      expect(f[5]).toBe(timeUs >= 10_000 ? timeUs.toFixed(0) : timeUs >= 100 ? timeUs.toFixed(1) : timeUs.toFixed(2));
      expect(Number(f[7])).toBe(Number(json.rows[i]!.busBwGBps.toFixed(2)));
      expect(f[11]).toBe(f[7]);
      expect(f[12]).toBe('N/A');
    });
    expect(run.stdout).toMatch(/\n# Out of bounds values : 0 OK\n# Avg bus bandwidth    : [\d.]+ \n#\n$/);
    expectUsageError(weft([...args, '--format', 'nccl-tests', '--compare', 'algo=ring,tree']), /^weft: --format nccl-tests: not with --compare/);
  });

  it('-o all runs every op in turn, as -d all does types (it was refused)', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '4K', '-f', '4', '-o', 'all', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout).rows as { redop: string; bytes: number; wrong: number }[];
    expect(rows.map((r) => `${r.redop} ${r.bytes}`)).toEqual(['sum', 'prod', 'max', 'min', 'avg'].flatMap((op) => [`${op} 1024`, `${op} 4096`]));
    expect(rows.every((r) => r.wrong === 0)).toBe(true);
    // A collective that reduces nothing runs once.
    expect(JSON.parse(weft(['bench', 'allgather', '--ranks', '4', '-b', '1K', '-e', '1K', '-o', 'all', '--format', 'json']).stdout).rows).toHaveLength(1);
  });

  it('-f above 1 typed beside -i wins, as in nccl-tests (weft added -i\'s step); -c takes nccl-tests\' check count (it refused 5)', () => {
    const sizes = (extra: readonly string[]) => {
      const run = weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '1K', '-e', '8K', '--format', 'json', ...extra]);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout).rows as { bytes: number }[]).map((r) => r.bytes / 1024);
    };
    expect(sizes(['-i', '1K', '-f', '2'])).toEqual([1, 2, 4, 8]);
    expect(sizes(['-i', '1K'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sizes(['-i', '1K', '-f', '1'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const checked = weft(['bench', 'allreduce', '--ranks', '2', '-b', '8', '-e', '8', '-c', '5', '--format', 'json']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout).rows[0].wrong).toBe(0);
  });

  it('--reference reads the user\'s own nccl-tests output and sets its busbw beside weft\'s, size by size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-reference-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'h100.log');
    // An nccl-tests log as a cluster prints it, an NCCL_DEBUG line inside (figures made up for the test).
    writeFileSync(log, [
      '# nThread 1 nGpus 1 minBytes 1048576 maxBytes 1073741824 step: 4(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0',
      'h100-2:895544:895544 [0] NCCL INFO Channel 00/24 : 0 1 2 3 4 5 6 7',
      '#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong',
      '#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)',
      '     1048576        262144     float     sum      -1    35.12   29.86   50.00      0    34.90   30.04   52.57      0',
      '  1073741824     268435456     float     sum      -1   4028.7  266.52  400.00      0   4025.1  266.76  466.83      0',
      '# Avg bus bandwidth    : 225',
    ].join('\n'));
    const args = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '-b', '1M', '-e', '16M', '-f', '16', '--reference', log];
    const json = weft([...args, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { rows: { timeUs: number }[]; reference: { rows: { bytes: number; redop: string; referenceBusBwGBps: number; referenceTimeUs: number; ratio: number }[]; geomeanErrorPct: number; unmatched: string[] } };
    const weft1M = report.rows[0]!.timeUs;
    // The ratio is the log's time over weft's (busbw's ratio, without its two-decimal rounding).
    expect(report.reference.rows).toEqual([expect.objectContaining({ bytes: 1048576, redop: 'sum', referenceBusBwGBps: 50, referenceTimeUs: 35.12, ratio: 35.12 / weft1M })]);
    expect(report.reference.geomeanErrorPct).toBeCloseTo((Math.exp(Math.abs(Math.log(35.12 / weft1M))) - 1) * 100, 9);
    expect(report.reference.unmatched).toEqual(['1073741824 float sum']);
    const table = weft(args);
    expect(table.stdout).toMatch(new RegExp(`# Reference ${log}: 1 row\\(s\\) of the same size, weft within [\\d.]+ %`));
    const notNccl = join(dir, 'notes.txt');
    writeFileSync(notNccl, 'size 1M: 50 GB/s\n');
    expectUsageError(weft([...args.slice(0, -1), notNccl]), /^weft: --reference: '.*notes\.txt' holds no nccl-tests rows/);
    expectUsageError(weft([...args, '--out', log]), /--reference/);
    expect(readFileSync(log, 'utf8')).toContain('4028.7');
    expectUsageError(weft([...args, '--compare', 'algo=ring,tree']), /^weft: --reference: not with --compare/);
  });

  it('--reference matches type and op (a -o all log has a row per op), reads launcher-prefixed lines, and says which rows it could not match', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-reference-ops-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'ops.log');
    const heading = '#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong';
    const times: Record<string, number> = { sum: 20, prod: 30, max: 40, min: 50, avg: 60 };
    // srun -l prefixes every line with the task number.
    writeFileSync(log, [`0: ${heading}`, ...Object.entries(times).map(([op, t]) => `0:         1024           256     float  ${op.padStart(6)}      -1  ${t.toFixed(2)}    0.05    0.09      0  ${t.toFixed(2)}    0.05    0.09      0`), '0:         1024           256      half     sum      -1    10.00    0.10    0.18      0    10.00    0.10    0.18      0'].join('\n'));
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '1K', '-e', '1K', '-o', 'all', '--reference', log, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { rows: { redop: string; timeUs: number }[]; reference: { rows: { redop: string; ratio: number }[]; unmatched: string[] } };
    expect(report.reference.rows.map((r) => r.redop)).toEqual(['sum', 'prod', 'max', 'min', 'avg']);
    report.reference.rows.forEach((r, i) => expect(r.ratio).toBeCloseTo(times[r.redop]! / report.rows[i]!.timeUs, 12));
    expect(report.reference.unmatched).toEqual(['1024 half sum']);
  });
});
