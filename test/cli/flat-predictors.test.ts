import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

/**
 * The textbook algorithms' predictors on flat fabrics whose paths are not a star: ring:N (each
 * GPU on its own router, 98 GB/s to it, 49 GB/s per direction between routers) and fullmesh:N
 * (one 49 GB/s link per pair, 147 GB/s per GPU). A round whose ranks message partners that are
 * not neighbours crosses router↔router links shared by other pairs, or one of the GPU's three
 * links; the predictors count those links (collectives cost.ts roundLinkFactor) and each hop's
 * own path latency (cost.ts hopAlpha), where before each rank's own link was taken as its only
 * bound and every hop as the farthest pair's.
 */
interface Row {
  readonly timeUs: number;
  readonly predictedUs: number;
}

const bench = (collective: string, spec: string, algo: string, size: string): Row => {
  const run = weft(['bench', collective, '--topology', spec, '--algo', algo, '--mode', 'ghost', '-b', size, '-e', size, '--format', 'json']);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { rows: Row[] }).rows[0]!;
};

describe('flat fabrics: the textbook predictors count the links a round shares', () => {
  // [collective, algorithm, predicted µs before on ring:5, on fullmesh:4] at 4 MiB; the simulated times are in the comments.
  it.each([
    // ring:5 211.4 simulated, fullmesh:4 133.1
    ['allreduce', 'direct', 75.1, 47.6],
    // ring:5 160.9, fullmesh:4 142.7: the rank-order ring crosses one link of the rank's two (three)
    ['allreduce', 'ring-rankorder', 140.2, 130.7],
    // ring:5 112.0, fullmesh:4 69.0
    ['allgather', 'bruck', 44.1, 26.2],
    // ring:5 115.3, fullmesh:4 71.4
    ['alltoall', 'pairwise', 47.4, 28.6],
    // ring:5 263.0, fullmesh:4 175.9
    ['broadcast', 'binomial', 134.9, 61.8],
    // ring:5 71.5, fullmesh:4 66.6: each post alone on its path, one link wide
    ['scatter', 'direct', 37.5, 23.8],
    // ring:5 122.5, fullmesh:4 94.0
    ['allgather', 'pat', 88.2, 72.6],
  ] as const)('%s %s at 4 MiB on ring:5 and fullmesh:4: predicted as simulated', (collective, algo) => {
    for (const spec of ['ring:5', 'fullmesh:4']) {
      const row = bench(collective, spec, algo, '4M');
      expect(Math.abs(row.predictedUs - row.timeUs) / row.timeUs, `${spec} ${row.predictedUs} predicted, ${row.timeUs} simulated`).toBeLessThan(1e-3);
    }
  });

  it.each([
    // Was 61.8 / 52.4 / 26.2 / 61.8 µs predicted against 175.9 / 137.9 / 69.0 / 133.1 simulated.
    ['allreduce', 'rd'],
    ['allreduce', 'rhd'],
    ['reducescatter', 'halving'],
    ['reduce', 'binomial'],
  ] as const)('%s %s at 4 MiB on fullmesh:4 (a power of two: rounds in lockstep): predicted as simulated', (collective, algo) => {
    const row = bench(collective, 'fullmesh:4', algo, '4M');
    expect(Math.abs(row.predictedUs - row.timeUs) / row.timeUs).toBeLessThan(1e-3);
  });

  it.each(['ring:5', 'ring:8'])('dissemination barrier on %s: each round pays its own path latency (neighbours 3.0 µs apart, not the farthest pair)', (spec) => {
    // Was 9.9 µs predicted against 9.3 simulated on ring:5, 11.7 against 10.2 on ring:8.
    const row = bench('barrier', spec, 'dissemination', '1K');
    expect(Math.abs(row.predictedUs - row.timeUs) / row.timeUs).toBeLessThan(1e-3);
  });

  it('ring:8 (ECMP between opposite ranks: the simulation hashes each flow onto one of two paths, the prediction takes the search path): rd all-reduce at 4 MiB within 5 percent', () => {
    // Was 140.0 µs predicted against 609.2 simulated: the round at distance 4 puts four messages on one 49 GB/s link.
    const row = bench('allreduce', 'ring:8', 'rd', '4M');
    expect(Math.abs(row.predictedUs - row.timeUs) / row.timeUs).toBeLessThan(0.05);
  });

  it('switch:8 (a star: every path as wide as the rank link) keeps its exact predictions', () => {
    for (const [collective, algo] of [['allreduce', 'rd'], ['alltoall', 'pairwise'], ['allgather', 'bruck']] as const) {
      const row = bench(collective, 'switch:8', algo, '4M');
      expect(Math.abs(row.predictedUs - row.timeUs) / row.timeUs).toBeLessThan(1e-3);
    }
  });
});
