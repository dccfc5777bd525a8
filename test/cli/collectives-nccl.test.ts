import { describe, expect, it } from 'vitest';
import { ringBusBw } from './ring-busbw.js';
import { weft } from './run-weft.js';

interface Link {
  readonly from: string;
  readonly to: string;
  readonly bytesCarried: number;
}
interface Row {
  readonly algorithm: string;
  readonly protocol: string;
  readonly busBwGBps: number;
  readonly links: readonly Link[];
}

/** One ghost-mode row of `weft bench COLLECTIVE` on dgx-h100:nodes=2 (auto), with every link's statistics. */
function benchRow(collective: string, size: string): Row {
  const run = weft(['bench', collective, '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', size, '-e', size, '--links', '1000', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { rows: Row[] }).rows[0]!;
}

/** Bytes through any spine: traffic that crossed rails between servers. */
const spineBytes = (row: Row): number => row.links.filter((l) => /spine/.test(l.from) || /spine/.test(l.to)).reduce((sum, l) => sum + l.bytesCarried, 0);

describe("every collective as NCCL runs it on 2× DGX H100 (auto, ghost)", () => {
  it('alltoall is pxn: nothing crosses the spines, and busbw reaches the PCIe bound 2 × 48 GB/s × 15/16', () => {
    const row = benchRow('alltoall', '256M');
    expect(row.algorithm).toBe('auto(pxn)');
    expect(spineBytes(row)).toBe(0);
    // Each GPU's PCIe link to its NIC carries 8 of its server's blocks for the other server
    // (its own and 7 forwarded over NVLink), 1/16 of the buffer each: T ≥ S/2 / 48 GB/s.
    const boundGBps = 2 * 48 * (15 / 16);
    expect(row.busBwGBps).toBeLessThanOrEqual(boundGBps * (1 + 1e-9));
    expect(row.busBwGBps).toBeGreaterThan(0.97 * boundGBps);
  });

  it("allgather and reducescatter run NCCL's ring rail to rail at the ring all-reduce's busbw (within 1 %)", () => {
    const allReduce = ringBusBw('dgx-h100:nodes=2').busBwGBps;
    for (const collective of ['allgather', 'reducescatter']) {
      const row = benchRow(collective, '1G');
      expect(`${row.algorithm}/${row.protocol}`).toBe('auto(ring)/Simple');
      expect(spineBytes(row)).toBe(0);
      expect(Math.abs(row.busBwGBps / allReduce - 1)).toBeLessThan(0.01);
    }
  });

  it('broadcast and reduce run ring chains rail to rail, above 90 % of the ring all-reduce busbw at 1 GiB', () => {
    const allReduce = ringBusBw('dgx-h100:nodes=2').busBwGBps;
    for (const collective of ['broadcast', 'reduce']) {
      const row = benchRow(collective, '1G');
      expect(row.algorithm).toBe('auto(chain)');
      expect(spineBytes(row)).toBe(0);
      expect(row.busBwGBps / allReduce).toBeGreaterThan(0.9);
      expect(row.busBwGBps).toBeLessThan(allReduce);
    }
  });
});
