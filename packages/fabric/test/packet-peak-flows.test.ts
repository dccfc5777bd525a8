/**
 * Peak concurrent flows under the packet model: a flow routed per packet (adaptive, spray) may
 * send over every equal-cost path, and counts on each of their links, as the fluid model's
 * adaptive flow does. (Counted on one representative path only, the other spine's links
 * carried the flows' packets and showed 0 peak flows.)
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, parseTopologySpec } from '../src/index.js';
import type { ModelName, RoutingName } from '../src/index.js';

const topology = parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2');

function peakFlows(model: ModelName, routing: RoutingName): Record<string, number> {
  const net = createNetwork(topology, { model, routing, qps: 1, seed: 1 }, createRouter(topology));
  net.startTransfer({ srcNode: 'host0', dstNode: 'host2', bytes: 1 << 20, flowKey: 0 }, 0);
  net.startTransfer({ srcNode: 'host1', dstNode: 'host3', bytes: 1 << 20, flowKey: 1 }, 0);
  for (let t = net.nextEventTimeNs(); t < Infinity; t = net.nextEventTimeNs()) net.advanceTo(t);
  return Object.fromEntries(net.linkStats().map((link) => [link.linkId, link.peakConcurrentFlows]));
}

describe('packet model: peak concurrent flows', () => {
  it.each(['adaptive', 'spray'] as const)('counts a %s flow on every link it may send over, as the fluid model counts an adaptive flow', (routing) => {
    const packet = peakFlows('packet', routing);
    expect(packet['leaf0->spine0']).toBe(2);
    expect(packet['leaf0->spine1']).toBe(2);
    expect(packet).toEqual(peakFlows('maxMin', 'adaptive'));
  });

  it('counts a pinned flow on its path only', () => {
    const packet = peakFlows('packet', 'ecmp');
    expect(packet['leaf0->spine0']! + packet['leaf0->spine1']!).toBe(2);
    expect(packet).toEqual(peakFlows('maxMin', 'ecmp'));
  });
});
