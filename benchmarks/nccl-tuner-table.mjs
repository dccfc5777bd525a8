#!/usr/bin/env node
/**
 * NCCL's own tuning model on a weft topology (packages/collectives/src/nccl-tuner.ts), no
 * simulation: the table NCCL_DEBUG_SUBSYS=TUNING prints (latency µs / algorithm bandwidth GB/s
 * per algorithm and protocol) and, per size, the time of every candidate and NCCL's pick.
 *
 *   node benchmarks/nccl-tuner-table.mjs TOPOLOGY [SIZES] [COLLECTIVE]
 *   node benchmarks/nccl-tuner-table.mjs nvl72:variant=gb200,racks=20 512M,2G,16G
 *
 * SIZES: comma list (default 8,1K,64K,1M,8M,64M,512M,4G); COLLECTIVE: allReduce (default).
 */
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { ncclChoose, ncclTuneInputs, ncclTuneModel } from '@weft/collectives';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

const [spec, sizes = '8,1K,64K,1M,8M,64M,512M,4G', collective = 'allReduce'] = process.argv.slice(2);
if (spec === undefined) {
  console.error('usage: node benchmarks/nccl-tuner-table.mjs TOPOLOGY [SIZES] [COLLECTIVE]');
  process.exit(2);
}
const topology = parseTopologySpec(spec);
const inputs = ncclTuneInputs(rankLayout(topology), topology.ranks.length, alphaBetaCost(topology));
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`# ${spec}: ${inputs.nranks} ranks on ${inputs.nodes} node(s), cc ${inputs.computeCapability}, graph ${inputs.graphChannels} ch × ${inputs.graphGbs} GB/s, comm ${inputs.commChannels} ch, llMaxBw ${inputs.llMaxGbs} GB/s`);
const table = ncclTuneModel(collective, inputs);
console.log(`| ${collective} | ${table.map((e) => `${e.row}/${e.protocol}`).join(' | ')} |`);
console.log(`|---|${table.map(() => '---:').join('|')}|`);
console.log(`| lat (us) / algbw (GB/s) | ${table.map((e) => `${fmt(e.latencyUs)} / ${fmt(e.algBwGBps)}`).join(' | ')} |`);
for (const size of sizes.split(',')) {
  const bytes = parseSizeBytes(size);
  const { candidates, best } = ncclChoose(collective, bytes, inputs);
  console.log(`| ${size} | ${candidates.map((c) => `${fmt(c.timeUs)}${c === best ? ' *' : ''}`).join(' | ')} |`);
}
