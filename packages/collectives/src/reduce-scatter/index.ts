import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { halving } from './halving.js';
import { nvls } from './nvls.js';
import { pat } from './pat.js';
import { ring } from './ring.js';

export { direct, halving, nvls, pat, ring };
export const algorithms: Algorithm[] = [ring, direct, halving, nvls, pat];

/** Rank r ends with block r of the reduction of every rank's input. */
export const reduceScatter: Collective = {
  name: 'reduceScatter',
  description: "Rank r ends with block r of the reduction of every rank's input.",
  reduces: true,
  rooted: false,
  defaultAlgorithm: 'ring',
  algorithms,
  bufferCounts: (count, nranks) => ({ input: count * nranks, output: count }),
  sizeCounts: (nranks) => nranks,
  busBwFactor: perPeerFactor,
  outputBlocks: (rank, { count }) => [block(0, count, 'all', rank * count)],
};
