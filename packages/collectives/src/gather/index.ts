import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { direct } from './direct.js';

export { direct };
export const algorithms: Algorithm[] = [direct];

export const gather: Collective = {
  name: 'gather',
  description: "The root ends with every rank's input, block r from rank r; other ranks' outputs are undefined.",
  reduces: false,
  rooted: true,
  defaultAlgorithm: 'direct',
  algorithms,
  // nccl-tests gather_perf: every rank passes count, the root receives count·nranks;
  // GetBw divides count·typesize·nranks by time, busbw factor (n-1)/n.
  bufferCounts: (count, nranks) => ({ input: count, output: count * nranks }),
  sizeCounts: (nranks) => nranks,
  busBwFactor: perPeerFactor,
  outputBlocks: (rank, { nranks, count, root }) =>
    rank === root ? Array.from({ length: nranks }, (_, b) => block(b * count, count, b, 0)) : [],
};
