import { ncclTuneInputs, ncclTuneModel } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { describe, expect, it } from 'vitest';

/** NCCL's tuner inputs for a preset, as `auto` builds them (benchmarks/nccl-tuner-table.mjs does the same). */
function inputsOf(spec: string) {
  const topology = parseTopologySpec(spec);
  return ncclTuneInputs(rankLayout(topology), topology.ranks.length, alphaBetaCost(topology));
}
const rows = (spec: string) => new Set(ncclTuneModel('allReduce', inputsOf(spec)).map((e) => e.row));

describe("NCCL's node count on the presets (init.cc nNodes = topology systems; MNNVL fuses an NVLink clique into one)", () => {
  it('GB200 NVL72: one node per rack (a clique of 18 trays), 72 local ranks, NVLS graph on 1, 2 and 20 racks', () => {
    for (const racks of [1, 2, 20]) {
      const t = inputsOf(`nvl72:variant=gb200,racks=${racks}`);
      expect({ racks, nodes: t.nodes, localRanks: t.nranks / t.nodes, nvls: t.nvls !== null }).toEqual({ racks, nodes: racks, localRanks: 72, nvls: true });
    }
  });

  it('one rack searches the intra ladder (16 × 90/2 = 45 GB/s ring, no NIC), several racks the inter ladder (16 × 45.1); NVLS on one rack, NVLSTree across racks', () => {
    expect(inputsOf('nvl72:variant=gb200').ring).toMatchObject({ nChannels: 16, bwInterGbs: 45 });
    expect(inputsOf('nvl72:variant=gb200,racks=2').ring).toMatchObject({ nChannels: 16, bwInterGbs: 45.1 });
    expect(rows('nvl72:variant=gb200')).toEqual(new Set(['Tree', 'Ring', 'NVLS']));
    expect(rows('nvl72:variant=gb200,racks=20')).toEqual(new Set(['Tree', 'Ring', 'NVLSTree']));
  });

  it('servers without MNNVL: one node per host (DGX H100 × 2: 2 nodes of 8; GB200 NVL4: 1 node of 4, no NVLS graph without an NVLink switch)', () => {
    expect(inputsOf('dgx-h100:nodes=2')).toMatchObject({ nodes: 2, nranks: 16 });
    expect(inputsOf('gb200-nvl4')).toMatchObject({ nodes: 1, nranks: 4, nvls: null });
  });
});
