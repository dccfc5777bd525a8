import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

/**
 * --exact-limit bounds what a run simulates, and with rank classes a ghost run simulates only their
 * representatives (Cluster.simulatedParticipants). It counted every rank's transfers: at 256 GPUs
 * --explain's ring candidates (16 and 2 of 256 ranks simulated) were priced at 130,560 and 2,088,960
 * transfers and left to their predictions (the scale walk, hostile.md §23).
 */
interface Candidate { algorithm: string; protocol: string | null; simulatedUs: number | null; notSimulated?: string }

function explain(): Candidate[] {
  const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=32', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--explain', '--exact-limit', '20000', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: { candidates: Candidate[] }[] }).rows[0]!.candidates;
}

function timeOf(proto: string): number {
  const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=32', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--algo', 'ring', '--proto', proto, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: { timeUs: number }[] }).rows[0]!.timeUs;
}

describe('--exact-limit counts the transfers a run simulates', () => {
  it('ring under rank classes fits a budget all its ranks would not, and simulates the time it runs alone', () => {
    const candidates = explain();
    const ring = candidates.filter((c) => c.algorithm === 'ring');
    expect(ring.map((c) => c.notSimulated)).toEqual([undefined, undefined, undefined]);
    expect(ring.find((c) => c.protocol === 'LL')!.simulatedUs).toBe(timeOf('LL'));
    // NVLSTree has switch agents, so no rank classes: every rank counts, over the budget.
    expect(candidates.find((c) => c.algorithm === 'nvlstree')!.notSimulated).toMatch(/^over budget: 28,352 transfers to run exactly \(--exact-limit 20,000\)/);
  });
});
