#!/usr/bin/env node
// The weak-scaling table of benchmarks/results/train.md §3: `weft train --scale` on the
// ~1B-parameter synthetic model (synthetic:params=1e9,layers=24,seq=2048, bf16, one sequence
// per GPU) on dgx-h100 from 8 to 16,384 GPUs, ring / tree / hierarchical / auto, run as a user
// runs it (the bundled CLI, no Node flags), with the machine, the load before and after, and
// the command's wall time, user CPU and peak RSS (from /usr/bin/time).
// Usage: node benchmarks/train-scale.mjs [--scale 8,64,512,4096,16384] [extra weft train flags…]
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../packages/cli/dist/bundle/main.js', import.meta.url));
const argv = process.argv.slice(2);
const scaleAt = argv.indexOf('--scale');
const scale = scaleAt >= 0 ? argv.splice(scaleAt, 2)[1] : '8,64,512,4096,16384';
const args = ['train', '--model', 'synthetic:params=1e9,layers=24,seq=2048', '--precision', 'bf16', '--topology', 'dgx-h100', '--scale', scale, ...argv];
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

console.log(`# machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; load before: ${load()}`);
console.log(`# command: weft ${args.join(' ')}`);
const run = spawnSync('/usr/bin/time', ['-f', '# wall %e s, user CPU %U s, system %S s, peak RSS %M KB', process.execPath, main, ...args], { stdio: 'inherit' });
console.log(`# exit ${run.status}; load after: ${load()}`);
process.exitCode = run.status ?? 1;
