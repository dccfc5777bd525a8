// What `weft bench` runs at one size with its default flags: NCCL's choice of algorithm,
// protocol and channels (--algo auto --proto auto --channels auto --chunk auto).
import { chooseAlgorithm, countForBytes, DEFAULT_CHUNK_BYTES } from '@weft/collectives';
import { alphaBetaCost, rankLayout } from '@weft/fabric';

export function planAuto(topology, bytes) {
  const nranks = topology.ranks.length;
  const count = countForBytes('allReduce', bytes, 'float32', nranks);
  const params = { nranks, count, root: 0, elementBytes: 4, channels: 0, chunkElements: DEFAULT_CHUNK_BYTES / 4, chunkAuto: true, layout: rankLayout(topology) };
  const choice = chooseAlgorithm('allReduce', params, alphaBetaCost(topology));
  return { choice, schedule: choice.algorithm.plan(choice.params) };
}
