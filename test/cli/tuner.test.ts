/**
 * `--tuner auto|nccl|weft`: which rule picks auto's (algorithm, protocol) per size — NCCL's
 * tuning model (packages/collectives/src/nccl-tuner.ts), weft's own predictions, or `auto` (the
 * default: NCCL's where the topology names its GPUs, weft's elsewhere) — and `--explain`'s
 * column with NCCL's model's time. Ghost mode, prediction-sized runs.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

interface Candidate {
  readonly algorithm: string;
  readonly protocol: string | null;
  readonly predictedUs: number | null;
  readonly ncclPredictedUs: number | null;
  readonly ncclChoice: boolean;
  readonly chosen: boolean;
}
interface Row {
  readonly algorithm: string;
  readonly bytes: number;
  readonly protocol: string | null;
  readonly candidates?: readonly Candidate[];
}

function rows(args: readonly string[]): Row[] {
  const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).rows;
}

const picks = (rs: readonly Row[]) => rs.map((r) => `${r.bytes}:${r.algorithm}/${r.protocol}`);

describe('--tuner', () => {
  it("nccl (the default on a GPU preset) on 2 DGX H100 runs NCCL's model's picks: tree/LL at 64 KiB, NVLSTree/Simple at 1 MiB (weft's rule: tree/LL128 there)", () => {
    const args = ['--topology', 'dgx-h100:nodes=2', '-b', '64K', '-e', '1M', '-f', '16'];
    expect(picks(rows([...args, '--tuner', 'nccl']))).toEqual(['65536:auto(tree)/LL', '1048576:auto(nvlstree)/Simple']);
    expect(picks(rows(args))).toEqual(picks(rows([...args, '--tuner', 'nccl'])));
    expect(picks(rows([...args, '--tuner', 'weft']))[1]).toBe('1048576:auto(tree)/LL128');
  });

  it("the default on a topology that names no GPU is weft's rule (NCCL's tables are per GPU generation)", () => {
    const args = ['--topology', 'switch:8', '-b', '64K', '-e', '16M', '-f', '16'];
    expect(picks(rows(args))).toEqual(picks(rows([...args, '--tuner', 'weft'])));
  });

  it("--explain carries NCCL's model's time per candidate and marks its pick (the chosen one under --tuner nccl)", () => {
    const [row] = rows(['--topology', 'dgx-h100:nodes=1', '-b', '64M', '-e', '64M', '--explain', '--exact-limit', '0', '--tuner', 'nccl']);
    const nccl = row!.candidates!.filter((c) => c.ncclChoice);
    expect(nccl.map((c) => `${c.algorithm}/${c.protocol}`)).toEqual(['nvls/Simple']);
    expect(nccl[0]!.chosen).toBe(true);
    // tuning.cc on one DGX H100: NVLS 25 µs + 64 MiB / (the NVLS graph's 8 channels × 40 GB/s × 5/6).
    expect(nccl[0]!.ncclPredictedUs!).toBeCloseTo(25 + (64 * 2 ** 20) / (1000 * ((320 * 5) / 6)), 6);
    const table = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '-b', '64M', '-e', '64M', '--explain', '--exact-limit', '0']);
    expect(table.stdout).toMatch(/NCCL model\(us\)$/m);
    expect(table.stdout).toMatch(/^#   nvls +Simple .* \*( |$)/m);
  });

  it('bad --tuner: one line naming the value and what is accepted, exit 2; nccl on a topology without GPUs: one line, exit 2', () => {
    expectUsageError(weft(['bench', 'allreduce', '--tuner', 'nvidia']), /^weft: --tuner: 'nvidia' is not accepted; use auto, nccl or weft$/);
    // A textbook algorithm has no protocol to choose (NCCL's ring's protocol is NCCL's model's pick: docs-walk.test.ts).
    expectUsageError(weft(['bench', 'allreduce', '--algo', 'rd', '--tuner', 'nccl']), /^weft: --tuner nccl: chooses what --algo auto runs and the protocol of NCCL's algorithms \(--proto auto\); --algo rd leaves it nothing to choose/);
    expectUsageError(weft(['bench', 'allreduce', '--topology', 'switch:4', '--mode', 'ghost', '--tuner', 'nccl', '-b', '1K', '-e', '1K']), /^weft: --tuner nccl: this topology names no GPU/);
  });
});
