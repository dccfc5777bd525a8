import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { direct } from './direct.js';

export { direct };
export const algorithms: Algorithm[] = [direct];

export const scatter: Collective = {
  name: 'scatter',
  description: "Rank r ends with block r of the root's input.",
  reduces: false,
  rooted: true,
  defaultAlgorithm: 'direct',
  algorithms,
  // nccl-tests scatter_perf: the root sends count·nranks, every rank receives count;
  // GetBw divides count·typesize·nranks by time, busbw factor (n-1)/n.
  bufferCounts: (count, nranks) => ({ input: count * nranks, output: count }),
  sizeCounts: (nranks) => nranks,
  busBwFactor: perPeerFactor,
  outputBlocks: (rank, { count, root }) => [block(0, count, root, rank * count)],
};
