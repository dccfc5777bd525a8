import { expect } from 'vitest';
import { weft } from './run-weft.js';

/** `weft bench allreduce --algo ring --proto Simple` (NCCL's protocol at 1 GiB) in ghost mode on `spec`: the one result row. */
export function ringBusBw(spec: string): { busBwGBps: number; predictedUs: number; timeUs: number } {
  const run = weft(['bench', 'allreduce', '--topology', spec, '--algo', 'ring', '--proto', 'Simple', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: { busBwGBps: number; predictedUs: number; timeUs: number }[] }).rows[0]!;
}
