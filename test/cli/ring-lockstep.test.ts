/**
 * NCCL's Ring on two DGX H100 servers, simulated against predicted where its 16 channels start
 * in lockstep: ring/LL128 at 8 MiB is one loop iteration of 30 steps of 32 KiB per channel, and
 * the first steps share every rank's NVLink among 14 channels (1.9 µs of LL128 step latency after
 * the shared transfer) until the NIC hops pull the channels apart. The predictor assumed them
 * apart from the start (84.87 µs predicted, 99.09 simulated, 1.168); it now runs one period of
 * one ring as a fluid (packages/collectives/src/ring-lockstep.ts): 99.59 µs, 0.995.
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

describe('ring: predicted time where the channels start in lockstep', () => {
  it('dgx-h100:nodes=2 ring/LL128 8 MiB simulates within 2 % of its prediction', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '--algo', 'ring', '--proto', 'LL128', '-b', '8M', '-e', '8M', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [row] = JSON.parse(run.stdout).rows as { timeUs: number; predictedUs: number; channels: number }[];
    expect(row!.channels).toBe(16);
    expect(row!.predictedUs).toBeCloseTo(99.59, 2);
    expect(Math.abs(row!.timeUs / row!.predictedUs - 1)).toBeLessThan(0.02);
  });
});
