/**
 * NCCL's NVLS and NVLSTree chunk rules (packages/collectives/src/protocols.ts nvlsBlockChunkBytes,
 * nvlsTreeChunkBytes) as the CLI runs them with its defaults (chunk auto): the chunk each row
 * reports is NCCL's for the size, and data mode still moves real bytes (#wrong 0).
 */
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

interface Row {
  readonly bytes: number;
  readonly wrong: number | null;
  readonly chunkBytes: number;
}

function rows(args: readonly string[]): Row[] {
  const run = weft(['bench', ...args, '--mode', 'data', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).rows as Row[];
}

const KiB = 1024;
const MiB = KiB * KiB;

describe("NCCL's NVLS chunk in data mode (chunk auto)", () => {
  for (const collective of ['reducescatter', 'allgather']) {
    it(`${collective} nvls on dgx-h100:nodes=1, 1 KiB .. 32 MiB: #wrong 0, 16 × NCCL's 16/32 KiB chunk per part`, () => {
      const got = rows([collective, '--topology', 'dgx-h100:nodes=1', '--algo', 'nvls', '-b', '1K', '-e', '32M', '-f', '8']);
      expect(got.map((r) => r.bytes)).toEqual([KiB, 8 * KiB, 64 * KiB, 512 * KiB, 4 * MiB, 32 * MiB]);
      for (const row of got) expect(row.wrong).toBe(0);
      // nBytes is the 8 blocks; 8 heads: 16 KiB below 8 MiB, 32 KiB from 8 MiB (below 64 MiB).
      expect(got.map((r) => r.chunkBytes)).toEqual([...Array(5).fill(16 * 16 * KiB), 16 * 32 * KiB]);
    });
  }

  it('allreduce nvlstree on dgx-h100:nodes=2, 1 MiB .. 64 MiB: #wrong 0, 8 × NCCL\'s 32/64/128 KiB chunk per part', () => {
    const got = rows(['allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'nvlstree', '-b', '1M', '-e', '64M', '-f', '8']);
    expect(got.map((r) => r.bytes)).toEqual([MiB, 8 * MiB, 64 * MiB]);
    for (const row of got) expect(row.wrong).toBe(0);
    // 8 heads, 2 channels: 32 KiB below 8 MiB, 64 KiB below 64 MiB, 128 KiB from 64 MiB.
    expect(got.map((r) => r.chunkBytes)).toEqual([8 * 32 * KiB, 8 * 64 * KiB, 8 * 128 * KiB]);
  });
});
