import { block, type Collective } from '../collective.js';
import type { Algorithm } from '../types.js';
import { shift } from './shift.js';

export const algorithms: Algorithm[] = [shift];

/** Every rank sends its input to rank+1 and receives rank-1's (nccl-tests sendrecv). */
export const sendRecv: Collective = {
  name: 'sendRecv',
  description: "Every rank sends its input to rank+1 and receives rank-1's (nccl-tests sendrecv).",
  reduces: false,
  rooted: false,
  defaultAlgorithm: 'shift',
  algorithms,
  bufferCounts: (count) => ({ input: count, output: count }),
  sizeCounts: () => 1,
  busBwFactor: () => 1,
  outputBlocks: (rank, { nranks, count }) => [block(0, count, (rank - 1 + nranks) % nranks, 0)],
};
