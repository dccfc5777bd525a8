// Per-round overhead of the coordinator protocol: a small, chunked ring all-reduce (many
// rounds, little data) in data mode with several worker layouts, and in ghost mode.
//   npx tsc -b packages/runtime/tsconfig.json && node benchmarks/runtime-rounds.mjs
import { parseTopologySpec, rankGroups, hasReductionSwitch } from '@weft/fabric';
import { planCollective } from '@weft/collectives';
import { createCluster } from '@weft/runtime';

const n = 16;
const topology = parseTopologySpec(`switch:${n}`);
const schedule = planCollective('allReduce', 'ring', {
  nranks: n, count: 16_000, root: 0, elementBytes: 4, channels: 2, chunkElements: 250,
  layout: { groups: rankGroups(topology), hasReductionSwitch: hasReductionSwitch(topology) },
});
console.log(`| mode | workers | rounds | collective ms (best of 5) | µs per round |`);
console.log('|---|---:|---:|---:|---:|');
for (const [mode, ranksPerWorker] of [['data', 1], ['data', 4], ['data', 8], ['data', 16], ['ghost', 16]]) {
  const cluster = await createCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1 }, mode, ranksPerWorker });
  let best = Infinity;
  let rounds = 0;
  for (let i = 0; i < 6; i++) {
    const r = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false });
    if (i > 0) best = Math.min(best, r.phasesMs.simulateMs);
    rounds = r.rounds;
  }
  await cluster.close();
  const workers = mode === 'ghost' ? 0 : n / ranksPerWorker;
  console.log(`| ${mode} | ${workers} | ${rounds} | ${best.toFixed(1)} | ${((1000 * best) / rounds).toFixed(1)} |`);
}
