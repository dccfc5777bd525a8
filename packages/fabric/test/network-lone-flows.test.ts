/**
 * Lone flows (models/max-min.ts): a one-path flow alone on every link it crosses is timed in
 * closed form, without a solver variable, and becomes a variable the moment another flow
 * needs one of its links or the link's capacity changes. The claim is that nothing
 * observable changes: every event at the same time, bit for bit, the same link statistics
 * and timelines. Checked against every flow a variable (loneFlows off), on random workloads
 * where flows start alone and gain sharers later, under ECMP (qps 1 and 2) and adaptive
 * routing, with a link degraded or failing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { createNetwork } from '../src/network.js';
import { contendedFabric, startAndDrain, type Start } from './contended-fabric.js';
import type { NetworkOptions, Topology } from '../src/index.js';

type Fault = { readonly kind: 'degrade' | 'fail'; readonly link: string; readonly atNs: number } | null;

/** Starts the transfers in time order and drains the network; every event, the link stats and the solver's work. */
function run(topology: Topology, starts: readonly Start[], options: NetworkOptions, loneFlows: boolean, fault: Fault) {
  const net = createNetwork(topology, options, createRouter(topology), { loneFlows });
  if (fault?.kind === 'degrade') net.degradeLink(fault.link, 0.5, fault.atNs);
  if (fault?.kind === 'fail') net.failLink(fault.link, fault.atNs);
  const events = startAndDrain(net, topology, starts);
  return { events, links: net.linkStats(), work: net.workStats() };
}

// Spread-out starts (flows often start alone and gain a sharer later), few sizes and keys.
const startArb = fc.record({
  src: fc.nat(5),
  hop: fc.nat(4),
  bytes: fc.constantFrom(1000, 2500, 4096.5, 0),
  atNs: fc.constantFrom(0, 0, 300, 1700, 2600, 4100),
  flowKey: fc.nat(2),
});

const optionsArb = fc.constantFrom<NetworkOptions[]>(
  { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 7, record: 'full' },
  { model: 'maxMin', routing: 'ecmp', qps: 2, seed: 7, record: 'full' },
  { model: 'maxMin', routing: 'adaptive', qps: 1, seed: 7, record: 'full' },
);

const faultArb: fc.Arbitrary<Fault> = fc.option(
  fc.record({ kind: fc.constantFrom('degrade' as const, 'fail' as const), link: fc.constantFrom('leaf0->spine0', 'h1->leaf0', 'leaf1->h4'), atNs: fc.constantFrom(0, 900, 2500) }),
  { nil: null },
);

describe('lone flows are timed without the solver', () => {
  it('property: events bit for bit, link statistics and timelines as with every flow a solver variable', () => {
    const topology = contendedFabric('lone-flows');
    fc.assert(
      fc.property(fc.array(startArb, { minLength: 1, maxLength: 30 }), optionsArb, faultArb, (starts, options, fault) => {
        const lone = run(topology, starts, options, true, fault);
        const solved = run(topology, starts, options, false, fault);
        expect(lone.events).toEqual(solved.events);
        expect(lone.links).toEqual(solved.links);
        expect(lone.work.flowRateChanges).toBe(solved.work.flowRateChanges);
      }),
      { numRuns: 400, seed: 31 },
    );
  });

  it('a lone flow that gains a sharer is re-timed at once (and shares again when the sharer leaves)', () => {
    const topology = contendedFabric('lone-flows');
    const options: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 7, record: 'full' };
    // h0 → h1 alone from 0 at 1 GB/s; h2 → h1 joins at 300 ns on leaf0 → h1: both at 0.5 GB/s.
    const starts: Start[] = [
      { src: 0, hop: 0, bytes: 1000, atNs: 0, flowKey: 0 },
      { src: 2, hop: 4, bytes: 200, atNs: 300, flowKey: 0 },
    ];
    const lone = run(topology, starts, options, true, null);
    const sent = lone.events.filter((event) => event.kind === 'sent').map((event) => [event.transferId, event.timeNs]);
    // Transfer 1 sends its 200 bytes at 0.5 GB/s (700 ns); transfer 0 sent 300 bytes alone,
    // 200 shared, and its last 500 alone again: 300 + 400 + 500 ns.
    expect(sent).toEqual([
      [1, 700],
      [0, 1200],
    ]);
    expect(lone.events).toEqual(run(topology, starts, options, false, null).events);
    // Both ran through the solver's books: one lone solve, then the pair and the survivor.
    expect(lone.work.solver).toMatchObject({ liveVariables: 0 });
  });
});
