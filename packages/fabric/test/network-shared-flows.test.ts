/**
 * Identical transfers share one flow (network.ts): a transfer started at the same time as
 * another on the same route with the same bytes joins its flow as a copy. The claim is that
 * nothing observable changes: every event at the same time, bit for bit, and the same link
 * statistics. Checked against the same network with sharing off, on random workloads built
 * to collide (few start times, few sizes, few flow keys, ECMP over two spines).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { createNetwork } from '../src/network.js';
import { contendedFabric, startAndDrain, type Start } from './contended-fabric.js';
import type { NetworkOptions, Topology } from '../src/index.js';

/** Starts the transfers in time order and drains the network; every event and the link totals. */
function run(topology: Topology, starts: readonly Start[], shareFlows: boolean, degradeAtNs: number | null) {
  const options: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 7, record: 'summary' };
  const net = createNetwork(topology, options, createRouter(topology), { shareFlows });
  if (degradeAtNs !== null) net.degradeLink('leaf0->spine0', 0.5, degradeAtNs);
  const events = startAndDrain(net, topology, starts);
  const links = net.linkStats().map((s) => ({ id: s.linkId, busyNs: s.busyNs, peak: s.peakConcurrentFlows, bytes: s.bytesCarried }));
  return { events, links, work: net.workStats() };
}

const startArb = fc.record({
  src: fc.nat(5),
  hop: fc.nat(4),
  bytes: fc.constantFrom(1000, 2500, 4096.5),
  atNs: fc.constantFrom(0, 0, 300, 1700),
  flowKey: fc.nat(2),
});

describe('identical transfers share one flow', () => {
  it('property: events bit for bit and link totals as with sharing off', () => {
    const topology = contendedFabric('shared-flows');
    fc.assert(
      fc.property(fc.array(startArb, { minLength: 1, maxLength: 30 }), fc.option(fc.constantFrom(0, 900, 2500), { nil: null }), (starts, degradeAtNs) => {
        const shared = run(topology, starts, true, degradeAtNs);
        const alone = run(topology, starts, false, degradeAtNs);
        expect(shared.events).toEqual(alone.events);
        expect(shared.links.map(({ bytes, ...rest }) => rest)).toEqual(alone.links.map(({ bytes, ...rest }) => rest));
        shared.links.forEach((link, i) => expect(link.bytes).toBeCloseTo(alone.links[i]!.bytes, 6));
        expect(shared.work.transfersStarted).toBe(alone.work.transfersStarted);
      }),
      { numRuns: 300 },
    );
  });

  it('shares when it can: eight identical transfers are one flow, eight sent events', () => {
    const topology = contendedFabric('shared-flows');
    const starts = Array.from({ length: 8 }, () => ({ src: 0, hop: 3, bytes: 1000, atNs: 0, flowKey: 1 }));
    const shared = run(topology, starts, true, null);
    expect(shared.work).toMatchObject({ transfersStarted: 8, flowsStarted: 1 });
    expect(shared.events.filter((e) => e.kind === 'sent')).toHaveLength(8);
    expect(shared.events).toEqual(run(topology, starts, false, null).events);
  });
});
