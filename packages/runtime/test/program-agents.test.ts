/**
 * Rank programs drive in-network agents: a program's ctx.allReduce with NVLS or NVLSTree runs
 * the switch agents beside the ranks (on rank 0's host), so the switch really reduces (data
 * mode: exact sums, call after call), ghost mode takes the data-mode time, and one call takes
 * what weft bench's schedule run of the same plan takes.
 */
import { describe, expect, it } from 'vitest';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { getAlgorithm, resolveDefaults, type CollectiveName, type PlanParams } from '@weft/collectives';
import { createCluster, RankError } from '@weft/runtime';
import { network } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;

function paramsFor(spec: string, collective: CollectiveName, algorithm: string, count: number): PlanParams {
  const topology = parseTopologySpec(spec);
  const base: PlanParams = { nranks: topology.ranks.length, count, root: 0, elementBytes: 4, channels: 0, chunkElements: 0, layout: rankLayout(topology) };
  return resolveDefaults(getAlgorithm(collective, algorithm), base, alphaBetaCost(topology));
}

/** What a program passes to ctx[collective] to run `params` as planned. */
function callOptions(algorithm: string, params: PlanParams) {
  const { channels, chunkElements, protocol, protocolCapStretch, nvlsChannels } = params;
  return { algorithm, channels, chunkElements, ...(protocol ? { protocol } : {}), ...(protocolCapStretch ? { protocolCapStretch } : {}), ...(nvlsChannels ? { nvlsChannels } : {}) };
}

interface Repeated {
  outputs: number[][];
  times: number[];
  endNs: number;
}

async function runProgram(spec: string, mode: 'data' | 'ghost', args: Record<string, unknown>, ranksPerWorker?: number) {
  const cluster = await createCluster({ topology: parseTopologySpec(spec), network: network('maxMin'), mode, ...(ranksPerWorker ? { ranksPerWorker } : {}) });
  try {
    return await cluster.runProgram<Repeated>(fixtures, 'repeatCollective', args);
  } finally {
    await cluster.close();
  }
}

/** Element j of call i's all-reduce: the sum over ranks of ((r + 1)(j + 1 + i)) mod 97. */
function expectedSum(nranks: number, count: number, call: number): number[] {
  return Array.from({ length: count }, (_, j) => {
    let sum = 0;
    for (let r = 0; r < nranks; r++) sum += ((r + 1) * (j + 1 + call)) % 97;
    return sum;
  });
}

describe('rank programs drive in-network agents', () => {
  for (const [spec, algorithm, ranksPerWorker] of [
    ['dgx-h100:nodes=1', 'nvls', 3],
    ['dgx-h100:nodes=2,gpusPerNode=4', 'nvlstree', 3],
  ] as const) {
    it(`${algorithm} on ${spec}: three staggered calls sum exactly in data mode (agents in rank 0's worker); ghost takes the same times`, async () => {
      const nranks = parseTopologySpec(spec).ranks.length;
      const count = 5003;
      const params = paramsFor(spec, 'allReduce', algorithm, count);
      const args = { collective: 'allReduce', calls: 3, count, staggerNs: 700, options: callOptions(algorithm, { ...params, chunkElements: 512 }) };
      const data = await runProgram(spec, 'data', args, ranksPerWorker);
      expect(data.results).toHaveLength(nranks);
      for (const r of data.results) {
        r.outputs.forEach((out, call) => expect(out).toEqual(expectedSum(nranks, count, call)));
      }
      const ghost = await runProgram(spec, 'ghost', args);
      expect(ghost.results.map((r) => r.times)).toEqual(data.results.map((r) => r.times));
      expect(ghost.timeNs).toBe(data.timeNs);
    });
  }

  for (const [spec, algorithm] of [
    ['dgx-h100:nodes=1', 'nvls'],
    ['dgx-h100:nodes=2', 'nvlstree'],
  ] as const) {
    it(`one ${algorithm} call on ${spec} takes what weft bench's run of the same plan takes (16 MiB, NCCL's channels and chunks)`, async () => {
      const topology = parseTopologySpec(spec);
      const count = 4 << 20;
      const params = paramsFor(spec, 'allReduce', algorithm, count);
      const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
      try {
        const bench = await cluster.runSchedule(getAlgorithm('allReduce', algorithm).plan(params), { dtype: 'float32', op: 'sum' });
        const program = await cluster.runProgram<Repeated>(fixtures, 'repeatCollective', { collective: 'allReduce', calls: 1, count, staggerNs: 0, options: callOptions(algorithm, params) });
        expect(bench.timeNs).toBeGreaterThan(0);
        expect(program.timeNs / bench.timeNs).toBeCloseTo(1, 9);
      } finally {
        await cluster.close();
      }
    });
  }

  it('a topology without a reduction switch refuses an agent algorithm in one line', async () => {
    const run = runProgram('switch:4', 'ghost', { collective: 'allReduce', calls: 1, count: 64, staggerNs: 0, options: { algorithm: 'nvls' } });
    await expect(run).rejects.toThrow(/rank 0 failed: algorithm 'nvls' cannot run allReduce on 4 ranks with count 64: needs one reduction-capable switch reaching every rank/);
    await expect(run).rejects.toBeInstanceOf(RankError);
  });

  it('a data-mode cluster runs a program without agents after one with them (the workers forget the agents)', async () => {
    const spec = 'dgx-h100:nodes=1';
    const cluster = await createCluster({ topology: parseTopologySpec(spec), network: network('maxMin'), mode: 'data', ranksPerWorker: 4 });
    try {
      const options = callOptions('nvls', paramsFor(spec, 'allReduce', 'nvls', 300));
      const withAgents = await cluster.runProgram<Repeated>(fixtures, 'repeatCollective', { collective: 'allReduce', calls: 1, count: 300, staggerNs: 0, options });
      expect(withAgents.results[5]!.outputs[0]).toEqual(expectedSum(8, 300, 0));
      const ring = await cluster.runProgram<Repeated>(fixtures, 'repeatCollective', { collective: 'allReduce', calls: 2, count: 300, staggerNs: 100, options: { algorithm: 'ring' } });
      expect(ring.results[7]!.outputs[1]).toEqual(expectedSum(8, 300, 1));
    } finally {
      await cluster.close();
    }
  });
});
