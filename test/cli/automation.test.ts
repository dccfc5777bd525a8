import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, closeSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN, weft } from './run-weft.js';

/** What a script or CI job that drives weft needs of it (hostile.md §22: the automation walk). */

const dir = mkdtempSync(join(tmpdir(), 'weft-automation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CompareJson {
  runs: { rows: { bytes: number; busBwGBps: number }[] }[];
  rows: { bytes: number; algorithm: string; busBwGBps: Record<string, number | null> }[];
}

describe('--compare joins rows on size', () => {
  it('ranks=8,6: a value whose sizes round otherwise gets its own rows, never another size\'s cell', () => {
    const run = weft(['bench', 'allgather', '--mode', 'ghost', '-b', '1K', '-e', '64K', '-f', '4', '--compare', 'ranks=8,6', '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompareJson;
    // Every busbw in the joined rows is the one its own run printed for that very size.
    report.runs.forEach((value, v) => {
      const name = ['8', '6'][v]!;
      for (const row of value.rows) {
        const joined = report.rows.find((r) => r.bytes === row.bytes)!;
        expect(joined.busBwGBps[name]).toBe(row.busBwGBps);
      }
    });
    // 6 ranks round 1 KiB to 1,008 B: a row of its own, with no 8-rank result (was: ranks=6's 1,008-B result under 1,024).
    const odd = report.rows.find((r) => r.bytes === 1008)!;
    expect(odd.busBwGBps['8']).toBeNull();
    expect(report.rows.find((r) => r.bytes === 1024)!.busBwGBps['6']).toBeNull();
  });

  it('stepfactor=2,4: runs and prints the union of sizes with — where a value ran none (was: exit 2 after every sweep)', () => {
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '4', '-b', '1K', '-e', '16K', '--compare', 'stepfactor=2,4']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('#  the values ran different sizes: — where a value ran no such size');
    const rows = run.stdout.split('\n').filter((line) => /^\s+\d/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(rows.map((r) => Number(r[0]))).toEqual([1024, 2048, 4096, 8192, 16384]);
    // -f 4 ran 1K, 4K, 16K only.
    expect(rows.map((r) => r[3])).toEqual([expect.stringMatching(/^\d/), '—', expect.stringMatching(/^\d/), '—', expect.stringMatching(/^\d/)]);
  });

  it('CSV: empty cells where a value ran no such size', () => {
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '4', '--algo', 'ring', '-e', '4000', '--compare', 'minbytes=1000,1K', '--format', 'csv']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('bytes,algorithm,minbytes=1000,minbytes=1K,algorithm minbytes=1000,algorithm minbytes=1K');
    expect(lines[1]).toMatch(/^1000,ring,[\d.]+,,ring,$/);
    expect(lines[2]).toMatch(/^1024,ring,,[\d.]+,,ring$/);
  });
});

describe('output files', () => {
  it('a read-only file is refused before the run, and left as it was', () => {
    const out = join(dir, 'ro.json');
    writeFileSync(out, 'keep');
    chmodSync(out, 0o444);
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '2', '-b', '1K', '-e', '1K', '--out', out]);
    if (process.getuid?.() === 0) {
      // Root may write any file: the run replaces it (and keeps its mode).
      expect(run.code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o444);
      return;
    }
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`weft: --out: cannot write '${out}': the file is read-only; remove it or give another path\n`);
    expect(readFileSync(out, 'utf8')).toBe('keep');
  });

  it('a replaced file keeps its mode (was: 600 became 644)', () => {
    const out = join(dir, 'private.json');
    writeFileSync(out, '{}');
    chmodSync(out, 0o600);
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '2', '-b', '1K', '-e', '1K', '--out', out]);
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8')).rows).toHaveLength(1);
  });
});

describe('stdout that cannot be written', () => {
  it('a reader that goes away (| head) does not cost the --out file: the run finishes, writes it, and ends with 141 (was: 141 at once, no file)', () => {
    const out = join(dir, 'head.json');
    const run = spawnSync('bash', ['-c', `"${process.execPath}" "${WEFT_MAIN}" bench allreduce --ranks 8 -b 1K -e 16M --out "${out}" | head -1; echo "status \${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout).toBe('# weft bench allreduce\nstatus 141\n');
    expect(JSON.parse(readFileSync(out, 'utf8')).rows).toHaveLength(15);
  });

  it.runIf(existsSync('/dev/full'))('a full device: one line naming the reason, exit 1, no stack (was: a Node stack)', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const run = spawnSync(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '1K', '-e', '4K', '--format', 'json'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 120_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe('weft: cannot write stdout: no space left on device (ENOSPC)\n');
    } finally {
      closeSync(fd);
    }
  });
});

describe("nccl-tests' flags", () => {
  it("nccl-tests' own defaults run as they do there (-g 1 -t 1 -z 0 -a 1 -G 0 -C 0 -m 1 -p 0 -R 0 -N 1 -y 0: a ported command line)", () => {
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '4', '-b', '1K', '-e', '1K', '-g', '1', '-t', '1', '-z', '0', '-a', '1', '-G', '0', '-C', '0', '-m', '1', '-p', '0', '-R', '0', '-N', '1', '-y', '0']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it.each([
    [['-F', 'results.csv'], "weft: -F/--output_file (nccl-tests): weft writes its results with --out FILE.csv (or FILE.json, or --format csv on stdout)\n"],
    [['-y', '1'], 'weft: -y/--stream_null (nccl-tests): there is no CUDA stream to choose; time is the simulated completion of the collective\n'],
  ])('%j: one line saying what to use (was: unknown option)', (flags, line) => {
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--ranks', '4', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(line);
  });
});
