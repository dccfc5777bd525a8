/**
 * direct, rd and rhd send each round's chunks back to back (eager sends) before its receives,
 * so a round pays one α — its last chunk's — however many chunks it has. Their predictors say
 * so (one α per phase, round or step): on switch:N with N a power of two (no fold) predicted =
 * simulated at every size, one chunk (1 KiB) or many (64 MiB in 2 MiB chunks). With an α per
 * chunk they were 0.94 at 64 MiB and, for direct (an α per peer and chunk), 0.07–0.34 at 1 KiB.
 * sendrecv's shift now sends every chunk before its receives, as NCCL's p2p streams a send
 * without waiting on the rank's own receive (its simulation was 1.06× its one-α prediction).
 */
import { describe, expect, it } from 'vitest';
import { countForBytes, getAlgorithm, resolveDefaults, type PlanParams } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network } from './helpers.js';

describe('one α per round for eager rounds: direct, rd, rhd on switch:4, 8, 16', () => {
  it('predicted = simulated within 1e-6, 1 KiB – 64 MiB', async () => {
    const failures: string[] = [];
    for (const n of [4, 8, 16]) {
      const topology = parseTopologySpec(`switch:${n}`);
      const cost = alphaBetaCost(topology);
      const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
      try {
        for (const name of ['direct', 'rd', 'rhd']) {
          const algorithm = getAlgorithm('allReduce', name);
          for (const bytes of [1 << 10, 64 << 10, 4 << 20, 64 << 20]) {
            const base: PlanParams = { nranks: n, count: countForBytes('allReduce', bytes, 'float32', n), root: 0, elementBytes: 4, channels: 0, chunkElements: (2 << 20) / 4, chunkAuto: true, layout: rankLayout(topology) };
            const params = resolveDefaults(algorithm, base, cost);
            const predictedNs = algorithm.predictNs(params, cost);
            const { timeNs } = await cluster.runSchedule(algorithm.plan(params), { dtype: 'float32', op: 'sum' });
            if (Math.abs(timeNs / predictedNs - 1) > 1e-6) failures.push(`${name} on ${n} ranks, ${bytes} B: simulated ${timeNs} ns, predicted ${predictedNs} ns`);
          }
        }
      } finally {
        await cluster.close();
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('sendrecv shift on switch:2, 4, 8: predicted = simulated within 1e-6, 1 KiB – 64 MiB', async () => {
    const failures: string[] = [];
    for (const n of [2, 4, 8]) {
      const topology = parseTopologySpec(`switch:${n}`);
      const cost = alphaBetaCost(topology);
      const algorithm = getAlgorithm('sendRecv', 'shift');
      const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
      try {
        for (const bytes of [1 << 10, 4 << 20, 64 << 20]) {
          const base: PlanParams = { nranks: n, count: countForBytes('sendRecv', bytes, 'float32', n), root: 0, elementBytes: 4, channels: 0, chunkElements: (2 << 20) / 4, chunkAuto: true, layout: rankLayout(topology) };
          const params = resolveDefaults(algorithm, base, cost);
          const predictedNs = algorithm.predictNs(params, cost);
          const { timeNs } = await cluster.runSchedule(algorithm.plan(params), { dtype: 'float32', op: 'sum' });
          if (Math.abs(timeNs / predictedNs - 1) > 1e-6) failures.push(`shift on ${n} ranks, ${bytes} B: simulated ${timeNs} ns, predicted ${predictedNs} ns`);
        }
      } finally {
        await cluster.close();
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
