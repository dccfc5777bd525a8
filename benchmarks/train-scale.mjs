#!/usr/bin/env node
// Emulated step time and scaling efficiency of data-parallel training of a ~1B-parameter
// model (synthetic:params=1e9,seq=2048: 24 dense layers of width 6454, one 2048-token
// sequence per GPU, bf16) on dgx-h100:nodes=K, for ring, tree and hierarchical all-reduce.
// Ghost mode (simulated fabric, no tensors) where it finishes within the wall budget; the
// alpha-beta prediction (no contention) for every size.
// Usage: node benchmarks/train-scale.mjs [--max-gpus 1024] [--budget-s 120] [--seq-per-gpu 1]
//        [--algos ring,tree,hierarchical] [--predict-only]
import { cpus, totalmem } from 'node:os';
import { parseTopologySpec } from '@weft/fabric';
import { parseModelSpec, parseTrainConfig, train } from '../packages/train/dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const maxGpus = Number(arg('--max-gpus', '1024'));
const budgetS = Number(arg('--budget-s', '120'));
const seqPerGpu = Number(arg('--seq-per-gpu', '1'));
const algorithms = arg('--algos', 'ring,tree,hierarchical').split(',');
const predictOnly = process.argv.includes('--predict-only');
const model = parseModelSpec('synthetic:params=1e9,layers=24,seq=2048');

const run = (nodes, algorithm, mode) =>
  train(
    parseTrainConfig({ model: model.name, mode, algorithm, steps: 1, globalBatch: nodes * 8 * seqPerGpu, precision: 'bf16' }),
    parseTopologySpec(`dgx-h100:nodes=${nodes}`),
  );

const ms = (ns) => (ns / 1e6).toFixed(2);
const pct = (f) => `${(f * 100).toFixed(1)}%`;
console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`# ${model.name}, ${seqPerGpu} sequence(s) of 2048 tokens per GPU, bf16 (2-byte gradients), H100 at 0.40 x 989.4 TFLOP/s, 25 MiB buckets, 1 channel, 2 MiB chunks, maxMin/ecmp; ghost budget ${budgetS} s per run`);
console.log('| GPUs | algorithm | compute ms | step ms (simulated) | exposed comm ms | all-reduce busy ms | efficiency | step ms (predicted) | efficiency (predicted) | wall s |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const overBudget = new Set(predictOnly ? algorithms : []);
for (let nodes = 1; nodes * 8 <= maxGpus; nodes *= 2) {
  for (const algorithm of algorithms) {
    const predicted = (await run(nodes, algorithm, 'predict')).report;
    let simulated = '| — | — | — | — ';
    let wall = 'skipped';
    if (!overBudget.has(algorithm)) {
      const start = performance.now();
      const { report } = await run(nodes, algorithm, 'ghost');
      const seconds = (performance.now() - start) / 1000;
      const t = report.stepTime;
      simulated = `| ${ms(t.totalNs)} | ${ms(t.exposedCommNs)} | ${ms(t.commBusyNs)} | ${pct(t.scalingEfficiency)} `;
      wall = seconds.toFixed(1);
      // The next size costs ~4x (every rank plans every participant's schedule): stop early.
      if (seconds * 4 > budgetS) overBudget.add(algorithm);
    }
    const p = predicted.predicted;
    console.log(`| ${nodes * 8} | ${algorithm} | ${ms(predicted.compute.computeNs)} ${simulated}| ${ms(p.totalNs)} | ${pct(p.scalingEfficiency)} | ${wall} |`);
  }
}
