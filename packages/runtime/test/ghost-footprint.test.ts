/**
 * A ghost run too big for the machine is refused before it starts, in one line naming the
 * estimate and the limit (the budget is half the JS heap under Node; shrunk here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { scheduleMemoryBudget, setHeapUsageProbe, setScheduleMemoryBudget } from '@weft/collectives';
import { isWeftInputError } from '@weft/sim';
import { createCluster } from '@weft/runtime';
import { GHOST_RUN_HEAP_SHARE, ghostFootprint } from '../src/core/schedule/footprint.js';
import { RUN_HEAP_SHARE } from '../src/core/coordinator/heap-guard.js';
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

  it('refuses a run that would start with the heap nearly full (after a collection), in one line; runs it when the heap has room', async () => {
    const topology = parseTopologySpec('switch:16');
    const schedule = plan('allReduce', 'ring-rankorder', topology, 16 * 64);
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    const limitBytes = 4 * 2 ** 30;
    let usedBytes = GHOST_RUN_HEAP_SHARE * limitBytes + 2 ** 20;
    const shares: number[] = [];
    setHeapUsageProbe((share) => {
      shares.push(share);
      return { usedBytes, limitBytes };
    });
    try {
      const error = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isWeftInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^ghost run too big for this machine: before it starts the JS heap holds 3\.00 GiB of its 4\.00 GiB limit \(topology, routes and a [\d.]+ MiB schedule; a run needs more than the 25 % left\)/);
      expect(shares).toContain(GHOST_RUN_HEAP_SHARE);
      usedBytes = GHOST_RUN_HEAP_SHARE * limitBytes;
      expect((await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' })).timeNs).toBeGreaterThan(0);
    } finally {
      setHeapUsageProbe(undefined);
      await cluster.close();
    }
  });
  it('ends a run whose heap fills up once it is under way in one line (not a V8 abort); the same run finishes when the heap has room', async () => {
    const topology = parseTopologySpec('switch:16');
    const schedule = plan('allReduce', 'ring-rankorder', topology, 16 * 64);
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    const limitBytes = 4 * 2 ** 30;
    // Room before the run (the up-front check asks at GHOST_RUN_HEAP_SHARE), full during it.
    let duringRunBytes = RUN_HEAP_SHARE * limitBytes + 2 ** 20;
    const shares: number[] = [];
    setHeapUsageProbe((share) => {
      shares.push(share);
      return { usedBytes: share === RUN_HEAP_SHARE ? duringRunBytes : 2 ** 20, limitBytes };
    });
    try {
      const error = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isWeftInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^run too big for this machine: at \d+\.\d µs simulated the JS heap holds 3\.60 GiB of its 4\.00 GiB limit after a full collection/);
      expect((error as Error).message.split('\n')).toHaveLength(1);
      expect(shares).toContain(RUN_HEAP_SHARE);
      duringRunBytes = RUN_HEAP_SHARE * limitBytes;
      expect((await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' })).timeNs).toBeGreaterThan(0);
    } finally {
      setHeapUsageProbe(undefined);
      await cluster.close();
    }
  });
});
