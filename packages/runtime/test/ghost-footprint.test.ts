/**
 * A ghost run too big for the machine is refused before it starts, in one line naming the
 * estimate and the limit (the budget is half the JS heap under Node; shrunk here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { scheduleMemoryBudget, setScheduleMemoryBudget } from '@weft/collectives';
import { isWeftInputError } from '@weft/sim';
import { createCluster } from '@weft/runtime';
import { ghostFootprint } from '../src/core/schedule/footprint.js';
import { network, plan } from './helpers.js';

const initialBudget = scheduleMemoryBudget();
afterEach(() => setScheduleMemoryBudget(initialBudget));

describe('ghost footprint', () => {
  it('counts one connection per (sender, receiver, channel) a schedule sends on', () => {
    const topology = parseTopologySpec('switch:16');
    // Direct all-to-all: every rank sends to every other rank on channel 0.
    expect(ghostFootprint(plan('allToAll', 'direct', topology, 16)).connections).toBe(16 * 15);
    // A ring: each rank sends to its successor only.
    expect(ghostFootprint(plan('allReduce', 'ring-rankorder', topology, 16 * 64)).connections).toBe(16);
  });

  it('refuses a run over the budget with one line, and runs it within', async () => {
    const topology = parseTopologySpec('switch:64');
    const schedule = plan('allToAll', 'direct', topology, 64);
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    setScheduleMemoryBudget(2 ** 20);
    const error = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isWeftInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^ghost run too big for this machine: about \d+\.\d MiB \(\d+\.\d MiB of schedule, 4032 connections × 700 B\), over the limit of 1\.0 MiB \(half the JS heap\)/);
    setScheduleMemoryBudget(initialBudget);
    const result = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' });
    expect(result.timeNs).toBeGreaterThan(0);
    await cluster.close();
  });
});
