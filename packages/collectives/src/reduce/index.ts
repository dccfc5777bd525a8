import { block, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { binomial } from './binomial.js';
import { chain } from './chain.js';

export { binomial, chain };
export const algorithms: Algorithm[] = [chain, binomial];

/** The root ends with the reduction of every rank's input; other ranks' outputs are undefined. */
export const reduce: Collective = {
  name: 'reduce',
  description: "The root ends with the reduction of every rank's input; other ranks' outputs are undefined.",
  reduces: true,
  rooted: true,
  defaultAlgorithm: 'chain',
  algorithms,
  bufferCounts: (count) => ({ input: count, output: count }),
  sizeCounts: () => 1,
  busBwFactor: () => 1,
  outputBlocks: (rank, { count, root }) => (rank === root ? [block(0, count, 'all', 0)] : []),
};
