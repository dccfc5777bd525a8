/**
 * Pinned paths shared by the networks built on one router (models/pinned-paths.ts): a second
 * network on the same router and topology asks the router for none of the paths the first
 * resolved, and every network's events and link totals stay bit for bit those of a network
 * on a router of its own — also around a network with a failed link (it must route around
 * the failure, and leave nothing of it to the next network) and across seeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { createNetwork } from '../src/network.js';
import { contendedFabric, type Start } from './contended-fabric.js';
import type { NetworkOptions, Router, Topology, TransferEvent } from '../src/index.js';

interface Variant {
  readonly failAtNs: number | null;
  readonly seed: number;
  readonly qps: number;
}

function run(topology: Topology, router: Router, starts: readonly Start[], variant: Variant) {
  const options: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: variant.qps, seed: variant.seed, record: 'full' };
  const net = createNetwork(topology, options, router);
  if (variant.failAtNs !== null) net.failLink('leaf0->spine0', variant.failAtNs);
  const events: TransferEvent[] = [];
  const hosts = topology.ranks;
  for (const start of [...starts].sort((a, b) => a.atNs - b.atNs)) {
    const srcNode = hosts[start.src]!;
    const dstNode = hosts[(start.src + 1 + start.hop) % hosts.length]!;
    net.startTransfer({ srcNode, dstNode, bytes: start.bytes, flowKey: start.flowKey }, start.atNs);
    events.push(...net.takeEvents());
  }
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    events.push(...net.takeEvents());
  }
  return { events, paths: net.flows().map((flow) => flow.paths), links: net.linkStats().map((s) => [s.linkId, s.busyNs, s.peakConcurrentFlows, s.bytesCarried]) };
}

/** A router that counts its pinnedPath calls. */
function countingRouter(topology: Topology): { router: Router; calls: () => number } {
  const inner = createRouter(topology);
  let calls = 0;
  const router: Router = {
    hops: (src, dst, down) => inner.hops(src, dst, down),
    equalCostPaths: (src, dst, down, maxPaths) => inner.equalCostPaths(src, dst, down, maxPaths),
    pinnedPath: (src, dst, flowKey, qp, seed, down) => {
      calls++;
      return inner.pinnedPath(src, dst, flowKey, qp, seed, down);
    },
  };
  return { router, calls: () => calls };
}

const startArb = fc.record({
  src: fc.nat(5),
  hop: fc.nat(4),
  bytes: fc.constantFrom(1000, 2500, 4096.5),
  atNs: fc.constantFrom(0, 300, 1700, 4000, 9000),
  flowKey: fc.constantFrom(0, 1, 2, 3, -0, 2000),
});

const variantArb = fc.record({
  failAtNs: fc.option(fc.constantFrom(0, 1000, 5000), { nil: null, freq: 3 }),
  seed: fc.constantFrom(7, 8),
  qps: fc.constantFrom(1, 2),
});

describe('pinned paths shared across networks on one router', () => {
  it('property: each of a series of networks on one router runs bit for bit as on a router of its own', () => {
    const topology = contendedFabric('pinned-paths');
    fc.assert(
      fc.property(fc.array(fc.array(startArb, { minLength: 1, maxLength: 20 }), { minLength: 2, maxLength: 4 }), fc.array(variantArb, { minLength: 4, maxLength: 4 }), (workloads, variants) => {
        const shared = createRouter(topology);
        workloads.forEach((starts, index) => {
          const variant = variants[index]!;
          const alone = run(topology, createRouter(topology), starts, variant);
          const reused = run(topology, shared, starts, variant);
          expect(reused.events).toEqual(alone.events);
          expect(reused.paths).toEqual(alone.paths);
          expect(reused.links).toEqual(alone.links);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a second network on the router asks it for no path the first resolved; a failed link is routed around and forgotten', () => {
    const topology = contendedFabric('pinned-paths');
    const { router, calls } = countingRouter(topology);
    const starts: Start[] = [];
    for (let src = 0; src < 6; src++) for (let hop = 0; hop < 5; hop++) starts.push({ src, hop, bytes: 1000, atNs: 0, flowKey: hop % 3 });
    const healthy: Variant = { failAtNs: null, seed: 7, qps: 1 };
    const first = run(topology, router, starts, healthy);
    const asked = calls();
    expect(asked).toBeGreaterThan(0);
    const second = run(topology, router, starts, healthy);
    expect(calls()).toBe(asked);
    expect(second).toEqual(first);
    // A failure at 0: every path avoids the link (asked of the router with the link down) …
    const failed = run(topology, router, starts, { ...healthy, failAtNs: 0 });
    for (const paths of failed.paths) for (const path of paths) expect(path).not.toContain('leaf0->spine0');
    expect(failed.paths.flat().length).toBe(starts.length);
    // … and the next healthy network gets the healthy paths again, some over that link.
    const after = run(topology, router, starts, healthy);
    expect(after).toEqual(first);
    expect(first.paths.flat().some((path) => path.includes('leaf0->spine0'))).toBe(true);
  });
});
