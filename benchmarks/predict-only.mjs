#!/usr/bin/env node
/**
 * Predicted time only (no simulation) of one all-reduce algorithm under each protocol, per
 * size, with weft's defaults (channels and chunk auto): what `--explain`'s "predicted" column
 * prints, in milliseconds of CPU instead of a run. For checking a predictor change against
 * simulated times already measured.
 *
 *   node benchmarks/predict-only.mjs dgx-h100:nodes=4 tree Simple 16M,64M,256M [CHANNELS CHUNK]
 *
 * CHANNELS and CHUNK (bytes) replace the defaults when given.
 */
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { DEFAULT_CHUNK_BYTES, getAlgorithm, resolveDefaults } from '@weft/collectives';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

const [spec, name, protocol, sizes, channels, chunk] = process.argv.slice(2);
const topology = parseTopologySpec(spec);
const cost = alphaBetaCost(topology);
const algorithm = getAlgorithm('allReduce', name);
for (const size of sizes.split(',')) {
  const count = parseSizeBytes(size) / 4;
  const params = { nranks: topology.ranks.length, count, root: 0, elementBytes: 4, channels: Number(channels ?? 0), chunkElements: (chunk ? parseSizeBytes(chunk) : DEFAULT_CHUNK_BYTES) / 4, ...(chunk ? {} : { chunkAuto: true }), layout: rankLayout(topology), protocol };
  const resolved = resolveDefaults(algorithm, params, cost);
  console.log(`${size}\t${name}/${protocol}\t${(algorithm.predictNs(resolved, cost) / 1000).toFixed(2)} µs`);
}
