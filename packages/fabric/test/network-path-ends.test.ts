/**
 * FlowRecord.pathEndNs: when a path stopped carrying its transfer before the transfer was sent
 * (a link on it failed, or the transfer stranded). The trace draws each path only until then.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, parseTopologySpec } from '../src/index.js';
import type { ModelName, RoutingName } from '../src/index.js';

const topology = parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2');

function network(model: ModelName, routing: RoutingName, qps = 1) {
  return createNetwork(topology, { model, routing, qps, seed: 1 }, createRouter(topology));
}

function runOut(net: ReturnType<typeof network>): void {
  for (let t = net.nextEventTimeNs(); t < Infinity; t = net.nextEventTimeNs()) net.advanceTo(t);
}

describe('pathEndNs', () => {
  it('an adaptive flow’s path over a failed link ends at the failure; the others carry it on', () => {
    const net = network('maxMin', 'adaptive');
    net.startTransfer({ srcNode: 'host0', dstNode: 'host2', bytes: 64 << 20, flowKey: 0 }, 0);
    net.failLink('leaf0->spine0', 5000);
    runOut(net);
    const [record] = net.flows();
    expect(record!.stranded).toBeUndefined();
    expect(record!.sentNs).toBeGreaterThan(5000);
    expect(record!.paths).toHaveLength(2);
    expect(record!.pathEndNs).toEqual(record!.paths.map((path) => (path.includes('leaf0->spine0') ? 5000 : null)));
  });

  it('a stranded transfer’s paths end when it strands', () => {
    for (const model of ['maxMin', 'packet'] as const) {
      const net = network(model, 'ecmp');
      net.startTransfer({ srcNode: 'host0', dstNode: 'host2', bytes: 64 << 20, flowKey: 0 }, 0);
      const [path] = net.flows()[0]!.paths;
      net.failLink(path![1]!, 5000);
      runOut(net);
      const [record] = net.flows();
      expect(record!.stranded).toBe(true);
      expect(record!.pathEndNs).toEqual([5000]);
    }
  });

  it('is absent without faults', () => {
    for (const [model, routing] of [['maxMin', 'adaptive'], ['maxMin', 'ecmp'], ['packet', 'adaptive']] as const) {
      const net = network(model, routing, 2);
      net.startTransfer({ srcNode: 'host0', dstNode: 'host2', bytes: 1 << 20, flowKey: 0 }, 0);
      runOut(net);
      expect(net.flows()[0]!.pathEndNs).toBeUndefined();
    }
  });
});
