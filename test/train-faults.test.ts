/**
 * `weft train` with faults, end to end (ghost mode, the MNIST MLP, a few steps): each fault
 * run is compared with the same run without faults, part by part of the step.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weft, type WeftRun } from './cli/run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-train-faults-'));
let outputs = 0;

interface Component {
  component: 'total' | 'exposedComm' | 'compute';
  faultFreeNs: number;
  faultedNs: number | null;
  slowdown: number | null;
}
interface FaultJson {
  outcome: string;
  error?: string;
  crash?: { rank: number; step: number };
  reportIs: string;
  components: Component[];
  computeNsByRank: { faultFree: number[]; faulted: number[] | null };
}

/** A ghost-mode run with `faultArgs`; its exit, output and the report's `faults` section. */
function trainWith(ranks: number, steps: number, faultArgs: string[]): { run: WeftRun; faults: FaultJson; byPart: Record<string, Component> } {
  const out = join(tmp, `run-${++outputs}.json`);
  const run = weft(['train', '--mode', 'ghost', '--ranks', String(ranks), '--global-batch', '16', '--steps', String(steps), '--out', out, ...faultArgs], { timeoutMs: 60_000 });
  const faults = (JSON.parse(readFileSync(out, 'utf8')) as { faults: FaultJson }).faults;
  return { run, faults, byPart: Object.fromEntries(faults.components.map((c) => [c.component, c])) };
}

describe('weft train --fault: a degraded link', () => {
  const degrade = (factor: number, algo = 'ring') => trainWith(2, 2, ['--algo', algo, '--fault', `link=gpu0->switch0,degrade=${factor}@0us`]);

  it('makes the step slower, leaves compute alone, and says so', () => {
    const { run, faults, byPart } = degrade(0.5);
    expect(run.code).toBe(0);
    expect(faults.outcome).toBe('slower');
    expect(faults.reportIs).toBe('faulted');
    expect(byPart.total!.slowdown).toBeGreaterThan(1);
    expect(byPart.exposedComm!.slowdown).toBeGreaterThan(1);
    // Only communication crosses the link: compute is the same simulation, to the bit.
    expect(byPart.compute!.slowdown).toBe(1);
    expect(byPart.total!.faultedNs! - byPart.total!.faultFreeNs).toBeCloseTo(byPart.exposedComm!.faultedNs! - byPart.exposedComm!.faultFreeNs, 6);
    expect(run.stdout).toMatch(/^# Faults: link gpu0->switch0 at 0\.5× capacity from 0 ns$/m);
    expect(run.stdout).toMatch(/^# {2}step total +[\d.]+ us +[\d.]+ us {3}1\.\d{3}x$/m);
    expect(run.stdout).toMatch(/^# outcome: slower 1\.\d{3}x \(\d+\.\d%\)$/m);
  });

  it('is deterministic, and a narrower link is slower still', () => {
    const half = degrade(0.5).faults;
    expect(degrade(0.5).faults).toEqual(half);
    const quarter = degrade(0.25).faults;
    expect(quarter.components[0]!.faultFreeNs).toBe(half.components[0]!.faultFreeNs);
    expect(quarter.components[0]!.slowdown!).toBeGreaterThan(half.components[0]!.slowdown!);
  });

  it('recursive doubling on 2 ranks: the step grows by the bucket over the capacity lost, (1/f) x S/B', () => {
    // rd on 2 ranks is one exchange of the whole bucket, S = 109,386 fp32 gradients = 437,544 B;
    // rank 0 -> rank 1 crosses gpu0->switch0 alone, B = 400 Gb/s x 0.98037 (RoCE payload
    // efficiency, hardware.json). Degraded to f, that transfer is the step's critical path, so
    // the step is affine in 1/f with slope S/B: T(f1) - T(f2) = (1/f1 - 1/f2) S/B.
    const transferNs = ((109_386 * 4) / ((400e9 / 8) * 0.98037)) * 1e9;
    const totalAt = (factor: number) => degrade(factor, 'rd').faults.components[0]!.faultedNs!;
    const [half, quarter, tenth] = [totalAt(0.5), totalAt(0.25), totalAt(0.1)];
    expect(quarter - half).toBeCloseTo((4 - 2) * transferNs, 3);
    expect(tenth - quarter).toBeCloseTo((10 - 4) * transferNs, 3);
  });
});

describe('weft train --straggler', () => {
  it('slow=2x doubles that rank\'s compute and no other', () => {
    const { run, faults, byPart } = trainWith(4, 2, ['--straggler', 'rank=1,slow=2x']);
    expect(run.code).toBe(0);
    const { faultFree, faulted } = faults.computeNsByRank;
    expect(faulted![1]! / faultFree[1]!).toBeCloseTo(2, 12);
    for (const rank of [0, 2, 3]) expect(faulted![rank]).toBe(faultFree[rank]);
    // The step's compute is the slowest rank's: the straggler's.
    expect(byPart.compute!.slowdown).toBeCloseTo(2, 12);
    // The step grows, but by no more than the straggler's extra compute: the collectives' own
    // fixed costs (NCCL's launch latency, local copies) are not stretched, and part of the
    // extra forward/backward time can hide behind the other ranks' communication.
    const extraTotal = byPart.total!.faultedNs! - byPart.total!.faultFreeNs;
    expect(extraTotal).toBeGreaterThan(0);
    expect(extraTotal).toBeLessThanOrEqual(byPart.compute!.faultedNs! - byPart.compute!.faultFreeNs + 1e-6);
    expect(faults.outcome).toBe('slower');
  });

  it('a start delay is not compute: the delayed rank computes as much as the others', () => {
    const { faults, byPart } = trainWith(4, 2, ['--straggler', 'rank=3,delay=100us']);
    expect(faults.computeNsByRank.faulted![3]).toBeCloseTo(faults.computeNsByRank.faultFree[3]!, 6);
    // Two steps: the first waits 100 us for rank 3, once, so the mean step is 50 us longer. (A
    // step's time spans the last rank's start to the last rank's end; the max of each rank's own
    // span counted the skew the delay leaves in every later step: hostile.md §24.)
    expect(byPart.total!.faultedNs! - byPart.total!.faultFreeNs).toBeCloseTo(50_000, 3);
  });
});

describe('weft train: faults that change nothing', () => {
  for (const [what, args] of [
    ['a zero start delay', ['--straggler', 'rank=1,delay=0us']],
    ['a link degraded after the run has ended', ['--fault', 'link=gpu0->switch0,degrade=0.5@1s']],
  ] as const) {
    it(`${what}: slowdown exactly 1 in every part, unaffected`, () => {
      const { run, faults } = trainWith(2, 2, [...args]);
      expect(run.code).toBe(0);
      expect(faults.outcome).toBe('unaffected');
      for (const c of faults.components) {
        expect(c.faultedNs).toBe(c.faultFreeNs);
        expect(c.slowdown).toBe(1);
      }
      expect(run.stdout).toMatch(/^# outcome: unaffected$/m);
    });
  }
});

describe('weft train --crash', () => {
  it('ends the run with one line naming the rank and the step, and the process exits', () => {
    // 4 ranks: a step takes about 85 us (NCCL's choice, ring/LL128, one rank per host: 8.5 us a
    // step, the Tree NET row NCCL charges with one GPU per node), so 150 us falls in step 2.
    const started = Date.now();
    const { run, faults } = trainWith(4, 5, ['--crash', 'rank=2@150us']);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2); // the injection note, then the error
    expect(lines[1]).toMatch(/^weft: rank 2 crashed at 150000 ns during step 2 of 5 \(injected fault\); the run stopped at \d+ ns/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(faults).toMatchObject({ outcome: 'failed', crash: { rank: 2, step: 2 }, reportIs: 'faultFree' });
    expect(faults.error).toMatch(/^RankCrashedError: rank 2 crashed/);
    expect(faults.components.every((c) => c.faultedNs === null && c.slowdown === null)).toBe(true);
    expect(run.stdout).toMatch(/^# outcome: failed: RankCrashedError: rank 2 crashed/m);
  });

  it('places the crash on the timeline of the other faults (a late start shifts the steps)', () => {
    // Rank 3 starts 300 us late: at 250 us every rank is still in step 1.
    const { run, faults } = trainWith(4, 5, ['--crash', 'rank=2@250us', '--straggler', 'rank=3,delay=300us']);
    expect(run.code).toBe(1);
    expect(faults.crash).toEqual({ rank: 2, step: 1 });
    expect(run.stderr).toMatch(/^weft: rank 2 crashed at 250000 ns during step 1 of 5 \(injected fault\)/m);
  });
});
