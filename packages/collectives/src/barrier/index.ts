import { type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { dissemination } from './dissemination.js';

export { dissemination };
export const algorithms: Algorithm[] = [dissemination];

/** No rank leaves before every rank has arrived; moves no data. */
export const barrier: Collective = {
  name: 'barrier',
  description: "No rank leaves before every rank has arrived; moves no data.",
  reduces: false,
  rooted: false,
  defaultAlgorithm: 'dissemination',
  algorithms,
  bufferCounts: () => ({ input: 0, output: 0 }),
  sizeCounts: () => 0,
  busBwFactor: () => 0,
  outputBlocks: () => [],
  synchronizes: true,
};
