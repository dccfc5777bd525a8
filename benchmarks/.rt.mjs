import { parseTopologySpec, rankGroups, hasReductionSwitch } from '@weft/fabric';
import { planCollective } from '@weft/collectives';
import { createCluster } from '@weft/runtime';
const n = Number(process.argv[2] ?? 16), rpw = Number(process.argv[3] ?? 4);
const topology = parseTopologySpec(`switch:${n}`);
const cluster = await createCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1 }, mode: process.argv[4] ?? 'data', ranksPerWorker: rpw });
const s = planCollective('allReduce', 'ring', { nranks: n, count: 1000, root: 0, elementBytes: 4, channels: 2, chunkElements: 300, layout: { groups: rankGroups(topology), hasReductionSwitch: false } });
for (let i = 0; i < 3; i++) { const r = await cluster.runSchedule(s, { dtype: 'float32', op: 'sum', check: true }); console.log(r.wallMs.toFixed(1), 'ms', r.rounds, 'rounds', (1000*r.wallMs/r.rounds).toFixed(1), 'us/round', r.wrong); }
await cluster.close();
