/**
 * The golden suite: the same small scenarios run against every network model, each with
 * the answer worked out by hand in a comment. Times are exact (toBe), because the models
 * evaluate the documented formulas (src/models/timing.ts) in a fixed order:
 *   sent = now + remainingBytes * 1e9 / rate,  remainingBytes -= rate * elapsedNs / 1e9,
 *   delivered = sent + path latency.
 * Bandwidths and sizes are picked so those evaluations are exact in float64.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, TopologyBuilder } from '../src/index.js';
import type { ModelName, NetworkOptions, RoutingName, Topology, TransferEvent, TransferRequest } from '../src/index.js';

const GB = 1e9; // 1 GB/s = 1e9 bytes/s = 1 byte per ns

// ---- topologies ---------------------------------------------------------------------

/** h0 → sw → h1 (and back): one path; latency 100 ns + 200 ns = 300 ns. */
function pair(bandwidthBytesPerSec: number, toSwitchNs = 100, fromSwitchNs = 200): Topology {
  const b = new TopologyBuilder();
  b.addNode('h0', 'host');
  b.addNode('h1', 'host');
  b.addNode('sw', 'switch');
  b.addLink('h0', 'sw', bandwidthBytesPerSec, toSwitchNs);
  b.addLink('sw', 'h1', bandwidthBytesPerSec, fromSwitchNs);
  b.addLink('h1', 'sw', bandwidthBytesPerSec, toSwitchNs);
  b.addLink('sw', 'h0', bandwidthBytesPerSec, fromSwitchNs);
  return b.build('pair', ['h0', 'h1']);
}

/**
 * The parking lot: switches s0 → s1 → s2 → s3, each chain link 1 GB/s and 10 ns. Host
 * `long` (at s0) sends to `sink` (at s3) across all three; host xi (at si) sends to y(i+1)
 * (at s(i+1)) across one. Host links are 100 GB/s and 1 ns: never the bottleneck.
 * Latency: long path 1 + 3 × 10 + 1 = 32 ns; a short path 1 + 10 + 1 = 12 ns.
 */
function parkingLot(): Topology {
  const b = new TopologyBuilder();
  for (let i = 0; i < 4; i++) b.addNode(`s${i}`, 'switch');
  for (let i = 0; i < 3; i++) b.addLink(`s${i}`, `s${i + 1}`, 1 * GB, 10);
  const host = (id: string, at: string): void => {
    b.addNode(id, 'host');
    b.addDuplex(id, at, 100 * GB, 1);
  };
  host('long', 's0');
  host('sink', 's3');
  for (let i = 0; i < 3; i++) {
    host(`x${i}`, `s${i}`);
    host(`y${i + 1}`, `s${i + 1}`);
  }
  return b.build('parking-lot', ['long', 'sink', 'x0', 'y1', 'x1', 'y2', 'x2', 'y3']);
}

/**
 * Unequal capacities: s0 → s1 is 10 GB/s ("wide"), s1 → s2 is 2 GB/s ("narrow"), 10 ns
 * each; host links 100 GB/s, 1 ns. f1: a (at s0) → c (at s2) crosses both, latency 22 ns;
 * f2: b1 → d1 and f3: b2 → d2 (s0 → s1) cross only the wide link, latency 12 ns.
 */
function unequal(): Topology {
  const b = new TopologyBuilder();
  for (let i = 0; i < 3; i++) b.addNode(`s${i}`, 'switch');
  b.addLink('s0', 's1', 10 * GB, 10);
  b.addLink('s1', 's2', 2 * GB, 10);
  const host = (id: string, at: string): void => {
    b.addNode(id, 'host');
    b.addDuplex(id, at, 100 * GB, 1);
  };
  host('a', 's0');
  host('c', 's2');
  host('b1', 's0');
  host('b2', 's0');
  host('d1', 's1');
  host('d2', 's1');
  return b.build('unequal', ['a', 'c', 'b1', 'b2', 'd1', 'd2']);
}

/**
 * Two leaves, two spines, two hosts per leaf. Host links 1 GB/s, 100 ns; leaf–spine links
 * `spineBytesPerSec`, 50 ns. A cross-leaf path is host→leaf→spine→leaf→host: 300 ns.
 */
function twoSpine(spineBytesPerSec: number): Topology {
  const b = new TopologyBuilder();
  for (const h of ['h0', 'h1', 'h2', 'h3']) b.addNode(h, 'host');
  for (const n of ['leaf0', 'leaf1']) b.addNode(n, 'leaf');
  for (const n of ['spine0', 'spine1']) b.addNode(n, 'spine');
  b.addDuplex('h0', 'leaf0', 1 * GB, 100);
  b.addDuplex('h1', 'leaf0', 1 * GB, 100);
  b.addDuplex('h2', 'leaf1', 1 * GB, 100);
  b.addDuplex('h3', 'leaf1', 1 * GB, 100);
  for (const leaf of ['leaf0', 'leaf1']) for (const spine of ['spine0', 'spine1']) b.addDuplex(leaf, spine, spineBytesPerSec, 50);
  return b.build('two-spine', ['h0', 'h1', 'h2', 'h3']);
}

/**
 * Dual rail: h0 and h1 each have a 1 GB/s, 100 ns link to both swA and swB, so h0 → h1 has
 * two disjoint equal-cost paths of 200 ns. h2 hangs off swB only (for cross traffic).
 */
function dualRail(): Topology {
  const b = new TopologyBuilder();
  for (const h of ['h0', 'h1', 'h2']) b.addNode(h, 'host');
  b.addNode('swA', 'switch');
  b.addNode('swB', 'switch');
  for (const h of ['h0', 'h1']) for (const sw of ['swA', 'swB']) b.addDuplex(h, sw, 1 * GB, 100);
  b.addDuplex('h2', 'swB', 1 * GB, 100);
  return b.build('dual-rail', ['h0', 'h1', 'h2']);
}

// ---- helpers ------------------------------------------------------------------------

function network(topology: Topology, model: ModelName, options: Partial<Omit<NetworkOptions, 'model'>> = {}) {
  const full: NetworkOptions = { model, routing: 'ecmp' as RoutingName, qps: 1, seed: 0, ...options };
  return createNetwork(topology, full, createRouter(topology));
}

function request(srcNode: string, dstNode: string, bytes: number, flowKey = 0): TransferRequest {
  return { srcNode, dstNode, bytes, flowKey };
}

/** Runs the network as the engine would, until nothing is pending; returns every event. */
function drain(net: ReturnType<typeof network>): TransferEvent[] {
  const log: TransferEvent[] = [];
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    log.push(...net.takeEvents());
  }
  return log;
}

/** transferId → { sent, delivered } times from an event log. */
function times(log: readonly TransferEvent[]): Map<number, { sent?: number; delivered?: number }> {
  const out = new Map<number, { sent?: number; delivered?: number }>();
  for (const event of log) {
    const entry = out.get(event.transferId) ?? {};
    if (event.kind === 'sent') entry.sent = event.timeNs;
    if (event.kind === 'delivered') entry.delivered = event.timeNs;
    out.set(event.transferId, entry);
  }
  return out;
}

const MODELS: readonly ModelName[] = ['alphaBeta', 'maxMin'];

// ---- the golden suite ---------------------------------------------------------------

describe.each(MODELS)('golden suite: %s', (model) => {
  const contended = model === 'maxMin';

  it('single flow: delivered = latency + bytes * 1e9 / bandwidth, exactly', () => {
    // 400 Gb/s × RoCE efficiency 0.98037 = 49.0185 GB/s; 1 MiB; latency 1500 + 1200 = 2700 ns.
    const bandwidth = 49.0185 * GB;
    const bytes = 1048576;
    const net = network(pair(bandwidth, 1500, 1200), model);
    expect(net.startTransfer(request('h0', 'h1', bytes), 0)).toBe(0);
    const log = drain(net);
    // ≈ 21391.3 ns on the wire, then 2700 ns of latency: ≈ 24091.3 ns.
    expect(log).toEqual([
      { kind: 'sent', transferId: 0, timeNs: (bytes * 1e9) / bandwidth },
      { kind: 'delivered', transferId: 0, timeNs: 2700 + (bytes * 1e9) / bandwidth },
    ]);
  });

  it('single flow started late: sent = start + bytes * 1e9 / bandwidth', () => {
    const net = network(pair(3 * GB), model);
    net.advanceTo(1000);
    net.startTransfer(request('h0', 'h1', 1000), 1234.5);
    // 1000 bytes at 3 GB/s = 333.33… ns after 1234.5; plus 300 ns latency.
    const sent = 1234.5 + (1000 * 1e9) / (3 * GB);
    expect(times(drain(net)).get(0)).toEqual({ sent, delivered: sent + 300 });
  });

  it('two flows on one link: half each (maxMin), full each (alphaBeta)', () => {
    const net = network(pair(1 * GB), model);
    net.startTransfer(request('h0', 'h1', 1000, 1), 0);
    net.startTransfer(request('h0', 'h1', 1000, 2), 0);
    // maxMin: 0.5 GB/s each → 2000 ns; alphaBeta: 1 GB/s each → 1000 ns. Latency 300 ns.
    const sent = contended ? 2000 : 1000;
    const t = times(drain(net));
    expect(t.get(0)).toEqual({ sent, delivered: sent + 300 });
    expect(t.get(1)).toEqual({ sent, delivered: sent + 300 });
  });

  it('parking lot: the long flow and each short flow get C/2; the long flow speeds up when they end', () => {
    const net = network(parkingLot(), model);
    net.startTransfer(request('long', 'sink', 3000), 0);
    for (let i = 0; i < 3; i++) net.startTransfer(request(`x${i}`, `y${i + 1}`, 1000), 0);
    const t = times(drain(net));
    // maxMin: every chain link carries 2 flows → 0.5 GB/s each. Shorts: 1000 B / 0.5 = 2000 ns.
    //   Long: 1000 B sent by 2000 ns, then alone at 1 GB/s: 2000 B more → 4000 ns.
    // alphaBeta: each at 1 GB/s: shorts 1000 ns, long 3000 ns.
    const shortSent = contended ? 2000 : 1000;
    const longSent = contended ? 4000 : 3000;
    expect(t.get(0)).toEqual({ sent: longSent, delivered: longSent + 32 });
    for (let id = 1; id <= 3; id++) expect(t.get(id)).toEqual({ sent: shortSent, delivered: shortSent + 12 });
  });

  it('unequal capacities: a flow bottlenecked elsewhere leaves the rest to the others', () => {
    const net = network(unequal(), model);
    net.startTransfer(request('a', 'c', 8000), 0); // f1: wide + narrow
    net.startTransfer(request('b1', 'd1', 8000), 0); // f2: wide
    net.startTransfer(request('b2', 'd2', 8000), 0); // f3: wide
    const t = times(drain(net));
    // maxMin: narrow (2 GB/s) saturates first → f1 = 2 GB/s; f2, f3 share 10 − 2 = 8 → 4 GB/s.
    //   f2, f3: 8000 B / 4 = 2000 ns; f1: 8000 / 2 = 4000 ns (its rate never changes).
    // alphaBeta: f1 at 2 GB/s → 4000 ns; f2, f3 at 10 GB/s → 800 ns.
    expect(t.get(0)).toEqual({ sent: 4000, delivered: 4022 });
    const otherSent = contended ? 2000 : 800;
    expect(t.get(1)).toEqual({ sent: otherSent, delivered: otherSent + 12 });
    expect(t.get(2)).toEqual({ sent: otherSent, delivered: otherSent + 12 });
  });

  it('a flow that finishes early frees bandwidth for the rest', () => {
    const net = network(pair(1 * GB), model);
    net.startTransfer(request('h0', 'h1', 1000, 1), 0);
    net.startTransfer(request('h0', 'h1', 3000, 2), 0);
    const t = times(drain(net));
    // maxMin: 0.5 GB/s each; the short one is sent at 2000 ns, when the long one has 2000 B
    //   left, now at 1 GB/s → sent at 4000 ns. alphaBeta: 1000 ns and 3000 ns.
    expect(t.get(0)).toEqual(contended ? { sent: 2000, delivered: 2300 } : { sent: 1000, delivered: 1300 });
    expect(t.get(1)).toEqual(contended ? { sent: 4000, delivered: 4300 } : { sent: 3000, delivered: 3300 });
  });

  it('ECMP collision: two flows hashed onto one spine take twice as long (maxMin) as on two', () => {
    const topology = twoSpine(1 * GB);
    const router = createRouter(topology);
    const spineOf = (src: string, dst: string, seed: number): string =>
      router.pinnedPath(src, dst, 0, 0, seed, new Set())!.find((id) => id.startsWith('leaf0->spine'))!;
    // With this router's hash: seed 0 sends both h0→h2 and h1→h3 over spine0 (a collision);
    // seed 1 sends them over different spines.
    expect(spineOf('h0', 'h2', 0)).toBe(spineOf('h1', 'h3', 0));
    expect(spineOf('h0', 'h2', 1)).not.toBe(spineOf('h1', 'h3', 1));
    for (const seed of [0, 1]) {
      const net = network(topology, model, { seed });
      net.startTransfer(request('h0', 'h2', 1000), 0);
      net.startTransfer(request('h1', 'h3', 1000), 0);
      const t = times(drain(net));
      const collided = spineOf('h0', 'h2', seed) === spineOf('h1', 'h3', seed);
      // Collided (maxMin): 0.5 GB/s each on the shared spine link → 2000 ns; otherwise 1000 ns.
      const sent = contended && collided ? 2000 : 1000;
      expect(t.get(0)).toEqual({ sent, delivered: sent + 300 });
      expect(t.get(1)).toEqual({ sent, delivered: sent + 300 });
      expect(net.flows()[0]!.paths).toEqual([router.pinnedPath('h0', 'h2', 0, 0, seed, new Set())]);
    }
  });

  it('qps=2 spreads a transfer over two spines (or not) by hashing each queue pair', () => {
    // Spine links 0.5 GB/s, host links 1 GB/s. One queue pair: 4000 B at 0.5 GB/s = 8000 ns.
    // Two queue pairs (2000 B each) on different spines: 0.5 GB/s each → 4000 ns;
    // on the same spine: they share 0.5 GB/s → 0.25 GB/s each → 8000 ns. Both models agree:
    // alphaBeta spreads the bytes over the transfer's own paths without other traffic.
    const topology = twoSpine(0.5 * GB);
    const router = createRouter(topology);
    const spineOfQp = (qp: number, seed: number): string => router.pinnedPath('h0', 'h2', 7, qp, seed, new Set())![1]!;
    // With this router's hash and flowKey 7: seed 1 spreads the two queue pairs, seed 0 does not.
    expect(spineOfQp(0, 1)).not.toBe(spineOfQp(1, 1));
    expect(spineOfQp(0, 0)).toBe(spineOfQp(1, 0));
    const cases = [
      { qps: 1, seed: 1, sent: 8000 },
      { qps: 2, seed: 1, sent: 4000 },
      { qps: 2, seed: 0, sent: 8000 },
    ];
    for (const { qps, seed, sent } of cases) {
      const net = network(topology, model, { qps, seed });
      net.startTransfer(request('h0', 'h2', 4000, 7), 0);
      expect(times(drain(net)).get(0)).toEqual({ sent, delivered: sent + 300 });
      expect(net.flows()[0]!.paths).toHaveLength(qps);
    }
  });

  it('adaptive routing splits evenly over two equal paths: latency + bytes / (2B)', () => {
    const net = network(dualRail(), model, { routing: 'adaptive' });
    net.startTransfer(request('h0', 'h1', 4000), 0);
    // Two disjoint 1 GB/s paths: 2 GB/s → 2000 ns; latency 200 ns.
    expect(times(drain(net)).get(0)).toEqual({ sent: (4000 * 1e9) / (2 * GB), delivered: 200 + (4000 * 1e9) / (2 * GB) });
    expect(net.flows()[0]!.paths).toEqual([
      ['h0->swA', 'swA->h1'],
      ['h0->swB', 'swB->h1'],
    ]);
  });

  it('link failure mid-flow: an adaptive transfer continues on the remaining path', () => {
    const net = network(dualRail(), model, { routing: 'adaptive' });
    net.startTransfer(request('h0', 'h1', 4000), 0);
    net.failLink('h0->swB', 1000);
    const log = drain(net);
    // 2 GB/s for 1000 ns moves 2000 B; the other 2000 B at 1 GB/s take 2000 ns → sent at 3000.
    expect(log).toEqual([
      { kind: 'sent', transferId: 0, timeNs: 3000 },
      { kind: 'delivered', transferId: 0, timeNs: 3200 },
    ]);
    const stats = new Map(net.linkStats().map((s) => [s.linkId, s]));
    // The failed rail carried 1 GB/s for 1000 ns; the surviving one 1 GB/s for 3000 ns.
    expect(stats.get('h0->swB')!.bytesCarried).toBeCloseTo(1000, 6);
    expect(stats.get('h0->swA')!.bytesCarried).toBeCloseTo(3000, 6);
  });

  it('link failure mid-flow: a pinned (ECMP) transfer strands with an event; later ones route around', () => {
    const topology = twoSpine(1 * GB);
    const net = network(topology, model, { seed: 1 });
    const pinned = createRouter(topology).pinnedPath('h0', 'h2', 0, 0, 1, new Set())!;
    const spineLink = pinned[1]!; // the leaf0→spine link this flow hashes to
    net.startTransfer(request('h0', 'h2', 1000), 0);
    net.failLink(spineLink, 500);
    expect(net.nextEventTimeNs()).toBe(500);
    net.advanceTo(500);
    expect(net.takeEvents()).toEqual([{ kind: 'stranded', transferId: 0, timeNs: 500, linkId: spineLink, cause: 'pinned' }]);
    // Nothing else is pending: a stranded transfer never completes and never hangs the run.
    expect(net.nextEventTimeNs()).toBe(Infinity);
    // A new transfer avoids the failed link: 1000 B at 1 GB/s from 600 → sent 1600.
    net.startTransfer(request('h0', 'h2', 1000), 600);
    expect(drain(net)).toEqual([
      { kind: 'sent', transferId: 1, timeNs: 1600 },
      { kind: 'delivered', transferId: 1, timeNs: 1900 },
    ]);
    expect(net.flows()[1]!.paths[0]).not.toContain(spineLink);
    // With both uplinks down, a new transfer has no path at all and strands at its start.
    const other = spineLink === 'leaf0->spine0' ? 'leaf0->spine1' : 'leaf0->spine0';
    net.failLink(other, 2000);
    net.advanceTo(2000);
    net.startTransfer(request('h0', 'h2', 1000), 2000);
    expect(drain(net)).toEqual([{ kind: 'stranded', transferId: 2, timeNs: 2000, linkId: spineLink, cause: 'noPath' }]);
    expect(net.flows().map((f) => f.stranded ?? false)).toEqual([true, false, true]);
  });

  it('an adaptive transfer whose every path fails strands', () => {
    const net = network(dualRail(), model, { routing: 'adaptive' });
    net.startTransfer(request('h0', 'h1', 4000), 0);
    net.failLink('h0->swB', 1000);
    net.failLink('swA->h1', 1500);
    // 1000 ns at 2 GB/s, then 500 ns at 1 GB/s: 2500 B sent, 1500 B never will be.
    expect(drain(net)).toEqual([{ kind: 'stranded', transferId: 0, timeNs: 1500, linkId: 'swA->h1', cause: 'noPath' }]);
  });

  it('degrade mid-flow: the rest goes at the lower rate, exactly', () => {
    const net = network(pair(1 * GB), model);
    net.startTransfer(request('h0', 'h1', 4000), 0);
    net.degradeLink('h0->sw', 0.5, 1000);
    // 1000 B by 1000 ns; 3000 B left at 0.5 GB/s = 6000 ns → sent 7000, delivered 7300.
    expect(times(drain(net)).get(0)).toEqual({ sent: 7000, delivered: 7300 });
  });

  it('degrading a link off the bottleneck does not change the finish time', () => {
    const net = network(unequal(), model);
    net.startTransfer(request('a', 'c', 8000), 0);
    // The wide link drops to 5 GB/s: still above the 2 GB/s narrow link. Sent at 4000 ns.
    net.degradeLink('s0->s1', 0.5, 1000);
    expect(times(drain(net)).get(0)).toEqual({ sent: 4000, delivered: 4022 });
  });

  it('zero bytes: sent at start, delivered after the path latency; same node: both at start', () => {
    const net = network(pair(1 * GB), model);
    net.advanceTo(50);
    net.startTransfer(request('h0', 'h1', 0), 50);
    net.startTransfer(request('h0', 'h0', 4096), 50);
    expect(drain(net)).toEqual([
      { kind: 'sent', transferId: 0, timeNs: 50 },
      { kind: 'sent', transferId: 1, timeNs: 50 },
      { kind: 'delivered', transferId: 1, timeNs: 50 },
      { kind: 'delivered', transferId: 0, timeNs: 350 },
    ]);
    expect(net.flows()[1]!.paths).toEqual([]);
  });

  it('flow records give start, sent, delivered and paths', () => {
    const net = network(pair(1 * GB), model);
    net.startTransfer(request('h0', 'h1', 1000), 10);
    net.advanceTo(1010); // sent at 1010, delivered at 1310: not yet
    expect(net.flows()).toEqual([
      { transferId: 0, srcNode: 'h0', dstNode: 'h1', bytes: 1000, startNs: 10, sentNs: 1010, paths: [['h0->sw', 'sw->h1']] },
    ]);
    net.advanceTo(2000);
    expect(net.flows()[0]!.deliveredNs).toBe(1310);
  });
});

describe('maxMin specifics', () => {
  it('adaptive: the less-loaded path carries more', () => {
    // h2 → h1 shares swB→h1 with h0's second sub-flow. Sub-flow weights: h0's are 1/2
    // each (one flow over two paths), h2's is 1. On swB→h1 (1 GB/s): level 1/1.5 → h0's
    // sub-flow 1/3 GB/s, h2 2/3 GB/s. h0's path via swA has no other traffic: 1 GB/s.
    const net = network(dualRail(), 'maxMin', { routing: 'adaptive' });
    net.startTransfer(request('h0', 'h1', 1e6), 0);
    net.startTransfer(request('h2', 'h1', 1e6, 1), 0);
    net.advanceTo(100);
    const fraction = new Map(net.linkStats().map((s) => [s.linkId, s.utilizationTimeline.at(-1)![1]]));
    expect(fraction.get('h0->swA')).toBe(1);
    expect(fraction.get('h0->swB')).toBeCloseTo(1 / 3, 12);
    expect(fraction.get('h2->swB')).toBeCloseTo(2 / 3, 12);
    expect(fraction.get('swB->h1')).toBeCloseTo(1, 12);
  });

  it('link statistics: bytes, busy time, utilization, peak flows, timeline', () => {
    const net = network(pair(1 * GB), 'maxMin');
    net.startTransfer(request('h0', 'h1', 1000, 1), 0);
    net.startTransfer(request('h0', 'h1', 3000, 2), 0);
    drain(net); // last delivery at 4300 ns
    const link = net.linkStats().find((s) => s.linkId === 'h0->sw')!;
    // Busy 0–4000 ns; 4000 B carried; elapsed 4300 ns → utilization 4000 / 4300.
    expect(link.bytesCarried).toBeCloseTo(4000, 9);
    expect(link.busyNs).toBe(4000);
    expect(link.utilization).toBeCloseTo(4000 / 4300, 12);
    expect(link.peakConcurrentFlows).toBe(2);
    // Full from 0 (two flows at half each), still full after 2000 (one flow at full), idle at 4000.
    expect(link.utilizationTimeline).toEqual([
      [0, 1],
      [4000, 0],
    ]);
    const idle = net.linkStats().find((s) => s.linkId === 'h1->sw')!;
    expect(idle).toMatchObject({ bytesCarried: 0, busyNs: 0, utilization: 0, peakConcurrentFlows: 0, utilizationTimeline: [[0, 0]] });
  });

  it('reports solver work: changes at one timestamp are solved once', () => {
    const net = network(pair(1 * GB), 'maxMin');
    for (let i = 0; i < 5; i++) net.startTransfer(request('h0', 'h1', 1000, i), 0);
    drain(net);
    // One solve at 0 (five transfers started) and one at 5000 (all five sent): 2 solves.
    // The five are identical (same start, route and bytes): one flow of five copies, one
    // solver variable.
    expect(net.workStats().solver).toMatchObject({ solves: 2, variablesTouched: 1, liveVariables: 0 });
    expect(net.workStats()).toMatchObject({ transfersStarted: 5, flowsStarted: 1 });
  });

  it('identical transfers share one flow: each is sent, delivered and counted as if alone', () => {
    const net = network(pair(1 * GB), 'maxMin');
    // Three identical transfers at 0 (one flow, three copies), one with other bytes at 0 and
    // one identical but started at 1000 ns: five flows' worth of sharing on h0 -> sw.
    for (let i = 0; i < 3; i++) net.startTransfer(request('h0', 'h1', 1000, i), 0);
    net.startTransfer(request('h0', 'h1', 2000, 3), 0);
    net.advanceTo(1000);
    net.startTransfer(request('h0', 'h1', 1000, 4), 1000);
    const events = drain(net);
    // 0–1000 ns: four flows at 0.25 GB/s (250 B each sent). From 1000: five at 0.2 GB/s; the
    // three copies have 750 B left → sent at 1000 + 750 / 0.2 = 4750 ns; then the 2000 B
    // transfer (1500 B left at 4750 − … ) and the late one share the link.
    const t = times(events);
    expect(t.get(0)).toEqual(t.get(1));
    expect(t.get(1)).toEqual(t.get(2));
    expect(t.get(0)!.sent).toBe(4750);
    expect(t.get(0)!.delivered).toBe(5050);
    expect(events.filter((e) => e.kind === 'sent')).toHaveLength(5);
    expect(net.workStats()).toMatchObject({ transfersStarted: 5, flowsStarted: 3 });
    const link = net.linkStats().find((s) => s.linkId === 'h0->sw')!;
    expect(link.peakConcurrentFlows).toBe(5);
    expect(link.bytesCarried).toBeCloseTo(6000, 6);
  });
});

describe('alphaBeta specifics', () => {
  it('ignores contention, so a shared link can show more than 100 % utilization', () => {
    const net = network(pair(1 * GB), 'alphaBeta');
    net.startTransfer(request('h0', 'h1', 1000, 1), 0);
    net.startTransfer(request('h0', 'h1', 1000, 2), 0);
    drain(net);
    const link = net.linkStats().find((s) => s.linkId === 'h0->sw')!;
    expect(link.utilizationTimeline).toEqual([
      [0, 2],
      [1000, 0],
    ]);
    expect(net.workStats().solver).toBeNull();
  });
});
