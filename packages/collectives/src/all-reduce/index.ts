import { block, perPeerFactor, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { hierarchical } from './hierarchical.js';
import { innetwork } from './innetwork.js';
import { nvls } from './nvls.js';
import { nvlstree } from './nvlstree.js';
import { rd } from './rd.js';
import { rhd } from './rhd.js';
import { ring } from './ring.js';
import { ringRankOrder } from './ring-rankorder.js';
import { tree } from './tree.js';
import { treeRankOrder } from './tree-rankorder.js';

export { direct, hierarchical, innetwork, nvls, nvlstree, rd, rhd, ring, ringRankOrder, tree, treeRankOrder };
export const algorithms: Algorithm[] = [ring, tree, rhd, rd, direct, hierarchical, innetwork, nvls, nvlstree, ringRankOrder, treeRankOrder];

/** Every rank ends with the reduction of every rank's input. */
export const allReduce: Collective = {
  name: 'allReduce',
  description: "Every rank ends with the reduction of every rank's input.",
  reduces: true,
  rooted: false,
  defaultAlgorithm: 'ring',
  algorithms,
  bufferCounts: (count) => ({ input: count, output: count }),
  sizeCounts: () => 1,
  busBwFactor: (nranks) => 2 * perPeerFactor(nranks),
  outputBlocks: (_rank, { count }) => [block(0, count, 'all', 0)],
};
