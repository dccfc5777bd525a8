/**
 * Steady-state fast-forward (schedule/fast-forward.ts): the shortened schedules keep every
 * message matched, a ring in its steady state extrapolates to the exact engine's time to
 * rounding (the premise checked by the residual), and a schedule whose per-period time
 * wanders is reported as not steady rather than silently extrapolated.
 */
import { describe, expect, it } from 'vitest';
import { channelTapes, ncclRingOrders, ncclRingSlices, planCollective, ringAlgorithm, StepTape, withProtocols } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, FAST_FORWARD_AUTO_TRANSFERS, fastForwardApplies, runFastForward, scheduleTransfers, shortenedSchedule, steadyCut, type RunResult, type SteadyCut } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import { network, plan, planParams } from './helpers.js';

/**
 * NCCL's ring with every loop iteration in two slices, the first one too: the steady shape
 * these checks were built on. `ring` itself moves its first iteration's blocks whole
 * (ncclRingFillSlices), so a one-iteration Simple ring there is store-and-forward; across
 * servers (NET α 14 µs) that one does not settle into an exact period within the kept ones
 * (benchmarks/results/nccl-vs-weft.md, "Ring/Simple's fill").
 */
const slicedRing = withProtocols(ringAlgorithm('ring', 'NCCL ring, every iteration in slices', ncclRingOrders, ncclRingSlices), 'Ring');
const planSliced = (topology: ReturnType<typeof parseTopologySpec>, count: number) => planCollective('allReduce', slicedRing, planParams(topology, count, { channels: 4 }));

/** A ring of 32 ranks (four DGX H100 servers: NVLink inside, Ethernet between), 4 channels, one loop. */
function ringOn32(countPerRank = 1 << 16) {
  const topology = parseTopologySpec('dgx-h100:nodes=4');
  const schedule = planSliced(topology, 32 * countPerRank);
  return { topology, schedule };
}

async function ghostRuns(topology: ReturnType<typeof parseTopologySpec>) {
  const cluster = await createCluster({ topology, network: { ...network('maxMin'), record: 'summary' }, mode: 'ghost' });
  const run = (schedule: Schedule): Promise<RunResult> => cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false });
  return { cluster, run };
}

describe('timing groups and shortened tapes', () => {
  it('a ring channel is one timing group of 2(N-1) - 1 receive-and-send steps, whatever its offsets', () => {
    const { schedule } = ringOn32();
    const groups: number[] = [];
    channelTapes(schedule.participants[5]!)[0]!.forEachTimingGroup((_first, period, reps) => groups.push(period * reps));
    expect(Math.max(...groups)).toBeGreaterThanOrEqual(2 * 31 - 2);
  });

  it('shortening cuts the same repetitions from every long group and keeps the steps count', () => {
    const { schedule } = ringOn32();
    const cut = steadyCut(schedule, 8)!;
    expect(cut).not.toBeNull();
    const shorter = shortenedSchedule(schedule, cut.minReps, cut.removeA);
    const before = channelTapes(schedule.participants[0]!)[0]!;
    const after = channelTapes(shorter.participants[0]!)[0]!;
    let kept = 0;
    after.forEachTimingGroup((_first, period, reps) => (kept += period * reps));
    expect(after.length).toBe(kept);
    expect(before.length - after.length).toBe(cut.removeA);
    expect(scheduleTransfers(shorter)).toBe(scheduleTransfers(schedule) - cut.removeA * 32 * 4);
  });

  it('refuses a cut that cannot remove that many repetitions', () => {
    const tape = new StepTape();
    for (let i = 0; i < 10; i++) tape.pushStep({ op: 'send', peer: 1, src: { buffer: 'input', offset: i, count: 1 } });
    expect(() => tape.shortened(5, 10)).toThrow(/cannot cut 10/);
  });

  it('a schedule without long runs has no cut', () => {
    const topology = parseTopologySpec('switch:4');
    // 4 ranks: a channel's stretch is too short to keep 8, 16 and 24 repetitions and cut any.
    expect(steadyCut(plan('allReduce', 'ring', topology, 4 * 1024), 8)).toBeNull();
    // A tree of one chunk: no timing group repeats at all (a cut of Infinity repetitions before,
    // which `--fast-forward on` threw on at 8 B – 32 KiB).
    expect(steadyCut(plan('allReduce', 'tree', parseTopologySpec('switch:8'), 2))).toBeNull();
  });
});

describe('fast-forwarded time against the exact engine', () => {
  it('ring on 32 ranks: equal to 1e-12 relative, the steady state checked (residual ~ 0)', async () => {
    const { topology, schedule } = ringOn32();
    const { cluster, run } = await ghostRuns(topology);
    try {
      const exact = await run(schedule);
      const cut = steadyCut(schedule, 16)!;
      const forwarded = await runFastForward(schedule, cut, run);
      expect(Math.abs(forwarded.timeNs - exact.timeNs) / exact.timeNs).toBeLessThan(1e-12);
      expect(forwarded.fastForward.residual).toBeLessThan(1e-12);
      expect(forwarded.events).toBe(exact.events);
      // Link bytes are extrapolated period by period: every link's total to 1e-9.
      exact.linkStats.forEach((link, i) => {
        const got = forwarded.linkStats[i]!.bytesCarried;
        expect(Math.abs(got - link.bytesCarried)).toBeLessThanOrEqual(1e-9 * Math.max(1, link.bytesCarried));
      });
      // Shifting where the periods are cut gives a result equal to rounding as well.
      const other = await runFastForward(schedule, steadyCut(schedule, 12)!, run);
      expect(Math.abs(other.timeNs - exact.timeNs) / exact.timeNs).toBeLessThan(1e-12);
      // The default cut keeps only 2, 4 and 6 periods (KEEP_REPS): a ring is steady from one.
      const fewest = await runFastForward(schedule, steadyCut(schedule)!, run);
      expect(Math.abs(fewest.timeNs - exact.timeNs) / exact.timeNs).toBeLessThan(1e-12);
      expect(fewest.fastForward.residual).toBeLessThan(1e-12);
      expect(fewest.events).toBe(exact.events);
    } finally {
      await cluster.close();
    }
  }, 30_000);

  it('a ring with ragged blocks is cut by steps and equals the exact time to 1e-12; sizes that differ show in the residual', async () => {
    const topology = parseTopologySpec('dgx-h100:nodes=4');
    const { cluster, run } = await ghostRuns(topology);
    try {
      for (const extra of [7, 12345]) {
        const schedule = planSliced(topology, 32 * 65536 + extra);
        const cut = steadyCut(schedule, 4)!;
        expect(cut.mode).toBe('steps');
        const exact = await run(schedule);
        const forwarded = await runFastForward(schedule, cut, run);
        const error = Math.abs(forwarded.timeNs - exact.timeNs) / exact.timeNs;
        if (extra === 7) {
          expect(error).toBeLessThan(1e-12);
          expect(forwarded.fastForward.residual).toBeLessThan(1e-12);
        } else {
          // Groups of blocks one element apart time differently: not affine, and the residual says so.
          expect(forwarded.fastForward.residual).toBeGreaterThan(1e-9);
          expect(error).toBeLessThan(1e-5);
        }
      }
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('a cut that would leave a message unmatched is not made', () => {
    const { schedule } = ringOn32();
    // Rank 0's long groups shrink to 3 repetitions, below what is cut: its neighbours' cut
    // would then remove messages rank 0 still sends and receives.
    let longest = 0;
    for (const tape of channelTapes(schedule.participants[0]!)) tape.forEachTimingGroup((_first, _period, reps) => (longest = Math.max(longest, reps)));
    const rank0 = shortenedSchedule({ ...schedule, participants: [schedule.participants[0]!] }, longest, longest - 3).participants[0]!;
    const lopsided: Schedule = { ...schedule, participants: schedule.participants.map((p, r) => (r === 0 ? rank0 : p)) };
    expect(steadyCut(schedule, 8)).not.toBeNull();
    expect(steadyCut(lopsided, 8)).toBeNull();
  });
});

describe("auto's tries", () => {
  // A 16-channel NCCL tree at 1 GiB: 128 chunk periods. Keeping 2 (12 simulated) is tried;
  // keeping 8 (48 simulated, 3/8 of the run) is not — it failed at 1,024–16,384 GPUs and
  // added that share to the exact run that followed (speed.md §25).
  const cut = (shortest: number, keep: number): SteadyCut => ({
    minReps: shortest,
    mode: 'all',
    shortest,
    removeA: shortest - keep,
    removeB: shortest - 2 * keep,
    removeC: shortest - 3 * keep,
    transfers: FAST_FORWARD_AUTO_TRANSFERS + 1,
  });
  it('tries a rung whose short runs simulate at most a quarter of the periods, under auto only', () => {
    expect(fastForwardApplies('auto', cut(128, 2), 1)).toBe(true);
    expect(fastForwardApplies('auto', cut(128, 8), 1)).toBe(false);
    expect(fastForwardApplies('auto', cut(2045, 32), 1)).toBe(true);
    expect(fastForwardApplies('on', cut(128, 32), 1)).toBe(true);
    expect(fastForwardApplies('off', cut(2045, 2), 1)).toBe(false);
  });
  it('leaves a run under the transfer budget exact under auto', () => {
    expect(fastForwardApplies('auto', { ...cut(2045, 2), transfers: FAST_FORWARD_AUTO_TRANSFERS / 2 }, 1)).toBe(false);
  });
});
