#!/usr/bin/env node
/**
 * NCCL's own tuning model on a weft topology (packages/collectives/src/nccl-tuner.ts), no
 * simulation: the table NCCL_DEBUG_SUBSYS=TUNING prints (latency µs / algorithm bandwidth GB/s
 * per algorithm and protocol) and, per size, the time of every candidate and NCCL's pick (*);
 * then, per size, what auto runs under each rule (`weft bench --tuner`) with weft's predicted
 * time of it (float32, channels and chunk auto: what `--explain` prints as "predicted").
 *
 *   node benchmarks/nccl-tuner-table.mjs TOPOLOGY [SIZES] [COLLECTIVE]
 *   node benchmarks/nccl-tuner-table.mjs nvl72:variant=gb200,racks=20 512M,2G,16G
 *
 * SIZES: comma list (default 8,1K,64K,1M,8M,64M,512M,4G); COLLECTIVE: allReduce (default).
 */
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { chooseAlgorithm, countForBytes, DEFAULT_CHUNK_BYTES, ncclChoose, ncclTuneInputs, ncclTuneModel } from '@weft/collectives';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

const [spec, sizes = '8,1K,64K,1M,8M,64M,512M,4G', collective = 'allReduce'] = process.argv.slice(2);
if (spec === undefined) {
  console.error('usage: node benchmarks/nccl-tuner-table.mjs TOPOLOGY [SIZES] [COLLECTIVE]');
  process.exit(2);
}
const topology = parseTopologySpec(spec);
const layout = rankLayout(topology);
const cost = alphaBetaCost(topology);
const inputs = ncclTuneInputs(layout, topology.ranks.length, cost);
const g = (x) => `${x.nChannels} ch × ${x.bwIntraGbs}/${x.bwInterGbs} GB/s`;
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`# ${spec}: ${inputs.nranks} ranks on ${inputs.nodes} node(s), cc ${inputs.computeCapability}, graphs ring ${g(inputs.ring)}, tree ${g(inputs.tree)}, nvls ${inputs.nvls === null ? 'none' : g(inputs.nvls)}, comm ${inputs.commChannels} ch, llMaxBw ${inputs.llMaxGbs} GB/s`);
const table = ncclTuneModel(collective, inputs);
console.log(`| ${collective} | ${table.map((e) => `${e.row}/${e.protocol}`).join(' | ')} |`);
console.log(`|---|${table.map(() => '---:').join('|')}|`);
console.log(`| lat (us) / algbw (GB/s) | ${table.map((e) => `${fmt(e.latencyUs)} / ${fmt(e.algBwGBps)}`).join(' | ')} |`);
for (const size of sizes.split(',')) {
  const bytes = parseSizeBytes(size);
  const { candidates, best } = ncclChoose(collective, bytes, inputs);
  console.log(`| ${size} | ${candidates.map((c) => `${fmt(c.timeUs)}${c === best ? ' *' : ''}`).join(' | ')} |`);
}

console.log('');
console.log('| size | weft rule runs | predicted (us) | NCCL rule runs | predicted (us) |');
console.log('|---:|---|---:|---|---:|');
for (const size of sizes.split(',')) {
  // nccl-tests' size is the larger buffer; NCCL's count is per rank (the descriptor's rule).
  const params = { nranks: inputs.nranks, count: countForBytes(collective, parseSizeBytes(size), 'float32', inputs.nranks), root: 0, elementBytes: 4, channels: 0, chunkElements: DEFAULT_CHUNK_BYTES / 4, chunkAuto: true, layout };
  const [weft, nccl] = ['weft', 'nccl'].map((tuner) => chooseAlgorithm(collective, params, cost, undefined, tuner));
  const name = (c) => `${c.algorithm.name}/${c.params.protocol}`;
  console.log(`| ${size} | ${name(weft)} | ${fmt(weft.predictedNs / 1000)} | ${name(nccl)} | ${fmt(nccl.predictedNs / 1000)} |`);
}
