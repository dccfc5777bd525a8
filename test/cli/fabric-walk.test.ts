/**
 * A QA walk over the fabric (a 2:1 leaf-spine of 16 hosts, link faults, the packet model): each
 * defect it found, run on the bundle as a user runs it. Every test here failed on the bundle
 * before the fix it names.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLs16 } from './ls16.js';
import { weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-fabric-walk-'));
const at = (name: string): string => join(dir, name);

/** 16 hosts on 4 leaves, 2 spines, every link 400 Gb/s: 2:1 oversubscribed. */
const LS16 = writeLs16(dir);

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly id?: string;
  readonly ts?: number;
  readonly args?: Record<string, unknown>;
}

/** Runs `weft bench … --trace` and returns the trace's events. */
function traced(name: string, args: readonly string[]): TraceEvent[] {
  const path = at(name);
  const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', ...args, '--trace', path]);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
}

describe('--trace with a link fault', () => {
  const FAULT_US = 20;

  it('draws no flow on a link after it failed, and marks the failure on its track (flows ran on to 59.7 us, no marker)', () => {
    const events = traced('fluid-down.json', ['-b', '1M', '-e', '1M', '--routing', 'adaptive', '--fault', `link=leaf0->spine0,down@${FAULT_US}us`]);
    const onLink = events.filter((e) => e.name === 'link leaf0->spine0');
    const ends = onLink.filter((e) => e.ph === 'e').map((e) => e.ts!);
    expect(ends.length).toBeGreaterThan(0);
    expect(Math.max(...ends)).toBeLessThanOrEqual(FAULT_US);
    // The flows moved to the other spine: it still carries traffic after the fault.
    const other = events.filter((e) => e.name === 'link leaf0->spine1' && e.ph === 'e').map((e) => e.ts!);
    expect(Math.max(...other)).toBeGreaterThan(FAULT_US);
    const markers = onLink.filter((e) => e.ph === 'n');
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ ts: FAULT_US, args: { fault: 'link down' } });
    // A path cut short says when.
    expect(onLink.some((e) => e.ph === 'b' && e.args?.stoppedNs === FAULT_US * 1000)).toBe(true);
  });

  it('marks a degrade, and under the packet model ends a per-packet flow’s path at the failure too', () => {
    const degraded = traced('fluid-degrade.json', ['-b', '1M', '-e', '1M', '--routing', 'adaptive', '--fault', 'link=leaf1->spine1,degrade=0.5@10us']);
    expect(degraded.filter((e) => e.name === 'link leaf1->spine1' && e.ph === 'n').map((e) => e.args?.fault)).toEqual(['degraded ×0.5']);
    // Flows recorded over leaf1->spine0 start at 8.4 us; at 8.5 us no packet is on it yet (none strands).
    const packet = traced('packet-down.json', ['-b', '256K', '-e', '256K', '--network', 'packet', '--routing', 'adaptive', '--fault', 'link=leaf1->spine0,down@8.5us']);
    const ends = packet.filter((e) => e.name === 'link leaf1->spine0' && e.ph === 'e').map((e) => e.ts!);
    expect(ends.length).toBeGreaterThan(0);
    expect(Math.max(...ends)).toBeLessThanOrEqual(8.5);
    expect(packet.filter((e) => e.name === 'link leaf1->spine0' && e.ph === 'n')).toHaveLength(1);
  });

  it('marks no fault due after the run ended', () => {
    const events = traced('late.json', ['-b', '64K', '-e', '64K', '--routing', 'adaptive', '--fault', 'link=leaf0->spine0,down@1s']);
    expect(events.filter((e) => e.ph === 'n')).toEqual([]);
  });
});

describe('--network packet --links', () => {
  it('counts peak flows on every link a per-packet flow may take (leaf*->spine1 carried 91.5 % with 0 peak flows)', () => {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--network', 'packet', '--routing', 'adaptive', '--links', '12', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const links = JSON.parse(run.stdout).rows[0].links as { linkId: string; bytesCarried: number; peakConcurrentFlows: number }[];
    const spine1 = links.filter((link) => link.linkId.endsWith('->spine1'));
    expect(spine1.length).toBeGreaterThan(0);
    for (const link of links) if (link.bytesCarried > 0) expect(link.peakConcurrentFlows, link.linkId).toBeGreaterThan(0);
  });
});

describe('a transfer stranded by a link fault says why', () => {
  /** The faulted run's outcome line of `weft bench alltoall -b 4M -e 4M …`. */
  function failure(args: readonly string[]): string {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--routing', 'adaptive', ...args]);
    expect(run.code, run.stderr).not.toBe(null);
    const line = run.stdout.split('\n').find((l) => l.includes('TransferStrandedError'));
    expect(line, run.stdout).toBeDefined();
    return line!;
  }

  it('per-packet routing: packets lost on the failed link, not a pinned flow (said "the flow was pinned to it")', () => {
    const line = failure(['--network', 'packet', '--fault', 'link=leaf0->spine0,down@20us']);
    expect(line).toMatch(/link leaf0->spine0 went down with packets of it queued on or crossing it/);
    expect(line).not.toMatch(/pinned/);
  });

  it('a partition: no path left between the endpoints (said "the flow was pinned to it")', () => {
    const line = failure(['--fault', 'link=leaf0->spine0,down@50us', '--fault', 'link=leaf0->spine1,down@50us']);
    expect(line).toMatch(/\(rank \d+ → rank \d+, .*is down and no path is left between the transfer's endpoints$/);
  });

  it('ECMP: the flow was pinned to the link', () => {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--routing', 'ecmp', '--fault', 'link=leaf0->spine0,down@20us']);
    expect(run.stdout).toMatch(/link leaf0->spine0 is down and the flow was pinned to it/);
  });
});

describe('--cc keeps its state per connection across messages (as a NIC keeps it per queue pair)', () => {
  /** 16 MiB all-to-all over the 2:1 spines, packet model: the row's time and the busiest link's ECN marks. */
  const alltoall = (cc: string) => {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '16M', '-e', '16M', '--network', 'packet', '--routing', 'adaptive', '--cc', cc, '--links', '1', '--format', 'json']);
    expect(run.code).toBe(0);
    const row = JSON.parse(run.stdout).rows[0] as { timeUs: number; links: { queue: { ecnMarks: number; peakQueueBytes: number } }[] };
    return { timeUs: row.timeUs, queue: row.links[0]!.queue };
  };

  it('dcqcn acts on a chunked collective (each chunk began at line rate and its CNPs came back after it: the run equalled --cc none)', () => {
    const none = alltoall('none');
    const dcqcn = alltoall('dcqcn');
    expect(dcqcn.timeUs).not.toBe(none.timeUs);
    // The rates cut by CNPs carry over to the next chunks: the queues stay below ECN's threshold.
    expect(dcqcn.queue.ecnMarks).toBeLessThan(none.queue.ecnMarks / 10);
    expect(dcqcn.queue.peakQueueBytes).toBeLessThan(none.queue.peakQueueBytes);
    // Deterministic, as every simulated result.
    expect(alltoall('dcqcn')).toEqual(dcqcn);
  });
});
