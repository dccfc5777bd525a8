/**
 * Hosts with a NIC port per plane (leafspine planes=2) under the packet model: every flow
 * pinned to either port is sent, whatever order the host's other flows finish in.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, parseTopologySpec } from '../src/index.js';

describe('packet model: hosts with several NIC ports', () => {
  it('delivers every ECMP flow of every transfer when flows on the other port finish first', () => {
    const topology = parseTopologySpec('leafspine:hosts=4,leaves=1,spines=1,planes=2');
    const net = createNetwork(topology, { model: 'packet', routing: 'ecmp', qps: 4, seed: 1 }, createRouter(topology));
    let started = 0;
    // Three rings of transfers of slightly different sizes: flows end at different times on each port.
    for (let k = 0; k < 3; k++) {
      for (let r = 0; r < 4; r++, started++) net.startTransfer({ srcNode: topology.ranks[r]!, dstNode: topology.ranks[(r + 1) % 4]!, bytes: 1e6 + k, flowKey: k }, 0);
    }
    const delivered = new Set<number>();
    for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
      net.advanceTo(t);
      for (const e of net.takeEvents()) if (e.kind === 'delivered') delivered.add(e.transferId);
    }
    expect(delivered.size).toBe(started);
    expect(net.workStats().activeFlows).toBe(0);
  });
});
