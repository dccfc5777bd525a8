// The main job (`weft` with no arguments: data mode, dgx-h100:nodes=2, all-reduce 8 B–128 MiB ×2,
// NCCL's choice per size, #wrong check) run size by size through the runtime API, with each
// run's phases: prepare (place buffers, fill inputs), simulate (the coordinated collective),
// check (#wrong). One cluster for the whole sweep, as the CLI does.
//   npx -y pnpm@10.34.8 run build && node benchmarks/runtime-mainjob.mjs [minBytes] [maxBytes]
// Results: benchmarks/results/runtime.md.
import os from 'node:os';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { planAuto } from './weft-auto.mjs';

const minBytes = Number(process.argv[2] ?? 8);
const maxBytes = Number(process.argv[3] ?? 2 ** 27);
const topology = parseTopologySpec('dgx-h100:nodes=2');

console.log(`# weft main job by phase — ${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.version}\n`);
console.log('| bytes | algorithm | proto | channels | simulated µs | rounds | prepare ms | simulate ms | check ms | wall ms | #wrong |');
console.log('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const cluster = await createCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1, record: 'summary' }, mode: 'data' });
const start = performance.now();
try {
  for (let bytes = minBytes; bytes <= maxBytes; bytes *= 2) {
    const { choice, schedule } = planAuto(topology, bytes);
    const r = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: true });
    const p = r.phasesMs;
    console.log(`| ${bytes} | ${choice.algorithm.name} | ${choice.params.protocol} | ${choice.params.channels} | ${(r.timeNs / 1000).toFixed(2)} | ${r.rounds} | ${p.prepareMs.toFixed(1)} | ${p.simulateMs.toFixed(1)} | ${p.checkMs.toFixed(1)} | ${r.wallMs.toFixed(1)} | ${r.wrong} |`);
  }
} finally {
  await cluster.close();
}
console.log(`\nsweep ${(performance.now() - start).toFixed(0)} ms`);
