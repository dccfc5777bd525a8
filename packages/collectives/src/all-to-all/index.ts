import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { pairwise } from './pairwise.js';
import { pxn } from './pxn.js';

export { direct, pairwise, pxn };
export const algorithms: Algorithm[] = [pairwise, direct, pxn];

/** Block j of rank i's input ends as block i of rank j's output. */
export const allToAll: Collective = {
  name: 'allToAll',
  description: "Block j of rank i's input ends as block i of rank j's output.",
  reduces: false,
  rooted: false,
  defaultAlgorithm: 'pairwise',
  algorithms,
  bufferCounts: (count, nranks) => ({ input: count * nranks, output: count * nranks }),
  sizeCounts: (nranks) => nranks,
  busBwFactor: perPeerFactor,
  outputBlocks: (rank, { nranks, count }) => Array.from({ length: nranks }, (_, b) => block(b * count, count, b, rank * count)),
};
