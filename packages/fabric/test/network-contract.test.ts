/**
 * The Network contract around the models: input errors, determinism, event order, the
 * engine loop, and incremental solving on a leaf-spine fabric.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, WeftInputError } from '@weft/sim';
import { createNetwork, createRouter, parseTopologySpec, TopologyBuilder } from '../src/index.js';
import type { ModelName, NetworkOptions, RoutingName, Topology, TransferEvent } from '../src/index.js';

const GB = 1e9;

function pair(): Topology {
  const b = new TopologyBuilder();
  b.addNode('h0', 'host');
  b.addNode('h1', 'host');
  b.addNode('sw', 'switch');
  b.addDuplex('h0', 'sw', 1 * GB, 100);
  b.addDuplex('sw', 'h1', 1 * GB, 200);
  return b.build('pair', ['h0', 'h1']);
}

function build(topology: Topology, options: Partial<NetworkOptions> = {}) {
  const full: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 0, ...options };
  return createNetwork(topology, full, createRouter(topology));
}

function drain(net: ReturnType<typeof build>): TransferEvent[] {
  const log: TransferEvent[] = [];
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    log.push(...net.takeEvents());
  }
  return log;
}

/** Expects a one-line WeftInputError matching `pattern`. */
function expectInputError(action: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WeftInputError);
  const message = (caught as Error).message;
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
}

describe('bad inputs are WeftInputErrors naming the value and what is accepted', () => {
  it('rejects unknown links, factors outside (0, 1], bad bytes and unknown nodes', () => {
    const net = build(pair());
    expectInputError(() => net.failLink('nope', 0), /unknown link id "nope".*expected a link id/);
    expectInputError(() => net.degradeLink('nope', 0.5, 0), /unknown link id "nope"/);
    for (const factor of [0, -0.5, 1.5, Number.NaN]) {
      expectInputError(() => net.degradeLink('h0->sw', factor, 0), /degrade factor .* expected 0 < factor <= 1/);
    }
    for (const bytes of [-1, Number.NaN, Infinity]) {
      expectInputError(() => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes, flowKey: 0 }, 0), /transfer bytes .* expected a finite number >= 0/);
    }
    expectInputError(() => net.startTransfer({ srcNode: 'h0', dstNode: 'h9', bytes: 1, flowKey: 0 }, 0), /unknown node "h9"/);
    // Nothing was started by the rejected calls.
    expect(net.flows()).toEqual([]);
  });

  it('rejects times in the past', () => {
    const net = build(pair());
    net.advanceTo(100);
    expectInputError(() => net.advanceTo(50), /advance time 50 ns is in the past; expected a time >= .* 100 ns/);
    expectInputError(() => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1, flowKey: 0 }, 99), /transfer start time 99 ns is in the past/);
    expectInputError(() => net.failLink('h0->sw', 10), /link failure time 10 ns is in the past/);
    expectInputError(() => net.degradeLink('h0->sw', 0.5, 10), /link degrade time 10 ns is in the past/);
    expectInputError(() => net.advanceTo(Number.NaN), /advance time NaN ns is invalid/);
  });

  it('rejects bad options', () => {
    const topology = pair();
    const router = createRouter(topology);
    const base: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 0 };
    expectInputError(() => createNetwork(topology, { ...base, model: 'fluid' as ModelName }, router), /unknown network model "fluid"; accepted: alphaBeta, maxMin, packet/);
    expectInputError(() => createNetwork(topology, { ...base, routing: 'random' as RoutingName }, router), /unknown routing "random"; accepted: ecmp, adaptive, spray/);
    expectInputError(() => createNetwork(topology, { ...base, routing: 'spray' }, router), /routing "spray" needs the packet model; accepted with maxMin: ecmp, adaptive/);
    expectInputError(() => createNetwork(topology, { ...base, qps: 0 }, router), /qps 0 is invalid; expected an integer >= 1/);
    expectInputError(() => createNetwork(topology, { ...base, qps: 1.5 }, router), /qps 1.5 is invalid/);
  });
});

describe('faults', () => {
  it('degrades compound; failing a failed link or degrading it does nothing', () => {
    const net = build(pair());
    net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 4000, flowKey: 0 }, 0);
    net.degradeLink('h0->sw', 0.5, 1000);
    net.degradeLink('h0->sw', 0.5, 2000);
    // 1000 B by 1000 ns at 1 GB/s, 500 B by 2000 at 0.5, 2500 B left at 0.25 GB/s = 10000 ns.
    expect(drain(net).map((e) => [e.kind, e.timeNs])).toEqual([
      ['sent', 12000],
      ['delivered', 12300],
    ]);
    net.failLink('sw->h1', 13000);
    net.failLink('sw->h1', 13000);
    net.degradeLink('sw->h1', 0.5, 13000);
    net.advanceTo(13000);
    net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1, flowKey: 0 }, 13000);
    expect(drain(net)).toEqual([{ kind: 'stranded', transferId: 1, timeNs: 13000, linkId: 'sw->h1', cause: 'noPath' }]);
  });

  it('an ECMP transfer split over queue pairs strands whole when one pair\'s link fails', () => {
    const topology = parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2');
    const router = createRouter(topology);
    // Find a flow key whose two queue pairs take different spines (seed 0).
    const spine = (key: number, qp: number): string => router.pinnedPath('host0', 'host2', key, qp, 0, new Set())![1]!;
    const key = [0, 1, 2, 3, 4, 5, 6, 7].find((k) => spine(k, 0) !== spine(k, 1))!;
    const net = build(topology, { qps: 2 });
    net.startTransfer({ srcNode: 'host0', dstNode: 'host2', bytes: 1e6, flowKey: key }, 0);
    net.failLink(spine(key, 1), 1000);
    expect(drain(net)).toEqual([{ kind: 'stranded', transferId: 0, timeNs: 1000, linkId: spine(key, 1), cause: 'pinned' }]);
    // The other queue pair stopped too: its spine link carried bytes only until 1000 ns.
    const other = net.linkStats().find((s) => s.linkId === spine(key, 0))!;
    expect(other.busyNs).toBe(1000);
    expect(other.utilizationTimeline.at(-1)).toEqual([1000, 0]);
    expect(net.workStats().activeFlows).toBe(0);
  });
});

describe('time and events', () => {
  it('takeEvents returns events in (time, transferId, kind) order', () => {
    const net = build(pair(), { model: 'alphaBeta' });
    // Started in reverse size order so completion order differs from id order.
    const sizes = [3000, 1000, 2000, 1000, 0];
    sizes.forEach((bytes, i) => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes, flowKey: i }, 0));
    net.advanceTo(10_000);
    const events = net.takeEvents();
    expect(events.map((e) => [e.timeNs, e.transferId, e.kind])).toEqual([
      [0, 4, 'sent'],
      [300, 4, 'delivered'],
      [1000, 1, 'sent'],
      [1000, 3, 'sent'],
      [1300, 1, 'delivered'],
      [1300, 3, 'delivered'],
      [2000, 2, 'sent'],
      [2300, 2, 'delivered'],
      [3000, 0, 'sent'],
      [3300, 0, 'delivered'],
    ]);
    expect(net.takeEvents()).toEqual([]); // taken once
  });

  it('starting a transfer later advances the network to that time first', () => {
    const net = build(pair());
    net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1000, flowKey: 0 }, 0);
    // Without an explicit advance: transfer 0 (sent 1000, delivered 1300) is processed
    // before transfer 1 starts at 5000, so the two never share the link.
    net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1000, flowKey: 1 }, 5000);
    expect(net.nowNs).toBe(5000);
    expect(drain(net).map((e) => [e.kind, e.transferId, e.timeNs])).toEqual([
      ['sent', 0, 1000],
      ['delivered', 0, 1300],
      ['sent', 1, 6000],
      ['delivered', 1, 6300],
    ]);
  });

  it('a failure at the current time applies at once: later transfers route around it', () => {
    const b = new TopologyBuilder();
    for (const n of ['h0', 'h1']) b.addNode(n, 'host');
    for (const n of ['swA', 'swB']) b.addNode(n, 'switch');
    for (const sw of ['swA', 'swB']) {
      b.addDuplex('h0', sw, 1 * GB, 100);
      b.addDuplex(sw, 'h1', 1 * GB, 100);
    }
    const net = build(b.build('dual', ['h0', 'h1']), { routing: 'adaptive' });
    net.advanceTo(100);
    net.failLink('h0->swA', 100);
    net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 1000, flowKey: 0 }, 100);
    // Only the swB path is left: 1000 B at 1 GB/s → sent at 1100, delivered at 1300.
    expect(drain(net)).toEqual([
      { kind: 'sent', transferId: 0, timeNs: 1100 },
      { kind: 'delivered', transferId: 0, timeNs: 1300 },
    ]);
    expect(net.flows()[0]!.paths).toEqual([['h0->swB', 'swB->h1']]);
  });

  it('runs under the sim Engine as a SimModel', () => {
    const engine = new Engine();
    const net = build(pair());
    engine.addModel(net);
    const log: TransferEvent[] = [];
    engine.at(0, (now) => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 2000, flowKey: 0 }, now));
    engine.at(1000, (now) => net.startTransfer({ srcNode: 'h0', dstNode: 'h1', bytes: 500, flowKey: 1 }, now));
    // Collect after every step, as a runtime would.
    while (engine.step()) log.push(...net.takeEvents());
    // 0–1000: transfer 0 alone at 1 GB/s (1000 B). 1000–2000: both at 0.5 GB/s; transfer 1
    // (500 B) is sent at 2000, transfer 0 has 500 B left, alone again → sent at 2500.
    expect(log.map((e) => [e.kind, e.transferId, e.timeNs])).toEqual([
      ['sent', 1, 2000],
      ['delivered', 1, 2300],
      ['sent', 0, 2500],
      ['delivered', 0, 2800],
    ]);
  });
});

/** A workload on a 16-host leaf-spine: 60 staggered transfers, and one link fault among them. */
interface Workload {
  readonly transfers: readonly { gapNs: number; src: number; dstOffset: number; bytes: number; flowKey: number }[];
  /** The fault (leaf1->spine0, 1 µs later) comes right after this transfer starts. */
  readonly faultAfter: number;
}

const TRANSFERS = 60;
const workloadArb: fc.Arbitrary<Workload> = fc.record({
  transfers: fc.array(
    fc.record({
      gapNs: fc.constantFrom(0, 500, 1000),
      src: fc.nat(15),
      dstOffset: fc.integer({ min: 1, max: 15 }),
      bytes: fc.integer({ min: 1, max: 1 << 20 }),
      flowKey: fc.nat(3),
    }),
    { minLength: TRANSFERS, maxLength: TRANSFERS },
  ),
  faultAfter: fc.nat(TRANSFERS - 1),
});

function workloadLog(model: ModelName, routing: RoutingName, seed: number, workload: Workload): TransferEvent[] {
  const topology = parseTopologySpec('leafspine:hosts=16,leaves=4,spines=2');
  const net = build(topology, { model, routing, seed, qps: 2 });
  const log: TransferEvent[] = [];
  let nowNs = 0;
  workload.transfers.forEach(({ gapNs, src, dstOffset, bytes, flowKey }, i) => {
    nowNs += gapNs;
    net.startTransfer({ srcNode: `host${src}`, dstNode: `host${(src + dstOffset) % 16}`, bytes, flowKey }, nowNs);
    if (i === workload.faultAfter) net.failLink('leaf1->spine0', nowNs + 1000);
    log.push(...net.takeEvents());
  });
  log.push(...drain(net));
  return log;
}

describe('determinism', () => {
  it.each([
    ['maxMin', 'ecmp'],
    ['maxMin', 'adaptive'],
    ['alphaBeta', 'ecmp'],
    ['alphaBeta', 'adaptive'],
  ] as const)('%s/%s: property: same inputs and seed give an identical event log', (model, routing) => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        const first = workloadLog(model, routing, 3, workload);
        const second = workloadLog(model, routing, 3, workload);
        expect(second).toEqual(first);
        // Every transfer ends: delivered or stranded.
        const ended = new Set(first.filter((e) => e.kind !== 'sent').map((e) => e.transferId));
        expect(ended.size).toBe(TRANSFERS);
      }),
      { numRuns: 25 },
    );
  });

  it('a different ECMP seed hashes differently and changes the log', () => {
    const [workload] = fc.sample(workloadArb, { seed: 7, numRuns: 1 });
    expect(workloadLog('maxMin', 'ecmp', 4, workload!)).not.toEqual(workloadLog('maxMin', 'ecmp', 3, workload!));
  });
});

describe('incremental solving', () => {
  it('a transfer on an idle part of the fabric re-solves only its own component', () => {
    // 16 hosts on 4 leaves: host2k → host2k+1 stay inside a leaf and share no link.
    const net = build(parseTopologySpec('leafspine:hosts=16,leaves=4,spines=2'));
    for (let k = 0; k < 7; k++) net.startTransfer({ srcNode: `host${2 * k}`, dstNode: `host${2 * k + 1}`, bytes: 1e6, flowKey: 0 }, 0);
    net.nextEventTimeNs();
    expect(net.workStats().solver).toMatchObject({ solves: 1, variablesTouched: 7 });
    net.startTransfer({ srcNode: 'host14', dstNode: 'host15', bytes: 1e6, flowKey: 0 }, 10);
    net.nextEventTimeNs();
    // Only the new flow's component (itself) was solved, and no other flow's rate changed.
    expect(net.workStats().solver).toMatchObject({ solves: 2, variablesTouched: 8 });
    expect(net.workStats().flowRateChanges).toBe(8);
  });
});
