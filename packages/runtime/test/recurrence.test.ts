/**
 * The exact fast-forward (schedule/recurrence.ts, fast-forward.ts runRecurrent): a watched
 * run whose whole state recurs stops, a schedule with whole periods cut runs, and the
 * periods are added back — equal to the exact engine to float rounding; a run whose state
 * never recurs (channels that drift against each other) is the exact run, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, recurrencePlan, runRecurrent, RecurrenceWatch, type RunResult } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import { network, plan } from './helpers.js';

async function watchedRuns(spec: string) {
  const topology = parseTopologySpec(spec);
  const cluster = await createCluster({ topology, network: { ...network('maxMin'), record: 'summary' }, mode: 'ghost' });
  const run = (schedule: Schedule, watch?: RecurrenceWatch): Promise<RunResult> =>
    cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false, ...(watch ? { watch } : {}) });
  return { topology, cluster, run };
}

describe('exact fast-forward by recurrence', () => {
  it('a one-channel ring recurs: it is cut, and equals the exact run to rounding (time, events, rounds, link bytes)', async () => {
    const { topology, cluster, run } = await watchedRuns('dgx-h100:nodes=2');
    try {
      const schedule = plan('allReduce', 'ring', topology, 16 * (1 << 22), { channels: 1, chunkElements: 1 << 16 });
      const exact = await run(schedule);
      const forwarded = await runRecurrent(schedule, run);
      expect(forwarded.recurrence).toBeDefined();
      expect(forwarded.recurrence!.repsSkipped).toBeGreaterThan(forwarded.recurrence!.reps / 4);
      expect(Math.abs(forwarded.timeNs - exact.timeNs) / exact.timeNs).toBeLessThan(1e-12);
      expect(forwarded.events).toBe(exact.events);
      expect(forwarded.rounds).toBe(exact.rounds);
      exact.linkStats.forEach((link, l) => {
        const got = forwarded.linkStats[l]!;
        expect(Math.abs(got.bytesCarried - link.bytesCarried)).toBeLessThanOrEqual(1e-9 * link.bytesCarried + 1e-6);
        expect(Math.abs(got.busyNs - link.busyNs)).toBeLessThanOrEqual(1e-9 * link.busyNs + 1e-6);
      });
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('a run of several iterations is watched but never cut (a cut would shorten every iteration): the exact run', async () => {
    const { topology, cluster } = await watchedRuns('dgx-h100:nodes=2');
    try {
      const schedule = plan('allReduce', 'ring', topology, 16 * (1 << 22), { channels: 1, chunkElements: 1 << 16 });
      const twice = (planned: Schedule, watch?: RecurrenceWatch) => cluster.runSchedule(planned, { dtype: 'float32', op: 'sum', check: false, iters: 2, ...(watch ? { watch } : {}) });
      const exact = await twice(schedule);
      const watched = await runRecurrent(schedule, twice);
      expect(watched.recurrence).toBeUndefined();
      expect(watched.timeNs).toBe(exact.timeNs);
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('a 16-channel ring whose channels drift against each other never recurs: the watched run is the exact run, bit for bit', async () => {
    const { topology, cluster, run } = await watchedRuns('dgx-h100:nodes=2');
    try {
      const schedule = plan('allReduce', 'ring', topology, 16 * (1 << 22), { channels: 16, chunkElements: 1 << 16 });
      expect(recurrencePlan(schedule, () => true)).not.toBeNull();
      const exact = await run(schedule);
      const watched = await runRecurrent(schedule, run);
      expect(watched.recurrence).toBeUndefined();
      expect(watched.timeNs).toBe(exact.timeNs);
      expect(watched.events).toBe(exact.events);
      expect(watched.linkStats.map((l) => l.bytesCarried)).toEqual(exact.linkStats.map((l) => l.bytesCarried));
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('snapshots are taken in bursts and not past half the repetitions; a watch never shown its executors takes none', async () => {
    const { topology, cluster, run } = await watchedRuns('dgx-h100:nodes=2');
    try {
      const schedule = plan('allReduce', 'ring', topology, 16 * (1 << 22), { channels: 16, chunkElements: 1 << 16 });
      const planned = recurrencePlan(schedule, () => true)!;
      const watch = new RecurrenceWatch(planned);
      await run(schedule, watch);
      const [p, c] = planned.reference;
      const reps = planned.groups[p]![c]![2];
      // Bursts of 10 from 8, 16, 32 …, up to half the repetitions.
      expect(watch.taken).toBeGreaterThan(0);
      expect(watch.taken).toBeLessThanOrEqual(10 * Math.ceil(Math.log2(reps)));
      const idle = new RecurrenceWatch(planned);
      idle.quiescent({ nowNs: 0, events: 0, rounds: 0, steadyState: () => true, linkStats: () => [] });
      expect(idle.taken).toBe(0);
    } finally {
      await cluster.close();
    }
  }, 60_000);
});
