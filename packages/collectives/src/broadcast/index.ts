import { block, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { binomial } from './binomial.js';
import { chain } from './chain.js';

export { binomial, chain };
export const algorithms: Algorithm[] = [chain, binomial];

/** Every rank ends with the root's input. */
export const broadcast: Collective = {
  name: 'broadcast',
  description: "Every rank ends with the root's input.",
  reduces: false,
  rooted: true,
  defaultAlgorithm: 'chain',
  algorithms,
  bufferCounts: (count) => ({ input: count, output: count }),
  sizeCounts: () => 1,
  busBwFactor: () => 1,
  outputBlocks: (_rank, { count, root }) => [block(0, count, root, 0)],
};
