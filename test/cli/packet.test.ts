/**
 * `weft bench --network packet` end to end: the packet model under the CLI, in data mode
 * (real bytes in worker threads), its settings stated in the header, and bad packet flags
 * refused in one line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

describe('weft bench --network packet', () => {
  it('runs a ring all-reduce with real bytes, checks it, states the packet settings and shows port queues', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=8,leaves=2,spines=2', '--network', 'packet', '--routing', 'spray', '--cc', 'dcqcn', '--algo', 'ring', '-b', '1M', '-e', '1M', '--links', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('model: packet  routing: spray');
    expect(run.stdout).toContain('#  packet: mtu 4096 B  cell: mtu  cc: dcqcn  delivery: ooo  pfc: on  staleness: 0 ns');
    // --links adds each port's queue, ECN marks and PFC pauses under the packet model.
    expect(run.stdout).toMatch(/# {3}link .* peak queue\(B\) {3}ECN marks {3}pauses {2}paused\(us\)/);
    const rows = tableRows(run.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]![COL.wrong]).toBe('0');
    expect(Number(rows[0]![COL.busbw])).toBeGreaterThan(0);
  });

  it('--plot-queues draws the busiest egress queues over time: an oversubscribed spine builds a queue under all-to-all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-queues-'));
    const svg = join(dir, 'q.svg');
    const args = ['bench', 'alltoall', '--topology', 'leafspine:hosts=16,leaves=2,spines=1,oversubscription=4', '--network', 'packet', '--cc', 'none', '--mode', 'ghost', '--algo', 'direct', '-b', '4M', '-e', '4M', '--links', '40', '--format', 'json'];
    const run = weft([...args, '--plot-queues', svg]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The plot's busiest port is the one --links reports with the deepest queue.
    const links = (JSON.parse(run.stdout).rows[0].links as { linkId: string; queue?: { peakQueueBytes: number } }[])
      .filter((l) => (l.queue?.peakQueueBytes ?? 0) > 0)
      .sort((a, b) => b.queue!.peakQueueBytes - a.queue!.peakQueueBytes);
    expect(links[0]!.linkId).toMatch(/->spine0$/);
    expect(links[0]!.queue!.peakQueueBytes).toBeGreaterThan(1 << 20);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('egress queue depth and flow delivery rate over time');
    expect(text).toContain(links[0]!.linkId.replace('->', '-&gt;'));
    // The second panel: flows through that port, named by transfer id and endpoints.
    expect(text).toContain('delivery rate (GB/s)');
    expect(text).toMatch(/#\d+ host\d+-&gt;host\d+/);
    // Only the packet model has queues.
    expectUsageError(weft(['bench', 'allreduce', '--plot-queues', svg]), /^weft: --plot-queues: needs --network packet \(only the packet model has queues; --network is 'maxMin'\)$/);
  });

  it('states a coarser cell, and gives the same result for the same seed', () => {
    const args = ['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cell', '16K', '--mode', 'ghost', '--algo', 'ring', '-b', '4M', '-e', '4M', '--format', 'json'];
    const report = (): { packet: { cellBytes: number; mtuBytes: number }; rows: Record<string, unknown>[] } => {
      const run = weft(args);
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout);
    };
    const first = report();
    expect(first.packet).toMatchObject({ mtuBytes: 4096, cellBytes: 16384 });
    // Every field but wallMs (how long weft took) is simulated, hence identical.
    const simulated = (r: ReturnType<typeof report>) => r.rows.map(({ wallMs: _, ...row }) => row);
    expect(simulated(report())).toEqual(simulated(first));
  });

  it('--trace draws each congested port\'s queue depth as a Perfetto counter track', () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'weft-packet-')), 'trace.json');
    const run = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=16,leaves=2,spines=2', '--network', 'packet', '--algo', 'rhd', '--mode', 'ghost', '-b', '4M', '-e', '4M', '--trace', trace]);
    expect(run.code).toBe(0);
    const counters = (JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { ph: string; name: string; args: { bytes: number } }[] }).traceEvents.filter((e) => e.ph === 'C');
    expect(counters.length).toBeGreaterThan(0);
    expect(counters.every((e) => e.name.startsWith('queue '))).toBe(true);
    expect(Math.max(...counters.map((e) => e.args.bytes))).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('refuses bad packet flags in one line', () => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cc', 'bbr']), /^weft: --cc: 'bbr' is not accepted; use none, dcqcn or telemetry$/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--network', 'packet', '--cell', '5000']), /cell size 5000 B is invalid; expected a multiple of the MTU 4096 B/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--routing', 'spray']), /routing "spray" needs the packet model/);
  });
});
