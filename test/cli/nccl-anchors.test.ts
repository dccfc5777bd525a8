/**
 * The published NCCL anchors of benchmarks/nccl-vs-weft.mjs (benchmarks/nccl-anchors.mjs):
 * every figure names a source with its address, every published size is a row of the weft
 * sweep it is set beside (else it would silently drop out of the comparison), every topology
 * is one the CLI builds, and the summary's error is the geometric mean it says it is.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs data module of the benchmarks, no types
import { RUNS, SOURCES, geomeanError, publishedValue } from '../../benchmarks/nccl-anchors.mjs';
import { weft } from './run-weft.js';

interface Run {
  readonly collective?: string;
  readonly topology: string;
  readonly algo: string;
  readonly sizes: readonly [string, string, string];
  readonly extra?: readonly (readonly [string, string])[];
  readonly published?: Record<string, readonly [number | readonly [number, number], string]>;
}

const bytesOf = (text: string): number => {
  const m = /^(\d+)([KMG]?)$/.exec(text)!;
  return Number(m[1]) * { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2] as '' | 'K' | 'M' | 'G'];
};

/** The sizes weft's `-b B -e E -f F` sweep (and the run's extra single sizes) produces. */
function swept(run: Run): Set<number> {
  const sizes = new Set<number>();
  for (const [b, e, f] of [run.sizes, ...(run.extra ?? []).map(([b, e]) => [b, e, '2'] as const)]) {
    for (let s = bytesOf(b); s <= bytesOf(e); s *= Number(f)) sizes.add(s);
  }
  return sizes;
}

describe('NCCL anchors', () => {
  it('every published figure has a source with an address, and sits on a row of its weft sweep', () => {
    const runs = RUNS as readonly Run[];
    let figures = 0;
    for (const run of runs) {
      const sizes = swept(run);
      for (const [bytes, [value, source]] of Object.entries(run.published ?? {})) {
        figures++;
        expect(sizes.has(Number(bytes)), `${run.topology} ${bytes} B is not in -b ${run.sizes.join(' ')}`).toBe(true);
        expect(SOURCES[source as keyof typeof SOURCES], `${source} has no entry in SOURCES`).toMatch(/https:\/\//);
        expect(publishedValue(value)).toBeGreaterThan(0);
      }
    }
    expect(figures).toBeGreaterThan(100);
  });

  it("every run's collective is one weft benches, all-reduce when unnamed; all-gather, reduce-scatter and all-to-all have anchors", () => {
    const runs = RUNS as readonly Run[];
    for (const run of runs) expect(['allreduce', 'allgather', 'reducescatter', 'alltoall']).toContain(run.collective ?? 'allreduce');
    for (const collective of ['allgather', 'reducescatter', 'alltoall']) {
      expect(runs.some((r) => r.collective === collective && Object.keys(r.published ?? {}).length > 0), collective).toBe(true);
    }
    // Published as times: busbw = S·(n−1)/n / t (ND H100 v5's all-gather, 1 GB in 2,663.8 µs on 8 GPUs).
    const azure = runs.find((r) => r.collective === 'allgather' && r.topology === 'dgx-h100:nodes=1')!;
    expect(azure.published![2 ** 30]![0]).toBeCloseTo((2 ** 30 * 7) / 8 / 2663.8e3, 1);
    // An all-reduce's: busbw = 2·S·(n−1)/n / t (ND H100 v5, one process per GPU, 1 GB in 4,028.7 µs on 8 GPUs).
    const perGpu = runs.find((r) => r.topology === 'dgx-h100:nodes=1' && r.published?.[2 ** 30]?.[1] === 'msarH100')!;
    expect(perGpu.published![2 ** 30]![0]).toBeCloseTo((2 * 2 ** 30 * 7) / 8 / 4028.7e3, 1);
    // An all-to-all's, as nccl-tests: busbw = S·(n−1)/n / t (NDmv4, 2 × 8 A100, 1 KiB in 49.75 µs).
    const a2a = runs.find((r) => r.collective === 'alltoall' && r.topology === 'hgx-a100:nodes=2')!;
    expect(a2a.published![2 ** 10]![0]).toBeCloseTo((2 ** 10 * 15) / 16 / 49.75e3, 4);
  });

  it('every topology is one weft builds', () => {
    for (const topology of new Set((RUNS as readonly Run[]).map((r) => r.topology))) {
      const run = weft(['topo', topology, '--json']);
      expect(run.code, `${topology}: ${run.stderr}`).toBe(0);
    }
  });

  it('geomean error: exp(mean |ln r|) − 1, a range at its geometric midpoint', () => {
    expect(geomeanError([1, 1])).toBe(0);
    // 2× over and 2× under are the same error, 100 %.
    expect(geomeanError([2, 0.5])).toBeCloseTo(1, 12);
    // exp((ln 1.1 + 0) / 2) − 1 = sqrt(1.1) − 1
    expect(geomeanError([1.1, 1])).toBeCloseTo(Math.sqrt(1.1) - 1, 12);
    expect(geomeanError([])).toBeUndefined();
    expect(publishedValue([360, 490])).toBeCloseTo(420, 12);
    expect(publishedValue(480)).toBe(480);
  });
});
