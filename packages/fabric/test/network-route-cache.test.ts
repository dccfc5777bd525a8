/**
 * TransferRequest.routeCache: a caller's per-connection slot where the fluid network keeps
 * the routes it found (network.ts, slotRoutes / fillSlot). The claim is that it changes
 * nothing: every event and every link total bit for bit as without slots — one slot per
 * connection, one slot passed with every connection (each transfer then misses and refills
 * it), a slot carried over from another network, and a link failing mid-run (the route cache
 * is cleared: slots filled before must not route a transfer over the failed link). Under adaptive
 * routing the pair's spread is cached (network.ts spreadRoute): every event as when each
 * transfer is handed the router's equal-cost paths for the links down at its start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { createNetwork } from '../src/network.js';
import { contendedFabric, type Start } from './contended-fabric.js';
import type { NetworkOptions, Topology, TransferEvent } from '../src/index.js';

type Slots = 'none' | 'per-connection' | 'one-for-all' | 'from-another-network';

function run(topology: Topology, starts: readonly Start[], slots: Slots, failAtNs: number | null, qps: number, router = createRouter(topology)) {
  const options: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps, seed: 7, record: 'summary' };
  const net = createNetwork(topology, options, router);
  if (failAtNs !== null) net.failLink('leaf0->spine0', failAtNs);
  const perConnection = new Map<string, object>();
  const shared = {};
  if (slots === 'from-another-network') {
    // Fill the shared slot from another network with another seed (other routes).
    const other = createNetwork(topology, { ...options, seed: 99 }, createRouter(topology));
    other.startTransfer({ srcNode: 'h0', dstNode: 'h3', bytes: 1, flowKey: 0, routeCache: shared }, 0);
  }
  const slotOf = (src: string, dst: string, flowKey: number): object | undefined => {
    if (slots === 'none') return undefined;
    if (slots !== 'per-connection') return shared;
    const key = `${src} ${dst} ${flowKey}`;
    let slot = perConnection.get(key);
    if (slot === undefined) perConnection.set(key, (slot = {}));
    return slot;
  };
  const events: TransferEvent[] = [];
  const hosts = topology.ranks;
  for (const start of [...starts].sort((a, b) => a.atNs - b.atNs)) {
    const srcNode = hosts[start.src]!;
    const dstNode = hosts[(start.src + 1 + start.hop) % hosts.length]!;
    net.startTransfer({ srcNode, dstNode, bytes: start.bytes, flowKey: start.flowKey, routeCache: slotOf(srcNode, dstNode, start.flowKey) }, start.atNs);
    events.push(...net.takeEvents());
  }
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    events.push(...net.takeEvents());
  }
  return { events, links: net.linkStats().map((s) => [s.linkId, s.busyNs, s.peakConcurrentFlows, s.bytesCarried]) };
}

const startArb = fc.record({
  src: fc.nat(5),
  hop: fc.nat(4),
  bytes: fc.constantFrom(1000, 2500, 4096.5),
  atNs: fc.constantFrom(0, 300, 1700, 4000, 9000),
  flowKey: fc.constantFrom(0, 1, 2, -0, 2000),
});

describe('TransferRequest.routeCache', () => {
  it('property: events and link totals bit for bit as without slots, whatever slots are passed', () => {
    const topology = contendedFabric('route-cache');
    fc.assert(
      fc.property(
        fc.array(startArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom<Slots>('per-connection', 'one-for-all', 'from-another-network'),
        fc.option(fc.constantFrom(0, 1000, 5000), { nil: null }),
        fc.constantFrom(1, 2),
        (starts, slots, failAtNs, qps) => {
          const plain = run(topology, starts, 'none', failAtNs, qps);
          const cached = run(topology, starts, slots, failAtNs, qps);
          expect(cached.events).toEqual(plain.events);
          expect(cached.links).toEqual(plain.links);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: networks run one after another on one router (the short runs of a fast-forward: one router per cluster) match networks on routers of their own', () => {
    const topology = contendedFabric('route-cache');
    fc.assert(
      fc.property(
        fc.array(fc.array(startArb, { minLength: 1, maxLength: 20 }), { minLength: 2, maxLength: 3 }),
        fc.option(fc.constantFrom(0, 1000, 5000), { nil: null }),
        fc.constantFrom(1, 2),
        (workloads, failAtNs, qps) => {
          const router = createRouter(topology);
          for (const starts of workloads) {
            const shared = run(topology, starts, 'per-connection', failAtNs, qps, router);
            const own = run(topology, starts, 'none', failAtNs, qps);
            expect(shared.events).toEqual(own.events);
            expect(shared.links).toEqual(own.links);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a slot filled before a link fails does not route over it: the next transfer goes around', () => {
    const topology = contendedFabric('route-cache');
    const options: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 7, record: 'full' };
    const net = createNetwork(topology, options, createRouter(topology));
    const slot = {};
    // Find a flow key whose route crosses leaf0->spine0, so the failure matters.
    let flowKey = 0;
    for (; flowKey < 64; flowKey++) {
      const id = net.startTransfer({ srcNode: 'h0', dstNode: 'h3', bytes: 0, flowKey }, 0);
      if (net.flows()[id]!.paths[0]!.includes('leaf0->spine0')) break;
    }
    const before = net.startTransfer({ srcNode: 'h0', dstNode: 'h3', bytes: 0, flowKey, routeCache: slot }, 0);
    expect(net.flows()[before]!.paths[0]).toContain('leaf0->spine0');
    net.failLink('leaf0->spine0', 10);
    const after = net.startTransfer({ srcNode: 'h0', dstNode: 'h3', bytes: 0, flowKey, routeCache: slot }, 20);
    expect(net.flows()[after]!.paths[0]).not.toContain('leaf0->spine0');
    expect(net.flows()[after]!.stranded).toBeUndefined();
  });

  it('property: adaptive routing caches each pair\'s spread until a link fails: events and link totals bit for bit as with the router\'s paths handed to every transfer', () => {
    const topology = contendedFabric('route-cache');
    const adaptive = (starts: readonly Start[], failAtNs: number | null, handPaths: boolean) => {
      const router = createRouter(topology);
      const net = createNetwork(topology, { model: 'maxMin', routing: 'adaptive', qps: 1, seed: 7, record: 'summary' }, router);
      const failed = 'leaf0->spine0';
      if (failAtNs !== null) net.failLink(failed, failAtNs);
      const events: TransferEvent[] = [];
      const hosts = topology.ranks;
      for (const start of [...starts].sort((a, b) => a.atNs - b.atNs)) {
        const srcNode = hosts[start.src]!;
        const dstNode = hosts[(start.src + 1 + start.hop) % hosts.length]!;
        const down = new Set(failAtNs !== null && failAtNs < start.atNs ? [failed] : []);
        const paths = handPaths ? router.equalCostPaths(srcNode, dstNode, down) : undefined;
        net.startTransfer({ srcNode, dstNode, bytes: start.bytes, flowKey: start.flowKey, ...(paths !== undefined ? { paths } : {}) }, start.atNs);
        events.push(...net.takeEvents());
      }
      for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
        net.advanceTo(t);
        events.push(...net.takeEvents());
      }
      return { events, links: net.linkStats().map((s) => [s.linkId, s.busyNs, s.peakConcurrentFlows, s.bytesCarried]) };
    };
    fc.assert(
      fc.property(fc.array(startArb, { minLength: 1, maxLength: 30 }), fc.option(fc.constantFrom(1000, 5000), { nil: null }), (starts, failAtNs) => {
        const cached = adaptive(starts, failAtNs, false);
        const handed = adaptive(starts, failAtNs, true);
        expect(cached.events).toEqual(handed.events);
        expect(cached.links).toEqual(handed.links);
      }),
      { numRuns: 300 },
    );
  });
});
