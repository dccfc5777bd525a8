/**
 * In-network agents under the packet model: NVLS and NVLSTree's switch agents send from a
 * switch, which no NIC served before (every run deadlocked: `weft bench --algo nvls --network
 * packet`, and `weft train --network packet` on H100 presets once train ran NCCL's pick). They
 * now run, move real bytes (#wrong 0), and on a fabric nothing else loads take what maxMin gives
 * within a few per cent (packets add a store-and-forward cell per hop).
 */
import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

function times(args: readonly string[]): { time: number; wrong: string; algorithm: string }[] {
  const run = weft(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return tableRows(run.stdout).map((r) => ({ time: Number(r[COL.time]), wrong: r[COL.wrong]!, algorithm: r[COL.algorithm]! }));
}

describe('in-network agents under --network packet', () => {
  for (const [topology, algorithm] of [
    ['dgx-h100:nodes=1', 'nvls'],
    ['dgx-h100:nodes=2,gpusPerNode=4', 'nvlstree'],
  ] as const) {
    it(`${algorithm} on ${topology}: real bytes, #wrong 0, within 5 % of maxMin`, () => {
      const base = ['bench', 'allreduce', '--topology', topology, '--algo', algorithm, '-b', '1M', '-e', '4M', '-f', '4'];
      const packet = times([...base, '--network', 'packet']);
      const fluid = times([...base, '--network', 'maxMin']);
      expect(packet).toHaveLength(2);
      packet.forEach((row, i) => {
        expect(row.wrong).toBe('0');
        expect(row.algorithm).toBe(algorithm);
        expect(Math.abs(row.time / fluid[i]!.time - 1)).toBeLessThan(0.05);
      });
    });
  }

  it("weft train --network packet on DGX H100 runs NCCL's pick, NVLS", () => {
    const run = weft(['train', '--model', 'synthetic:params=1e7', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '--steps', '1', '--network', 'packet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# all-reduce auto \(NCCL's choice\): nvls\/Simple .* over packet\//m);
    expect(run.stdout).toMatch(/emulated step/);
  });
});
