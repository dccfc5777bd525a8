import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/** What a reader running every command in the docs found (benchmarks/results/hostile.md §24). */
interface Row { algorithm: string; protocol: string | null; candidates?: { protocol: string | null; ncclPredictedUs: number | null; chosen: boolean }[] }

function row(args: readonly string[]): Row {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).rows[0];
}

describe('a named NCCL algorithm takes its protocol as NCCL does under NCCL_ALGO', () => {
  const ring1M = ['allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'ring', '-b', '1M', '-e', '1M'];

  it('--algo ring on two DGX H100 at 1 MiB: NCCL\'s model picks LL128 (weft\'s fastest ran LL; the docs say --tuner picks)', () => {
    const named = row([...ring1M, '--explain']);
    expect(named.protocol).toBe('LL128');
    // The candidates carry NCCL's model times now (they showed "-"), and the chosen one is its argmin.
    const timed = named.candidates!.filter((c) => c.ncclPredictedUs !== null);
    expect(timed.map((c) => c.protocol)).toEqual(['LL', 'LL128', 'Simple']);
    const fastest = timed.reduce((a, b) => (b.ncclPredictedUs! < a.ncclPredictedUs! ? b : a));
    expect(named.candidates!.find((c) => c.chosen)!.protocol).toBe(fastest.protocol);
    // NCCL_ALGO=Ring and --algo ring agree.
    expect(row(['allreduce', '--topology', 'dgx-h100:nodes=2', '-b', '1M', '-e', '1M']).algorithm).not.toBe('auto(ring)');
    const env = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '-b', '1M', '-e', '1M', '--mode', 'ghost', '--format', 'json'], { env: { NCCL_ALGO: 'Ring' } });
    expect(JSON.parse(env.stdout).rows[0].protocol).toBe('LL128');
  });

  it('--tuner weft keeps weft\'s fastest for it; --tuner is refused only where it has nothing to choose', () => {
    expect(row([...ring1M, '--tuner', 'weft']).protocol).toBe('LL');
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '8', '--algo', 'rd', '--tuner', 'nccl', '-b', '1K', '-e', '1K', '--mode', 'ghost']), /^weft: --tuner nccl: chooses what --algo auto runs and the protocol of NCCL's algorithms/);
    expectUsageError(weft(['bench', ...ring1M, '--proto', 'Simple', '--tuner', 'weft', '--mode', 'ghost']), /leaves it nothing to choose/);
  });
});

describe('-d all in the table', () => {
  it('the footer names every backend that ran (the streamed header could name only the first type\'s)', () => {
    const args = ['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '1K', '-d', 'all'];
    const json = JSON.parse(weft([...args, '--format', 'json']).stdout) as { backend: string };
    const table = weft(args);
    expect(table.code, table.stderr).toBe(0);
    if (json.backend.includes(',')) expect(table.stdout).toContain(`# Backends             : ${json.backend} (by type; the header names the first)\n`);
    else expect(table.stdout).not.toContain('# Backends');
  });
});

describe('--plot-queues under the packet model', () => {
  it('draws the ports whose queues peaked highest by their exact peak (a 64 KiB-step timeline left them at 0 and picked ports alphabetically)', () => {
    const svg = join(tmpdir(), `weft-queues-${process.pid}.svg`);
    const run = weft(['bench', 'alltoall', '--topology', 'leafspine:hosts=16,leaves=4,spines=2', '--network', 'packet', '--mode', 'ghost', '-b', '64K', '-e', '64K', '--plot-queues', svg, '--links', '1000', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const links = (JSON.parse(run.stdout).rows[0].links as { linkId: string; queue?: { peakQueueBytes: number } }[]).filter((l) => (l.queue?.peakQueueBytes ?? 0) > 0);
    const top = [...links].sort((a, b) => b.queue!.peakQueueBytes - a.queue!.peakQueueBytes)[0]!;
    expect(top.queue!.peakQueueBytes).toBeLessThan(64 * 1024);
    const text = readFileSync(svg, 'utf8');
    rmSync(svg, { force: true });
    expect(text).toContain(top.linkId.replace('>', '&gt;'));
  });
});
