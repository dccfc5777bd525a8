/**
 * A ring all-reduce of fewer elements than ranks leaves some ranks' blocks empty. NCCL's
 * kernel still runs every step of every rank (src/device/all_reduce.h runRing), and under
 * Simple an empty step is a handshake with the ring neighbour (prims_simple.h: the empty-slice
 * loop's waitPeer / postPeer), so a rank with nothing to move cannot finish its iteration, nor
 * start the next one, before its neighbours let it (collectives nccl-ring.ts
 * ncclRingEmptyTransfers). Before, weft dropped those steps: `-n 3` at 8 B on 4 ranks averaged
 * 78.40 µs against 92.40 at 16 B (iterations of 92.40, 78.40 and 64.40 µs).
 *
 * Iteration k's own time is what it adds to the run: k·avg(-n k) − (k−1)·avg(-n k−1).
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

interface Row {
  readonly bytes: number;
  readonly count: number;
  readonly timeUs: number;
  readonly wrong: number | null;
}

function rows(args: readonly string[]): Row[] {
  const run = weft(['bench', 'allreduce', '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).rows;
}

/** Per size (bytes), the time of each of the first `iterations` iterations (µs). */
function iterationTimes(args: readonly string[], iterations: number): Map<number, number[]> {
  const totals = Array.from({ length: iterations }, (_, i) => rows(['--mode', 'ghost', ...args, '-n', String(i + 1)]).map((r) => ({ bytes: r.bytes, totalUs: (i + 1) * r.timeUs })));
  const out = new Map<number, number[]>();
  totals[0]!.forEach(({ bytes }, row) => out.set(bytes, totals.map((t, i) => t[row]!.totalUs - (i === 0 ? 0 : totals[i - 1]![row]!.totalUs))));
  return out;
}

/** What a few more bytes may add to a step-latency-bound iteration (µs): 64 B cost 0.01 µs more than 8 B. */
const BYTES_COST_US = 0.05;

describe('ring all-reduce with empty blocks (count < ranks), Simple', () => {
  for (const { ranks, sizes } of [
    { ranks: 4, sizes: ['-b', '8', '-e', '32'] },
    { ranks: 8, sizes: ['-b', '8', '-e', '64'] },
  ]) {
    it(`${ranks} ranks: every iteration of -n 3 below ${ranks} elements takes as long as one with a full block per rank, and as -n 1`, () => {
      const times = iterationTimes(['--ranks', String(ranks), '--algo', 'ring', '--proto', 'Simple', ...sizes], 3);
      const full = times.get(ranks * 4)!; // one element per rank
      expect(full).toHaveLength(3);
      for (const [bytes, perIteration] of times) {
        for (const [k, us] of perIteration.entries()) {
          expect(Math.abs(us - full[0]!), `${bytes} B, iteration ${k + 1}: ${perIteration.map((t) => t.toFixed(2)).join(', ')} µs against ${full[0]!.toFixed(2)}`).toBeLessThan(BYTES_COST_US);
        }
      }
    });
  }

  it('data mode still delivers the right sums on tiny counts, with the empty steps run', () => {
    for (const ranks of ['4', '8']) {
      const data = rows(['--mode', 'data', '--algo', 'ring', '--proto', 'Simple', '--ranks', ranks, '-b', '4', '-e', '64', '-n', '3']);
      expect(data.map((r) => `${r.bytes}:${r.wrong}`)).toEqual(['4:0', '8:0', '16:0', '32:0', '64:0']);
    }
  });
});
