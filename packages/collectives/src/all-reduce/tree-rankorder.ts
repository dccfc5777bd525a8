import { assertPlannable, invalidParams } from '../kit.js';
import type { Algorithm } from '../types.js';
import { rankOrderTreePlan, rankOrderTreePredictNs } from './tree.js';

/**
 * The textbook double binary tree: two complementary binary trees over every rank in rank
 * order, whatever the topology, two schedule channels per channel. On a multi-server fabric
 * most of its edges cross servers (and rails) while NVLink sits idle — what NCCL's Tree
 * (the `tree` algorithm: a chain per server, a tree between servers) avoids; kept to show
 * the contrast.
 */
export const treeRankOrder: Algorithm = {
  name: 'tree-rankorder',
  collective: 'allReduce',
  description: 'Textbook double binary tree over ranks 0..n-1 (no channel search): half the data reduced up and broadcast down each of two complementary trees, pipelined in chunks.',
  constraints: 'any rank count; channels clamped to count; two schedule channels per channel',
  unsupported: (params) => invalidParams(params),
  plan(params) {
    assertPlannable(treeRankOrder.unsupported(params));
    return rankOrderTreePlan(params, 'tree-rankorder');
  },
  predictNs: rankOrderTreePredictNs,
};
