/**
 * NCCL tree's split form on multi-server layouts (the per-collective matrix plans one server):
 * the symbolic checker proves every schedule, and an inner rank's partial sums take a few
 * scratch slots per channel, not a copy of the whole message.
 */
import { describe, expect, it } from 'vitest';
import { tree } from '../src/all-reduce/index.js';
import { SCRATCH_SLOTS } from '../src/all-reduce/tree.js';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import type { PlanParams } from '../src/types.js';

function servers(g: number, n: number, count: number, chunkElements: number, channels: number): PlanParams {
  const groups = Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i));
  return { nranks: g * n, count, root: 0, elementBytes: 4, channels, chunkElements, layout: { groups, hasReductionSwitch: false, rails: groups.flat().map((r) => r % n) } };
}

describe('tree on servers', () => {
  it('checks on 2–9 servers of 1–8 ranks, ragged chunks, 1–3 channels', () => {
    const failures: string[] = [];
    for (const [g, n] of [[2, 8], [3, 4], [5, 2], [9, 3], [4, 1], [7, 2]] as const) {
      for (const [count, chunk] of [[1, 0], [7, 2], [1000, 96], [2 ** 16 + 3, 2 ** 12 + 5]] as const) {
        for (const channels of [1, 2, 3]) {
          const result = checkSchedule(tree.plan(servers(g, n, count, chunk, channels)));
          if (!result.ok) failures.push(`${g}x${n} count ${count} chunk ${chunk} channels ${channels}: ${result.error}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('real numbers: #wrong 0 where inner ranks reuse their slots (3 servers of 3, 40 chunks a channel)', () => {
    const schedule = tree.plan(servers(3, 3, 2 * 40 * 24 + 5, 24, 2));
    expect(checkReference(schedule, 'sum', 'float32').wrong).toBe(0);
  });

  it(`an inner rank's partial sums take ${SCRATCH_SLOTS} chunks of scratch per channel, never more than the message`, () => {
    expect(tree.plan(servers(4, 8, 2 ** 20 + 3, 2 ** 12, 2)).bufferCounts.scratch).toBe(2 * SCRATCH_SLOTS * 2 ** 12);
    // One chunk per channel: one slot each.
    expect(tree.plan(servers(4, 8, 1000, 0, 2)).bufferCounts.scratch).toBe(1000);
  });
});
