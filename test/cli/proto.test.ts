/**
 * `--proto` and `--explain` as a user runs them: NCCL's protocols per size, NCCL's tuner's
 * choice among (algorithm, protocol) candidates, and why. Ghost mode (simulated time is the
 * same as data mode's; data mode's #wrong is covered by packages/runtime/test/ring-time.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FAST_FORWARD_AUTO_TRANSFERS } from '@weft/runtime/core';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

interface Row {
  readonly algorithm: string;
  readonly bytes: number;
  readonly protocol: string | null;
  readonly channels: number;
  readonly chunkBytes: number;
  readonly timeUs: number;
  readonly busBwGBps: number;
  readonly predictedUs: number;
  readonly candidates?: { algorithm: string; protocol: string | null; predictedUs: number | null; simulatedUs: number | null; chosen: boolean }[];
}

function bench(args: readonly string[]): { rows: Row[]; proto: string } {
  const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--format', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

const choices = (rows: readonly Row[]) => rows.map((r) => `${r.bytes}:${r.algorithm}/${r.protocol}`);

describe('weft bench --proto', () => {
  it('runs the protocol asked for at every size, and the table shows it in the proto column', () => {
    for (const proto of ['LL', 'LL128', 'Simple']) {
      const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '--algo', 'ring,tree,auto', '--proto', proto, '-b', '1K', '-e', '1M', '-f', '32']);
      expect(run.code).toBe(0);
      const rows = tableRows(run.stdout);
      expect(rows).toHaveLength(3 * 3);
      for (const row of rows) expect(row[COL.proto]).toBe(proto);
    }
  });

  it('LL pays the least latency and Simple the most: at 1 KiB, LL < LL128 < Simple (launch + steps, NCCL tuning.cc)', () => {
    const time = (proto: string) => bench(['--topology', 'dgx-h100:nodes=1', '--algo', 'ring', '--proto', proto, '-b', '1K', '-e', '1K']).rows[0]!.timeUs;
    const [ll, ll128, simple] = [time('LL'), time('LL128'), time('Simple')];
    // Ring on 8 ranks: baseLat + 14 steps of hwLat (NVLink row): 6.6 + 14·0.6, 14 + 14·1.9, 8.4 + 14·3.4 µs.
    expect(ll).toBeCloseTo(6.6 + 14 * 0.6, 1);
    expect(ll128).toBeCloseTo(14 + 14 * 1.9, 1);
    expect(simple).toBeCloseTo(8.4 + 14 * 3.4, 1);
  });

  it('bad --proto: one line naming the value and what is accepted, exit 2', () => {
    expectUsageError(weft(['bench', 'allreduce', '--proto', 'll256']), /^weft: --proto: 'll256' is not accepted; use LL, LL128, Simple or auto$/);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '--algo', 'rd', '--proto', 'LL']), /^weft: --proto LL: 'rd' is a textbook algorithm without NCCL protocols; --proto applies to NCCL's algorithms \(ring, tree, nvls, nvlstree\), or use --proto auto$/);
  });
});

describe('auto = NCCL\'s tuner: (algorithm, protocol) per size', () => {
  it('dgx-h100:nodes=1: ring/LL at small sizes (one server\'s tree is a chain: 15.2 µs against the ring\'s 15.0 in NCCL\'s model), NVLS/Simple from 8 MiB (there NCCL\'s model picks ring/LL128, 83.7 µs here; weft\'s NVLS simulates 80.5), NVLS/Simple at the largest (as NCCL on 8× Hopper)', () => {
    const { rows } = bench(['--topology', 'dgx-h100:nodes=1', '--algo', 'auto', '-b', '8', '-e', '1G', '-f', '32']);
    expect(choices(rows)).toEqual([
      '8:auto(ring)/LL',
      '256:auto(ring)/LL',
      '8192:auto(ring)/LL',
      '262144:auto(ring)/LL',
      // 8 MiB over 24 channels and 8 ranks is a 43.7 KB block per step: NCCL's prims move it as
      // 32 KiB + 11.7 KB (prims_simple.h genericOp's slice floor), so each hop waits out Simple's
      // 3.4 µs behind the 32 KiB slice: 86.4 µs, against LL128's 83.7 (1.9 µs per step, 120/128 of
      // the wire). It was ring/Simple (77.2 µs) while weft cut every block in two even halves.
      // NCCL's own model agrees: 8.4 + 14·3.4 + 39.7 ≈ 95.7 µs for Simple, 14 + 14·1.9 + 39.7/0.92
      // ≈ 83.8 for LL128 (tuning.cc baseLat, hwLat; 370 GB/s bus bandwidth). NVLS/Simple beats
      // both (80.5 µs simulated): with 2 chunks per part it runs as a chain, every input up, the
      // first store, every multicast down, predicted 81.1 (nvls.ts nvlsChainNs; 86.1 as 4 rounds).
      '8388608:auto(nvls)/Simple',
      '268435456:auto(nvls)/Simple',
    ]);
  });

  it('dgx-h100:nodes=2: Tree up to the middle, as NCCL runs it on 2 servers: tree/LL at small sizes (one NET step each way instead of the ring\'s four), tree/LL128 in the middle (weft\'s rule) or NVLSTree (NCCL\'s, the default), NVLSTree/Simple at 256 MiB', () => {
    // NCCL's own model (the default rule on a GPU preset): NVLSTree from 1 MiB (nccl-tuner.ts).
    const nccl = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'auto', '-b', '8', '-e', '1G', '-f', '32']).rows;
    expect(choices(nccl)).toEqual(['8:auto(tree)/LL', '256:auto(tree)/LL', '8192:auto(tree)/LL', '262144:auto(tree)/LL128', '8388608:auto(nvlstree)/Simple', '268435456:auto(nvlstree)/Simple']);
    // weft's own predictors: what simulates fastest.
    const { rows } = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'auto', '--tuner', 'weft', '-b', '8', '-e', '1G', '-f', '32']);
    // 8 MiB and 256 MiB were ring/LL128 and ring/Simple while the tree predictor charged both
    // of its waves on every link for the whole run (8 MiB: 98.1 µs predicted, 76.5 simulated;
    // ring/LL128 99.1); tree-pipeline.ts.
    expect(choices(rows)).toEqual([
      '8:auto(tree)/LL',
      '256:auto(tree)/LL',
      '8192:auto(tree)/LL',
      '262144:auto(tree)/LL',
      '8388608:auto(tree)/LL128',
      // tree/Simple (1282 µs) while nvlstree ran 2 MiB chunks and its head's inputs waited on
      // its tree work (1340 µs); at NCCL's NVLSTree chunk (1 MiB per part here) 1133 µs.
      '268435456:auto(nvlstree)/Simple',
    ]);
    // 76.52 µs while a tree rank sent a chunk to its children one after another; 73.73 since
    // it posts to all of them at once (steps.ts fanOut, as NCCL's prims).
    expect(rows.find((r) => r.bytes === 8388608)!.timeUs).toBeCloseTo(73.73, 1);
  });

  it("NCCL's LL cap (tuning.cc llMaxBws: 39 GB/s on 2 servers of non-AMD hosts, 141 on one Hopper server) binds on 2 servers; auto moves to tree/LL128 from 512 KiB on 2 servers", () => {
    // 2 servers: ring/LL's bandwidth-bound busbw is the cap (96 GB/s uncapped, 16 rings two
    // per 48 GB/s NIC, stretched by 96 / 39); at 64 MiB the launch and the pipeline's fill
    // take 0.3 %: the time is at least launch + bytes / (39 GB/s · 16/30) and within 0.5 % of it.
    const [capped] = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'ring', '--proto', 'LL', '-b', '64M', '-e', '64M']).rows;
    const boundUs = 6.6 + (64 * 2 ** 20) / (39e3 * (16 / 30));
    expect(capped!.busBwGBps).toBeLessThan(39);
    expect(capped!.timeUs).toBeGreaterThanOrEqual(boundUs);
    expect(capped!.timeUs).toBeLessThan(boundUs * 1.005);
    expect(Math.abs(capped!.predictedUs / capped!.timeUs - 1)).toBeLessThan(1e-3);
    // auto at 256 KiB – 2 MiB on 2 servers: tree/LL up to 256 KiB, then tree/LL128 (was tree/LL
    // to 2 MiB, 66 GB/s busbw there). NCCL's model at 2 MiB: Tree/LL 6.8 + 2·(7·0.6 + 5.0) =
    // 25.2 µs + 2 MiB / 19.5 GB/s = 133 µs against Tree/LL128's 14 + 2·(7·1.25 + 8.5) = 48.5 µs
    // + 2 MiB at its uncapped bandwidth: LL128.
    // (One server, where the cap does not bind: packages/collectives/test/protocols.test.ts.)
    // (weft's rule: NCCL's own model weighs the cap too, but picks NVLSTree at 2 MiB: test/cli/tuner.test.ts.)
    const { rows } = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'auto', '--tuner', 'weft', '-b', '256K', '-e', '2M', '-f', '8']);
    expect(choices(rows)).toEqual(['262144:auto(tree)/LL', '2097152:auto(tree)/LL128']);
  });

  it('--explain lists every candidate predicted, simulated in ghost mode, the chosen one the fastest predicted', () => {
    const { rows } = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'auto', '-b', '4K', '-e', '4K', '--explain']);
    const [row] = rows;
    expect(row!.candidates!.map((c) => `${c.algorithm}/${c.protocol}`)).toEqual(['ring/LL', 'ring/LL128', 'ring/Simple', 'tree/LL', 'tree/LL128', 'tree/Simple', 'nvls/Simple', 'nvlstree/Simple']);
    const chosen = row!.candidates!.filter((c) => c.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.simulatedUs).toBeCloseTo(row!.timeUs, 6);
    // nvls runs on one NVSwitch domain only: on two servers it is a candidate that cannot run, with the reason.
    expect(row!.candidates!.find((c) => c.algorithm === 'nvls')).toMatchObject({ predictedUs: null, simulatedUs: null });
    for (const c of row!.candidates!.filter((c) => c.algorithm !== 'nvls')) {
      expect(c.simulatedUs).toBeGreaterThan(0);
      expect(c.predictedUs!).toBeGreaterThanOrEqual(chosen[0]!.predictedUs!);
    }
    const table = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '4K', '-e', '4K', '--explain']);
    expect(table.stdout).toMatch(/^# Candidates: auto\(\w+\), 4096 B$/m);
    expect(table.stdout).toMatch(/<- chosen$/m);
  });

  it('--explain simulates a candidate only within --exact-limit transfers; the others say so and keep their prediction', () => {
    // 64 MiB on 2 servers: ring/LL and tree/LL post 61,440 transfers each (LL's small steps);
    // every other candidate far fewer.
    const args = ['--topology', 'dgx-h100:nodes=2', '--algo', 'auto', '-b', '64M', '-e', '64M', '--explain'];
    const full = bench(args).rows[0]!.candidates!;
    const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--format', 'json', ...args, '--exact-limit', '20000']);
    expect(run.code).toBe(0);
    const bounded = JSON.parse(run.stdout).rows[0].candidates as (Row['candidates'] & object)[number][];
    const skipped = bounded.filter((c) => (c as { notSimulated?: string }).notSimulated !== undefined);
    expect(skipped.map((c) => `${c.algorithm}/${c.protocol}`)).toEqual(['ring/LL', 'tree/LL']);
    for (const c of skipped) {
      expect(c.simulatedUs).toBeNull();
      expect((c as { notSimulated?: string }).notSimulated).toBe('over budget: 61,440 transfers to run exactly (--exact-limit 20,000)');
    }
    // Every other candidate is the same as without the limit: predicted and simulated.
    const rest = (cs: typeof bounded) => cs.filter((c) => c.algorithm !== 'ring' && c.algorithm !== 'tree' || c.protocol !== 'LL');
    expect(rest(bounded)).toEqual(rest(full));
    expect(full.filter((c) => c.protocol === 'LL').every((c) => c.simulatedUs! > 0)).toBe(true);
    const table = weft(['bench', 'allreduce', '--mode', 'ghost', ...args, '--exact-limit', '20000']);
    // (the column before the note is NCCL's own model's time: test/cli/tuner.test.ts)
    expect(table.stdout).toMatch(/^#   ring\s+LL\s+3235\.69\s+-\s+[\d.]+\s+\(not simulated: over budget: 61,440 transfers to run exactly \(--exact-limit 20,000\)\)$/m);
    expectUsageError(weft(['bench', 'allreduce', '--mode', 'ghost', ...args, '--exact-limit', 'lots']), /^weft: --exact-limit: 'lots' is not accepted/);
    // The default is weft train --scale's budget, the runtime's threshold for fast-forwarding.
    const help = weft(['bench', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help.split('--exact-limit <transfers>')[1]!.split(' --fast-forward <mode>')[0]).toMatch(new RegExp(`\\(default: "${FAST_FORWARD_AUTO_TRANSFERS}"\\)$`));
  });
});

describe('--chunk auto (the default): each algorithm pipelines in NCCL\'s chunk', () => {
  it('ring/Simple in 2 MiB chunks (4 steps of 512 KiB), tree/Simple in 512 KiB (one step); --chunk sets both', () => {
    const auto = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'ring,tree', '--proto', 'Simple', '-b', '64M', '-e', '64M']);
    expect(auto.rows.map((r) => `${r.algorithm}:${r.chunkBytes}`)).toEqual(['ring:2097152', 'tree:524288']);
    const given = bench(['--topology', 'dgx-h100:nodes=2', '--algo', 'ring,tree', '--proto', 'Simple', '-b', '64M', '-e', '64M', '--chunk', '1M']);
    expect(given.rows.map((r) => `${r.algorithm}:${r.chunkBytes}`)).toEqual(['ring:1048576', 'tree:1048576']);
  });

  it("tree/LL moves 32 KiB chunks and tree/LL128 halves its 576,000 B step for mid sizes (NCCL enqueue.cc), so a tree pipelines", () => {
    // 16 servers, 8 MiB, 16 channels: 512 KiB per channel. LL: 16 chunks of one LL step.
    // LL128: nstepsLL128 = 1 + log2(16) + 0.1·8 = 5.8; 576000 halves to 36000 (14 chunks ≥ 5.8·16/8).
    const rows = ['LL', 'LL128'].map((proto) => bench(['--topology', 'dgx-h100:nodes=16', '--algo', 'tree', '--proto', proto, '-b', '8M', '-e', '8M']).rows[0]!);
    expect(rows.map((r) => `${r.protocol}:${r.chunkBytes}`)).toEqual(['LL:32768', 'LL128:36000']);
    // Pipelined, LL128 stays near its prediction (1.28× with 2 MiB chunks), and LL runs in
    // well under half the time of its 2 MiB chunks (283.5 µs against 770.6). LL's own
    // prediction is 1.31× short on 16 servers (the inner NICs' gap: tree.ts predictNs).
    expect(rows[1]!.timeUs / rows[1]!.predictedUs).toBeLessThan(1.2);
    const unpipelined = bench(['--topology', 'dgx-h100:nodes=16', '--algo', 'tree', '--proto', 'LL', '-b', '8M', '-e', '8M', '--chunk', '2M']).rows[0]!;
    expect(rows[0]!.timeUs).toBeLessThan(0.5 * unpipelined.timeUs);
  });

  it('a bad --chunk names the value and what is accepted', () => {
    expectUsageError(weft(['bench', 'allreduce', '--chunk', 'automatic']), /^weft: --chunk: 'automatic' is not a size; use a whole number of bytes/);
  });
});
