#!/usr/bin/env node
// Wall time per training step on this machine: MNIST MLP and CNN, 1/2/4 ranks, for each
// TensorFlow.js backend that loads here. Median step time on rank 0 (worker start-up and
// data loading excluded), data mode, ring all-reduce, switch:N.
// Usage: node benchmarks/train-wall.mjs [--steps N] [--backends wasm,cpu]   (after `pnpm build`)
import { cpus, totalmem } from 'node:os';
import { parseTopologySpec } from '@weft/fabric';
import { loadBackend, parseTrainConfig, train } from '../packages/train/dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const steps = Number(arg('--steps', '12'));
const requested = arg('--backends', 'node,wasm,cpu').split(',');
// CNN steps on the pure-JS cpu backend take seconds; fewer of them keep the sweep short.
const stepsFor = (model, backend) => (model === 'cnn' && backend === 'cpu' ? Math.min(steps, 4) : steps);

const backends = [];
for (const choice of requested) {
  try {
    await loadBackend(choice);
    backends.push(choice);
  } catch (error) {
    console.log(`# backend ${choice} skipped: ${error.message.split('\n')[0]}`);
  }
}

console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`# global batch 64, ring all-reduce on switch:N, fp32, median step wall time on rank 0`);
console.log('| model | backend | ranks | per-rank batch | wall ms/step | emulated step (H100) | steps timed |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const model of ['mlp', 'cnn']) {
  for (const backend of backends) {
    for (const ranks of [1, 2, 4]) {
      const n = stepsFor(model, backend);
      const { report } = await train(parseTrainConfig({ model, steps: n, backend }), parseTopologySpec(`switch:${ranks}`));
      const emulatedUs = (report.stepTime.totalNs / 1e3).toFixed(2);
      console.log(`| ${model} | ${report.backend} | ${ranks} | ${64 / ranks} | ${report.wallMsPerStep.toFixed(1)} | ${emulatedUs} us | ${n} |`);
    }
  }
}
