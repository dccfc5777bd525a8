/**
 * A tree node forwards a chunk to all its children at once (steps.ts fanOut, NCCL's prims
 * writing to every send peer in one loop). On fullmesh:4 every pair has its own link, so a
 * root posting S bytes to its 3 children shares nothing: each child holds the chunk at
 *   T = α + S/B
 * (α, B: one link's latency and bandwidth), all at the same simulated time. Sent one after
 * another, as before the fan-out, the children received at α + S/B, α + 2S/B and α + 3S/B.
 */
import { describe, expect, it } from 'vitest';
import { StepBuilder, planCollective, slice } from '@weft/collectives';
import { parseTopologySpec, rankLayout } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network } from './helpers.js';

const COUNT = 262144; // 1 MiB of float32

/** A broadcast from rank 0 whose one step posts its input to ranks 1, 2 and 3. */
function fanOutBroadcast() {
  const b = new StepBuilder(4, 1);
  b.copy(0, 0, slice('input', 0, COUNT), slice('output', 0, COUNT));
  b.send(0, 0, [1, 2, 3], slice('input', 0, COUNT));
  for (let r = 1; r < 4; r++) b.recv(r, 0, 0, slice('output', 0, COUNT));
  const params = { nranks: 4, count: COUNT, root: 0, elementBytes: 4, channels: 1, chunkElements: 0, layout: { groups: [[0], [1], [2], [3]], hasReductionSwitch: false } };
  return b.build('broadcast', 'fanout', params, { input: COUNT, output: COUNT, scratch: 0 });
}

describe('a 3-child tree node on an uncontended fabric', () => {
  for (const mode of ['ghost', 'data'] as const) {
    it(`children receive together at α + S/B (${mode})`, async () => {
      const topology = parseTopologySpec('fullmesh:4,linkBw=100GB/s,linkLatency=1us');
      // Every link alike: one's latency and bandwidth (the preset applies its efficiency).
      const link = topology.links[0]!;
      const expectedNs = link.latencyNs + ((COUNT * 4) / link.bandwidthBytesPerSec) * 1e9;
      const cluster = await createCluster({ topology, network: network('maxMin'), mode, ranksPerWorker: 2 });
      try {
        const result = await cluster.runSchedule(fanOutBroadcast(), { dtype: 'float32', op: 'sum', trace: true, check: mode === 'data' });
        const received = result.steps.filter((s) => s.op === 'recv').map((s) => s.endNs);
        expect(received).toHaveLength(3);
        for (const t of received) expect(Math.abs(t - expectedNs)).toBeLessThan(1e-3);
        // The trace names every peer the step sent to, not only the first.
        const sent = result.steps.filter((s) => s.op === 'send');
        expect(sent.map((s) => s.sendPeers)).toEqual([[1, 2, 3]]);
        expect(result.steps.filter((s) => s.op === 'recv').every((s) => s.peer === 0 && s.sendPeers === undefined)).toBe(true);
        expect(Math.abs(result.timeNs - expectedNs)).toBeLessThan(1e-3);
        if (mode === 'data') expect(result.wrong).toBe(0);
      } finally {
        await cluster.close();
      }
    });
  }

  it("NCCL tree forwards each chunk to all of a rank's children in one step", () => {
    // dgx-h100:nodes=4: the inner server's rail head has two NIC children and its NVLink child.
    const topology = parseTopologySpec('dgx-h100:nodes=4');
    const nranks = topology.ranks.length;
    const schedule = planCollective('allReduce', 'tree', { nranks, count: 2 ** 20, root: 0, elementBytes: 4, channels: 2, chunkElements: 2 ** 16, layout: rankLayout(topology) });
    let widest = 0;
    for (const part of schedule.participants) for (const steps of part.channels) for (const step of steps) if ('fanOut' in step && step.fanOut) widest = Math.max(widest, 1 + step.fanOut.length);
    expect(widest).toBe(3);
  });
});
