/**
 * Traffic-class scheduling at switch ports (models/packet/port-queues.ts): weighted round
 * robin shares a congested port by weight. Two hosts send into one 50 GB/s port, each in
 * its own class, with no congestion control: PFC keeps both class queues at the port
 * backlogged, so the port's scheduler alone decides the shares.
 */
import { describe, expect, it } from 'vitest';
import { createNetwork, createRouter, TopologyBuilder } from '../src/index.js';
import type { PacketOptions } from '../src/index.js';

const GB = 1e9;

function star3() {
  const b = new TopologyBuilder();
  b.addNode('sw', 'switch');
  for (const h of ['h0', 'h1', 'h2']) {
    b.addNode(h, 'host');
    b.addDuplex(h, 'sw', 50 * GB, 500);
  }
  return b.build('star3', ['h0', 'h1', 'h2']);
}

/** h0 sends 40 MB in class 0 and h1 12 MB in class 1, both to h2 from t = 0; when the class-1 transfer is delivered (ns). */
function priorityDoneNs(packet: PacketOptions): number {
  const topology = star3();
  const net = createNetwork(topology, { model: 'packet', routing: 'ecmp', qps: 1, seed: 1, packet }, createRouter(topology));
  net.startTransfer({ srcNode: 'h0', dstNode: 'h2', bytes: 40e6, flowKey: 0, trafficClass: 0 }, 0);
  const probe = net.startTransfer({ srcNode: 'h1', dstNode: 'h2', bytes: 12e6, flowKey: 1, trafficClass: 1 }, 0);
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    for (const e of net.takeEvents()) if (e.kind === 'delivered' && e.transferId === probe) return e.timeNs;
  }
  throw new Error('class-1 transfer never delivered');
}

describe('packet model: weighted round robin between classes', () => {
  // Class 1's share of the 50 GB/s port is w1 / (w0 + w1): 12 MB takes 12e6 / (50 x share) ns.
  it.each([
    [[1, 3], 0.75],
    [[1, 1], 0.5],
    [[2, 1], 1 / 3],
  ])('weights %j give class 1 a share of %d within 2 %%', (weights, share) => {
    const expectedNs = 12e6 / (50 * share);
    const doneNs = priorityDoneNs({ classScheduler: 'wrr', classWeights: weights });
    expect(Math.abs(doneNs / expectedNs - 1)).toBeLessThan(0.02);
  });

  it('strict priority gives class 1 the whole port', () => {
    expect(Math.abs(priorityDoneNs({ classScheduler: 'strict' }) / (12e6 / 50) - 1)).toBeLessThan(0.02);
  });

  it('refuses weights that are not one positive number per class', () => {
    const topology = star3();
    for (const classWeights of [[1], [1, 0], [1, Number.NaN]]) {
      expect(() => createNetwork(topology, { model: 'packet', routing: 'ecmp', qps: 1, seed: 1, packet: { classScheduler: 'wrr', classWeights } }, createRouter(topology))).toThrow(
        /class weights .* are invalid; expected 2 finite numbers > 0/,
      );
    }
  });
});
