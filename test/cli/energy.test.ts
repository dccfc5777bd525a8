/**
 * `weft bench --energy` and `--confidential` end to end: the energy of a run equals the
 * closed form from the bytes the algorithm moves (ring all-reduce on switch:8) in ghost and
 * data mode under every network model; CC mode caps the inter-node path at the cited
 * bounce-buffer cost and leaves NVLink runs as they are; bad combinations fail in one line.
 */
import { describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

// The cited inputs (packages/fabric/src/presets/hardware.json), as a reader would check them.
const NIC_PORT_PJ_PER_BIT = 10 + 9.375; // optics.osfp400PjPerBit + optics.osfp800TwinPjPerBit
const SPECTRUM4_PJ_PER_BIT = 9.7656; // spectrum4.pjPerBitSwitched
const H100_IDLE_W = 80.3; // h100.idlePowerW (switch:8 names no GPU: H100 assumed)
const PCIE_PAYLOAD_BYTES_PER_SEC = 64e9 * 0.75; // pcie.gen5x16LineRate × pcie.efficiency
const CC_SLOWDOWN = 12.69; // cc.bounceBufferSlowdown

interface EnergyRow { joules: number; linksJ: number; switchesJ: number; gpusJ: number; busBwGBpsPerW: number }
interface Row { timeUs: number; busBwGBps: number; energy?: EnergyRow }

function benchJson(args: readonly string[]): { rows: Row[]; energy?: { sources: string[]; missing: string[] } } {
  const run = weft(['bench', 'allreduce', ...args, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

describe('weft bench --energy', () => {
  it('equals the closed form on switch:8 ring: bytes per link class × pJ/bit + idle power × time, in every mode and model', () => {
    const bytes = 256 * 1024;
    const n = 8;
    // Ring all-reduce: each rank sends 2(n-1)/n of the buffer up to the switch, which sends it down.
    const upBytes = n * (2 * (n - 1) / n) * bytes;
    for (const extra of [['--mode', 'ghost'], ['--mode', 'ghost', '--network', 'alphaBeta'], ['--mode', 'ghost', '--network', 'packet'], ['--mode', 'data', '-w', '1', '-n', '2']]) {
      const report = benchJson(['--topology', 'switch:8', '--algo', 'ring', '--proto', 'Simple', '-b', '256K', '-e', '256K', '--energy', ...extra]);
      const row = report.rows[0]!;
      const linksJ = 2 * upBytes * 8 * NIC_PORT_PJ_PER_BIT * 1e-12;
      const switchesJ = upBytes * 8 * SPECTRUM4_PJ_PER_BIT * 1e-12;
      const gpusJ = H100_IDLE_W * n * row.timeUs * 1e-6;
      expect(row.energy!.linksJ).toBeCloseTo(linksJ, 12);
      expect(row.energy!.switchesJ).toBeCloseTo(switchesJ, 12);
      expect(row.energy!.gpusJ).toBeCloseTo(gpusJ, 12);
      expect(row.energy!.joules).toBeCloseTo(linksJ + switchesJ + gpusJ, 12);
      expect(row.energy!.busBwGBpsPerW).toBeCloseTo(row.busBwGBps / ((linksJ + switchesJ + gpusJ) / (row.timeUs * 1e-6)), 9);
      expect(report.energy!.sources).toEqual(expect.arrayContaining(['nvidia-mma4z00-ns400', 'nvidia-mma4z00-ns', 'tekdeeps-spectrum4', 'serialalice-gpu-power']));
    }
  });

  it('adds two table columns and a sources footer; CSV gets the fields; a missing figure is one line', () => {
    const table = weft(['bench', 'allreduce', '--topology', 'nvl72:gpus=8', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--energy']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ energy +busbw\/W\n/);
    expect(tableRows(table.stdout)[0]).toHaveLength(COL.wall + 3);
    expect(table.stdout).toMatch(/^# Energy sources {7}: .*nvidia-what-is-nvlink/m);
    expect(table.stdout.match(/^# Energy missing.*$/gm)).toEqual(['# Energy missing       : GPU idle power of Blackwell (B200/GB200/GB300): no cited figure, GPU term left out']);
    const csv = weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--energy', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toMatch(/,energyJ,linksJ,switchesJ,gpusJ,busBwGBpsPerW$/);
  });
});

describe('weft bench --confidential', () => {
  it('caps dgx-h100:nodes=2 ring busbw at 8 NICs × the PCIe path ÷ the cited bounce-buffer cost', () => {
    const args = ['--topology', 'dgx-h100:nodes=2', '--algo', 'ring', '--mode', 'ghost', '-b', '64M', '-e', '64M'];
    const cc = benchJson([...args, '--confidential']).rows[0]!.busBwGBps;
    const plain = benchJson(args).rows[0]!.busBwGBps;
    const capGBps = 8 * PCIE_PAYLOAD_BYTES_PER_SEC / CC_SLOWDOWN / 1e9;
    expect(cc).toBeLessThanOrEqual(capGBps);
    expect(cc).toBeGreaterThan(0.99 * capGBps);
    expect(plain).toBeGreaterThan(5 * cc);
  });

  it('leaves an NVLink-only run as it is (Hopper PPCIe: plain text over NVLink)', () => {
    const args = ['--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '-b', '16M', '-e', '16M'];
    expect(benchJson([...args, '--confidential']).rows[0]!.timeUs).toBe(benchJson(args).rows[0]!.timeUs);
  });

  it('refuses combinations that cannot work, in one line', () => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '8', '--mode', 'ghost', '--confidential']), /^weft: --confidential: switch:8 names no GPU generation/);
    expectUsageError(weft(['bench', 'allreduce', '--topology', 'hgx-a100:nodes=1', '--mode', 'ghost', '--confidential']), /no confidential-computing mode/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--energy', '--compare', 'routing=ecmp,adaptive']), /^weft: --energy: not with --compare/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--energy', '--tenant', 'ranks=0-3']), /^weft: --energy: not with --tenant/);
  });
});
