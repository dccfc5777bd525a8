/**
 * `weft train` end to end, run as a user runs it (node packages/cli/dist/bundle/main.js train …).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { weft, type WeftRun } from './cli/run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-train-'));

/** A user error: exit 2, one line on stderr naming the problem (and, if caught before the run, nothing on stdout). */
function expectUsageError(run: WeftRun, pattern: RegExp, beforeRun = true): void {
  expect(run.code).toBe(2);
  if (beforeRun) expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^weft: /);
  expect(run.stderr.trimEnd()).toMatch(pattern);
}

describe('weft train: MNIST MLP on 2 emulated GPUs', () => {
  const out = join(tmp, 'mlp.json');
  const plot = join(tmp, 'mlp.svg');
  let run: WeftRun;
  beforeAll(() => {
    // 150 steps of global batch 64 (32 per rank) = 1.07 epochs of the 9,000 training digits.
    run = weft(['train', '--model', 'mlp', '--ranks', '2', '--steps', '150', '--out', out, '--plot', plot]);
  }, 300_000);

  it('reaches at least 90% accuracy on the 1,000 held-out digits within 150 steps', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.finalAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(run.stdout).toMatch(/^# final: last-step loss \d\.\d{4}, test accuracy (9\d|100)\.\d\d%; replicas bit-identical on all 2 ranks/m);
  });

  it('prints a header, one line per epoch (the last partial) and a summary', () => {
    expect(run.stdout).toMatch(/^# weft train: mlp \(109,386 parameters, mnist\) on switch:2 \(2 ranks\), data mode$/m);
    expect(run.stdout).toMatch(/^# backend: (tensorflow|wasm|cpu)\b/m);
    const epochs = run.stdout.split('\n').filter((line) => line.startsWith('epoch'));
    expect(epochs).toHaveLength(2);
    expect(epochs[0]).toMatch(/^epoch {3}1 {3}step {4}140 {2}mean loss \d\.\d{4} {2}test accuracy \d+\.\d\d% {2}emulated step [\d.]+ (ns|us|ms) \(compute/);
    expect(epochs[1]).toMatch(/^epoch {3}2\* {2}step {4}150 /);
    expect(run.stdout).toMatch(/^# scaling efficiency \d+\.\d\d% of 2 x one rank \(compute \/ total\)/m);
  });

  it('writes the loss curve and a step-time breakdown whose parts add up', () => {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.perStep).toHaveLength(150);
    expect(report.perStep.every((s: { loss: number }) => Number.isFinite(s.loss))).toBe(true);
    expect(report.perStep[0].loss).toBeGreaterThan(report.finalLoss + 1);
    // The labels say what the JSON holds: an epoch's `mean loss` is its steps' mean, `last-step loss` the last step's.
    const losses = report.perStep.map((s: { loss: number }) => s.loss);
    expect(report.epochs[0].loss).toBeCloseTo(losses.slice(0, 140).reduce((a: number, b: number) => a + b, 0) / 140, 12);
    expect(report.finalLoss).toBe(losses[149]);
    expect(run.stdout).toContain(`# final: last-step loss ${report.finalLoss.toFixed(4)}`);
    expect(run.stdout).toContain(`mean loss ${report.epochs[0].loss.toFixed(4)}`);
    expect(report.replicas.identical).toBe(true);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(report.backend);
    expect(report.config).toMatchObject({ model: 'mlp', mode: 'data', steps: 150, globalBatch: 64, learningRate: 0.1, network: 'maxMin' });
    // One bucket on one switch, no contention, NCCL's choice (ring/LL128): the simulated
    // step is NCCL's cost model of it (36.188 us for 2 ranks) to within 0.1 %; the model
    // is exact for the textbook settings (packages/train/test/train-cluster.test.ts).
    const t = report.stepTime;
    expect(Math.abs(t.totalNs - report.predicted.totalNs)).toBeLessThan(1e-3 * report.predicted.totalNs);
    expect(t.totalNs).toBeGreaterThan(t.computeNs);
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('training loss');
    expect(svg).toContain('emulated step time');
  });
});

describe('weft train: emulated time at scale (ghost mode)', () => {
  it('times a 1B-parameter model on two DGX H100 nodes without tensors', () => {
    const out = join(tmp, 'ghost.json');
    const run = weft(['train', '--model', 'synthetic:params=1e9,seq=2048', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost',
      '--algo', 'hierarchical', '--steps', '1', '--global-batch', '16', '--precision', 'bf16', '--out', out,
      // It takes under a second: a rank silent for 60 s is named by weft's watchdog (a CI run of
      // 2026-11-27 waited out the harness's 300 s here once, with no word of where; not reproduced
      // in 400 runs since), and the harness gives up soon after.
      '--timeout', '60'], { timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ config: { mode: 'ghost', precision: 'bf16' }, backend: 'none (ghost)', topology: { spec: 'dgx-h100:nodes=2', ranks: 16 }, gradientBytesPerElement: 2, wireBytesPerElement: 2 });
    // 2·weights·tokens forward for one 2048-token sequence per rank at 989.4 TFLOP/s × 0.4
    // (24 layers of width 6454: the biases, 24·6454, are not matmul work).
    const weights = report.model.parameters - 24 * 6454;
    expect(report.stepTime.forwardNs).toBeCloseTo(((2 * weights * 2048) / (989.4e12 * 0.4)) * 1e9, 0);
    // Hierarchical on two DGX nodes barely contends: the simulated step (37.66 ms) is within
    // 1% of the alpha-beta prediction, and communication is exposed (efficiency below 1).
    expect(Math.abs(report.stepTime.totalNs / report.predicted.totalNs - 1)).toBeLessThan(0.01);
    expect(report.stepTime.scalingEfficiency).toBeLessThan(1);
  });

  it("predict mode: step times labelled predicted, not emulated, and no per-step wall time (no rank ran; it printed 0.0 ms per step)", () => {
    const run = weft(['train', '--model', 'mlp', '--ranks', '8', '--mode', 'predict', '--steps', '5']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# predicted \(alpha-beta, no contention\): [\d.]+ us per step/m);
    expect(run.stdout).toMatch(/^# wall: \d+\.\d\d s in all, no ranks run in predict mode$/m);
    expect(run.stdout).toMatch(/^epoch {3}1 {3}step {6}5  predicted step [\d.]+ us \(compute/m);
    expect(run.stdout).toMatch(/^# predicted step: compute /m);
    expect(run.stdout).not.toContain('emulated');
  });
});

describe('weft train: errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['a batch that does not split over the ranks', ['--ranks', '3', '--global-batch', '64'], /--global-batch 64 is not divisible by the 3 ranks; use a multiple of 3/],
    ['an unknown model', ['--model', 'resnet50'], /--model: unknown model 'resnet50'; accepted: mlp, cnn, synthetic:params=N/],
    ['a malformed synthetic model', ['--model', 'synthetic:params=lots'], /--model params: 'lots' is not a count/],
    ['an unknown algorithm', ['--algo', 'bogus'], /^weft: --algo: 'bogus' is not accepted; use one of auto, ring, tree/],
    ['a channel count out of range', ['--channels', '0'], /^weft: --channels: '0' is not accepted; use auto or a whole number from 1 to 64$/],
    ['a chunk that is no size', ['--chunk', 'fast'], /^weft: --chunk: 'fast' is not a size; use auto or a whole number of bytes/],
    ['an unknown device', ['--device', 'tpu-v5'], /^weft: --device: 'tpu-v5' is not accepted; use one of h100, b200, gb300$/],
    ['an unknown precision', ['--precision', 'fp8'], /^weft: --precision: 'fp8' is not accepted; use one of fp32, bf16$/],
    ['a mode named after an Object.prototype key', ['--mode', 'constructor'], /^weft: --mode: 'constructor' is not accepted; use one of data, ghost, predict$/],
    ['a device named after an Object.prototype key', ['--device', 'constructor'], /^weft: --device: 'constructor' is not accepted; use one of h100, b200, gb300$/],
    ['an unknown network model', ['--network', 'packetz'], /^weft: --network: 'packetz' is not accepted; use one of alphaBeta, maxMin, packet$/],
    ['a learning rate that is not a number', ['--lr', 'fast'], /^weft: --lr: 'fast' is not accepted; use a number > 0 and <= 1000000$/],
    ['zero steps', ['--steps', '0'], /--steps: '0' is not accepted; use a whole number from 1 to/],
    ['a zero bucket', ['--bucket-mb', '0'], /--bucket-mb: '0' is not accepted/],
    ['both --ranks and --topology', ['--ranks', '2', '--topology', 'switch:2'], /--topology and --ranks both given/],
    ['a plot that is not SVG', ['--plot', join(tmp, 'loss.png')], /--plot: '.*loss\.png' must end in \.svg/],
    ['an output in a missing directory', ['--out', join(tmp, 'missing', 'r.json')], /--out: cannot write .* does not exist/],
    ['an unknown option', ['--epochs', '3'], /unknown option '--epochs'/],
  ];
  for (const [what, args, pattern] of cases) {
    it(`rejects ${what}`, () => expectUsageError(weft(['train', ...args]), pattern));
  }

  it('refuses a model that does not fit the device memory, and accepts it on a larger device', () => {
    const args = ['train', '--model', 'synthetic:params=10B', '--mode', 'ghost', '--ranks', '2', '--global-batch', '2', '--steps', '1', '--bucket-mb', '1024'];
    expectUsageError(weft([...args, '--device', 'h100']), /--model synthetic:params=10B does not fit h100 memory: needs 160\.0 GB per rank .* but the device has 80\.0 GB/);
    const b200 = weft([...args, '--device', 'b200']);
    expect(b200.stderr).toBe('');
    expect(b200.code).toBe(0);
  });

  it("refuses a data-mode run whose worker threads do not fit this machine, naming the estimate; the same in ghost mode runs", () => {
    // 1,024 ranks: 1,024 threads x 160 MB of TensorFlow.js (checks.ts WORKER_THREAD_BYTES) = 164 GB, beyond
    // half of any machine this runs on; the tensors alone (1.8 GB) passed the check before it counted threads.
    const args = ['train', '--model', 'mlp', '--ranks', '1024', '--global-batch', '1024', '--steps', '1'];
    expectUsageError(
      weft(args, { timeoutMs: 60_000 }),
      /^weft: --model mlp on 1024 ranks needs about 165\.9 GB of this machine's memory in data mode \(1024 worker threads x 160 MB for TensorFlow\.js, 1\.8 GB of tensors, 0\.2 GB of process; half the machine is [\d.]+ GB\); use fewer --ranks, or --mode ghost to time it without tensors$/,
    );
    const ghost = weft([...args, '--mode', 'ghost'], { timeoutMs: 60_000 });
    expect(ghost.stderr).toBe('');
    expect(ghost.code).toBe(0);
  });

  it('refuses ranks sharing a thread under the wasm backend in one line, and runs them under cpu', () => {
    const args = ['train', '--model', 'mlp', '--ranks', '4', '--ranks-per-worker', '2', '--steps', '1'];
    // Before: "--backend wasm: it does not load here (tf.setBackend('wasm') failed)", from a rank, after the header.
    expectUsageError(weft([...args, '--backend', 'wasm']), /^weft: --ranks-per-worker 2: the wasm backend starts once per worker thread, not once per rank; use --ranks-per-worker 1, or --backend cpu to share threads$/);
    const cpu = weft([...args, '--backend', 'cpu']);
    expect(cpu.stderr).toBe('');
    expect(cpu.code).toBe(0);
  });

  it('stops every rank and exits when a rank throws (training diverges)', () => {
    const started = Date.now();
    const run = weft(['train', '--ranks', '2', '--lr', '1e5', '--steps', '50'], { timeoutMs: 120_000 });
    // The header was printed when the run started; the error ends it.
    expectUsageError(run, /^weft: rank \d: loss is (NaN|Infinity) at step \d+: training diverged; lower --lr$/, false);
    expect(run.stdout).not.toMatch(/^# final/m);
    // The process ended on its own (main sets exitCode, never calls exit): no worker or
    // channel was left holding the event loop open.
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it('forces a backend, or says in one line why it does not load here', () => {
    const run = weft(['train', '--ranks', '1', '--steps', '1', '--backend', 'node']);
    if (run.code === 0) expect(run.stdout).toMatch(/^# backend: tensorflow/m);
    else expectUsageError(run, /^weft: --backend node: it does not load here \(.+\); use auto, wasm, cpu \(auto takes the first that loads\)$/);
    const cpu = weft(['train', '--ranks', '1', '--steps', '1', '--backend', 'cpu']);
    expect(cpu.code).toBe(0);
    expect(cpu.stdout).toMatch(/^# backend: cpu$/m);
  });
});
