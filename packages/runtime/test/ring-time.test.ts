/**
 * The textbook ring all-reduce (`ring-rankorder`: hardware timing only) on an uncontended ring: every step moves n/p bytes over one hop whose
 * flows never share a link, and a step starts once the previous recv is delivered, so
 *   T = 2(p-1) * (alpha + (n/p) / B)  = 2(p-1)α + 2(p-1)/p · n/B
 * with alpha = the hop's path latency (sum of its links) and B its bottleneck bandwidth.
 * Both models agree on an uncontended path; data and ghost mode must match it exactly.
 */
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES, lineWireBytes, scheduleProtocol } from '@weft/collectives';
import { createRouter, parseTopologySpec, rankLayout } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network, plan } from './helpers.js';

function hop(spec: string) {
  const topology = parseTopologySpec(spec);
  const links = new Map(topology.links.map((l) => [l.id, l]));
  const path = createRouter(topology).pinnedPath(topology.ranks[0]!, topology.ranks[1]!, 0, 0, 1, new Set())!;
  const alphaNs = path.reduce((sum, id) => sum + links.get(id)!.latencyNs, 0);
  const bandwidth = Math.min(...path.map((id) => links.get(id)!.bandwidthBytesPerSec));
  return { topology, alphaNs, bandwidth };
}

describe('ring all-reduce on ring:N matches 2(p-1)α + 2(p-1)/p·n/B', () => {
  for (const p of [2, 3, 4, 8]) {
    for (const model of ['alphaBeta', 'maxMin'] as const) {
      for (const mode of ['ghost', 'data'] as const) {
        it(`p=${p} ${model} ${mode}`, async () => {
          const { topology, alphaNs, bandwidth } = hop(`ring:${p}`);
          const count = p * 65536; // n = 1 MiB per rank, divisible by p
          const bytes = count * 4;
          const expectedNs = 2 * (p - 1) * alphaNs + ((2 * (p - 1)) / p) * (bytes / bandwidth) * 1e9;
          const cluster = await createCluster({ topology, network: network(model), mode, ranksPerWorker: 4 });
          try {
            const result = await cluster.runSchedule(plan('allReduce', 'ring-rankorder', topology, count), { dtype: 'float32', op: 'sum', check: mode === 'data' });
            expect(Math.abs(result.timeNs - expectedNs)).toBeLessThan(1e-3);
            if (mode === 'data') expect(result.wrong).toBe(0);
          } finally {
            await cluster.close();
          }
        });
      }
    }
  }
});

describe('iterations', () => {
  it('iters run back to back and timeNs is their mean; warm-up iterations are not timed', async () => {
    const p = 4;
    const { topology, alphaNs, bandwidth } = hop(`ring:${p}`);
    const count = p * 1024;
    const expectedNs = 2 * (p - 1) * alphaNs + ((2 * (p - 1)) / p) * ((count * 4) / bandwidth) * 1e9;
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'data', ranksPerWorker: 2 });
    try {
      const schedule = plan('allReduce', 'ring-rankorder', topology, count);
      // The symmetric ring finishes an iteration on every rank at once, so no overlap:
      // each iteration takes exactly the formula, and so does their mean.
      const timed = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'avg', iters: 3, warmupIters: 2 });
      expect(Math.abs(timed.timeNs - expectedNs)).toBeLessThan(1e-3);
      expect(timed.wrong).toBe(0); // avg divides once per iteration, never twice
      expect(timed.events).toBe(5 * 2 * 2 * (p - 1) * p);
    } finally {
      await cluster.close();
    }
  });
});

describe('NCCL ring under each protocol on ring:4: launch + (2(p-1)-1)·max(α\' + x, s·x) + s·x + α\'', () => {
  // Per step the n/p payload bytes go out in s slices — here s = 1 for every protocol: the
  // message is one loop iteration, and a ring all-reduce's first iteration moves each block
  // whole (ncclRingFillSlices: NCCL's tuner adds every step's latency to the transfer; later
  // iterations use ringSlicesPerChunk, Simple 2) — each as whole protocol lines (LL: 16-byte
  // lines of 8 data bytes; LL128: 128 of 120; Simple: the bytes), stretched to NCCL's
  // measured efficiency (LL: 1/4 of Simple's bandwidth, twice its line format), taking
  // x = wire(n/(p·s))/B, and land no sooner than α' = max(α, the protocol's step latency) after they left (NCCL's hwLat, here the NET row: every rank
  // of ring:N is its own group). A rank forwards a slice as soon as it lands, so a step lasts
  // the longer of one slice's latency and transfer (α' + x) and its s transfers (s·x); the
  // last step ends with its s transfers and one latency. Every rank first waits the launch
  // latency (baseLat). With s = 1: launch + 2(p-1)·(α' + x).
  const p = 4;
  const count = p * 65536;
  for (const protocol of PROTOCOL_NAMES) {
    for (const mode of ['ghost', 'data'] as const) {
      it(`${protocol} ${mode}`, async () => {
        const { topology, alphaNs, bandwidth } = hop(`ring:${p}`);
        const timing = scheduleProtocol('Ring', protocol, rankLayout(topology), 'allReduce');
        const slices = 1;
        const latencyNs = Math.max(alphaNs, timing.stepLatencyNs.inter);
        const sliceNs = (lineWireBytes(timing, (count / p / slices) * 4) / bandwidth) * 1e9;
        const stepNs = Math.max(latencyNs + sliceNs, slices * sliceNs);
        const expectedNs = timing.launchNs + (2 * (p - 1) - 1) * stepNs + slices * sliceNs + latencyNs;
        const cluster = await createCluster({ topology, network: network('maxMin'), mode, ranksPerWorker: 4 });
        try {
          const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, count, { protocol }), { dtype: 'float32', op: 'sum', check: mode === 'data' });
          expect(Math.abs(result.timeNs - expectedNs)).toBeLessThan(1e-3);
          if (mode === 'data') expect(result.wrong).toBe(0); // the protocol changes time, not data
        } finally {
          await cluster.close();
        }
      });
    }
  }
});
