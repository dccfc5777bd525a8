import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

describe('NCCL channels from the topology search', () => {
  it('weft topo --channels prints every channel as NCCL_DEBUG=INFO does: a ring over every rank, crossing servers rail to rail', () => {
    const run = weft(['topo', 'dgx-h100:nodes=2', '--channels']);
    expect(run.code).toBe(0);
    const rings = run.stdout.split('\n').filter((line) => line.startsWith('Channel '));
    // One channel per NIC (8), doubled as NCCL's search does for fast channels.
    expect(rings).toHaveLength(16);
    for (const line of rings) {
      expect(line).toMatch(/^Channel \d\d\/16 :/);
      const order = line.split(':')[1]!.trim().split(/\s+/).map(Number);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, r) => r));
      // Inter-server hops (server = rank div 8) join the same local GPU index (rail).
      order.forEach((rank, i) => {
        const next = order[(i + 1) % order.length]!;
        if (Math.floor(rank / 8) !== Math.floor(next / 8)) expect(next % 8).toBe(rank % 8);
      });
    }
    expect(run.stdout).toMatch(/^rank 15 Trees \[0\]/m);
    // Each pattern's searched graph first, as NCCL_DEBUG_SUBSYS=GRAPH prints it: ring and tree 8 × 48, NVLS 8 heads at 40/48.
    expect(run.stdout).toMatch(/^Pattern 4 \(ring\), nChannels 8, bw 48\.000000\/48\.000000, type NVL\/PIX$/m);
    expect(run.stdout).toMatch(/^Pattern 1 \(tree\), nChannels 8, bw 48\.000000\/48\.000000, type NVL\/PIX$/m);
    expect(run.stdout).toMatch(/^Pattern 5 \(nvls\), nChannels 8, bw 40\.000000\/48\.000000, type NVL\/PIX$/m);
  });

  it('weft topo --channels on the presets: A100 x2 tree bwIntra 30 over bwInter 24; one NVL72 rack NVLS 32 heads at 20/40; no NVLS on GB200 x4 (no NVSwitch)', () => {
    const patterns = (spec: string): string[] => weft(['topo', spec, '--channels']).stdout.split('\n').filter((line) => line.startsWith('Pattern '));
    expect(patterns('hgx-a100:nodes=2')).toEqual([
      'Pattern 4 (ring), nChannels 8, bw 24.000000/24.000000, type NVL/PIX',
      'Pattern 1 (tree), nChannels 8, bw 30.000000/24.000000, type NVL/PIX',
    ]);
    expect(patterns('nvl72:variant=gb200')).toContain('Pattern 5 (nvls), nChannels 32, bw 20.000000/40.000000, type NVL/PIX');
    expect(patterns('gb200-nvl4').some((line) => line.startsWith('Pattern 5'))).toBe(false);
  });

  it("bench --channels auto (the default) runs ring on the searched channels: 8 NICs × 48 GB/s PCIe ≈ 384 GB/s busbw at 1 GiB", () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'ring,ring-rankorder', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { channels: unknown; rows: { algorithm: string; channels: number; busBwGBps: number }[] };
    expect(report.channels).toBe('auto');
    const [ring, rankOrder] = report.rows;
    expect(ring!.channels).toBe(16);
    // Bounded by the GPU↔NIC PCIe links (64 GB/s × 48/64, NCCL topo.cc), one per rail.
    expect(ring!.busBwGBps).toBeGreaterThan(0.99 * 384);
    expect(ring!.busBwGBps).toBeLessThanOrEqual(384 * (1 + 1e-9));
    // The textbook ring keeps one channel in rank order: one NIC, across the spines.
    expect(rankOrder!.channels).toBe(1);
    expect(rankOrder!.busBwGBps).toBeLessThan(50);
  });

  it('an explicit --channels is used as given, and a bad one names what is accepted', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'ring', '--channels', '2', '--mode', 'ghost', '-b', '1M', '-e', '1M']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/channels: 2 /);
    expect(tableRows(run.stdout)[0]![COL.algorithm]).toBe('ring');
    const bad = weft(['bench', 'allreduce', '--channels', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("weft: --channels: 'many' is not accepted; use 'auto' or a whole number from 1 to 64");
  });
});
