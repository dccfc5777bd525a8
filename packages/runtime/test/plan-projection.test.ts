/**
 * A plan too big for the machine is refused after its first channel's planning, not after all
 * of it: the planners whose outer loop writes alike parts (NCCL's ring and tree, the rank-order
 * tree, nvls, nvlstree, hierarchical) report each part done, and the Node entry's check projects
 * the first part's schedule and connections over all of them (footprint.ts checkProjectedFootprint).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { getAlgorithm, resolveDefaults, scheduleMemoryBudget, setPlanProgressCheck, setScheduleMemoryBudget, type PlanProgress, type PlanParams } from '@weft/collectives';
import { isWeftInputError } from '@weft/sim';
import { PROJECTION_MARGIN, checkProjectedFootprint, footprintBytes as bytesOf, ghostFootprint, tapesFootprint } from '../src/core/schedule/footprint.js';

const initialBudget = scheduleMemoryBudget();
afterEach(() => {
  setScheduleMemoryBudget(initialBudget);
  setPlanProgressCheck(checkProjectedFootprint);
});

/** `algorithm`'s all-reduce of `bytes` on `spec` with `channels` channels and its own chunk. */
function planOf(spec: string, algorithm: string, bytes: number, channels: number) {
  const topology = parseTopologySpec(spec);
  const base: PlanParams = { nranks: topology.ranks.length, count: bytes / 4, root: 0, elementBytes: 4, channels, chunkElements: 0, layout: rankLayout(topology) };
  const chosen = getAlgorithm('allReduce', algorithm);
  const params = resolveDefaults(chosen, base, alphaBetaCost(topology));
  return () => chosen.plan(params);
}

const CASES = [
  ['dgx-h100:nodes=2', 'ring', 4],
  ['dgx-h100:nodes=2', 'tree', 4],
  ['switch:12', 'tree-rankorder', 3],
  ['dgx-h100:nodes=1', 'nvls', 2],
  ['dgx-h100:nodes=2', 'nvlstree', 2],
  ['dgx-h100:nodes=2', 'hierarchical', 4],
] as const;

describe('plan projection', () => {
  it.each(CASES)("%s %s: the first part's footprint times the parts is the whole plan's (within 2 %)", (spec, algorithm, channels) => {
    const plan = planOf(spec, algorithm, 64 << 20, channels);
    const seen: { projected: number; of: number }[] = [];
    setPlanProgressCheck(({ tapes, done, of }: PlanProgress) => seen.push({ projected: (bytesOf(tapesFootprint(tapes)) * of) / done, of }));
    const whole = bytesOf(ghostFootprint(plan()));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.of).toBeGreaterThan(1);
    expect(seen[0]!.projected / whole).toBeGreaterThan(0.98);
    expect(seen[0]!.projected / whole).toBeLessThan(1.02);
  });

  it('refuses in one line after the first part when the projection is over the budget; plans it whole when it fits', () => {
    const plan = planOf('dgx-h100:nodes=2', 'nvlstree', 64 << 20, 2);
    const whole = bytesOf(ghostFootprint(plan()));
    const parts: number[] = [];
    setPlanProgressCheck((progress) => {
      parts.push(progress.done);
      checkProjectedFootprint(progress);
    });
    setScheduleMemoryBudget(whole / 2);
    let error: unknown;
    try {
      plan();
    } catch (e) {
      error = e;
    }
    expect(isWeftInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^run too big for this machine: its first 1 of 16 channels planned [\d.]+ MiB of schedule and \d+ connections, so all 16 would take about [\d.]+ MiB \([\d.]+ MiB of schedule, \d+ connections × 700 B\), over the limit of [\d.]+ MiB \(half the JS heap\); use fewer ranks, fewer channels \(--channels\) or larger chunks \(--chunk\)$/,
    );
    // Refused at the first part's end: the check ran once.
    expect(parts).toEqual([1]);
    // Within the margin the projection lets planning go on (the exact check follows the plan).
    setScheduleMemoryBudget(whole / PROJECTION_MARGIN + 1);
    expect(bytesOf(ghostFootprint(plan()))).toBe(whole);
  });
});
