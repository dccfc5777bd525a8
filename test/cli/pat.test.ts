/**
 * NCCL's PAT all-gather and reduce-scatter as a user meets them: `--algo pat` moves real bytes
 * in worker threads (#wrong 0), and `auto` runs it where NCCL's tuner would — one GPU per server,
 * small and mid sizes — at NCCL's own latency (packages/collectives/src/pat.ts).
 */
import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

interface Row {
  readonly algorithm: string;
  readonly bytes: number;
  readonly protocol: string | null;
  readonly timeUs: number;
  readonly wrong: number | null;
}

function rows(collective: string, args: readonly string[]): Row[] {
  const run = weft(['bench', collective, '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { rows: Row[] }).rows;
}

describe('weft bench: PAT', () => {
  it('--algo pat moves real bytes in threads: #wrong 0 for all-gather and reduce-scatter, 6 and 8 ranks, several chunks', () => {
    for (const collective of ['allgather', 'reducescatter']) {
      for (const ranks of ['6', '8']) {
        const run = weft(['bench', collective, '--ranks', ranks, '--algo', 'pat', '--mode', 'data', '--chunk', '64K', '-b', '8', '-e', '4M', '-f', '8']);
        expect(run.code).toBe(0);
        const table = tableRows(run.stdout);
        expect(table.length).toBeGreaterThan(4);
        for (const row of table) {
          expect(row[COL.algorithm]).toBe('pat');
          expect(row[COL.wrong]).toBe('0');
        }
      }
    }
  }, 120_000);

  it("auto runs pat on 16 servers of one GPU at small and mid sizes, where a message costs NCCL's PAT latency, 8 + 4·14/3.5 + 16·2.8 µs", () => {
    const sweep = rows('allgather', ['--topology', 'dgx-h100:nodes=16,gpusPerNode=1', '--mode', 'ghost', '-b', '512', '-e', '1G', '-f', '8']);
    const byBytes = new Map(sweep.map((r) => [r.bytes, r]));
    expect(byBytes.get(512)).toMatchObject({ algorithm: 'auto(pat)', protocol: 'Simple' });
    expect(byBytes.get(512)!.timeUs).toBeGreaterThanOrEqual(68.8);
    expect(byBytes.get(512)!.timeUs).toBeLessThan(68.9);
    expect(byBytes.get(2 ** 21)!.algorithm).toBe('auto(pat)');
    expect(byBytes.get(2 ** 30)!.algorithm).toBe('auto(ring)');
  }, 60_000);

  it('auto never runs pat with 8 GPUs a server (NCCL enables it with one GPU per node only)', () => {
    for (const collective of ['allgather', 'reducescatter']) {
      const sweep = rows(collective, ['--topology', 'dgx-h100:nodes=4', '--mode', 'ghost', '-b', '512', '-e', '64M', '-f', '8']);
      expect(sweep.some((r) => r.algorithm === 'auto(pat)')).toBe(false);
    }
  }, 60_000);
});
