/**
 * `weft bench --compare FLAG=V1,V2,…`: one sweep per value of one flag, busbw per size side
 * by side; with every network model; each value refused as its own flag would be.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/** Data rows of the side-by-side table: size, algorithm, then one busbw per value. */
function compareRows(stdout: string): string[][] {
  return stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.trim().split(/\s+/));
}

describe('weft bench --compare', () => {
  it('prints busbw per size for each routing; per-packet routing beats ECMP for rhd on a leaf-spine', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=16,leaves=4,spines=2', '--network', 'packet', '--mode', 'ghost', '--algo', 'rhd', '-b', '1M', '-e', '4M', '--compare', 'routing=ecmp,adaptive']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/#\s+size\(B\)\s+algorithm\s+ecmp\s+adaptive\n/);
    const rows = compareRows(run.stdout);
    expect(rows.map((r) => r[0])).toEqual(['1048576', '2097152', '4194304']);
    for (const [, algorithm, ecmp, adaptive] of rows) {
      expect(algorithm).toBe('rhd');
      expect(Number(adaptive)).toBeGreaterThan(Number(ecmp));
    }
  });

  it('--compare tuner=weft,nccl: a value that runs another algorithm names it in its cell, apart from the next cell', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--compare', 'tuner=weft,nccl']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // weft's rule runs tree/LL128 at 1 MiB on two servers, NCCL's NVLSTree (auto-choices.md).
    const [[size, algorithm, weftBusBw, ncclBusBw, ncclAlgorithm]] = compareRows(run.stdout) as [string[]];
    expect([size, algorithm, ncclAlgorithm]).toEqual(['1048576', 'auto(tree)', 'auto(nvlstree)']);
    expect(Number(weftBusBw)).toBeGreaterThan(Number(ncclBusBw));
    expect(Number(ncclBusBw)).toBeGreaterThan(0);
  });

  it('matches each value run on its own, for every network model', () => {
    const base = ['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--algo', 'ring', '-b', '1M', '-e', '1M'];
    const compared = weft([...base, '--compare', 'network=alphaBeta,maxMin,packet', '--format', 'json']);
    expect(compared.code).toBe(0);
    const { rows } = JSON.parse(compared.stdout) as { rows: { busBwGBps: Record<string, number> }[] };
    for (const network of ['alphaBeta', 'maxMin', 'packet']) {
      const alone = JSON.parse(weft([...base, '--network', network, '--format', 'json']).stdout).rows[0].busBwGBps as number;
      expect(rows[0]!.busBwGBps[network]).toBe(alone);
    }
  });

  it.each([
    [['--compare', 'routing=ecmp'], /^weft: --compare: 'routing=ecmp' needs two or more values separated by ','/],
    [['--compare', 'out=a.json,b.json'], /^weft: --compare: 'out=a.json,b.json' names no flag --compare can vary; use one of /],
    [['--compare', 'routing=ecmp,bogus'], /^weft: --routing: 'bogus' is not accepted; use auto, ecmp, adaptive or spray$/],
    [['--compare', 'qps=1,1'], /names a value twice/],
    [['--compare', 'qps=1,2', '--tenant', 'ranks=0-3'], /^weft: --compare: not with --tenant/],
    [['--compare', 'qps=1,2', '--plot', 'busbw.svg'], /^weft: --compare: not with --plot/],
  ])('refuses %j in one line', (flags, message) => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', ...flags]), message);
  });
});
