import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { bruck } from './bruck.js';
import { direct } from './direct.js';
import { nvls } from './nvls.js';
import { pat } from './pat.js';
import { rd } from './rd.js';
import { ring } from './ring.js';

export { bruck, direct, nvls, pat, rd, ring };
export const algorithms: Algorithm[] = [ring, rd, bruck, direct, nvls, pat];

/** Every rank ends with every rank's input, block r from rank r. */
export const allGather: Collective = {
  name: 'allGather',
  description: "Every rank ends with every rank's input, block r from rank r.",
  reduces: false,
  rooted: false,
  defaultAlgorithm: 'ring',
  algorithms,
  bufferCounts: (count, nranks) => ({ input: count, output: count * nranks }),
  sizeCounts: (nranks) => nranks,
  busBwFactor: perPeerFactor,
  outputBlocks: (_rank, { nranks, count }) => Array.from({ length: nranks }, (_, b) => block(b * count, count, b, 0)),
};
