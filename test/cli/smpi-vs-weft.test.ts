/**
 * benchmarks/smpi-vs-weft.mjs without SimGrid (SimGrid is not in CI): the SimGrid platform it
 * writes carries weft's own switch:N links and one-switch routes, and the script stops with one
 * line and exit 2 — no stack — when smpirun is missing or an argument is bad.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTopologySpec } from '@weft/fabric';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module of the benchmarks, no types
import { smpiPlatformXml } from '../../benchmarks/mpi/smpi-platform.mjs';
import { expectUsageError } from './run-weft.js';

const SCRIPT = fileURLToPath(new URL('../../benchmarks/smpi-vs-weft.mjs', import.meta.url));

const attributes = (xml: string, tag: string): Record<string, string>[] =>
  [...xml.matchAll(new RegExp(`<${tag} ([^>]*?)/?>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));

describe('smpiPlatformXml', () => {
  it("switch:8: a host per rank, weft's 16 links with their bandwidth and latency, 56 routes up then down", () => {
    const xml: string = smpiPlatformXml(parseTopologySpec('switch:8'));
    expect(attributes(xml, 'host').map((h) => h.id)).toEqual(['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7']);
    const links = attributes(xml, 'link');
    expect(links).toHaveLength(16);
    // 400 Gb/s × RoCEv2 efficiency 0.98037; up = NIC 1.2 µs + switch 0.3 µs, down = NIC 1.2 µs.
    expect(links.find((l) => l.id === 'gpu3-&gt;switch0')).toEqual({ id: 'gpu3-&gt;switch0', bandwidth: '49018500000Bps', latency: '1500ns' });
    expect(links.find((l) => l.id === 'switch0-&gt;gpu3')).toEqual({ id: 'switch0-&gt;gpu3', bandwidth: '49018500000Bps', latency: '1200ns' });
    const routes = [...xml.matchAll(/<route src="(\w+)" dst="(\w+)" symmetrical="NO">(.*?)<\/route>/g)];
    expect(routes).toHaveLength(56);
    const route = routes.find((r) => r[1] === 'gpu2' && r[2] === 'gpu5')!;
    expect([...route[3]!.matchAll(/id="([^"]*)"/g)].map((m) => m[1])).toEqual(['gpu2-&gt;switch0', 'switch0-&gt;gpu5']);
  });

  it('copies preset parameters (linkLatency, linkBw) rather than assuming defaults', () => {
    const links = attributes(smpiPlatformXml(parseTopologySpec('switch:2,linkBw=100Gbps,efficiency=1,linkLatency=1us')), 'link');
    expect(links).toHaveLength(4);
    for (const link of links) expect([link.bandwidth, link.latency]).toEqual(['12500000000Bps', '1000ns']);
  });

  it('refuses a topology without one-switch routes', () => {
    expect(() => smpiPlatformXml(parseTopologySpec('ring:4'))).toThrow(/no route gpu0 -> switch -> gpu1/);
  });
});

describe('smpi-vs-weft.mjs stops with one line', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env, timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('without smpirun on PATH, saying how to install it', () => {
    const bin = mkdtempSync(join(os.tmpdir(), 'weft-no-smpi-'));
    try {
      symlinkSync(process.execPath, join(bin, 'node'));
      expectUsageError(run([], { ...process.env, PATH: bin }), /^smpi-vs-weft: smpirun\/smpicc not found: .*apt-get install -y libsimgrid-dev/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('on bad arguments', () => {
    expectUsageError(run(['--runs', '0']), /^smpi-vs-weft: --runs must be a positive integer$/);
    expectUsageError(run(['--max', '5X']), /^smpi-vs-weft: --max must be a size/);
    expectUsageError(run(['--topology', 'ring:8']), /^smpi-vs-weft: --topology must be a switch:N preset/);
    expectUsageError(run(['--frobnicate']), /^smpi-vs-weft: unknown argument '--frobnicate'/);
  });
});
