// Ghost-mode scale benchmark: ring and hierarchical all-reduce of 1 GiB on DGX H100 pods,
// maxMin model. Reports wall time, simulated events, events/s and where the time goes.
//   npx tsc -b packages/runtime/tsconfig.json && node benchmarks/runtime-ghost.mjs [nodes...] [--algos ring,hierarchical] [--model maxMin] [--record full|summary]
// Results: benchmarks/results/runtime.md.
import os from 'node:os';
import { parseTopologySpec, rankGroups, hasReductionSwitch } from '@weft/fabric';
import { channelTapes, planCollective } from '@weft/collectives';
import { createCluster } from '@weft/runtime';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const algos = flag('--algos', 'ring,hierarchical').split(',');
const model = flag('--model', 'maxMin');
const bytesArg = Number(flag('--bytes', String(2 ** 30)));
// 'summary' keeps link totals but no per-flow records or utilization timelines (for scale).
const record = flag('--record', 'full');
const nodesList = args.length > 0 ? args.map(Number) : [128, 512];

console.log(`# weft ghost mode — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.version}; model ${model}, record ${record}, ${bytesArg / 2 ** 30} GiB float32 per rank\n`);
console.log('| topology | ranks | algorithm | plan ms | run wall s | simulated ms | events | events/s | rounds | steps | heap MiB |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const nodes of nodesList) {
  const topology = parseTopologySpec(`dgx-h100:nodes=${nodes}`);
  const nranks = topology.ranks.length;
  const cluster = await createCluster({ topology, network: { model, routing: 'ecmp', qps: 1, seed: 1, record }, mode: 'ghost' });
  for (const algorithm of algos) {
    const t0 = performance.now();
    const schedule = planCollective('allReduce', algorithm, {
      nranks, count: bytesArg / 4, root: 0, elementBytes: 4, channels: 1, chunkElements: 0,
      layout: { groups: rankGroups(topology), hasReductionSwitch: hasReductionSwitch(topology) },
    });
    const planMs = performance.now() - t0;
    // Counted on the tapes: reading p.channels would materialize every step as an object.
    const steps = schedule.participants.reduce((n, p) => n + channelTapes(p).reduce((m, tape) => m + tape.length, 0), 0);
    const result = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum' });
    const wallS = result.wallMs / 1000;
    const heap = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(`| dgx-h100:nodes=${nodes} | ${nranks} | ${algorithm} | ${planMs.toFixed(0)} | ${wallS.toFixed(2)} | ${(result.timeNs / 1e6).toFixed(3)} | ${result.events} | ${(result.events / wallS).toFixed(0)} | ${result.rounds} | ${steps} | ${heap.toFixed(0)} |`);
  }
  await cluster.close();
}
