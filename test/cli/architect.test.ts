import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

/** A system architect's own cluster files (hostile.md §22: the architect walk). */

const dir = mkdtempSync(join(tmpdir(), 'weft-architect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Two servers of eight GPUs on an NVSwitch, one NIC per GPU at 48 GB/s of PCIe and a 400 Gb/s
 * port: `nicGroups` false leaves the NICs without a `group` (the README gives one only to GPUs);
 * `oneTor` wires every NIC to one switch instead of a leaf per rail (and a spine above them).
 */
function cluster(name: string, { nicGroups, oneTor }: { nicGroups: boolean; oneTor: boolean }): string {
  const nodes: object[] = [];
  const links: object[] = [];
  for (let s = 0; s < 2; s++) {
    nodes.push({ id: `s${s}.nvs`, kind: 'nvswitch' });
    for (let g = 0; g < 8; g++) {
      nodes.push({ id: `s${s}.gpu${g}`, kind: 'gpu', group: `server${s}` });
      nodes.push({ id: `s${s}.nic${g}`, kind: 'nic', ...(nicGroups ? { group: `server${s}` } : {}) });
      links.push({ from: `s${s}.gpu${g}`, to: `s${s}.nvs`, bandwidth: '400GB/s', latency: '300ns' });
      links.push({ from: `s${s}.gpu${g}`, to: `s${s}.nic${g}`, bandwidth: '48GB/s', latency: '1.2us' });
      links.push({ from: `s${s}.nic${g}`, to: oneTor ? 'tor' : `leaf${g}`, bandwidth: '400Gbps', latency: '300ns' });
    }
  }
  if (oneTor) nodes.push({ id: 'tor', kind: 'leaf' });
  else {
    // A leaf per rail, joined by a spine (a rank reaches another rail only through it).
    for (let g = 0; g < 8; g++) {
      nodes.push({ id: `leaf${g}`, kind: 'leaf' });
      links.push({ from: `leaf${g}`, to: 'spine', bandwidth: '800Gbps', latency: '300ns' });
    }
    nodes.push({ id: 'spine', kind: 'spine' });
  }
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, nodes, links }));
  return path;
}

describe('channels spread over every NIC of a server', () => {
  it.each([
    ['NICs with no group', { nicGroups: false, oneTor: false }],
    ['every NIC on one switch', { nicGroups: true, oneTor: true }],
    ['both', { nicGroups: false, oneTor: true }],
  ] as const)('%s: eight channels, one per NIC, and ring busbw at the eight NICs (was: two channels on one NIC, 48 of 384 GB/s)', (name, shape) => {
    const file = cluster(name.replace(/ /g, '-'), shape);
    const topo = weft(['topo', file, '--channels']);
    expect(topo.code).toBe(0);
    expect(topo.stdout).toMatch(/^Pattern 4 \(ring\), nChannels 8, bw 48\.000000\/48\.000000/m);
    const run = weft(['bench', 'allreduce', '--topology', file, '--algo', 'ring', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--format', 'json']);
    expect(run.code).toBe(0);
    const { busBwGBps } = (JSON.parse(run.stdout) as { rows: { busBwGBps: number }[] }).rows[0]!;
    // Bound: 8 NICs × 48 GB/s of PCIe (each rank sends 2(n-1)/n·S, busbw = that over time).
    expect(busBwGBps).toBeLessThanOrEqual(8 * 48 * (1 + 1e-9));
    expect(busBwGBps).toBeGreaterThan(0.95 * 8 * 48);
  });
});

describe('in-network reduction on an InfiniBand fabric', () => {
  it('topo says which algorithm each reducing switch serves: SHARP leaves and spines serve none (was: "14 reduction-capable switch(es)", as if innetwork could use them)', () => {
    const run = weft(['topo', 'dgx-h100:nodes=2,fabric=ib-ndr']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^reduction {4}14 reduction-capable switch\(es\) \(2 NVSwitch: nvls, nvlstree; 12 fabric: unused \(innetwork needs one switch linked to every rank; SHARP trees over several switches are not modelled\)\)$/m);
  });

  it('bench --algo innetwork there: what it needs, in words (was: "layout.hasReductionSwitch is false")', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2,fabric=ib-ndr', '--algo', 'innetwork', '--mode', 'ghost', '-b', '1M', '-e', '1M']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs one reduction-capable switch linked to every rank (e.g. switch:N,reduction=true); this topology has none');
    expect(run.stderr).not.toContain('hasReductionSwitch');
  });
});

describe('what-if: an NVL4 board whose NVLink node reduces', () => {
  it("gb200-nvl4:reduction=true runs NVLS at Blackwell's efficiency, as four GPUs of hgx-b200 do (was: 829.47 against 615.92 GB/s, at efficiency 1); nvlsEfficiency is a parameter there", () => {
    const busbw = (topology: string): number => {
      const run = weft(['bench', 'allreduce', '--topology', topology, '--algo', 'nvls', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--format', 'json']);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as { rows: { busBwGBps: number }[] }).rows[0]!.busBwGBps;
    };
    expect(busbw('gb200-nvl4:reduction=true')).toBe(busbw('hgx-b200:nodes=1,gpusPerNode=4'));
    expect(busbw('gb200-nvl4:reduction=true,nvlsEfficiency=0.5')).toBeLessThan(busbw('gb200-nvl4:reduction=true'));
  });
});

describe('topo on a design with two NICs per GPU', () => {
  it("per GPU: the NIC ports summed, as the PCIe is (was: 96 GB/s PCIe beside one NIC's 49.02)", () => {
    const nodes: object[] = [{ id: 'nvs', kind: 'nvswitch' }, { id: 'leaf', kind: 'leaf' }];
    const links: object[] = [];
    for (let g = 0; g < 2; g++) {
      nodes.push({ id: `gpu${g}`, kind: 'gpu', group: 's0' });
      links.push({ from: `gpu${g}`, to: 'nvs', bandwidth: '400GB/s', latency: '300ns' });
      for (const k of [0, 1]) {
        nodes.push({ id: `nic${g}.${k}`, kind: 'nic', group: 's0' });
        links.push({ from: `gpu${g}`, to: `nic${g}.${k}`, bandwidth: '48GB/s', latency: '1.2us' });
        links.push({ from: `nic${g}.${k}`, to: 'leaf', bandwidth: '400Gbps', latency: '300ns' });
      }
    }
    const file = join(dir, 'two-nics.json');
    writeFileSync(file, JSON.stringify({ name: 'two-nics', nodes, links }));
    const run = weft(['topo', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ +96 GB\/s \(768 Gb\/s\) PCIe to its NIC, each direction$/m);
    expect(run.stdout).toMatch(/^ +100 GB\/s \(800 Gb\/s\) NIC port into the fabric, each direction$/m);
  });
});

describe('hand-set fabric sizes that no switch holds', () => {
  it.each([
    ['dgx-h100:nodes=64,spines=1', "weft: dgx-h100: spines=1 needs spines of 512 ports for 16 leaves, over the switch's 128; use more spines (0 picks the smallest that fit), tiers=3, or a larger switchCapacity\n"],
    ['dgx-h100:nodes=100,serversPerSu=100', "weft: dgx-h100: serversPerSu=100 needs leaves of 200 ports (100 down, 100 up), over the switch's 128; use serversPerSu <= 64 or a larger switchCapacity\n"],
  ])('%s: refused in one line (was: built, with one 512-port spine or 200-port leaves, while the sources said 128-port switches)', (spec, line) => {
    const run = weft(['topo', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(line);
  });
});

/**
 * Two servers of four GPUs and two 400 Gb/s NICs (hostile.md §23, the cluster-owner walk):
 * `shared`: GPUs 0, 1 on NIC 0 and 2, 3 on NIC 1, each by its own PCIe link; `pcie`: the same
 * through a PCIe switch per NIC pair (GPU → switch → NIC, as a DGX draws it). A leaf per NIC
 * rail, joined by a spine.
 */
function sharedNics(name: string, pcie: boolean): string {
  const nodes: object[] = [{ id: 'spine', kind: 'spine' }];
  const links: object[] = [];
  for (let n = 0; n < 2; n++) {
    nodes.push({ id: `leaf${n}`, kind: 'leaf' });
    links.push({ from: `leaf${n}`, to: 'spine', bandwidth: '800Gbps', latency: '300ns' });
  }
  for (let s = 0; s < 2; s++) {
    nodes.push({ id: `s${s}.nvs`, kind: 'nvswitch', group: `s${s}` });
    for (let n = 0; n < 2; n++) {
      nodes.push({ id: `s${s}.nic${n}`, kind: 'nic', group: `s${s}` });
      links.push({ from: `s${s}.nic${n}`, to: `leaf${n}`, bandwidth: '400Gbps', latency: '300ns' });
      if (pcie) {
        nodes.push({ id: `s${s}.pcie${n}`, kind: 'switch', group: `s${s}` });
        links.push({ from: `s${s}.pcie${n}`, to: `s${s}.nic${n}`, bandwidth: '64GB/s', latency: '500ns' });
      }
    }
    for (let g = 0; g < 4; g++) {
      nodes.push({ id: `s${s}.gpu${g}`, kind: 'gpu', group: `s${s}` });
      links.push({ from: `s${s}.gpu${g}`, to: `s${s}.nvs`, bandwidth: '370GB/s', latency: '300ns' });
      links.push({ from: `s${s}.gpu${g}`, to: pcie ? `s${s}.pcie${g >> 1}` : `s${s}.nic${g >> 1}`, bandwidth: '48GB/s', latency: '1us' });
    }
  }
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, computeCapability: 9.0, routing: 'adaptive', nodes, links }));
  return path;
}

describe('GPUs that share a NIC, or reach it through a PCIe switch', () => {
  it.each([
    ['a NIC shared by two GPUs', false],
    ['a PCIe switch between GPUs and NICs', true],
  ] as const)('%s: rings leave by both NICs, rail to rail; busbw at the two ports, predicted as simulated (was: one NIC, 47.97 GB/s)', (name, pcie) => {
    const file = sharedNics(name.replace(/ /g, '-'), pcie);
    const topo = weft(['topo', file, '--channels']);
    expect(topo.code).toBe(0);
    // Each GPU's share of its NIC's 50 GB/s port.
    expect(topo.stdout).toMatch(/^\s+25 GB\/s \(200 Gb\/s\) NIC port into the fabric, each direction$/m);
    // A ring crosses servers GPU k to GPU k (ranks k and 4 + k share NIC k >> 1's leaf).
    for (const line of topo.stdout.split('\n').filter((l) => /^Channel \d+\/\d+ :/.test(l))) {
      const order = line.split(':')[1]!.trim().split(/\s+/).map(Number);
      const crossings = order.map((r, i) => [r, order[(i + 1) % order.length]!]).filter(([a, b]) => a! >> 2 !== b! >> 2);
      for (const [a, b] of crossings) expect((a! & 3) >> 1, line).toBe((b! & 3) >> 1);
    }
    const run = weft(['bench', 'allreduce', '--topology', file, '--algo', 'ring', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--format', 'json']);
    expect(run.code).toBe(0);
    const row = (JSON.parse(run.stdout) as { rows: { busBwGBps: number; timeUs: number; predictedUs: number }[] }).rows[0]!;
    // Bound: two 50 GB/s ports per server carry the ring's inter-server bytes (busbw = port rate × ports).
    expect(row.busBwGBps).toBeLessThanOrEqual(2 * 50 * (1 + 1e-9));
    expect(row.busBwGBps).toBeGreaterThan(0.99 * 2 * 50);
    expect(Math.abs(row.predictedUs / row.timeUs - 1)).toBeLessThan(0.01);
  });
});

describe('topo --save: a preset as a file to edit', () => {
  it.each(['json', 'yaml'])('writes a %s topology file that loads back to the same cluster (the same bench rows, the same summary)', (ext) => {
    const file = join(dir, `saved.${ext}`);
    expect(weft(['topo', 'dgx-h100:nodes=2', '--save', file]).code).toBe(0);
    const rows = (topology: string) => {
      const run = weft(['bench', 'allreduce', '--topology', topology, '--mode', 'ghost', '-b', '8', '-e', '1G', '-f', '64', '--format', 'json']);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { rows: { algorithm: string; protocol: string; timeUs: number }[] }).rows.map(({ algorithm, protocol, timeUs }) => ({ algorithm, protocol, timeUs }));
    };
    expect(rows(file)).toEqual(rows('dgx-h100:nodes=2'));
    const summary = (topology: string) => weft(['topo', topology]).stdout.split('\n').slice(1).join('\n');
    expect(summary(file)).toBe(summary('dgx-h100:nodes=2'));
  });

  it("'-' prints YAML alone; a wrong extension or a clash is one line, exit 2", () => {
    const run = weft(['topo', 'switch:2', '--save', '-']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^name: switch:2\nnodes:\n/);
    expect(weft(['topo', 'switch:2', '--save', join(dir, 'x.txt')]).stderr).toBe(`weft: --save: '${join(dir, 'x.txt')}' must end in .json, .yaml or .yml (or be '-' for YAML on stdout)\n`);
    expect(weft(['topo', 'switch:2', '--save', '-', '--json']).stderr).toBe("weft: --save: '-' puts the topology file alone on stdout; not with --json (save to a file instead)\n");
  });
});
