/**
 * The packet model (models/packet) against closed forms and against maxMin: a lone flow's
 * store-and-forward time, max-min shares in steady state, an incast's queue growth, ECN
 * past Kmin, PFC at XOFF with nothing dropped, spraying vs ECMP on a leaf-spine, and
 * identical results for one seed. Bandwidths are 50 GB/s = 50 B/ns (a 400G port's payload
 * rate, about) unless a comment says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, TopologyBuilder } from '../src/index.js';
import type { NetworkOptions, PacketNetwork, PacketOptions, RoutingName, Topology, TransferEvent } from '../src/index.js';

const GB = 1e9;
const MTU = 4096;

/** Hosts h0..h(n-1) on one switch, duplex links of `bw` and `latNs`. */
function star(n: number, bw = 50 * GB, latNs = 500): Topology {
  const b = new TopologyBuilder();
  b.addNode('sw', 'switch');
  for (let i = 0; i < n; i++) {
    b.addNode(`h${i}`, 'host');
    b.addDuplex(`h${i}`, 'sw', bw, latNs);
  }
  return b.build(`star${n}`, Array.from({ length: n }, (_, i) => `h${i}`));
}

/** 2 leaves x `hostsPerLeaf` hosts, `spines` spines, every link 50 GB/s, 500 ns: non-blocking when spines = hostsPerLeaf. */
function leafSpine(hostsPerLeaf: number, spines: number): Topology {
  const b = new TopologyBuilder();
  const ranks: string[] = [];
  for (let s = 0; s < spines; s++) b.addNode(`s${s}`, 'spine');
  for (let l = 0; l < 2; l++) {
    b.addNode(`l${l}`, 'leaf');
    for (let s = 0; s < spines; s++) b.addDuplex(`l${l}`, `s${s}`, 50 * GB, 500);
    for (let h = 0; h < hostsPerLeaf; h++) {
      const id = `h${l}_${h}`;
      b.addNode(id, 'host');
      b.addDuplex(id, `l${l}`, 50 * GB, 500);
      ranks.push(id);
    }
  }
  return b.build('leaf-spine', ranks);
}

/** h0 and h1 through one switch at 1 B/ns: 100 ns from a host to the switch, 200 ns from the switch to a host. */
function pair(): Topology {
  const b = new TopologyBuilder();
  for (const id of ['h0', 'h1']) b.addNode(id, 'host');
  b.addNode('sw', 'switch');
  b.addLink('h0', 'sw', 1 * GB, 100);
  b.addLink('sw', 'h1', 1 * GB, 200);
  b.addLink('h1', 'sw', 1 * GB, 100);
  b.addLink('sw', 'h0', 1 * GB, 200);
  return b.build('pair', ['h0', 'h1']);
}

type Flow = readonly [src: string, dst: string, bytes: number];

function network(topology: Topology, model: 'packet' | 'maxMin', routing: RoutingName = 'ecmp', packet: PacketOptions = {}, seed = 1) {
  const options: NetworkOptions = { model, routing, qps: 1, seed, packet };
  return createNetwork(topology, options, createRouter(topology));
}

/** Starts every flow at 0 and runs to the end; the delivered time of each, by transfer id. */
function runAll(net: ReturnType<typeof network>, flows: readonly Flow[]): { delivered: number[]; events: TransferEvent[] } {
  flows.forEach(([srcNode, dstNode, bytes], i) => net.startTransfer({ srcNode, dstNode, bytes, flowKey: i }, 0));
  const events: TransferEvent[] = [];
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    events.push(...net.takeEvents());
  }
  const delivered: number[] = [];
  for (const e of events) if (e.kind === 'delivered') delivered[e.transferId] = e.timeNs;
  return { delivered, events };
}

const asPacket = (net: ReturnType<typeof network>) => net as unknown as PacketNetwork;
const port = (net: ReturnType<typeof network>, linkId: string) => asPacket(net).portStats().find((p) => p.linkId === linkId)!;

describe('packet model: closed forms', () => {
  it('a lone flow takes packets x serialization + one store-and-forward packet + latency', () => {
    // 10 packets at 1 B/ns: the last leaves h0 at 10 x 4096 ns, crosses 100 ns, is
    // re-serialized by the switch (4096 ns) and crosses 200 ns more.
    const { events } = runAll(network(pair(), 'packet'), [['h0', 'h1', 10 * MTU]]);
    expect(events).toEqual([
      { kind: 'sent', transferId: 0, timeNs: 10 * MTU },
      { kind: 'delivered', transferId: 0, timeNs: 10 * MTU + 100 + MTU + 200 },
    ]);
  });
});

describe('packet model: a switch as a flow\'s source (an in-network agent: NVLS multicast, SHARP results)', () => {
  it('a lone flow from the switch takes packets x serialization + latency: the switch makes each packet where it leaves', () => {
    // 10 packets at 1 B/ns from sw to h1: the last leaves at 10 x 4096 ns and crosses 200 ns (they hung before: no NIC served a switch).
    const { events } = runAll(network(pair(), 'packet'), [['sw', 'h1', 10 * MTU]]);
    expect(events).toEqual([
      { kind: 'sent', transferId: 0, timeNs: 10 * MTU },
      { kind: 'delivered', transferId: 0, timeNs: 10 * MTU + 200 },
    ]);
  });

  it('its own packets and the packets it forwards take turns on a port: each flow gets half, as maxMin gives', () => {
    // h0 -> h1 is forwarded by sw; sw -> h1 starts at sw. Both cross sw->h1 (1 B/ns): 0.5 B/ns each.
    const flows: Flow[] = [['h0', 'h1', 200 * MTU], ['sw', 'h1', 200 * MTU]];
    const fluid = runAll(network(pair(), 'maxMin'), flows).delivered;
    const packet = runAll(network(pair(), 'packet'), flows).delivered;
    flows.forEach((_, i) => expect(Math.abs(packet[i]! / fluid[i]! - 1)).toBeLessThan(0.02));
  });
});

describe('packet model: delivery timelines (--plot-queues draws them)', () => {
  it('a lone flow delivers one cell per serialization time after the first arrives: a point per 64 KiB, the last at its delivered time', () => {
    const net = network(pair(), 'packet');
    const bytes = 40 * MTU; // 160 KiB: samples at 64 KiB and 128 KiB, then the whole
    const { delivered } = runAll(net, [['h0', 'h1', bytes]]);
    const [flow] = net.flows();
    // Cell k (0-based) is placed at (k + 1) x 4096 ns (leaving h0) + 100 + 4096 (the switch) + 200.
    const placedNs = (cells: number) => cells * MTU + 100 + MTU + 200;
    expect(flow!.deliveredTimeline).toEqual([
      [0, 0],
      [placedNs(16), 16 * MTU],
      [placedNs(32), 32 * MTU],
      [placedNs(40), bytes],
    ]);
    expect(flow!.deliveredTimeline!.at(-1)![0]).toBe(delivered[0]);
    // Summary records keep none.
    const topology = pair();
    const summary = createNetwork(topology, { model: 'packet', routing: 'ecmp', qps: 1, seed: 1, record: 'summary' }, createRouter(topology));
    runAll(summary as ReturnType<typeof network>, [['h0', 'h1', bytes]]);
    expect(summary.flows()).toEqual([]);
  });
});

describe('packet model: steady state agrees with maxMin within 2 %', () => {
  const cases: { name: string; topology: () => Topology; flows: Flow[] }[] = [
    // Two flows share sw->h3 (25 GB/s each); h2->h1 runs alone at 50 GB/s.
    { name: 'two into one port, one alone', topology: () => star(4), flows: [['h0', 'h3', 16e6], ['h1', 'h3', 16e6], ['h2', 'h1', 16e6]] },
    // Three into one: 50/3 GB/s each.
    { name: 'three into one port', topology: () => star(4), flows: [['h0', 'h3', 8e6], ['h1', 'h3', 8e6], ['h2', 'h3', 8e6]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fluid = runAll(network(c.topology(), 'maxMin'), c.flows).delivered;
      const packet = runAll(network(c.topology(), 'packet'), c.flows).delivered;
      c.flows.forEach((_, i) => expect(Math.abs(packet[i]! / fluid[i]! - 1)).toBeLessThan(0.02));
    });
  }
});

describe('packet model: a 2-to-1 incast', () => {
  // h0 and h1 send to h2 at 50 B/ns each; sw->h2 drains 50 B/ns, so its queue grows at
  // 50 B/ns from the moment the first packets are in (serialization 81.92 ns + 500 ns).
  const firstInNs = MTU / 50 + 500;
  const flows: Flow[] = [['h0', 'h2', 32e6], ['h1', 'h2', 32e6]];

  it('builds its queue at the predicted rate and marks ECN only past Kmin', () => {
    const net = network(star(3), 'packet');
    flows.forEach(([srcNode, dstNode, bytes], i) => net.startTransfer({ srcNode, dstNode, bytes, flowKey: i }, 0));
    net.advanceTo(3000);
    const early = port(net, 'sw->h2');
    expect(Math.abs(early.peakQueueBytes - 50 * (3000 - firstInNs))).toBeLessThanOrEqual(2 * MTU);
    expect(early.peakQueueBytes).toBeLessThan(150_000);
    expect(early.ecnMarks).toBe(0);
    net.advanceTo(40_000); // queue about 50 x 39 400 = 1.97 MB: past Kmax (1.5 MB), every packet marked
    const late = port(net, 'sw->h2');
    expect(Math.abs(late.peakQueueBytes - 50 * (40_000 - firstInNs))).toBeLessThanOrEqual(2 * MTU);
    expect(late.ecnMarks).toBeGreaterThan((late.peakQueueBytes - 1_500_000) / MTU - 2);
  });

  it('PFC pauses both senders when their ingress buffer reaches XOFF, and nothing drops', () => {
    // Each ingress port fills at 25 B/ns (in 50, out half of 50). XOFF = 2.5 MiB minus
    // headroom 2 x 50 x 500 + 2 x 4096 = 2 563 248 B, reached at firstIn + XOFF / 25; the
    // pause reaches the sender 500 ns later.
    const xoff = 2_621_440 - (2 * 50 * 500 + 2 * MTU);
    const pauseNs = firstInNs + xoff / 25 + 500;
    const net = network(star(3), 'packet');
    flows.forEach(([srcNode, dstNode, bytes], i) => net.startTransfer({ srcNode, dstNode, bytes, flowKey: i }, 0));
    net.advanceTo(pauseNs - 500);
    expect(port(net, 'h0->sw').pauses).toBe(0);
    net.advanceTo(pauseNs + 500);
    expect(port(net, 'h0->sw').pauses).toBe(1);
    expect(port(net, 'h1->sw').pauses).toBe(1);
    for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) net.advanceTo(t);
    const stats = asPacket(net).packetStats();
    expect(stats.drops).toBe(0);
    expect(stats.pauses).toBeGreaterThan(2);
    expect(net.flows().every((f) => f.deliveredNs !== undefined)).toBe(true);
    // Lossless and work-conserving: 64 MB through one 50 B/ns port, plus the path.
    expect(net.flows()[1]!.deliveredNs).toBeCloseTo(64e6 / 50 + firstInNs + 500, -3);
  });

  it('without PFC a full buffer drops and the senders resend', () => {
    const net = network(star(3), 'packet', 'ecmp', { pfc: false, portBufferBytes: 256 * 1024 });
    const { delivered } = runAll(net, flows);
    expect(asPacket(net).packetStats().drops).toBeGreaterThan(0);
    expect(asPacket(net).packetStats().retransmittedPackets).toBe(asPacket(net).packetStats().drops);
    expect(delivered.length).toBe(2);
  });
});

describe('packet model: PFC spreads pauses upstream and blocks a victim flow (head of line)', () => {
  // a0, a1, a2 on leaf0; b0, b1 on leaf1; one spine; host links 50 B/ns, leaf-spine 100 B/ns.
  // a0 and a1 send to b0 (an incast on leaf1->b0); the victim a2 sends to b1, whose port is
  // idle. Max-min: a0, a1 get 25 each and the victim its full 50, since the spine links have
  // room: 16 MB in 320 us + path. Under PFC the full ingress at leaf1 pauses spine->leaf1,
  // the spine's queue pauses leaf0->spine, leaf0 pauses every host behind it, and the
  // victim's packets wait behind the incast's.
  function fabric(): Topology {
    const b = new TopologyBuilder();
    b.addNode('s', 'spine');
    for (const leaf of ['leaf0', 'leaf1']) {
      b.addNode(leaf, 'leaf');
      b.addDuplex(leaf, 's', 100 * GB, 500);
    }
    for (const [host, leaf] of [['a0', 'leaf0'], ['a1', 'leaf0'], ['a2', 'leaf0'], ['b0', 'leaf1'], ['b1', 'leaf1']] as const) {
      b.addNode(host, 'host');
      b.addDuplex(host, leaf, 50 * GB, 500);
    }
    return b.build('hol', ['a0', 'a1', 'a2', 'b0', 'b1']);
  }
  const flows: Flow[] = [['a0', 'b0', 32e6], ['a1', 'b0', 32e6], ['a2', 'b1', 16e6]];

  it('pauses reach the spine, the first leaf and the victim host; the victim runs far below its max-min rate', () => {
    const fluid = runAll(network(fabric(), 'maxMin'), flows).delivered;
    expect(fluid[2]).toBe(16e6 / 50 + 2000);
    const net = network(fabric(), 'packet');
    const packet = runAll(net, flows).delivered;
    for (const link of ['s->leaf1', 'leaf0->s', 'a0->leaf0', 'a2->leaf0']) expect(port(net, link).pauses).toBeGreaterThan(0);
    expect(asPacket(net).packetStats().drops).toBe(0);
    expect(packet[2]! / fluid[2]!).toBeGreaterThan(1.5);
    // The incast itself still drains b0's port at line rate.
    expect(Math.abs(packet[1]! / fluid[1]! - 1)).toBeLessThan(0.02);
    // DCQCN slows the incast's senders before the buffers fill: no pauses, the victim near max-min.
    const dcqcn = network(fabric(), 'packet', 'ecmp', { cc: 'dcqcn' });
    const relieved = runAll(dcqcn, flows).delivered;
    expect(asPacket(dcqcn).packetStats().pauses).toBe(0);
    expect(relieved[2]! / fluid[2]!).toBeLessThan(1.25);
  });
});

describe('packet model: congestion control on the 2-to-1 incast', () => {
  const flows: Flow[] = [['h0', 'h2', 32e6], ['h1', 'h2', 32e6]];
  const incast = (cc: PacketOptions['cc']) => {
    const net = network(star(3), 'packet', 'ecmp', { cc });
    const { delivered } = runAll(net, flows);
    return { delivered, queue: port(net, 'sw->h2').peakQueueBytes, stats: asPacket(net).packetStats() };
  };

  it('without CC the queue grows to PFC; DCQCN reacts to ECN before PFC; telemetry holds the queue under Kmin', () => {
    const none = incast('none');
    const dcqcn = incast('dcqcn');
    const telemetry = incast('telemetry');
    expect(none.stats.pauses).toBeGreaterThan(0);
    expect(none.queue).toBeGreaterThan(4e6); // both ingress ports near XOFF
    expect(dcqcn.stats.pauses).toBe(0);
    expect(dcqcn.queue).toBeLessThan(none.queue / 2);
    expect(telemetry.stats.pauses).toBe(0);
    expect(telemetry.stats.ecnMarks).toBe(0);
    expect(telemetry.queue).toBeLessThan(150_000 * 2);
    expect(telemetry.stats.latencyP99Ns).toBeLessThan(none.stats.latencyP99Ns / 10);
    // Every variant delivers everything; telemetry within 15 % of the 64 MB / 50 B/ns bound.
    for (const run of [none, dcqcn, telemetry]) expect(run.delivered.length).toBe(2);
    expect(Math.max(...telemetry.delivered)).toBeLessThan((64e6 / 50) * 1.15);
  });
});

describe('packet model: traffic classes', () => {
  // Bulk: h0 and h1 each send 32 MB to h2 (class 0), filling sw->h2's queue to PFC.
  // Probe: from 100 us on, h1 sends one 4 KB message to h2 every 20 us, in class 1 or 0.
  // Unloaded a probe takes 2 x (81.92 ns + 500 ns) = 1163.84 ns.
  function probeLatencies(probeClass: number): number[] {
    const net = network(star(3), 'packet');
    net.startTransfer({ srcNode: 'h0', dstNode: 'h2', bytes: 32e6, flowKey: 0 }, 0);
    net.startTransfer({ srcNode: 'h1', dstNode: 'h2', bytes: 32e6, flowKey: 1 }, 0);
    const startNs = new Map<number, number>();
    const latencies: number[] = [];
    const collect = () => {
      for (const e of net.takeEvents()) if (e.kind === 'delivered' && startNs.has(e.transferId)) latencies.push(e.timeNs - startNs.get(e.transferId)!);
    };
    for (let i = 0; i < 20; i++) {
      const at = 100_000 + 20_000 * i;
      net.advanceTo(at);
      collect();
      startNs.set(net.startTransfer({ srcNode: 'h1', dstNode: 'h2', bytes: MTU, flowKey: 100 + i, trafficClass: probeClass }, at), at);
    }
    for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
      net.advanceTo(t);
      collect();
    }
    return latencies.sort((a, b) => a - b);
  }

  it('a strict-priority class keeps its latency under a saturating bulk class', () => {
    const unloadedNs = 2 * (MTU / 50 + 500);
    const priority = probeLatencies(1);
    const bulk = probeLatencies(0);
    expect(priority).toHaveLength(20);
    // Class 1 waits at most for the packet in serialization at each hop.
    expect(priority.at(-1)!).toBeLessThanOrEqual(unloadedNs + 2 * (MTU / 50) + 1e-6);
    // In class 0 the probe queues behind megabytes of bulk (tens of microseconds).
    expect(bulk[Math.floor(bulk.length / 2)]!).toBeGreaterThan(20 * unloadedNs);
  });

  it('refuses a class other than 0 or 1', () => {
    const net = network(star(2), 'packet');
    expect(() => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1, flowKey: 0, trafficClass: 2 }, 0)).toThrow(/traffic class 2 is invalid; expected 0 \(default\) or 1/);
  });
});

describe('packet model: routing on a non-blocking leaf-spine', () => {
  // 4 hosts per leaf, 4 spines: every host on leaf 0 sends 4 MB to its peer on leaf 1.
  // At line rate alone: 4 MB / 50 B/ns = 80 us, plus 4 hops x 500 ns and 3 store-and-forward
  // packets. Single-path ECMP hashes 4 flows onto 4 spines: collisions halve (or worse)
  // some flows' rate.
  const flows: Flow[] = Array.from({ length: 4 }, (_, h) => [`h0_${h}`, `h1_${h}`, 4e6] as const);
  const lineNs = 4e6 / 50 + 4 * 500 + (3 * MTU) / 50;
  const slowest = (delivered: number[]) => Math.max(...delivered);

  it('spraying with out-of-order placement reaches >= 95 % of line rate; ECMP does not', () => {
    const sprayed = runAll(network(leafSpine(4, 4), 'packet', 'spray'), flows).delivered;
    expect(lineNs / slowest(sprayed)).toBeGreaterThanOrEqual(0.95);
    const hashed = runAll(network(leafSpine(4, 4), 'packet', 'ecmp'), flows).delivered;
    expect(lineNs / slowest(hashed)).toBeLessThan(0.6);
  });

  it('adaptive routing also reaches >= 95 %; in-order delivery under spraying pays for reordering', () => {
    const adaptive = runAll(network(leafSpine(4, 4), 'packet', 'adaptive'), flows).delivered;
    expect(lineNs / slowest(adaptive)).toBeGreaterThanOrEqual(0.95);
    const net = network(leafSpine(4, 4), 'packet', 'spray', { delivery: 'inorder' });
    const inorder = runAll(net, flows).delivered;
    expect(asPacket(net).packetStats().outOfOrderDiscards).toBeGreaterThan(0);
    expect(slowest(inorder)).toBeGreaterThan(slowest(runAll(network(leafSpine(4, 4), 'packet', 'spray'), flows).delivered));
  });
});

describe('packet model: link failures', () => {
  it('a pinned transfer strands when its link fails; per-packet routing avoids a link failed before it starts', () => {
    const pinned = network(leafSpine(1, 2), 'packet');
    pinned.startTransfer({ srcNode: 'h0_0', dstNode: 'h1_0', bytes: 4e6, flowKey: 0 }, 0);
    const path = pinned.flows()[0]!.paths[0]!;
    pinned.failLink(path[1]!, 10_000); // its leaf -> spine hop
    const events = runAll(pinned, []).events;
    expect(events.filter((e) => e.kind !== 'sent')).toEqual([{ kind: 'stranded', transferId: 0, timeNs: 10_000, linkId: path[1], cause: 'pinned' }]);

    const adaptive = network(leafSpine(1, 2), 'packet', 'adaptive');
    adaptive.failLink('l0->s0', 0);
    const { delivered } = runAll(adaptive, [['h0_0', 'h1_0', 4e6]]);
    expect(delivered[0]).toBeGreaterThan(4e6 / 50);
    const carried = adaptive.linkStats().find((l) => l.linkId === 'l0->s0')!.bytesCarried;
    expect(carried).toBe(0);
  });
});

describe('packet model: determinism', () => {
  it('the same seed gives identical events and counters; spraying depends on the seed', () => {
    const run = (seed: number) => {
      const net = network(leafSpine(4, 2), 'packet', 'spray', { cc: 'dcqcn' }, seed);
      const flows: Flow[] = Array.from({ length: 4 }, (_, h) => [`h0_${h}`, `h1_${(h + 1) % 4}`, 2e6] as const);
      return { events: runAll(net, flows).events, stats: asPacket(net).packetStats() };
    };
    expect(run(7)).toEqual(run(7));
    expect(run(8).events).not.toEqual(run(7).events);
  });
});
